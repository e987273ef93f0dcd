package testapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/policy"
)

const (
	app   = "https://app.example.test"
	local = "http://localhost:3000"
	evil  = "https://evil.example.test"
)

// call sends one request straight to h and returns the recorded answer.
func call(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func preflightHeaders(origin, method, headers string) map[string]string {
	h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if headers != "" {
		h["Access-Control-Request-Headers"] = headers
	}
	return h
}

// absent marks a header that must not be sent.
var absent = []string(nil)

func assertHeaders(t *testing.T, got http.Header, want map[string][]string) {
	t.Helper()
	for name, vals := range want {
		if vals == nil {
			assert.NotContains(t, got, http.CanonicalHeaderKey(name), "header %s should be absent", name)
			continue
		}
		assert.Equal(t, vals, got.Values(name), "header %s", name)
	}
}

func TestHandlerDefaultPolicyPreflights(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	tests := []struct {
		desc    string
		path    string
		hdr     map[string]string
		status  int
		headers map[string][]string
	}{
		{desc: "open", path: "/api/open", hdr: preflightHeaders(app, "PUT", "content-type"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET, POST, PUT"},
				"Access-Control-Allow-Headers": {"Content-Type, X-Token"}, "Access-Control-Allow-Credentials": absent,
				"Access-Control-Max-Age": absent, "Vary": absent}},
		{desc: "allow-list", path: "/api/allowlist/x", hdr: preflightHeaders(app, "DELETE", "x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Allow-Methods": {"GET, POST, PUT, DELETE"}, "Access-Control-Allow-Headers": {"Content-Type, X-Token"},
				"Access-Control-Max-Age": {"600"}, "Vary": {"Origin"}}},
		{desc: "allow-list, other listed origin", path: "/api/allowlist", hdr: preflightHeaders(local, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {local}}},
		{desc: "allow-list, unlisted origin", path: "/api/allowlist", hdr: preflightHeaders(evil, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Access-Control-Allow-Methods": absent,
				"Access-Control-Allow-Credentials": absent, "Vary": {"Origin"}}},
		{desc: "wildcard with credentials", path: "/api/wildcard-credentials", hdr: preflightHeaders(app, "GET", "x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}}},
		{desc: "missing allow-headers", path: "/api/missing-allow-headers", hdr: preflightHeaders(app, "POST", "x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Methods": {"GET, POST, PUT"},
				"Access-Control-Allow-Headers": absent}},
		{desc: "trailing slash", path: "/api/trailing-slash", hdr: preflightHeaders(app, "POST", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app + "/"}}},
		{desc: "auth layer 404", path: "/api/auth-preflight-404", hdr: preflightHeaders(app, "GET", "x-token"), status: 404,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Access-Control-Allow-Methods": absent, "Vary": absent}},
		{desc: "preflight 500 with CORS", path: "/api/preflight-500", hdr: preflightHeaders(app, "PUT", ""), status: 500,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Methods": {"GET, POST, PUT"}}},
		{desc: "preflight redirect", path: "/api/preflight-redirect", hdr: preflightHeaders(app, "PUT", ""), status: 307,
			headers: map[string][]string{"Location": {"/api/open"}, "Access-Control-Allow-Origin": {app}}},
		{desc: "multiple origins", path: "/api/multiple-origins", hdr: preflightHeaders(app, "POST", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app, local}}},
		{desc: "no CORS", path: "/api/no-cors", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Access-Control-Allow-Methods": absent}},
		{desc: "reflect with credentials", path: "/api/reflect-credentials", hdr: preflightHeaders(evil, "PUT", "x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}}},
		{desc: "null origin", path: "/api/null-origin", hdr: preflightHeaders("null", "POST", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"null"}}},
		{desc: "get-post-only", path: "/api/get-post-only", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Methods": {"GET, POST"}}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := call(t, h, http.MethodOptions, tc.path, tc.hdr)
			assert.Equal(t, tc.status, rec.Code)
			assertHeaders(t, rec.Header(), tc.headers)
			assert.NotEmpty(t, rec.Header().Get("X-Request-Id"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.Empty(t, rec.Body.String(), "preflights have no body")
		})
	}
}

func TestHandlerDefaultPolicyActualRequests(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	tests := []struct {
		desc    string
		method  string
		path    string
		origin  string
		status  int
		headers map[string][]string
	}{
		{desc: "open", method: "GET", path: "/api/open", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Expose-Headers": {"X-Request-Id"},
				"Access-Control-Allow-Credentials": absent, "Vary": absent, "Access-Control-Allow-Methods": absent}},
		{desc: "open without Origin", method: "GET", path: "/api/open", status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "allow-list", method: "POST", path: "/api/allowlist/login", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"X-Request-Id"}, "Vary": {"Origin"}, "Access-Control-Max-Age": absent}},
		{desc: "allow-list, unlisted origin", method: "GET", path: "/api/allowlist", origin: evil, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Access-Control-Allow-Credentials": absent, "Vary": {"Origin"}}},
		{desc: "allow-list without Origin", method: "GET", path: "/api/allowlist", status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Vary": {"Origin"}}},
		{desc: "wildcard with credentials", method: "GET", path: "/api/wildcard-credentials", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}}},
		{desc: "trailing slash", method: "GET", path: "/api/trailing-slash", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app + "/"}, "Vary": {"Origin"}}},
		{desc: "trailing slash, unlisted origin", method: "GET", path: "/api/trailing-slash", origin: evil, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "auth layer lets actual requests through", method: "GET", path: "/api/auth-preflight-404", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}}},
		{desc: "multiple origins", method: "GET", path: "/api/multiple-origins", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app, local}}},
		{desc: "no CORS", method: "GET", path: "/api/no-cors", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent, "Vary": absent}},
		{desc: "reflect", method: "GET", path: "/api/reflect-credentials", origin: evil, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"true"}}},
		{desc: "null origin", method: "GET", path: "/api/null-origin", origin: "null", status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"null"}}},
		{desc: "null route, real origin", method: "GET", path: "/api/null-origin", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "get-post-only", method: "GET", path: "/api/get-post-only", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": absent}},
		{desc: "OPTIONS without request method is not a preflight", method: "OPTIONS", path: "/api/open", origin: app, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Content-Type": {"application/json"}}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			hdr := map[string]string{"Cookie": "sid=1; theme=dark", "X-Token": "abc", "X-Trace": "t1"}
			if tc.origin != "" {
				hdr["Origin"] = tc.origin
			}
			rec := call(t, h, tc.method, tc.path, hdr)
			assert.Equal(t, tc.status, rec.Code)
			assertHeaders(t, rec.Header(), tc.headers)
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			var body echo
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			assert.Equal(t, tc.method, body.Method)
			assert.Equal(t, tc.path, body.Path)
			assert.Equal(t, tc.origin, body.Origin)
			assert.Equal(t, []string{"sid", "theme"}, body.Cookies)
			assert.Equal(t, "t1", body.Headers["X-Trace"], "what the server saw is echoed")
			// Credential-like headers are named, never repeated: the same
			// policy the reports redact by (cors.IsSecretHeader).
			assert.Equal(t, "[redacted by the target]", body.Headers["X-Token"])
			assert.Equal(t, "[redacted by the target]", body.Headers["Cookie"])
			assert.True(t, strings.HasPrefix(tc.path, body.Route), "route %q covers %q", body.Route, tc.path)
			assert.Equal(t, rec.Header().Get("X-Request-Id"), fmt.Sprint(body.ID))
		})
	}
}

