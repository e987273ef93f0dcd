package runner

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/nginxtest"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

const (
	originA = "https://app.example.test"
	originB = "https://admin.example.test"
	// originHTTP is a page that may call an http API under a name (an
	// https page would be blocked as mixed content first).
	originHTTP = "http://app.example.test"
)

// pathBackend is the API behind the intermediaries: /api allows two
// origins with Vary: Origin and puts its CORS headers on errors too (its
// CORS layer runs first); /cached does the same without Vary.
func pathBackend(t *testing.T) string {
	t.Helper()
	route := func(path string, vary bool) policy.Route {
		return policy.Route{Path: path, AllowOrigins: []string{originA, originB, originHTTP}, AllowMethods: []string{"GET", "PUT"},
			AllowHeaders: []string{"x-token", "authorization"}, Vary: vary, CORSOnErrors: true}
	}
	h := testapi.NewHandler(&policy.Policy{Version: policy.FormatVersion, Routes: []policy.Route{route("/api", true), route("/cached", false)}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// driftSuite has the request shapes the nginx configurations change: a
// simple GET, a GET the API answers 401, and a PUT with a custom header
// (preflighted).
func driftSuite(api string) *scenarios.Suite {
	c := func(name, url, method string, hdr map[string]string) scenarios.Case {
		return scenarios.Case{Name: name, File: "paths.yaml", Origin: originA,
			Request: scenarios.Request{API: scenarios.APIFetch, Method: method, URL: api + url, Headers: hdr, Credentials: scenarios.CredentialsOmit}}
	}
	return &scenarios.Suite{Name: "paths", File: "paths.yaml", Cases: []scenarios.Case{
		c("get", "/api/items", "GET", nil),
		c("get 401", "/api/items?status=401", "GET", nil),
		c("put with token", "/api/items", "PUT", map[string]string{"X-Token": "t"}),
	}}
}

func byCaseAndPath(run *result.Run) map[string]*result.Record {
	out := map[string]*result.Record{}
	for i := range run.Records {
		out[run.Records[i].Name] = &run.Records[i]
	}
	return out
}

// outcome is a record's verdict and reason, as the test tables write them.
// cacheCheckOf returns origin B's cache check of the case on path and on
// the direct path, which has no cache: there B is answered on its own and
// allowed.
func cacheCheckOf(t *testing.T, run *result.Run, caseName, path string) (check, direct *result.Record) {
	t.Helper()
	recs := byCaseAndPath(run)
	check = recs[caseName+" › cache check from "+originB+" @"+path]
	require.NotNil(t, check, "names: %v", names(run))
	require.NotNil(t, check.CacheCheck)
	direct = recs[caseName+" › cache check from "+originB+" @direct"]
	require.NotNil(t, direct)
	require.NotNil(t, direct.CacheCheck)
	assert.False(t, direct.CacheCheck.Poisoned, "no cache on the direct path: %s", direct.CacheCheck.Summary)
	assert.Equal(t, "allowed", outcome(direct))
	return check, direct
}

func outcome(r *result.Record) string {
	if r.CorsError == "" {
		return string(r.Verdict)
	}
	return string(r.Verdict) + " " + string(r.CorsError)
}

func TestPathsThroughNginx(t *testing.T) {
	backend := pathBackend(t)
	proxy := "proxy_pass " + backend + ";"
	tests := []struct {
		desc, server string
		// want is each case's outcome on the edge; direct is allowed
		// for all three.
		want map[string]string
		// drift names, per case, a header diff line the edge must show.
		drift map[string]string
	}{
		{desc: "pass-through", server: "location / { " + proxy + " }",
			want: map[string]string{"get": "allowed", "get 401": "allowed", "put with token": "allowed"}},
		{desc: "add_header without always", server: `location / {
            proxy_hide_header Access-Control-Allow-Origin;
            add_header Access-Control-Allow-Origin $http_origin;
            ` + proxy + ` }`,
			want:  map[string]string{"get": "allowed", "get 401": "blocked MissingAllowOriginHeader", "put with token": "allowed"},
			drift: map[string]string{"get 401": `actual: access-control-allow-origin removed (was "https://app.example.test")`}},
		{desc: "add_header with always", server: `location / {
            proxy_hide_header Access-Control-Allow-Origin;
            add_header Access-Control-Allow-Origin $http_origin always;
            ` + proxy + ` }`,
			want: map[string]string{"get": "allowed", "get 401": "allowed", "put with token": "allowed"}},
		{desc: "duplicate ACAO", server: `location / {
            add_header Access-Control-Allow-Origin $http_origin always;
            ` + proxy + ` }`,
			want:  map[string]string{"get": "blocked MultipleAllowOriginValues", "get 401": "blocked MultipleAllowOriginValues", "put with token": "blocked PreflightMultipleAllowOriginValues"},
			drift: map[string]string{"get": `actual: access-control-allow-origin duplicated: "https://app.example.test" + "https://app.example.test", was "https://app.example.test"`}},
		{desc: "OPTIONS answered by nginx", server: `location / {
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin $http_origin;
                add_header Access-Control-Allow-Methods "GET, POST";
                return 204;
            }
            ` + proxy + ` }`,
			want:  map[string]string{"get": "allowed", "get 401": "allowed", "put with token": "blocked MethodDisallowedByPreflightResponse"},
			drift: map[string]string{"put with token": `preflight: access-control-allow-methods changed: "GET, POST", was "GET, PUT"`}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			edge := nginxtest.Start(t, tc.server)
			var streamed []result.Record
			run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 2,
				Paths: []scenarios.Path{{Name: "edge", URL: edge}}}, []*scenarios.Suite{driftSuite(backend)},
				Hooks{Record: func(r *result.Record) { streamed = append(streamed, *r) }})
			require.NoError(t, err)
			require.Len(t, run.Records, 6)
			recs := byCaseAndPath(run)
			// Each case is streamed once it ran on both paths, compared
			// as the run's own records are.
			require.Len(t, streamed, 6)
			for _, r := range streamed {
				final := recs[r.Name]
				require.NotNil(t, final, r.Name)
				assert.Equal(t, final.PathDiff, r.PathDiff, r.Name)
				assert.Equal(t, final.Mismatches, r.Mismatches, r.Name)
				assert.Equal(t, final.Diagnosis.Warnings, r.Diagnosis.Warnings, r.Name)
			}
			for name, want := range tc.want {
				direct, onEdge := recs[name+" @direct"], recs[name+" @edge"]
				require.NotNil(t, direct, name)
				require.NotNil(t, onEdge, name)
				assert.Equal(t, "allowed", outcome(direct), "%s direct", name)
				assert.Nil(t, direct.PathDiff, "the reference path is compared with nothing")
				assert.Equal(t, "edge", onEdge.Path)
				assert.Equal(t, want, outcome(onEdge), "%s on the edge", name)
				require.NotNil(t, onEdge.PathDiff)
				changed := want != "allowed"
				assert.Equal(t, changed, onEdge.PathDiff.VerdictChanged, name)
				assert.Equal(t, !changed, onEdge.ExpectMet, "%s: a verdict that differs from direct fails: %v", name, onEdge.Mismatches)
				t.Logf("%s: direct %s, edge %s; %v", name, outcome(direct), outcome(onEdge), onEdge.Mismatches)
				if line, ok := tc.drift[name]; ok {
					assert.Contains(t, strings.Join(onEdge.Diagnosis.Warnings, "\n"), line, name)
				}
			}
			if tc.drift == nil {
				assert.Zero(t, run.Totals.ExpectFail)
				for _, r := range run.Records {
					assert.Empty(t, r.PathDiff.GetExchanges(), "%s: the edge changed nothing", r.Name)
				}
			}
		})
	}
}

