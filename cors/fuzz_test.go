package cors

import (
	"slices"
	"strings"
	"testing"
)

func FuzzParseHeaderList(f *testing.F) {
	for _, s := range []string{"", "x-a, X-B", " a ,, b ", "a\nb", "\"x\"", "a b", "*", ",,,", "a,\tb\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, ok := ParseHeaderList(s)
		if !ok {
			if items != nil {
				t.Fatalf("failed parse returned items %q", items)
			}
			return
		}
		for _, it := range items {
			if !IsToken(it) {
				t.Fatalf("item %q is not a token", it)
			}
		}
		// Round trip: joining the items and parsing again gives them back.
		again, ok := ParseHeaderList(strings.Join(items, ", "))
		if !ok || !slices.Equal(items, again) {
			t.Fatalf("round trip of %q gave %q (ok=%v)", items, again, ok)
		}
		// Splitting the value across header lines changes nothing.
		lines, ok := ParseHeaderList(strings.ReplaceAll(s, ",", "\n"))
		if !ok || !slices.Equal(items, lines) {
			t.Fatalf("multi-line form of %q gave %q", s, lines)
		}
	})
}

func FuzzParseExposeHeaders(f *testing.F) {
	for _, s := range []string{"", "X-A, x-a", "*", " a ,, b ", "set-cookie,*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names := ParseExposeHeaders(s)
		if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
			t.Fatalf("names %q not sorted and unique", names)
		}
		for _, n := range names {
			if n == "" || n != strings.ToLower(n) {
				t.Fatalf("bad name %q", n)
			}
		}
		if again := ParseExposeHeaders(strings.Join(names, ",")); !slices.Equal(names, again) {
			t.Fatalf("round trip of %q gave %q", names, again)
		}
	})
}

func FuzzPredict(f *testing.F) {
	f.Add("GET", "x-token", "abc", "*", "x-token", "PUT", 200, "include")
	f.Add("patch", "Content-Type", "application/json", "https://app.example.com, null", "", "*", 307, "omit")
	f.Fuzz(func(t *testing.T, method, hName, hValue, acao, acah, acam string, status int, creds string) {
		in := Input{
			Request:   Request{Origin: page, Method: method, URL: api, Headers: map[string]string{hName: hValue}, Credentials: creds},
			Preflight: resp(status, "Access-Control-Allow-Origin", acao, "Access-Control-Allow-Headers", acah, "Access-Control-Allow-Methods", acam, "Location", "/x"),
			Actual:    resp(200, "Access-Control-Allow-Origin", acao),
		}
		p := Predict(in)
		switch p.Verdict {
		case VerdictAllowed, VerdictError:
			if p.CorsError != "" {
				t.Fatalf("%s with CorsError %s", p.Verdict, p.CorsError)
			}
		case VerdictBlocked:
			if !slices.Contains(CorsErrors(), p.CorsError) {
				t.Fatalf("blocked with unknown CorsError %q", p.CorsError)
			}
		default:
			t.Fatalf("unexpected verdict %q", p.Verdict)
		}
		d := Diagnose(in, Observation{Verdict: "blocked", CorsError: p.CorsError, FailedParameter: p.FailedParameter})
		if strings.ContainsAny(d.Summary+d.Fix, "\x1b\x00") {
			t.Fatalf("raw control bytes rendered: %q", d.Summary)
		}
	})
}
