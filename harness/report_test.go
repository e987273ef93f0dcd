package harness

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// TestHTMLReportRendersAndStaysInert opens the HTML report in the real
// browser: it must list every case, and header values written to attack the
// page must stay text.
func TestHTMLReportRendersAndStaysInert(t *testing.T) {
	hostile := []string{
		`<img src=x onerror="window.__pwned=1">`,
		`</script><script>window.__pwned=2</script>`,
		`"><svg onload="window.__pwned=3">`,
	}
	run := &result.Run{Settings: result.Settings{Tool: "corsproof", Suites: []string{"hostile"}, Browser: "Chromium test"}}
	for i, v := range hostile {
		run.Records = append(run.Records, result.Record{
			Name:    "case " + string(rune('a'+i)),
			Origin:  "https://app.example.test",
			Request: scenarios.Request{API: "fetch", Method: "GET", URL: "http://127.0.0.1:1/x", Credentials: "omit"},
			Verdict: cors.VerdictBlocked, CorsError: "AllowOriginMismatch", FailedParameter: v,
			Actual: &result.Exchange{Method: "GET", URL: "http://127.0.0.1:1/x", Status: 200,
				RequestHeaders:  map[string]string{"Origin": "https://app.example.test"},
				ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": v, "X-Evil": v}},
			Mismatches: []string{},
		})
	}
	run.Tally()
	var buf bytes.Buffer
	require.NoError(t, reports.NewHTML(reports.Options{}).Report(&buf, run))
	path := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))

	ctx, cancel := chromedp.NewContext(testBrowser.conn.(*chromedpConn).ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+path)))
	type view struct {
		Cases   int    `json:"cases"`
		Imgs    int    `json:"imgs"`
		SVGs    int    `json:"svgs"`
		Pwned   any    `json:"pwned"`
		Text    string `json:"text"`
		Scripts int    `json:"scripts"`
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({
		cases: document.querySelectorAll('article.case').length,
		imgs: document.querySelectorAll('img').length,
		svgs: document.querySelectorAll('svg[onload]').length,
		pwned: window.__pwned ?? null,
		text: document.body.innerText,
		scripts: document.scripts.length,
	})`))
	require.NoError(t, err)
	assert.Equal(t, len(hostile), v.Cases, "every case rendered")
	assert.Zero(t, v.Imgs, "no element injected")
	assert.Zero(t, v.SVGs, "no element injected")
	assert.Nil(t, v.Pwned, "no injected script ran")
	assert.Equal(t, 1, v.Scripts, "only the report's own script")
	for _, h := range hostile {
		assert.True(t, strings.Contains(v.Text, h), "the hostile value shows as text: %s", h)
	}
}
