package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		name    string
		want    any
		wantErr string
	}{
		{desc: "json", name: "json", want: &JSON{}},
		{desc: "json lines", name: "jsonl", want: &JSONLines{}},
		{desc: "junit", name: "junit", want: &JUnit{}},
		{desc: "html", name: "html", want: &HTML{}},
		{desc: "markdown", name: "markdown", want: &Markdown{}},
		{desc: "md alias", name: "md", want: &Markdown{}},
		{desc: "text", name: "text", want: &Text{}},
		{desc: "upper case", name: "HTML", want: &HTML{}},
		{desc: "unknown", name: "xml", wantErr: `unknown report format "xml": valid formats are har, html, json, jsonl, junit, markdown (md), text`},
		{desc: "empty", name: "", wantErr: `unknown report format ""`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rep, err := ByName(tc.name)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.IsType(t, tc.want, rep)
		})
	}
	assert.Equal(t, []string{"har", "html", "json", "jsonl", "junit", "markdown", "text"}, Formats())
}

func TestReportersRejectNilRun(t *testing.T) {
	t.Parallel()
	for _, name := range Formats() {
		rep, err := ByName(name)
		require.NoError(t, err)
		assert.Error(t, rep.Report(&bytes.Buffer{}, nil), name)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	red := Redact(run)
	orig := run.Records[3]
	got := red.Records[3]

	// The caller's run is untouched.
	assert.Equal(t, secretToken, orig.Request.Headers["Authorization"])
	assert.Equal(t, secretToken, orig.Actual.RequestHeaders["authorization"])

	tests := []struct {
		desc string
		got  string
	}{
		{desc: "request headers", got: got.Request.Headers["Authorization"]},
		{desc: "lower-case authorization on the wire", got: got.Actual.RequestHeaders["authorization"]},
		{desc: "cookie", got: got.Actual.RequestHeaders["Cookie"]},
		{desc: "set-cookie", got: got.Actual.ResponseHeaders["Set-Cookie"]},
		{desc: "proxy-authorization", got: got.Actual.ResponseHeaders["Proxy-Authorization"]},
		{desc: "readable set-cookie", got: got.Page.ReadableHeaders["set-cookie"]},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, Redacted, tc.got)
		})
	}
	assert.Equal(t, hostileImg, got.Actual.RequestHeaders["X-Evil"], "other headers are kept")
	assert.Nil(t, Redact(nil))

	// A deep copy: changing the copy leaves the original alone.
	red.Records[0].Page.ReadableHeaders["content-type"] = "changed"
	red.Records[1].Expect.ReadableHeaders = append(red.Records[1].Expect.ReadableHeaders, "x")
	*red.Records[1].Expect.Preflight = false
	assert.Equal(t, "application/json", run.Records[0].Page.ReadableHeaders["content-type"])
	assert.True(t, *run.Records[1].Expect.Preflight)
}

// renderAll renders the fixture in every format and as single records.
func renderAll(t *testing.T, opts Options) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range Formats() {
		rep, err := New(name, opts)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, rep.Report(&buf, fixtureRun()))
		out[name] = buf.String()
	}
	var buf bytes.Buffer
	require.NoError(t, TextRecord(&buf, hostileRecord(), opts))
	out["text record"] = buf.String()
	buf.Reset()
	require.NoError(t, MarkdownCase(&buf, hostileRecord(), opts))
	out["markdown case"] = buf.String()
	buf.Reset()
	jl := NewJSONLines(opts)
	require.NoError(t, jl.Record(&buf, hostileRecord()))
	out["jsonl record"] = buf.String()
	return out
}

func TestSecretsRedactedInEveryFormat(t *testing.T) {
	t.Parallel()
	for format, out := range renderAll(t, Options{}) {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			for _, secret := range []string{"s3cr3t-t0k3n", "c00kie-v4lue", "cHJveHk6cGFzcw=="} {
				assert.NotContains(t, out, secret)
			}
			if format != "text" { // The run table shows no headers at all.
				assert.Contains(t, out, Redacted)
			}
		})
	}
}

func TestShowSecrets(t *testing.T) {
	t.Parallel()
	for format, out := range renderAll(t, Options{ShowSecrets: true}) {
		if format == "text" {
			continue // The run table shows no headers at all.
		}
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			assert.Contains(t, out, "s3cr3t-t0k3n")
			assert.NotContains(t, out, Redacted)
		})
	}
}

