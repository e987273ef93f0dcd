package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// pathHeaders are the response headers a path comparison looks at: those
// that decide a CORS check, and those that decide what a shared cache
// keeps and serves. Headers every hop rewrites (Date, Server, Via,
// Content-Length, request ids) would drown the drift that matters.
var pathHeaders = []string{
	"access-control-allow-origin", "access-control-allow-credentials",
	"access-control-allow-methods", "access-control-allow-headers",
	"access-control-expose-headers", "access-control-max-age",
	"access-control-allow-private-network",
	"vary", "cache-control", "expires", "pragma", "location",
}

// listHeaders hold comma-separated lists whose order and spelling carry no
// meaning: they compare as sets of lower-case tokens.
var listHeaders = []string{"access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers", "vary", "cache-control"}

// Paths compares rec, made over one path, with ref, the same case over the
// reference path named refPath: the verdicts, and for the preflight and the
// actual request their statuses and CORS and caching response headers.
func Paths(refPath string, ref, rec *result.Record) *result.PathDiff {
	d := &result.PathDiff{
		Reference:          refPath,
		ReferenceVerdict:   ref.Verdict,
		ReferenceCorsError: ref.CorsError,
		VerdictChanged:     ref.Verdict != rec.Verdict || ref.CorsError.Canonical() != rec.CorsError.Canonical(),
	}
	for _, x := range []struct {
		name     string
		ref, got *result.Exchange
	}{{"preflight", ref.Preflight, rec.Preflight}, {"actual", ref.Actual, rec.Actual}} {
		if ed, ok := Exchanges(x.name, x.ref, x.got); ok {
			d.Exchanges = append(d.Exchanges, ed)
		}
	}
	return d
}

// Exchanges compares one exchange over two paths; ok is false when they
// agree on everything compared.
func Exchanges(name string, ref, got *result.Exchange) (result.ExchangeDiff, bool) {
	d := result.ExchangeDiff{Exchange: name}
	switch {
	case ref == nil && got == nil:
		return d, false
	case got == nil:
		d.Presence, d.ReferenceStatus = "reference only", ref.Status
		return d, true
	case ref == nil:
		d.Presence, d.Status = "this path only", got.Status
		return d, true
	}
	if ref.Status != got.Status {
		d.ReferenceStatus, d.Status = ref.Status, got.Status
	}
	d.Headers = Headers(ref.ResponseHeaders, got.ResponseHeaders)
	return d, d.ReferenceStatus != 0 || d.Status != 0 || len(d.Headers) > 0
}

// Headers compares the CORS and caching headers of two responses (names in
// any case; a repeated header's lines joined with "\n", as records hold
// them). A header sent on more lines than on the reference, its reference
// lines among them, is duplicated; list-valued headers compare as sets.
func Headers(ref, got map[string]string) []result.HeaderDiff {
	r, g := lowerKeys(ref), lowerKeys(got)
	var out []result.HeaderDiff
	for _, name := range pathHeaders {
		rv, rok := r[name]
		gv, gok := g[name]
		switch {
		case !rok && !gok:
		case !gok:
			out = append(out, result.HeaderDiff{Name: name, Change: result.HeaderRemoved, Reference: rv})
		case !rok:
			out = append(out, result.HeaderDiff{Name: name, Change: result.HeaderAdded, Value: gv})
		case sameValue(name, rv, gv):
		case duplicated(rv, gv):
			out = append(out, result.HeaderDiff{Name: name, Change: result.HeaderDuplicated, Reference: rv, Value: gv})
		default:
			out = append(out, result.HeaderDiff{Name: name, Change: result.HeaderChanged, Reference: rv, Value: gv})
		}
	}
	return out
}

func lowerKeys(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		k = strings.ToLower(k)
		if prev, ok := out[k]; ok {
			v = prev + "\n" + v
		}
		out[k] = v
	}
	return out
}

func sameValue(name, a, b string) bool {
	if !slices.Contains(listHeaders, name) {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return slices.Equal(tokens(a), tokens(b))
}

// tokens are the sorted, de-duplicated lower-case items of a list header.
func tokens(v string) []string {
	var out []string
	for _, line := range strings.Split(v, "\n") {
		for _, t := range strings.Split(line, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// duplicated reports whether got repeats the header: more lines (or list
// items) than ref, every line of ref among them.
func duplicated(ref, got string) bool {
	split := func(v string) []string {
		var out []string
		for _, line := range strings.Split(v, "\n") {
			for _, t := range strings.Split(line, ",") {
				out = append(out, strings.TrimSpace(t))
			}
		}
		return out
	}
	r, g := split(ref), split(got)
	if len(g) <= len(r) {
		return false
	}
	for _, x := range r {
		if !slices.Contains(g, x) {
			return false
		}
	}
	return true
}

// PathFindings are the messages a path comparison adds to its record: a
// changed verdict is a mismatch (the record fails), header drift that did
// not change it a warning. path is the record's path name.
func PathFindings(path string, rec *result.Record, d *result.PathDiff) (mismatches, warnings []string) {
	if d.VerdictChanged {
		mismatches = append(mismatches, fmt.Sprintf("path %s: the browser's verdict is %s, on %s it is %s%s",
			path, verdictText(rec.Verdict, rec.CorsError), d.Reference, verdictText(d.ReferenceVerdict, d.ReferenceCorsError), becauseText(d)))
	}
	for _, ex := range d.Exchanges {
		for _, line := range ex.Lines() {
			warnings = append(warnings, fmt.Sprintf("path %s differs from %s: %s", path, d.Reference, line))
		}
	}
	return mismatches, warnings
}

func verdictText(v cors.Verdict, e cors.CorsError) string {
	if e == "" {
		return string(v)
	}
	return string(v) + " (" + string(e) + ")"
}

// becauseText names the first difference found, the likely cause.
func becauseText(d *result.PathDiff) string {
	for _, ex := range d.Exchanges {
		if lines := ex.Lines(); len(lines) > 0 {
			return "; first difference: " + lines[0]
		}
	}
	return ""
}
