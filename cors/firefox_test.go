package cors

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The lines below are Firefox's console lines as log.entryAdded gave them
// (Firefox ESR 153.8 and 140.12, en-US), one scenario each.
const (
	fxMissing    = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/none. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
	fxStarCreds  = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘http://127.0.0.1:44419/star-creds’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
	fxHeader     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/no-allow-headers. (Reason: header ‘x-token’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response)."
	fxDidNot     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/no-allow-headers. (Reason: CORS request did not succeed). Status code: (null)."
	fxMethod     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/only-get-post. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’)."
	fxPre500     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/preflight-500. (Reason: CORS preflight response did not succeed). Status code: 500."
	fxRedirect   = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/preflight-redirect. (Reason: CORS request external redirect not allowed)."
	fxPre307     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/preflight-redirect. (Reason: CORS preflight response did not succeed). Status code: 307."
	fxSlash      = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/trailing-slash. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘https://app.example.test/’)."
	fxTwo        = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:44419/two-acao. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."
	fxNoCreds    = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:38617/x. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."
	fxEmpty      = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40001/wpt/acao-empty-string. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘’)."
	fxDoubleStar = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40001/wpt/xhr-acao-double-star. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘**’)."
	fxSpaced     = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40001/wpt/xhr-acao-page-url. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘<page URL (location.href)>’)."
	fxNull       = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:40001/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘null’)."
	fxMixed      = "Blocked loading mixed active content “http://192.0.2.1:8081/x”"
)

func TestClassifyFirefox(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc      string
		lines     []string
		preflight bool
		code      FirefoxReason
		chromium  CorsError
		param     string
	}{
		{"no ACAO", []string{fxMissing}, false, FxMissingAllowOrigin, ErrMissingAllowOriginHeader, ""},
		{"no ACAO on the preflight", []string{fxMissing, fxDidNot}, true, FxMissingAllowOrigin, ErrPreflightMissingAllowOriginHeader, ""},
		{"wildcard with credentials", []string{fxStarCreds}, false, FxNotSupportingCredentials, ErrWildcardOriginNotAllowed, ""},
		{"wildcard with credentials on the preflight", []string{fxStarCreds, fxDidNot}, true, FxNotSupportingCredentials, ErrPreflightWildcardOriginNotAllowed, ""},
		{"header not allowed, did-not-succeed after it", []string{fxHeader, fxDidNot}, true, FxMissingAllowHeaderFromPre, ErrHeaderDisallowedByPreflightResponse, "x-token"},
		{"did-not-succeed first still loses to the reason", []string{fxDidNot, fxHeader}, true, FxMissingAllowHeaderFromPre, ErrHeaderDisallowedByPreflightResponse, "x-token"},
		{"method not allowed", []string{fxMethod, fxDidNot}, true, FxMethodNotFound, ErrMethodDisallowedByPreflightResponse, ""},
		{"preflight 500", []string{fxPre500}, true, FxPreflightDidNotSucceed, ErrPreflightInvalidStatus, ""},
		{"preflight redirect", []string{fxRedirect, fxPre307, fxDidNot}, true, FxExternalRedirectNotAllowed, ErrPreflightDisallowedRedirect, ""},
		{"trailing slash", []string{fxSlash}, false, FxAllowOriginNotMatchingOrigin, ErrAllowOriginMismatch, "https://app.example.test/"},
		{"empty ACAO", []string{fxEmpty}, false, FxAllowOriginNotMatchingOrigin, ErrInvalidAllowOriginValue, ""},
		{"ACAO that is not an origin", []string{fxDoubleStar}, false, FxAllowOriginNotMatchingOrigin, ErrInvalidAllowOriginValue, "**"},
		{"ACAO with spaces, which Chromium splits", []string{fxSpaced}, false, FxAllowOriginNotMatchingOrigin, ErrMultipleAllowOriginValues, "<page URL (location.href)>"},
		{"null ACAO on the preflight", []string{fxNull, fxDidNot}, true, FxAllowOriginNotMatchingOrigin, ErrPreflightAllowOriginMismatch, "null"},
		{"two ACAO", []string{fxTwo}, false, FxMultipleAllowOriginNotAllowed, ErrMultipleAllowOriginValues, ""},
		{"credentials without ACAC", []string{fxNoCreds}, false, FxMissingAllowCredentials, ErrInvalidAllowCredentials, ""},
		{"credentials without ACAC on the preflight", []string{fxNoCreds, fxDidNot}, true, FxMissingAllowCredentials, ErrPreflightInvalidAllowCredentials, ""},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			f := ClassifyFirefox(tc.lines, tc.preflight)
			assert.Equal(t, tc.code, f.Code)
			assert.Equal(t, tc.chromium, f.CorsError)
			assert.Equal(t, tc.param, f.Param)
			assert.True(t, f.CORS())
			assert.Contains(t, CorsErrors(), f.CorsError, "the equivalent is a current Chromium name")
		})
	}
}