func TestCacheCheckThroughNginx(t *testing.T) {
	backend := pathBackend(t)
	suite := func(route string) *scenarios.Suite {
		return &scenarios.Suite{Name: "cache", File: "cache.yaml", Cases: []scenarios.Case{
			{Name: "get", File: "cache.yaml", Origin: originA, Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: backend + route + "/items", Credentials: scenarios.CredentialsOmit}},
			{Name: "get from admin", File: "cache.yaml", Origin: originB, Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: backend + route + "/users", Credentials: scenarios.CredentialsOmit}},
		}}
	}
	// The API sends Cache-Control: no-store; a cache told to ignore it
	// is the usual way such an API ends up cached at the edge.
	const cache = `proxy_cache edge;
            proxy_cache_valid 200 10m;
            proxy_ignore_headers Cache-Control Expires Set-Cookie;
            add_header X-Cache $upstream_cache_status always;
            proxy_pass `
	tests := []struct {
		desc, server string
		// route is /cached (no Vary) or /api (Vary: Origin).
		route    string
		poisoned bool
	}{
		{desc: "cache keyed on the URL only, no Vary", server: "location / { " + cache + backend + "; }", route: "/cached", poisoned: true},
		{desc: "cache keyed on the Origin too", server: "location / { proxy_cache_key $scheme$proxy_host$request_uri$http_origin; " + cache + backend + "; }", route: "/cached"},
		{desc: "cache keyed on the URL, the API sends Vary: Origin", server: "location / { " + cache + backend + "; }", route: "/api"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			edge := nginxtest.Start(t, tc.server)
			run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 1, CacheCheck: true,
				Paths: []scenarios.Path{{Name: "edge", URL: edge}}}, []*scenarios.Suite{suite(tc.route)}, Hooks{})
			require.NoError(t, err)
			check, _ := cacheCheckOf(t, run, "get", "edge")
			recs := byCaseAndPath(run)
			t.Logf("edge: %s %s", outcome(check), check.CacheCheck.Summary)
			assert.Equal(t, tc.poisoned, check.CacheCheck.Poisoned, check.CacheCheck.Summary)
			unlisted := recs["get › cache check from "+scenarios.UnlistedOrigin+" @edge"]
			require.NotNil(t, unlisted)
			if tc.poisoned {
				assert.Equal(t, "blocked AllowOriginMismatch", outcome(check))
				assert.Equal(t, originA, check.CacheCheck.ACAO)
				assert.Contains(t, check.CacheCheck.Cause, "no `Vary: Origin`")
				assert.Contains(t, check.CacheCheck.Fix, "proxy_cache_key")
				assert.False(t, check.ExpectMet)
				require.NotNil(t, check.PathDiff)
				assert.True(t, check.PathDiff.VerdictChanged, "blocked through the cache only")
				assert.True(t, unlisted.CacheCheck.Poisoned, "an origin the API denies gets A's ACAO too: %s", unlisted.CacheCheck.Summary)
			} else {
				// The cache works: the check's priming request was
				// answered from what the suite's own case left there.
				require.NotNil(t, check.Steps[0].Actual)
				assert.Equal(t, "HIT", headerValue(check.Steps[0].Actual.ResponseHeaders, "X-Cache"))
				assert.Equal(t, "allowed", outcome(check))
				assert.True(t, check.ExpectMet, "%v", check.Mismatches)
				assert.False(t, unlisted.CacheCheck.Poisoned)
				assert.Zero(t, run.Totals.ExpectFail, "with the fix the whole suite passes")
			}
		})
	}
}

