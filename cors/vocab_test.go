package cors

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeMethod(t *testing.T) {
	t.Parallel()
	cases := []struct{ desc, in, want string }{
		{desc: "empty is GET", in: "", want: "GET"},
		{desc: "GET kept", in: "GET", want: "GET"},
		{desc: "get upper-cased", in: "get", want: "GET"},
		{desc: "head upper-cased", in: "Head", want: "HEAD"},
		{desc: "post upper-cased", in: "post", want: "POST"},
		{desc: "delete upper-cased", in: "delete", want: "DELETE"},
		{desc: "PUT kept", in: "PUT", want: "PUT"},
		{desc: "put upper-cased", in: "put", want: "PUT"},
		{desc: "mixed-case put upper-cased", in: "pUt", want: "PUT"},
		{desc: "options upper-cased", in: "options", want: "OPTIONS"},
		{desc: "patch stays lower case, as Chromium 156 sends it", in: "patch", want: "patch"},
		{desc: "Patch stays as written", in: "Patch", want: "Patch"},
		{desc: "PATCH kept", in: "PATCH", want: "PATCH"},
		{desc: "custom method kept byte for byte", in: "chicKen", want: "chicKen"},
		{desc: "forbidden method is not upper-cased either", in: "connect", want: "connect"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, NormalizeMethod(tc.in))
		})
	}
}

func TestIsForbiddenMethod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc   string
		method string
		want   bool
	}{
		{desc: "CONNECT", method: "CONNECT", want: true},
		{desc: "trace in lower case", method: "trace", want: true},
		{desc: "Track mixed case", method: "Track", want: true},
		{desc: "GET is allowed", method: "GET", want: false},
		{desc: "patch is allowed", method: "patch", want: false},
		{desc: "a method merely starting with a forbidden one", method: "TRACEX", want: false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, IsForbiddenMethod(tc.method))
		})
	}
}

func TestIsForbiddenRequestHeader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc   string
		header string
		want   bool
	}{
		{desc: "Cookie", header: "Cookie", want: true},
		{desc: "case does not matter", header: "HoSt", want: true},
		{desc: "Origin", header: "origin", want: true},
		{desc: "Referer", header: "Referer", want: true},
		{desc: "Content-Length, computed by the browser", header: "Content-Length", want: true},
		{desc: "the preflight's own request headers", header: "Access-Control-Request-Headers", want: true},
		{desc: "Access-Control-Request-Method", header: "access-control-request-method", want: true},
		{desc: "Private Network Access preflight header", header: "Access-Control-Request-Private-Network", want: true},
		{desc: "Set-Cookie", header: "Set-Cookie", want: true},
		{desc: "Sec- prefix", header: "Sec-Fetch-Mode", want: true},
		{desc: "Sec- prefix in lower case", header: "sec-ch-ua", want: true},
		{desc: "Proxy- prefix", header: "Proxy-Authorization", want: true},
		{desc: "Proxy- prefix for any name", header: "proxy-foo", want: true},
		{desc: "a name that only contains sec is allowed", header: "X-Sec-Token", want: false},
		{desc: "Sec without the dash is allowed", header: "Secret", want: false},
		{desc: "Authorization may be set", header: "Authorization", want: false},
		{desc: "Content-Type may be set", header: "Content-Type", want: false},
		{desc: "User-Agent may be set (Fetch removed it from the list)", header: "User-Agent", want: false},
		{desc: "custom header", header: "X-Request-Id", want: false},
		{desc: "the response's Access-Control-Allow-Origin is not a request header the browser owns", header: "Access-Control-Allow-Origin", want: false},
		{desc: "method override is decided by its value, not its name", header: "X-HTTP-Method-Override", want: false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, IsForbiddenRequestHeader(tc.header))
		})
	}
}