func TestClassifyFirefoxNotCORS(t *testing.T) {
	t.Parallel()
	// A refused connection: Firefox says it in CORS words, but no CORS
	// check failed.
	f := ClassifyFirefox([]string{fxDidNot}, false)
	assert.Equal(t, FxDidNotSucceed, f.Code)
	assert.False(t, f.CORS())
	assert.False(t, ClassifyFirefox([]string{fxMixed, "some script error"}, false).CORS(), "mixed content is not a CORS reason")
	assert.Equal(t, FirefoxFinding{}, ClassifyFirefox(nil, false))
}

func TestClassifyFirefoxUnknownVerbatim(t *testing.T) {
	t.Parallel()
	line := "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://x/. (Reason: a reason from a future Firefox)."
	f := ClassifyFirefox([]string{line}, false)
	assert.Empty(t, f.Code, "never guessed")
	assert.Empty(t, f.CorsError)
	assert.Equal(t, "a reason from a future Firefox", f.Text)
	assert.True(t, f.CORS(), "still a CORS block, reported verbatim")
	odd := "Cross-Origin Request Blocked: no reason in parentheses"
	assert.Equal(t, odd, ClassifyFirefox([]string{odd}, false).Text)
}

func TestSameReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc     string
		expected string
		observed CorsError
		engine   string
		want     bool
	}{
		{"chromium name, chromium run", "MissingAllowOriginHeader", ErrMissingAllowOriginHeader, "", true},
		{"chromium name, firefox run, same check", "MissingAllowOriginHeader", ErrMissingAllowOriginHeader, "CORSMissingAllowOrigin", true},
		{"chromium name, firefox run, other check", "AllowOriginMismatch", ErrMissingAllowOriginHeader, "CORSMissingAllowOrigin", false},
		{"firefox code, firefox run", "CORSMissingAllowOrigin", ErrPreflightMissingAllowOriginHeader, "CORSMissingAllowOrigin", true},
		{"firefox code, firefox run, other", "CORSMethodNotFound", ErrMissingAllowOriginHeader, "CORSMissingAllowOrigin", false},
		{"firefox code, chromium run, actual", "CORSMissingAllowOrigin", ErrMissingAllowOriginHeader, "", true},
		{"firefox code, chromium run, preflight", "CORSMissingAllowOrigin", ErrPreflightMissingAllowOriginHeader, "", true},
		{"firefox code, chromium run, other", "CORSNotSupportingCredentials", ErrMissingAllowOriginHeader, "", false},
		{"firefox code, chromium run, nothing", "CORSMissingAllowOrigin", "", "", false},
		{"firefox code, legacy chromium name", "CORSPreflightDidNotSucceed", ErrPreflightInvalidStatus, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, SameReason(tc.expected, tc.observed, tc.engine))
		})
	}
}

func TestFirefoxReasonsAreMDNNames(t *testing.T) {
	t.Parallel()
	seen := map[FirefoxReason]bool{}
	for _, r := range FirefoxReasons() {
		assert.Regexp(t, `^CORS[A-Z][A-Za-z]+$`, string(r))
		assert.False(t, seen[r], "listed once: %s", r)
		seen[r] = true
		_, ok := LookupFirefoxReason(string(r))
		assert.True(t, ok)
	}
	_, ok := LookupFirefoxReason("MissingAllowOriginHeader")
	assert.False(t, ok, "a Chromium name is not a Firefox code")
}

// FuzzClassifyFirefox feeds console lines, whose reason quotes values the
// server chose (the Access-Control-Allow-Origin value, a header name), to
// the classifier: it must not panic, must keep the reason verbatim, and
// must give a Chromium equivalent only with a code.
func FuzzClassifyFirefox(f *testing.F) {
	for _, l := range []string{fxMissing, fxStarCreds, fxHeader, fxDidNot, fxMethod, fxPre500, fxRedirect, fxSlash, fxTwo, fxNoCreds, fxEmpty, fxSpaced, fxMixed} {
		f.Add(l, false)
		f.Add(l, true)
	}
	f.Fuzz(func(t *testing.T, line string, preflight bool) {
		got := ClassifyFirefox([]string{line}, preflight)
		if got.Text != "" && !strings.Contains(line, got.Text) {
			t.Fatalf("reason %q is not in the line %q", got.Text, line)
		}
		if got.Code == "" && got.CorsError != "" {
			t.Fatalf("a Chromium equivalent %q without a Firefox code", got.CorsError)
		}
		if got.CorsError != "" && !slices.Contains(CorsErrors(), got.CorsError) {
			t.Fatalf("%q is not a current CorsError", got.CorsError)
		}
	})
}
