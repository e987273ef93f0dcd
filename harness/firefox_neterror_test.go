package harness

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// closingServer accepts connections, reads the request and closes the
// connection without an answer.
func closingServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			c.Close()
		}
	}()
	return "http://" + l.Addr().String()
}

// TestFirefoxNetworkErrorsAreNamed: Firefox's network errors (BiDi
// network.fetchError) are diagnosed as the same failures in Chromium are,
// at the host where the request failed, never as "the browser gave no
// specific reason".
func TestFirefoxNetworkErrorsAreNamed(t *testing.T) {
	b := testFirefox(t)
	dead := closedPort(t)
	deadHost := strings.TrimPrefix(dead, "http://")
	redirect := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.Redirect(w, r, dead+"/there", http.StatusTemporaryRedirect)
	})
	for _, tc := range []struct {
		desc, url, netError string
		summary             []string
		// actual is the URL of the request's last hop, "" when the
		// record must have no actual exchange.
		actual string
	}{
		{"nothing listening", dead + "/x", "NS_ERROR_CONNECTION_REFUSED",
			[]string{"nothing accepted the connection on `" + deadHost + "`"}, ""},
		{"closed without an answer", closingServer(t) + "/x", "NS_ERROR_NET_RESET",
			[]string{"closed the connection without an answer"}, ""},
		{"redirected to a port nothing listens on", redirect.URL + "/start", "NS_ERROR_CONNECTION_REFUSED",
			[]string{"nothing accepted the connection on `" + deadHost + "`", "redirected there from `" + redirect.URL + "/start`"}, dead + "/there"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec := b.RunOne(context.Background(), scenarios.Case{Name: tc.desc, Origin: "https://app.example.test",
				Request: scenarios.Request{URL: tc.url, Credentials: "omit"}})
			require.Equal(t, cors.VerdictNetworkError, rec.Verdict, "page: %+v console: %v", rec.Page, rec.Console)
			assert.Equal(t, tc.netError, rec.NetError)
			if tc.actual == "" {
				assert.Nil(t, rec.Actual)
			} else if assert.NotNil(t, rec.Actual, "the hop that failed after the redirect") {
				assert.Equal(t, tc.actual, rec.Actual.URL)
				assert.Equal(t, tc.netError, rec.Actual.Error)
				assert.Len(t, rec.Redirects, 1)
			}
			result.Conclude(&rec, nil)
			require.NotNil(t, rec.Diagnosis)
			for _, s := range tc.summary {
				assert.Contains(t, rec.Diagnosis.Summary, s)
			}
			assert.NotContains(t, rec.Diagnosis.Summary, "no specific reason")
		})
	}
}

// TestFirefoxRefusedRedirectIsTheLastHop: Firefox refuses a CORS
// redirect to a URL with user:password@ (fetchError NS_ERROR_DOM_BAD_URI
// on the 307), then starts a hop to the Location that never reaches the
// server. The record ends, as Chromium's does, at the refused redirect:
// no hop the server never saw, and the redirect's own response.
func TestFirefoxRefusedRedirectIsTheLastHop(t *testing.T) {
	b := testFirefox(t)
	var hits atomic.Int32
	target := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "http://u:p@"+r.Host+"/there", http.StatusTemporaryRedirect)
		}
	})
	rec := b.RunOne(context.Background(), scenarios.Case{Name: "redirect with credentials", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: target.URL + "/start", Credentials: "omit"}})
	assert.Equal(t, int32(1), hits.Load(), "only the redirect reached the server")
	assert.Equal(t, "NS_ERROR_DOM_BAD_URI", rec.NetError)
	assert.Empty(t, rec.Redirects)
	require.NotNil(t, rec.Actual)
	assert.Equal(t, target.URL+"/start", rec.Actual.URL)
	assert.Equal(t, http.StatusTemporaryRedirect, rec.Actual.Status)
	assert.Equal(t, "NS_ERROR_DOM_BAD_URI", rec.Actual.Error)
	assert.Equal(t, "https://app.example.test", rec.Actual.RequestHeaders["Origin"], "the page's own request")
	result.Conclude(&rec, nil)
	require.NotNil(t, rec.Diagnosis)
	assert.Contains(t, rec.Diagnosis.Summary, "which the browser refused to follow")
	assert.NotContains(t, rec.Diagnosis.Summary, "before any CORS check")
}
