package cors

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	page = "https://app.example.com"
	api  = "https://api.example.com/v1/login"
)

// resp builds a response from alternating header names and values.
func resp(status int, kv ...string) *Response {
	h := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return &Response{Status: status, Headers: h}
}

func TestPredictCorsErrors(t *testing.T) {
	t.Parallel()
	okPreflight := func(kv ...string) *Response {
		return resp(204, append([]string{"Access-Control-Allow-Origin", page}, kv...)...)
	}
	cases := []struct {
		desc      string
		in        Input
		verdict   Verdict
		corsError CorsError
		param     string
		stage     string
	}{
		{desc: "simple GET with ACAO * is allowed",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "*")},
			verdict: VerdictAllowed},
		{desc: "no ACAO on the actual response",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api}, Actual: resp(200)},
			verdict: VerdictBlocked, corsError: ErrMissingAllowOriginHeader, stage: StageActual},
		{desc: "ACAO * with credentials include",
			in:      Input{Request: Request{Origin: page, URL: api, Credentials: "include"}, Actual: resp(200, "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true")},
			verdict: VerdictBlocked, corsError: ErrWildcardOriginNotAllowed},
		{desc: "two ACAO lines combine to a, b",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", page+"\nhttps://b.example")},
			verdict: VerdictBlocked, corsError: ErrMultipleAllowOriginValues, param: page + ", https://b.example"},
		{desc: "ACAO quoted star is not an origin",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", `"*"`)},
			verdict: VerdictBlocked, corsError: ErrInvalidAllowOriginValue, param: `"*"`},
		{desc: "ACAO with a trailing slash does not match",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", page+"/")},
			verdict: VerdictBlocked, corsError: ErrAllowOriginMismatch, param: page + "/"},
		{desc: "ACAO with the default port does not match (string comparison)",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", page+":443")},
			verdict: VerdictBlocked, corsError: ErrAllowOriginMismatch, param: page + ":443"},
		{desc: "ACAO upper-cased host does not match",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "https://APP.example.com")},
			verdict: VerdictBlocked, corsError: ErrAllowOriginMismatch, param: "https://APP.example.com"},
		{desc: "ACAO null from a normal origin",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "null")},
			verdict: VerdictBlocked, corsError: ErrAllowOriginMismatch, param: "null"},
		{desc: "ACAO null matches an opaque page origin",
			in:      Input{Request: Request{Origin: "null", URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "null")},
			verdict: VerdictAllowed},
		{desc: "ACAO padded with whitespace is trimmed",
			in:      Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", " \t"+page+" ")},
			verdict: VerdictAllowed},
		{desc: "ACAC True is not true (case-sensitive)",
			in:      Input{Request: Request{Origin: page, URL: api, Credentials: "include"}, Actual: resp(200, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "True")},
			verdict: VerdictBlocked, corsError: ErrInvalidAllowCredentials, param: "True"},
		{desc: "ACAC missing with credentials",
			in:      Input{Request: Request{Origin: page, URL: api, Credentials: "include"}, Actual: resp(200, "Access-Control-Allow-Origin", page)},
			verdict: VerdictBlocked, corsError: ErrInvalidAllowCredentials, param: ""},
		{desc: "credentials with echoed origin and ACAC true",
			in:      Input{Request: Request{Origin: page, URL: api, Credentials: "include"}, Actual: resp(200, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Vary", "Origin")},
			verdict: VerdictAllowed},
		{desc: "mode same-origin to another origin",
			in:      Input{Request: Request{Origin: page, URL: api, Mode: "same-origin"}, Actual: resp(200)},
			verdict: VerdictBlocked, corsError: ErrDisallowedByMode, stage: StageRequest},
		{desc: "ftp URL is not a CORS scheme",
			in:      Input{Request: Request{Origin: page, URL: "ftp://files.example.com/x"}},
			verdict: VerdictBlocked, corsError: ErrCorsDisabledScheme},
		{desc: "preflight answered 401 with CORS headers",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(401, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PUT")},
			verdict: VerdictBlocked, corsError: ErrPreflightInvalidStatus, stage: StagePreflight},
		{desc: "preflight answered 500 without CORS headers",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(500)},
			verdict: VerdictBlocked, corsError: ErrPreflightMissingAllowOriginHeader},
		{desc: "preflight redirected with 307",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(307, "Location", api+"/", "Access-Control-Allow-Origin", "*")},
			verdict: VerdictBlocked, corsError: ErrPreflightDisallowedRedirect},
		{desc: "preflight ACAO * with credentials",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api, Credentials: "include"}, Preflight: resp(204, "Access-Control-Allow-Origin", "*")},
			verdict: VerdictBlocked, corsError: ErrPreflightWildcardOriginNotAllowed},
		{desc: "preflight with two ACAO values",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(204, "Access-Control-Allow-Origin", "*, *")},
			verdict: VerdictBlocked, corsError: ErrPreflightMultipleAllowOriginValues, param: "*, *"},
		{desc: "preflight ACAO is not a URL",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(204, "Access-Control-Allow-Origin", "app.example.com")},
			verdict: VerdictBlocked, corsError: ErrPreflightInvalidAllowOriginValue, param: "app.example.com"},
		{desc: "preflight ACAO is the target origin",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(204, "Access-Control-Allow-Origin", "https://api.example.com")},
			verdict: VerdictBlocked, corsError: ErrPreflightAllowOriginMismatch, param: "https://api.example.com"},
		{desc: "preflight without ACAC for a credentialed request",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api, Credentials: "include"}, Preflight: okPreflight("Access-Control-Allow-Methods", "PUT")},
			verdict: VerdictBlocked, corsError: ErrPreflightInvalidAllowCredentials},
		{desc: "ACAM with a space-separated list does not parse",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: okPreflight("Access-Control-Allow-Methods", "PUT DELETE")},
			verdict: VerdictBlocked, corsError: ErrInvalidAllowMethodsPreflightResponse, param: "PUT DELETE"},
		{desc: "ACAH with a quoted item does not parse",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api, Headers: map[string]string{"X-Token": "1"}}, Preflight: okPreflight("Access-Control-Allow-Headers", `"x-token"`)},
			verdict: VerdictBlocked, corsError: ErrInvalidAllowHeadersPreflightResponse, param: `"x-token"`},
		{desc: "method not in ACAM",
			in:      Input{Request: Request{Origin: page, Method: "put", URL: api}, Preflight: okPreflight("Access-Control-Allow-Methods", "GET, POST")},
			verdict: VerdictBlocked, corsError: ErrMethodDisallowedByPreflightResponse, param: "PUT"},
		{desc: "ACAM lower-case put does not allow PUT",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: okPreflight("Access-Control-Allow-Methods", "put")},
			verdict: VerdictBlocked, corsError: ErrMethodDisallowedByPreflightResponse, param: "PUT"},
		{desc: "ACAM * does not cover methods with credentials",
			in:      Input{Request: Request{Origin: page, Method: "DELETE", URL: api, Credentials: "include"}, Preflight: okPreflight("Access-Control-Allow-Methods", "*", "Access-Control-Allow-Credentials", "true")},
			verdict: VerdictBlocked, corsError: ErrMethodDisallowedByPreflightResponse, param: "DELETE"},
		{desc: "ACAM * covers any method without credentials",
			in:      Input{Request: Request{Origin: page, Method: "SUPER", URL: api}, Preflight: okPreflight("Access-Control-Allow-Methods", "*"), Actual: resp(200, "Access-Control-Allow-Origin", page)},
			verdict: VerdictAllowed},
		{desc: "custom header not in ACAH is reported lower case",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api, Headers: map[string]string{"X-Token": "abc"}}, Preflight: okPreflight()},
			verdict: VerdictBlocked, corsError: ErrHeaderDisallowedByPreflightResponse, param: "x-token"},
		{desc: "ACAH * does not cover headers with credentials",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api, Credentials: "include", Headers: map[string]string{"X-Token": "abc"}}, Preflight: okPreflight("Access-Control-Allow-Headers", "*", "Access-Control-Allow-Credentials", "true")},
			verdict: VerdictBlocked, corsError: ErrHeaderDisallowedByPreflightResponse, param: "x-token"},
		{desc: "ACAH list is case-insensitive and tolerates whitespace, empty items, several lines",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api, Headers: map[string]string{"X-A": "1", "x-b": "2"}}, Preflight: okPreflight("Access-Control-Allow-Headers", " X-a ,, \nX-B"), Actual: resp(200, "Access-Control-Allow-Origin", page, "Vary", "Origin")},
			verdict: VerdictAllowed},
		{desc: "total safelisted values over 1024 bytes need every safelisted header allowed",
			in: Input{Request: Request{Origin: page, Method: "GET", URL: api, Headers: map[string]string{
				"Accept": strings.Repeat("a", 128), "Accept-Language": strings.Repeat("b", 128), "Content-Language": strings.Repeat("c", 128),
				"Content-Type": "text/plain;" + strings.Repeat("d", 117), "Dpr": "1", "Width": strings.Repeat("9", 128),
				"Viewport-Width": strings.Repeat("8", 128), "Device-Memory": strings.Repeat("7", 128), "Range": "bytes=0-" + strings.Repeat("1", 120),
			}}, Preflight: okPreflight("Access-Control-Allow-Headers", "accept-language")},
			verdict: VerdictBlocked, corsError: ErrHeaderDisallowedByPreflightResponse, param: "accept"},
		{desc: "redirect to a URL with userinfo",
			in: Input{Request: Request{Origin: page, URL: api}, Redirects: []Response{{URL: api, Status: 302, Headers: map[string]string{"Location": "https://u:p@other.example.com/x", "Access-Control-Allow-Origin": "*"}}},
				Actual: resp(200, "Access-Control-Allow-Origin", "*")},
			verdict: VerdictBlocked, corsError: ErrRedirectContainsCredentials, stage: StageRedirect},
		{desc: "cross-origin redirect hop without ACAO",
			in:      Input{Request: Request{Origin: page, URL: api}, Redirects: []Response{{URL: api, Status: 302, Headers: map[string]string{"Location": "https://other.example.com/x"}}}, Actual: resp(200, "Access-Control-Allow-Origin", "*")},
			verdict: VerdictBlocked, corsError: ErrMissingAllowOriginHeader, stage: StageRedirect},
		{desc: "tainted origin after cross-origin to other-origin redirect: echoed page origin fails",
			in: Input{Request: Request{Origin: page, URL: api}, Redirects: []Response{{URL: api, Status: 302, Headers: map[string]string{"Location": "https://other.example.com/x", "Access-Control-Allow-Origin": "*"}}},
				Actual: resp(200, "Access-Control-Allow-Origin", page)},
			verdict: VerdictBlocked, corsError: ErrAllowOriginMismatch, param: page},
		{desc: "same-origin first hop does not taint",
			in: Input{Request: Request{Origin: page, URL: page + "/go"}, Redirects: []Response{{URL: page + "/go", Status: 302, Headers: map[string]string{"Location": api}}},
				Actual: resp(200, "Access-Control-Allow-Origin", page, "Vary", "Origin")},
			verdict: VerdictAllowed},
		{desc: "forbidden method is refused by the API",
			in:      Input{Request: Request{Origin: page, Method: "TRACE", URL: api}},
			verdict: VerdictError, stage: StageRequest},
		{desc: "no-cors gives an opaque response without any check",
			in:      Input{Request: Request{Origin: page, Method: "GET", URL: api, Mode: "no-cors", Headers: map[string]string{"X-Token": "1"}}, Actual: resp(200)},
			verdict: VerdictAllowed},
		{desc: "missing actual response leaves the verdict unknown",
			in:      Input{Request: Request{Origin: page, URL: api}},
			verdict: VerdictUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := Predict(tc.in)
			require.Equal(t, tc.verdict, p.Verdict, "notes: %v", p.Notes)
			assert.Equal(t, tc.corsError, p.CorsError)
			if tc.param != "" || tc.corsError == ErrInvalidAllowCredentials {
				assert.Equal(t, tc.param, p.FailedParameter)
			}
			if tc.stage != "" {
				assert.Equal(t, tc.stage, p.FailedAt)
			}
		})
	}
}