func TestHostileValuesInPlainFormats(t *testing.T) {
	t.Parallel()
	outs := renderAll(t, Options{})
	for _, format := range []string{"text", "text record", "markdown", "markdown case", "junit", "html"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			out := outs[format]
			assert.NotContains(t, out, "\x1b", "raw ESC")
			assert.NotContains(t, out, "\x07", "raw BEL")
		})
	}
}

func TestSanitizeTerminal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		in   string
		want string
	}{
		{desc: "plain", in: "Access-Control-Allow-Origin", want: "Access-Control-Allow-Origin"},
		{desc: "utf-8 kept", in: "naïve ✓", want: "naïve ✓"},
		{desc: "csi colour", in: "\x1b[31mred\x1b[0m", want: "\ufffdred\ufffd"},
		{desc: "osc title with bel", in: "a\x1b]0;title\x07b", want: "a\ufffdb"},
		{desc: "osc with st", in: "a\x1b]8;;http://x\x1b\\link", want: "a\ufffdlink"},
		{desc: "fixture value", in: hostileANSI, want: "\ufffdred\ufffd"},
		{desc: "clear screen", in: "\x1b[2J\x1b[H", want: "\ufffd\ufffd"},
		{desc: "two-byte escape", in: "\x1bcreset", want: "\ufffdreset"},
		{desc: "charset escape", in: "\x1b(Bx", want: "\ufffdx"},
		{desc: "lone esc at end", in: "x\x1b", want: "x\ufffd"},
		{desc: "c1 csi", in: "a\u009b31mb", want: "a\ufffdb"},
		{desc: "c1 osc", in: "a\u009d0;t\u009cb", want: "a\ufffdb"},
		{desc: "other controls", in: "a\rb\nc\x00d\x7f", want: "a\ufffdb\ufffdc\ufffdd\ufffd"},
		{desc: "tab", in: "a\tb", want: "a b"},
		{desc: "invalid utf-8", in: "a\x9bb", want: "a\ufffdb"},
		{desc: "bidi override", in: "abc\u202edcba", want: "abc\ufffddcba"},
		{desc: "dcs", in: "a\x1bPq#0\x1b\\b", want: "a\ufffdb"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got := SanitizeTerminal(tc.in)
			assert.Equal(t, tc.want, got)
			for _, r := range got {
				assert.False(t, isControl(r), "control %U left in %q", r, got)
			}
		})
	}
}

