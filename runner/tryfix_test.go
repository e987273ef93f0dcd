package runner

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// TestTryFixVerifiesEveryFirstFix runs realistic servers with several
// problems at once (the built-in target's query overrides make each one)
// and proves, in Chromium, that corsproof's first fix makes each request
// pass: the case runs again against a loopback mirror of the server that
// applies the structured fix.
func TestTryFixVerifiesEveryFirstFix(t *testing.T) {
	h := testapi.NewHandler(&policy.Policy{Version: 1})
	srv, err := testapi.Start("127.0.0.1:0", h)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	base := srv.URL + "/x"
	const dev = "http://localhost:5173"
	q := func(v url.Values) string { return base + "?" + v.Encode() }
	type tc struct {
		name      string
		origin    string
		req       scenarios.Request
		cookies   map[string]string
		corsError cors.CorsError
	}
	cases := []tc{
		{name: "credentials, Authorization and a cookie against a wildcard", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"*"}}), Credentials: "include", Headers: map[string]string{"Authorization": "Bearer t"}},
			cookies:   map[string]string{"session": "s1"},
			corsError: cors.ErrPreflightWildcardOriginNotAllowed},
		{name: "PATCH with a JSON body, server allows GET and POST", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acam": {"GET,POST"}}), Method: "PATCH", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "lower-case patch is not covered by PATCH", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"*"}, "acam": {"PATCH"}}), Method: "patch"},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "several custom headers, one allowed", origin: "https://app.example.test",
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acah": {"x-a"}}), Headers: map[string]string{"X-A": "1", "X-B": "2", "X-Request-Id": "3"}},
			corsError: cors.ErrHeaderDisallowedByPreflightResponse},
		{name: "redirect hop without CORS headers", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"redirect": {"/x/final?acao=reflect"}, "cors_on_errors": {"0"}})},
			corsError: cors.ErrMissingAllowOriginHeader},
		{name: "error status without CORS headers", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "status": {"500"}, "cors_on_errors": {"0"}})},
			corsError: cors.ErrMissingAllowOriginHeader},
		{name: "auth layer answers the preflight 401", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acah": {"x-token"}, "preflight_status": {"401"}, "cors_on_errors": {"0"}}), Headers: map[string]string{"X-Token": "t"}},
			corsError: cors.ErrPreflightMissingAllowOriginHeader},
		{name: "preflight redirected", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acam": {"DELETE"}, "preflight_redirect": {"/elsewhere"}}), Method: "DELETE"},
			corsError: cors.ErrPreflightDisallowedRedirect},
		{name: "trailing slash in the allowed origin", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {dev + "/"}})},
			corsError: cors.ErrAllowOriginMismatch},
		{name: "app and proxy both add the origin", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect", "*"}})},
			corsError: cors.ErrMultipleAllowOriginValues},
		{name: "credentials without Allow-Credentials", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}}), Credentials: "include"},
			corsError: cors.ErrInvalidAllowCredentials},
		{name: "wildcard methods with credentials", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acac": {"true"}, "acam": {"*"}}), Method: "PUT", Credentials: "include"},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "wildcard headers with credentials and JSON", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acac": {"true"}, "acam": {"PUT"}, "acah": {"*"}}), Method: "PUT", Credentials: "include", Headers: map[string]string{"Content-Type": "application/json", "X-Token": "t"}, Body: "{}"},
			corsError: cors.ErrHeaderDisallowedByPreflightResponse},
	}
	suite := &scenarios.Suite{Name: "multi-problem"}
	for _, c := range cases {
		suite.Cases = append(suite.Cases, scenarios.Case{Name: c.name, Origin: c.origin, Request: c.req, Cookies: c.cookies})
	}
	var streamed []string
	run, err := Run(context.Background(), Config{Reuse: browser, TryFix: true}, []*scenarios.Suite{suite},
		Hooks{Record: func(rec *result.Record) { streamed = append(streamed, rec.Name) }})
	require.NoError(t, err)
	require.Len(t, run.Records, len(cases))
	assert.Len(t, streamed, len(cases), "every record is streamed once, the proved ones after their proof")
	for i, rec := range run.Records {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, cors.VerdictBlocked, rec.Verdict, "page: %+v", rec.Page)
			assert.Equal(t, c.corsError, rec.CorsError.Canonical())
			d := rec.Diagnosis
			require.NotNil(t, d)
			assert.True(t, d.AgreesWithBrowser, "model: %s", d.Summary)
			require.True(t, d.FixHeaders.HasChanges(), "fix: %s", d.Fix)
			require.NotNil(t, d.FixCheck, "the fix was tried")
			assert.True(t, d.FixCheck.Verified, "%s\nfix: %s", d.FixCheck.Summary, d.Fix)
			t.Logf("fix: %s\ncheck: %s", d.Fix, d.FixCheck.Summary)
		})
	}
}
