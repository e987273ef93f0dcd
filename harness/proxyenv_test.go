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
	"github.com/corsproof/corsproof/result"
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
// so a request to a host the resolver rules stop fails locally instead of
// reaching the proxy; a proxy the user names with --browser-arg
// proxy-server gets the target's requests, and the stopped hosts bypass
// it. Each run makes a request to a sink (sink.example.test, a page host
// of no case), so the proxy would see it at once were it used.
func TestProxyOnlyWhenNamed(t *testing.T) {
	target := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	}).URL
	const sink = "sink.example.test"
	run := func(t *testing.T, opts Options, url string) []result.Record {
		t.Helper()
		opts.Timeout = 10 * time.Second
		opts.Sinks = []string{"app.example.test", sink}
		b, err := Launch(context.Background(), opts)
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, b.Close()) })
		recs := b.RunCases(context.Background(), []scenarios.Case{
			{Name: "target", Origin: "http://app.example.test", Request: scenarios.Request{URL: url}},
			{Name: "sink", Origin: "http://app.example.test", Request: scenarios.Request{URL: "http://" + sink + "/x"}},
		}, 1, IsolationClean, nil)
		require.Len(t, recs, 2)
		assert.Equal(t, cors.VerdictAllowed, recs[0].Verdict, "%+v", recs[0].Page)
		assert.Equal(t, cors.VerdictNetworkError, recs[1].Verdict, "the sink fails locally")
		return recs
	}
	t.Run("a proxy in the environment is not used", func(t *testing.T) {
		proxy, seen := forwardProxy(t, "api.proxied.test", target)
		for _, v := range []string{"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"} {
			t.Setenv(v, proxy)
		}
		t.Setenv("no_proxy", "")
		run(t, Options{}, target+"/x")
		assert.Empty(t, seen(), "requests the proxy from the environment received")
	})
	t.Run("a proxy the user names gets the target and nothing else", func(t *testing.T) {
		proxy, seen := forwardProxy(t, "api.proxied.test", target)
		run(t, Options{ExtraFlags: map[string]any{"proxy-server": proxy}}, "http://api.proxied.test/x")
		got := seen()
		require.NotEmpty(t, got)
		for _, h := range got {
			assert.Equal(t, "api.proxied.test", h, "only the target goes through the proxy")
		}
	})
	t.Run("a PAC script is refused", func(t *testing.T) {
		err := Options{ExtraFlags: map[string]any{"proxy-pac-url": "http://127.0.0.1:1/p.pac"}}.Validate()
		var oe *OptionError
		require.ErrorAs(t, err, &oe)
		assert.Contains(t, oe.Advice, "proxy-server=URL")
	})
}