func FuzzSanitizeTerminal(f *testing.F) {
	for _, s := range []string{hostileANSI, "\x1b[", "\x1b]", "\u009b", "a\tb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeTerminal(s)
		for _, r := range got {
			if isControl(r) || isBidiControl(r) || isInvisible(r) {
				t.Fatalf("SanitizeTerminal(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}

// ansiRE matches the colour codes the text reporter itself writes.
var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestTextColor(t *testing.T) {
	t.Parallel()
	var plain, color bytes.Buffer
	require.NoError(t, NewText(Options{}).Report(&plain, fixtureRun()))
	require.NoError(t, NewText(Options{Color: true}).Report(&color, fixtureRun()))
	assert.NotContains(t, plain.String(), "\x1b")
	assert.Contains(t, color.String(), ansiRed+"blocked"+ansiReset)
	assert.Equal(t, plain.String(), ansiRE.ReplaceAllString(color.String(), ""), "colour changes nothing but colour")

	var rec bytes.Buffer
	require.NoError(t, TextRecord(&rec, hostileRecord(), Options{Color: true}))
	stripped := ansiRE.ReplaceAllString(rec.String(), "")
	assert.NotContains(t, stripped, "\x1b", "only our own colour codes")
	assert.Contains(t, stripped, "X-ANSI: \ufffdred\ufffd")
}

func TestTotalsLine(t *testing.T) {
	t.Parallel()
	run := &result.Run{}
	for range 6 {
		run.Records = append(run.Records, result.Record{Verdict: cors.VerdictAllowed, ExpectMet: true})
	}
	for range 8 {
		run.Records = append(run.Records, result.Record{Verdict: cors.VerdictBlocked, ExpectMet: true})
	}
	run.Tally()
	assert.Equal(t, "14 cases: 6 allowed, 8 blocked · expectations 14 met, 0 failed · model: 14 agree, 0 disagree, 0 unknown", totalsLine(run.Totals))
	assert.Empty(t, disagreeLine(run.Totals))

	var buf bytes.Buffer
	require.NoError(t, NewText(Options{}).Report(&buf, &result.Run{}))
	assert.Equal(t, "0 cases · expectations 0 met, 0 failed · model: 0 agree, 0 disagree, 0 unknown\n", buf.String())
}

func TestProbeCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		rec  result.Record
		want string
		args []string
	}{
		{
			desc: "simple get",
			rec:  result.Record{Origin: "https://app.example.test", Request: scenarios.Request{Method: "GET", URL: "https://api.example.test/x"}},
			want: "corsproof probe https://api.example.test/x --origin https://app.example.test",
			args: []string{"corsproof", "probe", "https://api.example.test/x", "--origin", "https://app.example.test"},
		},
		{
			desc: "every flag and a single quote",
			rec: result.Record{Origin: "null", Request: scenarios.Request{
				API: scenarios.APIXHR, Method: "DELETE", URL: "https://api.example.test/a?b=1&c=2",
				Headers:     map[string]string{"X-Note": "it's $HOME `id`", "Accept": "*/*"},
				Credentials: scenarios.CredentialsInclude, Body: "a b", Mode: scenarios.ModeNoCORS,
			}},
			want: `corsproof probe 'https://api.example.test/a?b=1&c=2' --origin null -X DELETE -H 'Accept: */*' -H 'X-Note: it'\''s $HOME ` + "`id`" + `' --credentials include --api xhr --data 'a b' --mode no-cors`,
			args: []string{"corsproof", "probe", "https://api.example.test/a?b=1&c=2", "--origin", "null", "-X", "DELETE",
				"-H", "Accept: */*", "-H", "X-Note: it's $HOME `id`", "--credentials", "include", "--api", "xhr", "--data", "a b", "--mode", "no-cors"},
		},
		{
			desc: "empty values stay words",
			rec:  result.Record{Origin: "", Request: scenarios.Request{URL: ""}},
			want: "corsproof probe '' --origin ''",
			args: []string{"corsproof", "probe", "", "--origin", ""},
		},
	}
	sh, shErr := exec.LookPath("sh")
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got := ProbeCommand(&tc.rec)
			assert.Equal(t, tc.want, got)
			if shErr != nil {
				t.Log("no sh: skipping the round trip through a shell")
				return
			}
			// The shell must split the command back into the same words.
			out, err := exec.Command(sh, "-c", "set -- "+got+`; printf '%s\0' "$@"`).Output()
			require.NoError(t, err)
			words := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			assert.Equal(t, tc.args, words)
		})
	}
}

func TestFencedCannotBeClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		content   string
		wantFence string
	}{
		{desc: "no backticks", content: "a: b\n", wantFence: "```"},
		{desc: "triple backticks", content: "x: ```\n", wantFence: "````"},
		{desc: "fence-looking line", content: "```\nnot code\n", wantFence: "````"},
		{desc: "five backticks", content: "`````", wantFence: "``````"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got := Fenced("http", tc.content)
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			assert.Equal(t, tc.wantFence+"http", lines[0])
			assert.Equal(t, tc.wantFence, lines[len(lines)-1])
			for _, l := range lines[1 : len(lines)-1] {
				assert.False(t, strings.HasPrefix(strings.TrimSpace(l), tc.wantFence), "line %q would close the fence", l)
			}
		})
	}
}

func TestMarkdownEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		got  string
		want string
	}{
		{desc: "cell pipe and html", got: mdCell("a|b<c>`d`"), want: "a\\|b&lt;c&gt;\\`d\\`"},
		{desc: "cell newline", got: mdCell("one\ntwo"), want: "one<br>two"},
		{desc: "inline emphasis and links", got: mdInline("*x* [y](javascript:1) _z_"), want: `\*x\* \[y\](javascript:1) \_z\_`},
		{desc: "inline newline", got: mdInline("a\r\nb"), want: "a b"},
		{desc: "inline control", got: mdInline("a\x1b[0m"), want: `a\\x1b\[0m`},
		{desc: "entity", got: mdInline("&lt;"), want: "&amp;lt;"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.got)
		})
	}

	var buf bytes.Buffer
	require.NoError(t, MarkdownCase(&buf, hostileRecord(), Options{}))
	md := buf.String()
	assert.Contains(t, md, "`````http\n> POST", "the fence around ```` values is longer")
	outside := regexp.MustCompile("(?s)`{3,}[a-z]*\n.*?\n`{3,}\n").ReplaceAllString(md, "")
	assert.NotContains(t, outside, "<")
}

func TestCaseYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	for i := range run.Records {
		rec := &run.Records[i]
		t.Run(rec.Name, func(t *testing.T) {
			t.Parallel()
			var cases []scenarios.Case
			require.NoError(t, yaml.Unmarshal([]byte(CaseYAML(rec)), &cases), CaseYAML(rec))
			require.Len(t, cases, 1)
			c := cases[0]
			assert.Equal(t, rec.Name, c.Name)
			assert.Equal(t, rec.Origin, c.Origin)
			assert.Equal(t, rec.Request, c.Request)
			assert.Equal(t, rec.Expect, c.Expect)
		})
	}
	odd := &result.Record{Name: "q\"uote\\ \x1b[0m: #x", Origin: "null", Request: scenarios.Request{URL: "yes", Headers: map[string]string{"a: b": "- [x]"}}}
	var cases []scenarios.Case
	require.NoError(t, yaml.Unmarshal([]byte(CaseYAML(odd)), &cases))
	require.Len(t, cases, 1)
	assert.Equal(t, odd.Name, cases[0].Name)
	assert.Equal(t, odd.Request.Headers, cases[0].Request.Headers)
}

// writeCounter records each Write call.
type writeCounter struct {
	writes [][]byte
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func TestJSONLinesStreaming(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	jl := NewJSONLines(Options{})
	w := &writeCounter{}
	require.NoError(t, jl.Begin(w, run))
	// The run is killed after two records: what is written must be whole.
	for i := range run.Records[:2] {
		require.NoError(t, jl.Record(w, &run.Records[i]))
	}
	require.Len(t, w.writes, 3, "one Write per line")
	for i, line := range w.writes {
		assert.True(t, bytes.HasSuffix(line, []byte("\n")), "line %d ends with a newline", i)
		assert.Equal(t, 1, bytes.Count(line, []byte("\n")), "line %d is one line", i)
		assert.True(t, json.Valid(line), "line %d is valid JSON", i)
	}
	var rec result.Record
	require.NoError(t, json.Unmarshal(w.writes[2], &rec))
	assert.Equal(t, run.Records[1].Name, rec.Name)
	assert.Equal(t, cors.ErrHeaderDisallowedByPreflightResponse, rec.CorsError)

	require.NoError(t, jl.End(w, run))
	var end struct {
		Totals result.Totals `json:"totals"`
	}
	require.NoError(t, json.Unmarshal(w.writes[3], &end))
	assert.Equal(t, 4, end.Totals.Cases)
	assert.Equal(t, 1, end.Totals.ExpectFail)
}

func TestJSONLinesFlushes(t *testing.T) {
	t.Parallel()
	var sink bytes.Buffer
	bw := bufio.NewWriterSize(&sink, 1<<16)
	require.NoError(t, NewJSONLines(Options{}).Record(bw, hostileRecord()))
	assert.Positive(t, sink.Len(), "the record reached the underlying writer")
	assert.Zero(t, bw.Buffered())
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, NewJSON(Options{ShowSecrets: true}).Report(&buf, fixtureRun()))
	var got result.Run
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	want := fixtureRun()
	assert.Equal(t, want.Totals, got.Totals)
	assert.Equal(t, want.Records[3].Actual.ResponseHeaders, got.Records[3].Actual.ResponseHeaders)
	assert.True(t, want.Started.Equal(got.Started))
}

func TestReportRecomputesTotals(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	run.Totals = result.Totals{} // The caller forgot to Tally.
	var buf bytes.Buffer
	require.NoError(t, NewText(Options{}).Report(&buf, run))
	assert.Contains(t, buf.String(), "4 cases: 2 allowed, 2 blocked")
	assert.Zero(t, run.Totals.Cases, "the caller's run is not changed")
}

