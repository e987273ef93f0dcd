package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// plainPage starts the target API and an ordinary web server on loopback
// that serves corsproof's own page document at its origin (reached as
// localhost), so a case run by corsproof can be compared with the same
// fetch from a page the browser loaded the usual way.
func plainPage(t *testing.T) (h *testapi.Handler, api *testapi.Server, origin string) {
	h = testapi.NewHandler(testapi.DefaultPolicy())
	api, err := testapi.Start("127.0.0.1:0", h)
	require.NoError(t, err)
	t.Cleanup(func() { api.Close() })
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := pages.For(origin)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		for k, v := range p.Headers {
			w.Header().Set(k, v)
		}
		w.Write(p.Body)
	}))
	t.Cleanup(plain.Close)
	origin = "http://localhost:" + plain.URL[strings.LastIndex(plain.URL, ":")+1:]
	return h, api, origin
}

// TestRequestsAreThoseOfAPlainPage proves that corsproof adds nothing to the
// requests under test: the target's wire log of a case run by corsproof is
// identical to the log of the same fetch made by an ordinary page, served by
// a real web server at the same origin, in the same browser.
func TestRequestsAreThoseOfAPlainPage(t *testing.T) {
	h, api, origin := plainPage(t)

	cases := []struct {
		desc string
		req  scenarios.Request
	}{
		{"simple GET", scenarios.Request{API: "fetch", Method: "GET", URL: api.URL + "/api/open", Credentials: "omit"}},
		{"preflighted PUT with a body", scenarios.Request{API: "fetch", Method: "PUT", URL: api.URL + "/api/open/items/1",
			Headers: map[string]string{"Content-Type": "application/json", "X-Token": "abc"}, Body: `{"a":1}`, Credentials: "omit"}},
		{"credentialed XHR", scenarios.Request{API: "xhr", Method: "POST", URL: api.URL + "/api/allowlist/login",
			Headers: map[string]string{"Content-Type": "text/plain"}, Body: "x", Credentials: "include"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			h.ResetLog()
			_, err := testBrowser.Run(context.Background(), scenarios.Case{Name: tc.desc, Origin: origin, Request: tc.req})
			require.NoError(t, err)
			ours := wireLog(h)

			h.ResetLog()
			ctx, cancel := chromedp.NewContext(testBrowser.conn.(*chromedpConn).ctx, chromedp.WithNewBrowserContext())
			defer cancel()
			spec, _ := json.Marshal(runSpec(tc.req))
			_, err = chromedp.Run(ctx, chromedp.Steps(chromedp.Navigate(origin+pages.Path)))
			require.NoError(t, err)
			_, err = chromedp.Run(ctx, chromedp.Evaluate[pages.Outcome]("self.__corsproof.run("+string(spec)+")", chromedp.EvalAwaitPromise))
			require.NoError(t, err)
			theirs := wireLog(h)

			require.NotEmpty(t, ours)
			assert.Equal(t, theirs, ours, "corsproof's requests differ from a plain page's")
		})
	}
}

// wireLog is the target's log as comparable text: method, path, and every
// header line as received, in order.
func wireLog(h *testapi.Handler) []string {
	var out []string
	for _, e := range h.Log() {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s?%s\n", e.Method, e.Path, e.Query)
		for _, l := range e.Headers {
			fmt.Fprintf(&b, "%s: %s\n", l.Name, l.Value)
		}
		out = append(out, b.String())
	}
	return out
}