func TestPredictCoversHeaderCorsErrors(t *testing.T) {
	t.Parallel()
	// Every CorsError that headers alone can cause must be produced by at
	// least one case of TestPredictCorsErrors; this list is the contract.
	fromHeaders := []CorsError{
		ErrWildcardOriginNotAllowed, ErrMissingAllowOriginHeader, ErrMultipleAllowOriginValues,
		ErrInvalidAllowOriginValue, ErrAllowOriginMismatch, ErrInvalidAllowCredentials,
		ErrPreflightInvalidStatus, ErrPreflightDisallowedRedirect, ErrPreflightWildcardOriginNotAllowed,
		ErrPreflightMissingAllowOriginHeader, ErrPreflightMultipleAllowOriginValues,
		ErrPreflightInvalidAllowOriginValue, ErrPreflightAllowOriginMismatch,
		ErrPreflightInvalidAllowCredentials, ErrInvalidAllowMethodsPreflightResponse,
		ErrInvalidAllowHeadersPreflightResponse, ErrMethodDisallowedByPreflightResponse,
		ErrHeaderDisallowedByPreflightResponse, ErrRedirectContainsCredentials,
		ErrDisallowedByMode, ErrCorsDisabledScheme,
	}
	for _, e := range fromHeaders {
		assert.Contains(t, CorsErrors(), e)
	}
	// A representative input per error, checked end to end.
	in := Input{Request: Request{Origin: page, Method: "PATCH", URL: api, Headers: map[string]string{"X-Token": "1"}},
		Preflight: resp(204, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Methods", "PATCH")}
	p := Predict(in)
	assert.Equal(t, ErrHeaderDisallowedByPreflightResponse, p.CorsError)
	assert.Equal(t, "x-token", p.FailedParameter)
}

// TestHeaderCheckOrder: with several headers missing from
// Access-Control-Allow-Headers the model names the one Chromium names
// (measured on 156): an unsafelisted name before a safelisted name with
// an unsafe value, then by name.
func TestHeaderCheckOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		headers map[string]string
		want    string
	}{
		{map[string]string{"X-Token": "abc", "Content-Type": "application/json"}, "x-token"},
		{map[string]string{"Zz": "1", "Content-Type": "application/json"}, "zz"},
		{map[string]string{"X-B": "1", "X-A": "1"}, "x-a"},
		{map[string]string{"Content-Language": "a:b", "Zz": "1"}, "zz"},
		{map[string]string{"Content-Type": "application/json"}, "content-type"},
	} {
		p := Predict(Input{
			Request:   Request{Origin: "https://app.example.test", URL: "http://127.0.0.1:8080/x", Method: "POST", Headers: tc.headers},
			Preflight: &Response{Status: 204, Headers: map[string]string{"Access-Control-Allow-Origin": "https://app.example.test", "Access-Control-Allow-Methods": "POST"}},
		})
		assert.Equal(t, ErrHeaderDisallowedByPreflightResponse, p.CorsError, "%v", tc.headers)
		assert.Equal(t, tc.want, p.FailedParameter, "%v", tc.headers)
	}
}