func TestProgress(t *testing.T) {
	t.Parallel()
	t.Run("non-terminal writer is a no-op", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		p := NewProgress(&buf, 3, Options{})
		p.Add(hostileRecord())
		p.Finish()
		assert.Zero(t, buf.Len())
		assert.Equal(t, 1, p.Done())
	})
	t.Run("nil progress is a no-op", func(t *testing.T) {
		t.Parallel()
		var p *Progress
		p.Add(nil)
		p.Finish()
		assert.Zero(t, p.Done())
	})
	t.Run("short runs draw nothing", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		now := time.Unix(0, 0)
		p := newProgress(&buf, 3, true, progressDelay, func() time.Time { return now })
		p.Add(&result.Record{Name: "one"})
		now = now.Add(time.Second)
		p.Add(&result.Record{Name: "two"})
		assert.Zero(t, buf.Len())
	})
	t.Run("long runs draw a bar with count", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		now := time.Unix(0, 0)
		p := newProgress(&buf, 3, true, progressDelay, func() time.Time { return now })
		p.Add(&result.Record{Name: "one"})
		now = now.Add(2 * time.Second)
		p.Add(&result.Record{Name: "two \x1b[31m"})
		assert.Contains(t, buf.String(), "2/3")
		assert.NotContains(t, buf.String(), "\x1b[31m")
		p.Finish()
		assert.Equal(t, 2, p.Done())
	})
}

func TestParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc       string
		spec       string
		wantFormat string
		wantPath   string
		wantErr    string
	}{
		{desc: "junit", spec: "junit=out/r.xml", wantFormat: "junit", wantPath: "out/r.xml"},
		{desc: "alias and case", spec: "MD=r.md", wantFormat: "markdown", wantPath: "r.md"},
		{desc: "equals in path", spec: "html=a=b.html", wantFormat: "html", wantPath: "a=b.html"},
		{desc: "no equals", spec: "junit", wantErr: `parsing report "junit": want FORMAT=PATH`},
		{desc: "no path", spec: "junit=", wantErr: "want FORMAT=PATH"},
		{desc: "unknown format", spec: "xml=r.xml", wantErr: `parsing report "xml=r.xml": unknown report format "xml": valid formats are`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			format, path, err := ParseSpec(tc.spec)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantFormat, format)
			assert.Equal(t, tc.wantPath, path)
		})
	}
}

func TestProgressConcurrent(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})
	p := newProgress(w, 40, true, 0, time.Now)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				p.Add(&result.Record{Name: "case"})
			}
		})
	}
	wg.Wait()
	p.Finish()
	assert.Equal(t, 40, p.Done())
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// merge reads shards saved as JSON or JSON Lines and checks they cover the
// split, so both must keep the run's shard.
func TestSavedRunsKeepTheirShard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		r    Reporter
	}{
		{desc: "json", r: NewJSON(Options{})},
		{desc: "json lines", r: NewJSONLines(Options{})},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			run := fixtureRun()
			run.Shard = "2/3"
			var buf bytes.Buffer
			require.NoError(t, tc.r.Report(&buf, run))
			got, _, err := result.Decode(buf.Bytes())
			require.NoError(t, err)
			assert.Equal(t, "2/3", got.Shard)

			run.Shard = ""
			buf.Reset()
			require.NoError(t, tc.r.Report(&buf, run))
			assert.NotContains(t, buf.String(), `"shard"`, "a whole run writes no shard")
		})
	}
}

// TestShellQuoteHostile: a value with terminal controls or invisible
// characters is written as $'…' with escapes, so a command pasted from a
// report carries no raw ESC, BEL or U+2028, and bash still reads back the
// exact value.
func TestShellQuoteHostile(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	require.NoError(t, err, "bash reads $'…' words")
	for _, v := range []string{
		"X: \x1b]0;pwned\x07 \x1b[2J",
		"a\u2028b\u2029c",
		"\ufffe\uffff\U0001fffe",
		"rtl\u202eevil",
		"zero\u200bwidth\ufeff",
		"it's a \\ backslash\x01", // (bash words cannot hold NUL)
		"bad \xff\xfe bytes, é and 😀 kept",
		"c1 \u0085\u009b",
	} {
		q := ShellQuote(v)
		assert.True(t, strings.HasPrefix(q, "$'"), "%q quoted as %q", v, q)
		for _, r := range q {
			assert.False(t, isControl(r) || isInvisible(r) || isBidiControl(r), "%U left raw in %q", r, q)
		}
		out, err := exec.Command(bash, "-c", "printf %s "+q).Output()
		require.NoError(t, err, q)
		assert.Equal(t, v, string(out), "bash reads %s back", q)
	}
	assert.Equal(t, "'é 😀'", ShellQuote("é 😀"), "printable text keeps plain quotes")
}

