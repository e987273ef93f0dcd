package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
)

func TestProseKeepsCodeSpans(t *testing.T) {
	t.Parallel()
	s := "Send `Access-Control-Allow-Origin: https://a.test` on the <b>GET</b> response_for `*` and a stray ` tick"
	assert.Equal(t, "Send `Access-Control-Allow-Origin: https://a.test` on the &lt;b&gt;GET&lt;/b&gt; response\\_for `*` and a stray \\` tick", mdProse(s))
	assert.Equal(t, "Send <code>Access-Control-Allow-Origin: https://a.test</code> on the &lt;b&gt;GET&lt;/b&gt; response_for <code>*</code> and a stray ` tick", string(htmlProse(s)))
	// Hostile bytes inside a span stay escaped, in both.
	hostile := "value `<img src=x onerror=alert(1)>\x1b[31m`"
	assert.NotContains(t, string(htmlProse(hostile)), "<img")
	assert.NotContains(t, mdProse(hostile), "\x1b")
	assert.NotContains(t, string(htmlProse(hostile)), "\x1b")
}

func TestFixCheckShownInEveryHumanFormat(t *testing.T) {
	t.Parallel()
	run := fixtureRun()
	rec := &run.Records[2] // the failing case, which every format details
	d := *rec.Diagnosis
	d.FixCheck = &cors.FixCheck{Verified: true, Verdict: cors.VerdictAllowed, Summary: "Verified: with these headers Chromium allows the request."}
	rec.Diagnosis = &d
	var one bytes.Buffer
	require.NoError(t, TextRecord(&one, rec, Options{}))
	assert.Contains(t, one.String(), "fix check:  Verified: with these headers Chromium allows the request.")
	for _, name := range []string{"text", "markdown", "html"} {
		rep, err := New(name, Options{})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, rep.Report(&buf, run))
		if name == "text" {
			assert.Contains(t, buf.String(), "fixes tried in the browser: 1 verified, 0 not verified")
			continue
		}
		assert.Contains(t, buf.String(), "Verified: with these headers Chromium allows the request.", name)
	}
}
