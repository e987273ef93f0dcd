package harness

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// forwardProxy is a real HTTP forward proxy on loopback that remembers the
// host of every request it gets and forwards those for host to target.
func forwardProxy(t *testing.T, host, target string) (proxyURL string, seen func() []string) {
	t.Helper()
	var mu sync.Mutex
	var hosts []string
	to, err := url.Parse(target)
	require.NoError(t, err)
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(to) }}
	srv := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		if r.Method == http.MethodConnect || r.URL.Hostname() != host {
			http.Error(w, "not for this proxy", http.StatusBadGateway)
			return
		}
		rp.ServeHTTP(w, r)
	})
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(hosts)
	}
}

// TestProxyOnlyWhenNamed: with a proxy in the environment (http_proxy and
// the like, which Chromium honours) the browser still connects directly,
// so nothing the resolver rules stop reaches the proxy; a proxy the user
// names with --browser-arg proxy-server gets the target's requests and
// nothing else.
func TestProxyOnlyWhenNamed(t *testing.T) {
	target := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	}).URL
	launch := func(t *testing.T, opts Options) *Browser {
		opts.Timeout = 10 * time.Second
		b, err := Launch(context.Background(), opts)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, b.Close()) })
		return b
	}
	t.Run("a proxy in the environment is not used", func(t *testing.T) {
		proxy, seen := forwardProxy(t, "api.proxied.test", target)
		for _, v := range []string{"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"} {
			t.Setenv(v, proxy)
		}
		t.Setenv("no_proxy", "")
		b := launch(t, Options{})
		recs := b.RunCases(context.Background(), []scenarios.Case{{Name: "direct", Origin: "http://app.example.test",
			Request: scenarios.Request{URL: target + "/x"}}}, 1, IsolationClean, nil)
		require.Len(t, recs, 1)
		assert.Equal(t, cors.VerdictAllowed, recs[0].Verdict)
		// The component updater's first request comes within about a
		// second of the launch (measured); give it the time to show up.
		time.Sleep(1500 * time.Millisecond)
		assert.Empty(t, seen(), "requests the proxy from the environment received")
	})
	t.Run("a proxy the user names gets the target and nothing else", func(t *testing.T) {
		proxy, seen := forwardProxy(t, "api.proxied.test", target)
		b := launch(t, Options{ExtraFlags: map[string]any{"proxy-server": proxy}, Sinks: []string{"app.example.test"}})
		recs := b.RunCases(context.Background(), []scenarios.Case{{Name: "via the proxy", Origin: "http://app.example.test",
			Request: scenarios.Request{URL: "http://api.proxied.test/x"}}}, 1, IsolationClean, nil)
		require.Len(t, recs, 1)
		assert.Equal(t, cors.VerdictAllowed, recs[0].Verdict, "%+v", recs[0].Page)
		time.Sleep(1500 * time.Millisecond)
		got := seen()
		require.NotEmpty(t, got)
		for _, h := range got {
			assert.Equal(t, "api.proxied.test", h, "only the target goes through the proxy")
		}
	})
}