func TestSanitizeTerminalInvisible(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"a\u2028b", "a\u2029b", "a\ufffeb", "a\uffffb", "a\U0010ffffb", "a\u200bb", "a\ufeffb", "a\u00adb", "a\ufdd0b"} {
		assert.Equal(t, "a\ufffdb", SanitizeTerminal(in), "%q", in)
	}
	assert.Equal(t, "👩\u200d💻", SanitizeTerminal("👩\u200d💻"), "the joiner emoji need stays")
}

// TestReproduceCommandsEscapeControls: the reproduce lines of the HTML and
// Markdown reports carry a hostile request header's ESC and BEL as
// escapes, never as bytes.
func TestReproduceCommandsEscapeControls(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	run.Records[0].Request.Headers = map[string]string{"X-Evil": "a\x1b]0;t\x07\x1b[31mb\u2028c"}
	for _, format := range []string{"html", "markdown"} {
		r, err := New(format, Options{ShowSecrets: true})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, r.Report(&buf, run))
		out := buf.String()
		assert.NotContains(t, out, "\x1b", format)
		assert.NotContains(t, out, "\x07", format)
		assert.NotContains(t, out, "\u2028", format)
		assert.Contains(t, out, `\x1b]0;t\x07`, "%s: the reproduce command shows the escape", format)
	}
}

func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"plain", "it's", "\x1b]0;t\x07", "a\u2028b", "\xff", "\U0001fffe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ShellQuote(s)
		for _, r := range q {
			if isControl(r) || isBidiControl(r) || isInvisible(r) {
				t.Fatalf("ShellQuote(%q) = %q carries %U raw", s, q, r)
			}
		}
		if !utf8.ValidString(q) {
			t.Fatalf("ShellQuote(%q) = %q is not UTF-8", s, q)
		}
	})
}

// TestCaseYAMLKeepsSteps: the suite case of a record with steps is a case
// with the same steps — origins, waits, fresh, requests, expectations — that
// the suite loader accepts, not the last step alone.
func TestCaseYAMLKeepsSteps(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=0", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}, Mode: "cors"}
	del := req
	del.Method = "DELETE"
	rec := result.Record{Name: "works on my machine", Mismatches: []string{}, Steps: []result.Record{
		{Name: "step 1", Origin: "https://app.example.test", Request: req, Expect: &scenarios.Expect{Preflight: &yes}},
		{Name: "again", Origin: "https://app.example.test", Request: req, WaitMS: 2500, Expect: &scenarios.Expect{Preflight: &no}},
		{Name: "step 3", Origin: "http://localhost:3000", Request: del, Fresh: true, Expect: &scenarios.Expect{Verdict: "allowed"}},
	}}
	rec.TakeLastStep()
	text := CaseYAML(&rec)
	suite, err := scenarios.Parse("pasted.yaml", []byte("version: 1\nname: pasted\ncases:\n"+text))
	require.NoError(t, err, text)
	require.Len(t, suite.Cases, 1)
	c := suite.Cases[0]
	require.Len(t, c.Steps, 3, text)
	assert.Equal(t, "https://app.example.test", c.Origin)
	assert.Equal(t, "again", c.Steps[1].Name)
	assert.Equal(t, scenarios.Duration(2500*time.Millisecond), c.Steps[1].Wait)
	assert.True(t, c.Steps[2].Fresh)
	assert.Equal(t, "http://localhost:3000", c.Steps[2].Origin)
	for i, st := range c.Steps {
		sc := c.StepCase(i)
		assert.Equal(t, rec.Steps[i].Origin, sc.Origin, "step %d", i+1)
		assert.Equal(t, rec.Steps[i].Request, st.Request, "step %d", i+1)
		assert.Equal(t, rec.Steps[i].Expect, st.Expect, "step %d", i+1)
	}
}