func names(run *result.Run) []string {
	var out []string
	for _, r := range run.Records {
		out = append(out, r.Name)
	}
	return out
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// TestPathsShareAHostName is a CDN and its origin server under one host
// name: both paths are http://api.example.test:8080, one connected to the
// origin server's address, the other to the nginx edge's, each in a
// browser whose resolver maps the name. The request, its Host header and
// the page are the same on both; only the hop differs.
func TestPathsShareAHostName(t *testing.T) {
	backend := pathBackend(t)
	edge := nginxtest.Start(t, `location / {
            proxy_hide_header Access-Control-Allow-Origin;
            add_header Access-Control-Allow-Origin $http_origin;
            proxy_pass `+backend+`; }`)
	const shared = "http://api.example.test:8080"
	addr := func(u string) string { return strings.TrimPrefix(u, "http://") }
	s := driftSuite(shared)
	for i := range s.Cases {
		s.Cases[i].Origin = originHTTP
	}
	s.Paths = []scenarios.Path{{Name: "origin_server", URL: shared, Address: addr(backend)}, {Name: "edge", URL: shared, Address: addr(edge)}}
	launched := 0
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 2}, []*scenarios.Suite{s},
		Hooks{Launched: func(*harness.Browser) { launched++ }})
	require.NoError(t, err)
	assert.Equal(t, 2, launched, "a browser for each path with an address")
	recs := byCaseAndPath(run)
	require.Len(t, recs, 6, "%v", names(run))
	for _, name := range []string{"get", "get 401", "put with token"} {
		o := recs[name+" @origin_server"]
		assert.Equal(t, "allowed", outcome(o), name)
		assert.Equal(t, shared+"/api/items", strings.Split(o.Request.URL, "?")[0], "the URL is the shared one")
		assert.Equal(t, []string{shared}, o.Contacted)
	}
	assert.Equal(t, "allowed", outcome(recs["get @edge"]))
	got := recs["get 401 @edge"]
	assert.Equal(t, "blocked MissingAllowOriginHeader", outcome(got), "the edge, not the origin server, drops ACAO on the 401")
	require.NotNil(t, got.PathDiff)
	assert.Equal(t, "origin_server", got.PathDiff.Reference)
	assert.True(t, got.PathDiff.VerdictChanged)
	require.NotNil(t, got.Actual)
	assert.Equal(t, "api.example.test:8080", headerValue(got.Actual.RequestHeaders, "Host"), "the Host header is the shared name")
}