func TestCorsErrorsMatchesCdproto(t *testing.T) {
	t.Parallel()
	errs := CorsErrors()
	require.Len(t, errs, 28, "cdproto v0.159 defines 28 CorsError values")
	seen := map[CorsError]bool{}
	for _, e := range errs {
		assert.False(t, seen[e], "duplicate %s", e)
		seen[e] = true
		got, ok := LookupCorsError(string(e))
		assert.True(t, ok, e)
		assert.Equal(t, e, got, "a current name resolves to itself")
	}
	for legacy, current := range legacyCorsErrors {
		assert.False(t, seen[legacy], "%s is both current and legacy", legacy)
		assert.True(t, seen[current], "%s resolves to %s, which is not a current name", legacy, current)
	}
	errs[0] = "changed"
	assert.Equal(t, ErrDisallowedByMode, CorsErrors()[0], "CorsErrors returns a copy")
}

func TestLookupCorsError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc string
		name string
		want CorsError
		ok   bool
	}{
		{desc: "current name", name: "MissingAllowOriginHeader", want: ErrMissingAllowOriginHeader, ok: true},
		{desc: "renamed: insecure private network", name: "InsecurePrivateNetwork", want: ErrInsecureLocalNetwork, ok: true},
		{desc: "renamed: invalid private network access", name: "InvalidPrivateNetworkAccess", want: ErrInvalidLocalNetworkAccess, ok: true},
		{desc: "renamed: permission denied", name: "PrivateNetworkAccessPermissionDenied", want: ErrLocalNetworkAccessPermissionDenied, ok: true},
		{desc: "retired PNA preflight error", name: "PreflightMissingAllowPrivateNetwork", want: ErrLocalNetworkAccessPermissionDenied, ok: true},
		{desc: "retired PNA preflight value error", name: "PreflightInvalidAllowPrivateNetwork", want: ErrLocalNetworkAccessPermissionDenied, ok: true},
		{desc: "retired unexpected access", name: "UnexpectedPrivateNetworkAccess", want: ErrLocalNetworkAccessPermissionDenied, ok: true},
		{desc: "names match exactly, not ignoring case", name: "missingalloworiginheader", ok: false},
		{desc: "unknown name", name: "NoSuchError", ok: false},
		{desc: "empty", name: "", ok: false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, ok := LookupCorsError(tc.name)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCorsErrorCanonical(t *testing.T) {
	t.Parallel()
	assert.Equal(t, ErrInsecureLocalNetwork, CorsError("InsecurePrivateNetwork").Canonical())
	assert.Equal(t, ErrAllowOriginMismatch, ErrAllowOriginMismatch.Canonical())
	assert.Equal(t, CorsError("NoSuchError"), CorsError("NoSuchError").Canonical(), "unknown names are kept for the message")
}

func TestLegacyCorsErrorExplainedAndDiagnosedAsCurrent(t *testing.T) {
	t.Parallel()
	legacy, _ := Explain("InsecurePrivateNetwork", Context{URL: api})
	current, _ := Explain(ErrInsecureLocalNetwork, Context{URL: api})
	assert.Equal(t, current, legacy)

	// An older Chromium's name for the error the model predicts agrees.
	in := Input{Request: Request{Origin: page, URL: api}, Actual: resp(200)}
	d := Diagnose(in, Observation{Verdict: VerdictBlocked, CorsError: "PreflightMissingAllowPrivateNetwork"})
	assert.Contains(t, d.Summary, "Local Network Access")
}

func TestVerdictJSON(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []Verdict{"allowed", "blocked", "network-error", "timeout", "error"}, BrowserVerdicts())
	assert.False(t, VerdictUnknown.IsBrowserVerdict(), "only the model says unknown")
	assert.True(t, VerdictNetworkError.IsBrowserVerdict())
	b, err := json.Marshal(struct {
		V Verdict `json:"verdict"`
	}{VerdictNetworkError})
	require.NoError(t, err)
	assert.JSONEq(t, `{"verdict":"network-error"}`, string(b))
}
