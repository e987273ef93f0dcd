package reports

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

// renderHTML renders a run as HTML.
func renderHTML(t *testing.T, run *result.Run, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, NewHTML(opts).Report(&buf, run))
	return buf.String()
}

func TestHTMLHooks(t *testing.T) {
	t.Parallel()
	out := renderHTML(t, fixtureRun(), Options{})
	assert.Equal(t, 1, strings.Count(out, `<section id="summary">`))
	articles := regexp.MustCompile(`<article class="case" id="(case-\d+)" data-verdict="([^"]*)" data-name="([^"]*)" data-expect="([^"]*)"`).FindAllStringSubmatch(out, -1)
	require.Len(t, articles, 4)
	want := []struct{ id, verdict, name, expect string }{
		{"case-1", "allowed", "simple GET is allowed", "met"},
		{"case-2", "blocked", "custom header refused by preflight", "met"},
		{"case-3", "blocked", "missing allow-origin", "failed"},
		{"case-4", "allowed", "hostile " + hostileImg, "met"},
	}
	for i, w := range want {
		assert.Equal(t, w.id, articles[i][1])
		assert.Equal(t, w.verdict, articles[i][2])
		assert.Equal(t, w.name, html.UnescapeString(articles[i][3]))
		assert.Equal(t, w.expect, articles[i][4])
	}
	assert.Contains(t, out, `<li data-count="blocked"><span class="badge blocked">blocked</span> <b>2</b></li>`)
	assert.Contains(t, out, `<button type="button" data-filter="blocked" aria-pressed="false">blocked</button>`)
	assert.Contains(t, out, `id="disagree">model disagrees with the browser on 1 case<`)
	assert.Contains(t, out, "Chromium 156.0.8078.108")
	// The failed case opens by itself; the others stay collapsed.
	assert.Equal(t, 1, strings.Count(out, "<details open>"))
}

func TestHTMLCaseContent(t *testing.T) {
	t.Parallel()
	out := renderHTML(t, fixtureRun(), Options{ProgramName: "./corsproof"})
	tests := []struct {
		desc string
		want string
	}{
		{desc: "browser reason", want: `<dd class="browser-reason">HeaderDisallowedByPreflightResponse (x-token)</dd>`},
		{desc: "fix", want: `<dd class="fix">Add x-token to Access-Control-Allow-Headers`},
		{desc: "preflight request header", want: `<tr><th scope="row">Access-Control-Request-Headers</th><td>content-type,x-token</td></tr>`},
		{desc: "preflight response header", want: `<tr><th scope="row">Access-Control-Allow-Headers</th><td>content-type</td></tr>`},
		{desc: "missing actual", want: `<h3>Actual <span class="missing">not sent: the preflight failed</span></h3>`},
		{desc: "readable header", want: `<table class="readable-headers"><tr><th scope="row">content-type</th><td>application/json</td></tr>`},
		{desc: "mismatch", want: `<li>verdict: expected allowed, got blocked (MissingAllowOriginHeader)</li>`},
		{desc: "probe command with program name", want: `<pre id="case-3-cmd">./corsproof probe https://api.example.test/private --origin https://app.example.test --credentials omit --api xhr</pre>`},
		{desc: "copy button", want: `<button type="button" class="copy" data-copy="case-3-cmd">copy</button>`},
		{desc: "multi-line header as two rows", want: `<tr><th scope="row">X-Multi</th><td>one</td></tr><tr><th scope="row">X-Multi</th><td>two</td></tr>`},
		{desc: "control characters visible", want: `<td>\x1b[31mred\x1b]0;title\a</td>`},
		{desc: "console message", want: `<pre class="console">Access to fetch at &#39;https://api.example.test/items/1&#39;`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Contains(t, out, tc.want)
		})
	}
}

func TestHTMLHostileValuesStayText(t *testing.T) {
	t.Parallel()
	out := renderHTML(t, fixtureRun(), Options{})
	lower := strings.ToLower(out)
	assert.Equal(t, 1, strings.Count(lower, "<script"), "only our own script element")
	assert.Equal(t, 1, strings.Count(lower, "</script"), "no value closes our script")
	assert.NotContains(t, lower, "<img")
	assert.NotContains(t, out, hostileScript)
	assert.Contains(t, out, "&lt;img src=x onerror=alert(1)&gt;")
	// Outside our own style and script, no tag loads anything or has handlers.
	markup := regexp.MustCompile(`(?s)<(script|style)>.*?</(script|style)>`).ReplaceAllString(out, "")
	tags := regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*/?>`).FindAllStringSubmatch(markup, -1)
	require.NotEmpty(t, tags)
	attrRE := regexp.MustCompile(`\s+([a-zA-Z-]+)(?:="[^"]*")?`)
	for _, tag := range tags {
		assert.NotContains(t, []string{"script", "img", "iframe", "object", "embed", "link", "base", "form"}, strings.ToLower(tag[1]))
		for _, a := range attrRE.FindAllStringSubmatch(tag[2], -1) {
			name := strings.ToLower(a[1])
			assert.False(t, strings.HasPrefix(name, "on"), "event handler %s on <%s>", name, tag[1])
			assert.NotContains(t, []string{"src", "href", "action", "formaction", "style"}, name, "on <%s>", tag[1])
		}
	}
	// Every tag was understood: none hides attributes the scan missed.
	assert.Equal(t, strings.Count(markup, "<")-strings.Count(markup, "</")-strings.Count(markup, "<!"), len(tags))
	assert.NotContains(t, out, "\x1b")
}

func TestHTMLContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	out := renderHTML(t, fixtureRun(), Options{})
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(out)
	require.Len(t, m, 2)
	csp := html.UnescapeString(m[1])
	assert.Contains(t, csp, "default-src 'none'")

	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(out)
	require.Len(t, script, 2)
	assert.Contains(t, csp, "script-src '"+cspHash(script[1])+"'", "the hash allows exactly the script in the page")

	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(out)
	require.Len(t, style, 2)
	assert.Contains(t, csp, "style-src '"+cspHash(style[1])+"'")
}

func TestHTMLEmptyRun(t *testing.T) {
	t.Parallel()
	out := renderHTML(t, &result.Run{Settings: result.Settings{Tool: "corsproof"}}, Options{})
	assert.Contains(t, out, `<section id="summary">`)
	assert.Contains(t, out, "0 cases · expectations 0 met, 0 failed")
	assert.NotContains(t, out, `<article`)
}
