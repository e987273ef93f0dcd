package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/internal/varnishtest"
	"github.com/corsproof/corsproof/scenarios"
)

// optionsVCL caches preflights, which Varnish passes by default: OPTIONS
// goes to the cache, its method survives the fetch (Varnish asks the
// backend with GET on a miss), and the preflight is kept ten minutes
// whatever its Cache-Control says. The key is the built-in one, URL and
// host, with the method added (OPTIONS and GET of one URL are different
// answers) — and hash adds more to it. strip unsets the backend's Vary,
// a common way to raise a hit rate.
func optionsVCL(hash string, strip bool) string {
	vary := ""
	if strip {
		vary = "\n        unset beresp.http.Vary;"
	}
	return `
sub vcl_recv {
    if (req.method == "OPTIONS") {
        set req.http.X-Cached-Method = req.method;
        return (hash);
    }
}
sub vcl_hash {
    hash_data(req.method);` + hash + `
}
sub vcl_backend_fetch {
    if (bereq.http.X-Cached-Method) {
        set bereq.method = bereq.http.X-Cached-Method;
        unset bereq.http.X-Cached-Method;
    }
}
sub vcl_backend_response {
    if (bereq.method == "OPTIONS") {
        set beresp.ttl = 10m;` + vary + `
        return (deliver);
    }
}`
}

// TestPreflightCacheCheckThroughVarnish runs a preflighted PUT through a
// Varnish that caches OPTIONS: origin A's preflight, kept under a key
// without Origin and stripped of the API's Vary: Origin, answers origin
// B's, and the browser refuses B's PUT. Either fix — Varnish honouring the
// API's Vary, or Origin in vcl_hash for an API without Vary — gives B a
// preflight of its own.
func TestPreflightCacheCheckThroughVarnish(t *testing.T) {
	backend := pathBackend(t)
	suite := func(route string) *scenarios.Suite {
		return &scenarios.Suite{Name: "preflight cache", File: "cache.yaml", Cases: []scenarios.Case{
			{Name: "put", File: "cache.yaml", Origin: originA, Request: scenarios.Request{API: scenarios.APIFetch, Method: "PUT", URL: backend + route + "/items",
				Headers: map[string]string{"X-Token": "t"}, Credentials: scenarios.CredentialsOmit}},
			{Name: "get from admin", File: "cache.yaml", Origin: originB, Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: backend + route + "/users", Credentials: scenarios.CredentialsOmit}},
		}}
	}
	tests := []struct {
		desc, vcl string
		// route is /cached (no Vary) or /api (Vary: Origin).
		route    string
		poisoned bool
	}{
		{desc: "OPTIONS keyed on the URL, Vary unset by the VCL", vcl: optionsVCL("", true), route: "/api", poisoned: true},
		{desc: "OPTIONS keyed on the URL, Vary honoured", vcl: optionsVCL("", false), route: "/api"},
		{desc: "Origin in vcl_hash", vcl: optionsVCL("\n    hash_data(req.http.Origin);", false), route: "/cached"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			edge := varnishtest.Start(t, backend, tc.vcl)
			run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 2, CacheCheck: true,
				Paths: []scenarios.Path{{Name: "varnish", URL: edge}}}, []*scenarios.Suite{suite(tc.route)}, Hooks{})
			require.NoError(t, err)
			check, direct := cacheCheckOf(t, run, "put", "varnish")
			recs := byCaseAndPath(run)
			b := check.Steps[len(check.Steps)-1]
			require.NotNil(t, b.Preflight, "origin B's preflight went on the wire: a fresh browser context has no preflight cache")
			t.Logf("direct: %s; varnish: %s (B's preflight: ACAO %q, Age %q, X-Varnish %q; actual sent: %v)\n%s",
				outcome(direct), outcome(check), headerValue(b.Preflight.ResponseHeaders, "Access-Control-Allow-Origin"),
				headerValue(b.Preflight.ResponseHeaders, "Age"), headerValue(b.Preflight.ResponseHeaders, "X-Varnish"), b.Actual != nil, check.CacheCheck.Summary)
			assert.Equal(t, tc.poisoned, check.CacheCheck.Poisoned, check.CacheCheck.Summary)
			unlisted := recs["put › cache check from "+scenarios.UnlistedOrigin+" @varnish"]
			require.NotNil(t, unlisted)
			if tc.poisoned {
				assert.Equal(t, "blocked PreflightAllowOriginMismatch", outcome(check))
				assert.Equal(t, "preflight", check.CacheCheck.Exchange)
				assert.Equal(t, originA, check.CacheCheck.ACAO)
				assert.Equal(t, "PreflightAllowOriginMismatch", string(check.CacheCheck.CorsError))
				assert.Nil(t, b.Actual, "the browser never sent B's PUT")
				assert.Contains(t, check.CacheCheck.Cause, "keeps preflights (OPTIONS) under a key without Origin")
				assert.Contains(t, check.CacheCheck.Cause, "has no `Vary: Origin` (the API did not send it, or the cache removed it")
				assert.Contains(t, check.CacheCheck.Evidence, "X-Request-Id: "+headerValue(check.Steps[0].Preflight.ResponseHeaders, "X-Request-Id")+", the same as the priming origin's response")
				assert.Contains(t, check.CacheCheck.Fix, "hash_data(req.http.Origin)")
				assert.False(t, check.ExpectMet)
				require.NotNil(t, check.PathDiff)
				assert.True(t, check.PathDiff.VerdictChanged, "blocked through the cache only")
				assert.True(t, unlisted.CacheCheck.Poisoned, "an origin the API denies gets A's ACAO too: %s", unlisted.CacheCheck.Summary)
			} else {
				assert.Equal(t, "allowed", outcome(check))
				assert.True(t, check.ExpectMet, "%v", check.Mismatches)
				assert.False(t, unlisted.CacheCheck.Poisoned, unlisted.CacheCheck.Summary)
				assert.Zero(t, run.Totals.ExpectFail, "with the fix the whole suite passes")
			}
			// Chromium asked the edge for B's preflight either way: a
			// Varnish hit (two transaction ids) when the key lacks
			// Origin, B's own miss otherwise.
			ids := strings.Fields(headerValue(b.Preflight.ResponseHeaders, "X-Varnish"))
			if tc.poisoned {
				assert.Len(t, ids, 2, "B's preflight came from the cache")
			} else {
				assert.Len(t, ids, 1, "B's preflight went to the API")
			}
		})
	}
}
