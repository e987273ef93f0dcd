package proxy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/proxy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

func TestMain(m *testing.M) { testbrowser.Main(m) }

// testBrowser is the test binary's one browser (internal/testbrowser).
func testBrowser(t *testing.T) *harness.Browser { return testbrowser.Get(t) }

// TestChromiumThroughTheProxy has Chromium call an upstream that sends no
// CORS headers at all, through the proxy: the policy's dev origin gets in
// (with cookies), another origin is blocked, and the preflight the proxy
// answers carries the policy's Max-Age, which the browser honours.
func TestChromiumThroughTheProxy(t *testing.T) {
	const dev = "http://localhost:5173"
	var mu sync.Mutex
	var cookies []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cookies = append(cookies, r.Header.Get("Cookie"))
		mu.Unlock()
		if r.URL.Path == "/api/redirect" {
			// A redirect built from the Host header: the upstream's own URL.
			http.Redirect(w, r, "http://"+r.Host+"/api/me", http.StatusFound)
			return
		}
		w.Header().Set("X-Request-Id", "42")
		fmt.Fprintf(w, `{"method":%q}`, r.Method)
	}))
	t.Cleanup(up.Close)
	p, err := policy.Parse("dev.yaml", []byte(`version: 1
routes:
  - path: /api
    allow_origins: [http://localhost:5173]
    allow_credentials: true
    allow_methods: [GET, PUT]
    allow_headers: [X-Token]
    expose_headers: [X-Request-Id]
    max_age: 600
  - path: /public
    allow_origins: ["*"]
`))
	require.NoError(t, err)
	rules, _, err := proxy.NewPolicyRules(p)
	require.NoError(t, err)
	px, err := proxy.New(proxy.Options{Target: up.URL, Rules: rules, RewriteRedirects: true})
	require.NoError(t, err)
	srv, err := proxy.Listen("127.0.0.1:0", px)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	base := srv.URL()

	yes, no := true, false
	put := scenarios.Request{Method: "PUT", URL: base + "/api/items/1", Headers: map[string]string{"X-Token": "t"}, Credentials: scenarios.CredentialsInclude}
	cases := []scenarios.Case{
		{Name: "dev origin with credentials", Origin: dev, Cookies: map[string]string{"session": "s1"},
			Request: scenarios.Request{URL: base + "/api/me", Credentials: scenarios.CredentialsInclude},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictAllowed, ReadableHeaders: []string{"X-Request-Id"}}},
		{Name: "another origin", Origin: "https://evil.example.test",
			Request: scenarios.Request{URL: base + "/api/me"},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictBlocked, CorsError: cors.ErrMissingAllowOriginHeader}},
		{Name: "a look-alike of the dev origin", Origin: "http://localhost:5174",
			Request: put,
			Expect:  &scenarios.Expect{Verdict: cors.VerdictBlocked, CorsError: cors.ErrPreflightMissingAllowOriginHeader}},
		{Name: "preflight with the policy's Max-Age, reused", Origin: dev, Request: put, Steps: []scenarios.Step{
			{Name: "first", Request: put, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed, Preflight: &yes}},
			{Name: "second", Request: put, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed, Preflight: &no}},
		}},
		{Name: "method outside the policy", Origin: dev,
			Request: scenarios.Request{Method: "DELETE", URL: base + "/api/items/1"},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictBlocked, CorsError: cors.ErrMethodDisallowedByPreflightResponse}},
		{Name: "a redirect to the upstream's own URL stays on the proxy", Origin: dev,
			Request: scenarios.Request{URL: base + "/api/redirect"},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictAllowed}},
		{Name: "public route from anywhere", Origin: "https://anyone.example.test",
			Request: scenarios.Request{URL: base + "/public/list"},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictAllowed}},
		{Name: "public route with credentials", Origin: dev,
			Request: scenarios.Request{URL: base + "/public/list", Credentials: scenarios.CredentialsInclude},
			Expect:  &scenarios.Expect{Verdict: cors.VerdictBlocked, CorsError: cors.ErrWildcardOriginNotAllowed}},
	}
	suite := &scenarios.Suite{Name: "through the proxy", Cases: cases}
	run, err := runner.Run(context.Background(), runner.Config{Reuse: testBrowser(t), Jobs: 2}, []*scenarios.Suite{suite}, runner.Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, len(cases))
	byName := map[string]result.Record{}
	for _, rec := range run.Records {
		byName[rec.Name] = rec
		t.Run(rec.Name, func(t *testing.T) {
			assert.True(t, rec.ExpectMet, "%s %s %s: %v", rec.Verdict, rec.CorsError, rec.FailedParameter, rec.Mismatches)
		})
	}
	first := byName["preflight with the policy's Max-Age, reused"]
	require.Len(t, first.Steps, 2)
	require.NotNil(t, first.Steps[0].Preflight)
	assert.Equal(t, "600", first.Steps[0].Preflight.ResponseHeaders["Access-Control-Max-Age"])
	assert.Equal(t, proxy.HeaderValue, first.Steps[0].Preflight.ResponseHeaders[proxy.Header])
	me := byName["dev origin with credentials"]
	require.NotNil(t, me.Actual)
	assert.Equal(t, dev, me.Actual.ResponseHeaders["Access-Control-Allow-Origin"])
	assert.Equal(t, "true", me.Actual.ResponseHeaders["Access-Control-Allow-Credentials"])
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, cookies, "session=s1", "the browser's cookie reaches the upstream untouched")
}