func TestHandlerSlowRoute(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	// The client gives up long before the route's 30 s delay: the handler
	// must return promptly instead of sleeping on.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest("GET", "/api/slow", nil).WithContext(ctx)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, rec.Body.String())

	// A query override shortens the delay.
	start = time.Now()
	rec = call(t, h, "GET", "/api/slow?delay_ms=30", map[string]string{"Origin": app})
	assert.Equal(t, 200, rec.Code)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
}

func TestHandlerQueryOverrides(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	tests := []struct {
		desc    string
		method  string
		target  string
		hdr     map[string]string
		status  int
		headers map[string][]string
	}{
		{desc: "acao on unknown path", method: "GET", target: "/anything?acao=https://x.test", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"https://x.test"}}},
		{desc: "acao repeated gives two lines", method: "GET", target: "/anything?acao=a&acao=b", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"a", "b"}}},
		{desc: "acao reflect", method: "GET", target: "/anything?acao=reflect", hdr: map[string]string{"Origin": evil}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {evil}}},
		{desc: "acao needs an Origin", method: "GET", target: "/anything?acao=*", status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "acac", method: "GET", target: "/api/open?acac=true", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Credentials": {"true"}}},
		{desc: "acac off", method: "GET", target: "/api/allowlist?acac=0", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Credentials": absent, "Access-Control-Allow-Origin": {app}}},
		{desc: "acam", method: "OPTIONS", target: "/api/open?acam=PATCH,DELETE", hdr: preflightHeaders(app, "PATCH", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Methods": {"PATCH, DELETE"}}},
		{desc: "acam empty clears", method: "OPTIONS", target: "/api/open?acam=", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Methods": absent}},
		{desc: "acah", method: "OPTIONS", target: "/api/open?acah=x-token&acah=x-other", hdr: preflightHeaders(app, "GET", "x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Headers": {"x-token, x-other"}}},
		{desc: "aceh", method: "GET", target: "/api/open?aceh=X-A,X-B", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Expose-Headers": {"X-A, X-B"}}},
		{desc: "max_age", method: "OPTIONS", target: "/api/open?max_age=5", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Max-Age": {"5"}}},
		{desc: "max_age negative is sent as is", method: "OPTIONS", target: "/api/open?max_age=-1", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Max-Age": {"-1"}}},
		{desc: "acah reflect echoes the request headers", method: "OPTIONS", target: "/api/open?acah=reflect", hdr: preflightHeaders(app, "PUT", "x-other,x-token"), status: 204,
			headers: map[string][]string{"Access-Control-Allow-Headers": {"x-other,x-token"}}},
		{desc: "max_age empty clears", method: "OPTIONS", target: "/api/allowlist?max_age=", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Access-Control-Max-Age": absent, "Access-Control-Allow-Origin": {app}}},
		{desc: "preflight_status", method: "OPTIONS", target: "/api/open?preflight_status=500", hdr: preflightHeaders(app, "PUT", ""), status: 500,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "preflight_status without CORS on errors", method: "OPTIONS", target: "/api/open?preflight_status=401&cors_on_errors=0", hdr: preflightHeaders(app, "PUT", ""), status: 401,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "status", method: "GET", target: "/api/open?status=404", hdr: map[string]string{"Origin": app}, status: 404,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "status on auth route hides CORS", method: "GET", target: "/api/auth-preflight-404?status=401", hdr: map[string]string{"Origin": app}, status: 401,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "status 2xx keeps CORS with cors_on_errors off", method: "GET", target: "/api/auth-preflight-404?status=201", hdr: map[string]string{"Origin": app}, status: 201,
			headers: map[string][]string{"Access-Control-Allow-Origin": {app}}},
		{desc: "redirect", method: "GET", target: "/api/open?redirect=/api/allowlist", hdr: map[string]string{"Origin": app}, status: 307,
			headers: map[string][]string{"Location": {"/api/allowlist"}, "Access-Control-Allow-Origin": {"*"}}},
		{desc: "redirect absolute", method: "GET", target: "/api/open?redirect=http://other.test/x", hdr: map[string]string{"Origin": app}, status: 307,
			headers: map[string][]string{"Location": {"http://other.test/x"}}},
		{desc: "redirect does not touch preflights", method: "OPTIONS", target: "/api/open?redirect=/x", hdr: preflightHeaders(app, "PUT", ""), status: 204,
			headers: map[string][]string{"Location": absent}},
		{desc: "preflight_redirect", method: "OPTIONS", target: "/api/open?preflight_redirect=/api/x", hdr: preflightHeaders(app, "PUT", ""), status: 307,
			headers: map[string][]string{"Location": {"/api/x"}}},
		{desc: "vary off", method: "GET", target: "/api/allowlist?vary=0", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Vary": absent, "Access-Control-Allow-Origin": {app}}},
		{desc: "vary on for wildcard stays off", method: "GET", target: "/api/open?vary=1", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Vary": absent}},
		{desc: "delay_ms", method: "GET", target: "/api/open?delay_ms=1", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "unknown parameters are ignored", method: "GET", target: "/api/open?page=2", hdr: map[string]string{"Origin": app}, status: 200,
			headers: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "unknown path with only unknown parameters", method: "GET", target: "/nowhere?page=2", hdr: map[string]string{"Origin": app}, status: 404,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
		{desc: "unknown path with overrides but no acao", method: "GET", target: "/nowhere?status=201", hdr: map[string]string{"Origin": app}, status: 201,
			headers: map[string][]string{"Access-Control-Allow-Origin": absent}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := call(t, h, tc.method, tc.target, tc.hdr)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assertHeaders(t, rec.Header(), tc.headers)
		})
	}
}

func TestHandlerBadQueryOverrides(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	tests := []struct {
		desc, query, want string
	}{
		{desc: "acac", query: "acac=maybe", want: `acac="maybe": want true or false`},
		{desc: "vary", query: "vary=2", want: "vary="},
		{desc: "cors_on_errors", query: "cors_on_errors=x", want: "cors_on_errors="},
		{desc: "acam", query: "acam=GE%20T", want: `acam="GE T"`},
		{desc: "acah", query: "acah=a:b", want: "acah="},
		{desc: "aceh", query: "aceh=a%20b", want: "aceh="},
		{desc: "acao empty", query: "acao=", want: "acao="},
		{desc: "acao newline", query: "acao=a%0Ab", want: `acao="a\nb"`},
		{desc: "max_age", query: "max_age=soon", want: "max_age="},
		{desc: "status", query: "status=700", want: "status=\"700\": want a status between 200 and 599"},
		{desc: "preflight_status", query: "preflight_status=abc", want: "preflight_status="},
		{desc: "redirect", query: "redirect=javascript:alert(1)", want: "redirect="},
		{desc: "preflight_redirect", query: "preflight_redirect=//evil.test", want: "preflight_redirect="},
		{desc: "delay_ms", query: "delay_ms=999999", want: "delay_ms="},
		{desc: "several at once", query: "status=1&delay_ms=x", want: "delay_ms="},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := call(t, h, "GET", "/api/open?"+tc.query, map[string]string{"Origin": app})
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.want)
			assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))
			assert.NotEmpty(t, rec.Header().Get("X-Request-Id"))
		})
	}
}

func TestHandlerUnknownPath(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	for _, method := range []string{"GET", "POST", "OPTIONS"} {
		hdr := map[string]string{"Origin": app, "Access-Control-Request-Method": "PUT"}
		rec := call(t, h, method, "/nope", hdr)
		assert.Equal(t, http.StatusNotFound, rec.Code, method)
		for name := range rec.Header() {
			assert.False(t, strings.HasPrefix(name, "Access-Control-"), "%s: unexpected %s", method, name)
		}
		assert.Empty(t, rec.Header().Values("Vary"))
	}
	// Segment boundaries: /api/openx is not under /api/open.
	assert.Equal(t, http.StatusNotFound, call(t, h, "GET", "/api/openx", nil).Code)
}

func TestHandlerRouteInGoCodeGetsDefaultStatuses(t *testing.T) {
	t.Parallel()
	h := NewHandler(&policy.Policy{Routes: []policy.Route{{Path: "/x", AllowOrigins: []string{"*"}}}})
	assert.Equal(t, 204, call(t, h, "OPTIONS", "/x", preflightHeaders(app, "PUT", "")).Code)
	assert.Equal(t, 200, call(t, h, "GET", "/x", nil).Code)
	assert.Equal(t, 404, call(t, NewHandler(nil), "GET", "/x", nil).Code, "a nil policy has no routes")
}

func TestHandlerCookies(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	tests := []struct {
		desc, query, want string
	}{
		{desc: "default is SameSite=None; Secure", query: "name=sid&value=abc", want: "sid=abc; Path=/; Secure; SameSite=None"},
		{desc: "value defaults to 1", query: "name=sid", want: "sid=1; Path=/; Secure; SameSite=None"},
		{desc: "insecure", query: "name=sid&secure=0", want: "sid=1; Path=/; SameSite=Lax"},
		{desc: "partitioned", query: "name=sid&partitioned=1", want: "sid=1; Path=/; Secure; SameSite=None; Partitioned"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := call(t, h, "GET", "/set-cookie?"+tc.query, map[string]string{"Origin": evil})
			assert.Equal(t, 200, rec.Code)
			assert.Equal(t, []string{tc.want}, rec.Header().Values("Set-Cookie"))
			assertHeaders(t, rec.Header(), map[string][]string{"Access-Control-Allow-Origin": {evil},
				"Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}, "Cache-Control": {"no-store"}})
		})
	}
	for _, q := range []string{"", "name=a%20b", "name=a&value=x%3By", "name=a&secure=perhaps", "name=a&partitioned=2"} {
		rec := call(t, h, "GET", "/set-cookie?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
		assert.Empty(t, rec.Header().Values("Set-Cookie"), q)
	}

	rec := call(t, h, "GET", "/cookies", map[string]string{"Origin": app, "Cookie": "sid=abc; theme=dark"})
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"cookies":[{"name":"sid","value":"abc"},{"name":"theme","value":"dark"}]}`, rec.Body.String())
	assert.Equal(t, app, rec.Header().Get("Access-Control-Allow-Origin"))

	rec = call(t, h, "OPTIONS", "/cookies", preflightHeaders(app, "POST", "x-token"))
	assert.Equal(t, 204, rec.Code)
	assertHeaders(t, rec.Header(), map[string][]string{"Access-Control-Allow-Origin": {app},
		"Access-Control-Allow-Methods": {"GET, POST"}, "Access-Control-Allow-Headers": {"x-token"}})
}

func TestHandlerCookiesRoundTrip(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	srv := httptest.NewServer(h)
	defer srv.Close()
	// Go's cookie jar, like a browser, keeps Secure cookies only for https;
	// use secure=0 over plain http.
	resp, err := http.Get(srv.URL + "/set-cookie?name=sid&value=v1&secure=0")
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, resp.Cookies(), 1)
	req, err := http.NewRequest("GET", srv.URL+"/api/allowlist", nil)
	require.NoError(t, err)
	req.AddCookie(resp.Cookies()[0])
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body echo
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, []string{"sid"}, body.Cookies)
}

func TestHandlerRedirectFollowed(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/open?redirect=/api/allowlist/after")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	var body echo
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, "/api/allowlist/after", body.Path)
	assert.Equal(t, "/api/allowlist", body.Route)
	log := h.Log()
	require.Len(t, log, 2)
	assert.Equal(t, 307, log[0].Status)
	assert.Equal(t, "redirect=/api/allowlist/after", log[0].Query)
	assert.Equal(t, 200, log[1].Status)
}

func TestHandlerRequestLog(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	var out bytes.Buffer
	h := NewHandler(DefaultPolicy(), WithLogWriter(&out), WithClock(func() time.Time { return fixed }))
	call(t, h, "OPTIONS", "/api/allowlist?a=1", preflightHeaders(app, "PUT", "x-token"))
	call(t, h, "GET", "/nope", nil)
	call(t, h, "GET", "/set-cookie?name=a", nil)

	log := h.Log()
	require.Len(t, log, 3)
	first := log[0]
	assert.Equal(t, int64(1), first.ID)
	assert.Equal(t, fixed, first.Time)
	assert.Equal(t, "OPTIONS", first.Method)
	assert.Equal(t, "/api/allowlist", first.Path)
	assert.Equal(t, "a=1", first.Query)
	assert.Equal(t, "/api/allowlist", first.Route)
	assert.True(t, first.Preflight)
	assert.Equal(t, 204, first.Status)
	assert.False(t, first.WireOrder, "a recorder has no wire")
	assert.Equal(t, []string{app}, first.Header("origin"))
	assert.Equal(t, []string{"x-token"}, first.Header("Access-Control-Request-Headers"))
	assert.Equal(t, "Host", first.Headers[0].Name)
	assert.Equal(t, int64(2), log[1].ID)
	assert.Equal(t, 404, log[1].Status)
	assert.Empty(t, log[1].Route)
	assert.Equal(t, 200, log[2].Status)

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	assert.True(t, strings.HasPrefix(lines[0], `03:04:05.006 #1 OPTIONS "/api/allowlist?a=1" -> 204 route="/api/allowlist" preflight | "Host": "example.com";`), lines[0])
	assert.Contains(t, lines[0], `"Origin": "https://app.example.test"`)
	assert.True(t, strings.HasPrefix(lines[1], `03:04:05.006 #2 GET "/nope" -> 404 |`), lines[1])

	h.ResetLog()
	assert.Empty(t, h.Log())
	call(t, h, "GET", "/api/open", nil)
	assert.Equal(t, int64(4), h.Log()[0].ID, "ids keep counting after a reset")
}

func TestHandlerLogLineQuotesHostileInput(t *testing.T) {
	t.Parallel()
	line := FormatLogLine(LoggedRequest{ID: 1, Method: "GET", Path: "/a\nb", Status: 200,
		Headers: []HeaderLine{{Name: "X-Evil", Value: "v\r\n12:00:00.000 #9 GET \"/forged\" -> 200 \x1b[31m"}}})
	assert.NotContains(t, line, "\n")
	assert.NotContains(t, line, "\r")
	assert.NotContains(t, line, "\x1b")
	assert.Contains(t, line, `"X-Evil": "v\r\n12:00:00.000`)
}

func TestHandlerLogLimit(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy(), WithLogLimit(2))
	for range 5 {
		call(t, h, "GET", "/api/open", nil)
	}
	log := h.Log()
	require.Len(t, log, 2)
	assert.Equal(t, []int64{4, 5}, []int64{log[0].ID, log[1].ID})
	h = NewHandler(DefaultPolicy(), WithLogLimit(0))
	call(t, h, "GET", "/api/open", nil)
	assert.Empty(t, h.Log())
}

func TestHandlerWireOrderHeaders(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	srv, err := Start("127.0.0.1:0", h)
	require.NoError(t, err)
	defer func() { assert.NoError(t, srv.Close()) }()

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	// Two requests on one connection, the first with a body, headers in an
	// order and spelling Go's map would lose.
	reqs := []string{
		"POST /api/open?x=1 HTTP/1.1\r\nhost: t\r\nx-b: 2\r\nOrigin: https://app.example.test\r\nx-a: 1\r\nx-a: 3\r\ncontent-length: 5\r\n\r\nhello",
		"OPTIONS /api/allowlist HTTP/1.1\r\nHost: t\r\naccess-control-request-method: PUT\r\norigin: https://app.example.test\r\naccess-control-request-headers: x-token\r\n\r\n",
	}
	for _, raw := range reqs {
		_, err := io.WriteString(conn, raw)
		require.NoError(t, err)
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	log := h.Log()
	require.Len(t, log, 2)
	assert.True(t, log[0].WireOrder)
	assert.Equal(t, []HeaderLine{{"host", "t"}, {"x-b", "2"}, {"Origin", app}, {"x-a", "1"}, {"x-a", "3"}, {"content-length", "5"}}, log[0].Headers)
	assert.True(t, log[1].WireOrder)
	assert.Equal(t, []HeaderLine{{"Host", "t"}, {"access-control-request-method", "PUT"}, {"origin", app}, {"access-control-request-headers", "x-token"}}, log[1].Headers)
	assert.True(t, log[1].Preflight)
	assert.Equal(t, 204, log[1].Status)
}

func TestHandlerConcurrentRequestsGetDistinctIDs(t *testing.T) {
	t.Parallel()
	h := NewHandler(DefaultPolicy())
	srv, err := Start("127.0.0.1:0", h)
	require.NoError(t, err)
	defer func() { assert.NoError(t, srv.Close()) }()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(fmt.Sprintf("%s/api/open?n=%d", srv.URL, i))
			if assert.NoError(t, err) {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	log := h.Log()
	require.Len(t, log, 20)
	ids := map[int64]bool{}
	for _, e := range log {
		ids[e.ID] = true
		assert.True(t, e.WireOrder)
		assert.Len(t, e.Header("Host"), 1)
	}
	assert.Len(t, ids, 20)
}

func TestServerCloseEndsSlowRequests(t *testing.T) {
	t.Parallel()
	srv, err := Start("127.0.0.1:0", NewHandler(DefaultPolicy()))
	require.NoError(t, err)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /api/slow HTTP/1.1\r\nHost: t\r\n\r\n")
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, srv.Close())
	// The 30 s route must not hold the connection open once the server is closed.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	require.Error(t, err, "the connection is closed, not answered")
	var ne net.Error
	if errors.As(err, &ne) {
		assert.False(t, ne.Timeout(), "the connection was left open: %v", err)
	}
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestServerShutdownWhenIdle(t *testing.T) {
	t.Parallel()
	srv, err := Start("127.0.0.1:0", NewHandler(DefaultPolicy()))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))
	resp, err := http.Get(srv.URL + "/api/open")
	require.NoError(t, err)
	resp.Body.Close()
	require.NoError(t, srv.Shutdown(context.Background()))
	_, err = http.Get(srv.URL + "/api/open")
	assert.Error(t, err, "the server no longer listens")

	_, err = Start("256.0.0.1:0", NewHandler(nil))
	assert.ErrorContains(t, err, "starting target: ")
}

func TestEchoNeverRepeatsCredentials(t *testing.T) {
	h := NewHandler(DefaultPolicy())
	req := httptest.NewRequest(http.MethodGet, "/api/open", nil)
	req.Header.Set("Origin", "https://app.example.test")
	req.Header.Set("Cookie", "session=s3cret")
	req.Header.Set("Authorization", "Bearer t0ken")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	body := w.Body.String()
	assert.NotContains(t, body, "s3cret")
	assert.NotContains(t, body, "t0ken")
	assert.Contains(t, body, `"session"`, "cookie names are still listed")
}

// TestHandlerNeverRepeatsCredentials: neither the echo nor the printed log
// line repeats a credential-like header's value: every name the one secret
// policy (cors.IsSecretHeader) covers.
func TestHandlerNeverRepeatsCredentials(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	h := NewHandler(DefaultPolicy(), WithLogWriter(&out))
	secrets := map[string]string{"Authorization": "Bearer s3cr3t-1", "X-Api-Key": "s3cr3t-2", "X-Auth-Token": "s3cr3t-3",
		"X-Csrf-Token": "s3cr3t-4", "X-Session-Id": "s3cr3t-5", "Proxy-Authorization": "Basic s3cr3t-6", "Cookie": "sid=s3cr3t-7"}
	rec := call(t, h, "GET", "/api/open", secrets)
	var body echo
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	for name := range secrets {
		assert.Equal(t, redactedByTarget, body.Headers[name], name)
	}
	assert.NotContains(t, rec.Body.String(), "s3cr3t")
	assert.NotContains(t, out.String(), "s3cr3t", "the printed log")
	assert.Contains(t, out.String(), `"X-Api-Key": "[redacted by the target]"`)
	assert.Equal(t, "s3cr3t-2", headerValue(h.Log()[0].Headers, "X-Api-Key"), "Log() keeps the wire as it was, for the fidelity test")
}

func headerValue(lines []HeaderLine, name string) string {
	for _, l := range lines {
		if strings.EqualFold(l.Name, name) {
			return l.Value
		}
	}
	return ""
}

func TestStartOnEveryInterfacePrintsAUsableURL(t *testing.T) {
	t.Parallel()
	srv, err := Start("0.0.0.0:0", NewHandler(DefaultPolicy()))
	require.NoError(t, err)
	defer srv.Close()
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	resp, err := http.Get(srv.URL + "/api/open")
	require.NoError(t, err)
	resp.Body.Close()
}
