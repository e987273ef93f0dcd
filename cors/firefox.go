package cors

import (
	"regexp"
	"strings"
)

// FirefoxReason is one of Firefox's CORS error codes, as MDN names its
// pages about them (https://developer.mozilla.org/docs/Web/HTTP/CORS/Errors/…)
// and as Firefox's security.properties names the console messages. Firefox
// reports no structured reason over WebDriver BiDi (every CORS failure is
// NS_ERROR_DOM_BAD_URI); the reason is the console text, which
// ClassifyFirefox turns into a code.
type FirefoxReason string

// Firefox's CORS reasons (MDN's list; the console texts are Firefox's
// en-US ones, measured with Firefox ESR 140 and 153).
const (
	FxDisabled                      FirefoxReason = "CORSDisabled"
	FxDidNotSucceed                 FirefoxReason = "CORSDidNotSucceed"
	FxOriginHeaderNotAdded          FirefoxReason = "CORSOriginHeaderNotAdded"
	FxExternalRedirectNotAllowed    FirefoxReason = "CORSExternalRedirectNotAllowed"
	FxRequestNotHTTP                FirefoxReason = "CORSRequestNotHttp"
	FxMissingAllowOrigin            FirefoxReason = "CORSMissingAllowOrigin"
	FxMultipleAllowOriginNotAllowed FirefoxReason = "CORSMultipleAllowOriginNotAllowed"
	FxAllowOriginNotMatchingOrigin  FirefoxReason = "CORSAllowOriginNotMatchingOrigin"
	FxNotSupportingCredentials      FirefoxReason = "CORSNotSupportingCredentials"
	FxMethodNotFound                FirefoxReason = "CORSMethodNotFound"
	FxMissingAllowCredentials       FirefoxReason = "CORSMissingAllowCredentials"
	FxPreflightDidNotSucceed        FirefoxReason = "CORSPreflightDidNotSucceed"
	FxInvalidAllowMethod            FirefoxReason = "CORSInvalidAllowMethod"
	FxInvalidAllowHeader            FirefoxReason = "CORSInvalidAllowHeader"
	FxMissingAllowHeaderFromPre     FirefoxReason = "CORSMissingAllowHeaderFromPreflight"
)

// firefoxRule is one row of the reason table: the reason text as Firefox
// writes it inside "(Reason: …)", the code, and the Chromium CorsError of
// the same check on the actual request and on the preflight ("" where
// Chromium has none). param, when set, captures the failed parameter.
type firefoxRule struct {
	code                 FirefoxReason
	text                 *regexp.Regexp
	chromium, preflightC CorsError
}

// q matches Firefox's quotes: ‘…’ (U+2018, U+2019) in the reason texts.
const q = `[‘’'"]`

// firefoxRules is the reason table. Each row was observed in Firefox ESR
// 153.8 (and 140.12) with the scenario named, except where marked "from
// security.properties" (the text is Firefox's, the scenario was not run).
var firefoxRules = []firefoxRule{
	// ACAO missing (simple GET; preflight answered without ACAO).
	{FxMissingAllowOrigin, regexp.MustCompile(`^CORS header ` + q + `Access-Control-Allow-Origin` + q + ` missing`), ErrMissingAllowOriginHeader, ErrPreflightMissingAllowOriginHeader},
	// Two ACAO values (Firefox merges them into "a, b" first).
	{FxMultipleAllowOriginNotAllowed, regexp.MustCompile(`^Multiple CORS header ` + q + `Access-Control-Allow-Origin` + q + ` not allowed`), ErrMultipleAllowOriginValues, ErrPreflightMultipleAllowOriginValues},
	// ACAO with a trailing slash, another origin, or null.
	{FxAllowOriginNotMatchingOrigin, regexp.MustCompile(`^CORS header ` + q + `Access-Control-Allow-Origin` + q + ` does not match ` + q + `(.*)` + q + `$`), ErrAllowOriginMismatch, ErrPreflightAllowOriginMismatch},
	// ACAO * with credentials.
	{FxNotSupportingCredentials, regexp.MustCompile(`^Credential is not supported if the CORS header ` + q + `Access-Control-Allow-Origin` + q + ` is ` + q + `\*` + q), ErrWildcardOriginNotAllowed, ErrPreflightWildcardOriginNotAllowed},
	// Credentials without Access-Control-Allow-Credentials: true.
	{FxMissingAllowCredentials, regexp.MustCompile(`^expected ` + q + `true` + q + ` in CORS header ` + q + `Access-Control-Allow-Credentials` + q), ErrInvalidAllowCredentials, ErrPreflightInvalidAllowCredentials},
	// Method not in Allow-Methods.
	{FxMethodNotFound, regexp.MustCompile(`^Did not find method in CORS header ` + q + `Access-Control-Allow-Methods` + q), ErrMethodDisallowedByPreflightResponse, ErrMethodDisallowedByPreflightResponse},
	// Custom header not in Allow-Headers.
	{FxMissingAllowHeaderFromPre, regexp.MustCompile(`^header ` + q + `(.*)` + q + ` is not allowed according to header ` + q + `Access-Control-Allow-Headers` + q + ` from CORS preflight response`), ErrHeaderDisallowedByPreflightResponse, ErrHeaderDisallowedByPreflightResponse},
	// From security.properties: a bad token in Allow-Methods / Allow-Headers.
	{FxInvalidAllowMethod, regexp.MustCompile(`^invalid token ` + q + `(.*)` + q + ` in CORS header ` + q + `Access-Control-Allow-Methods` + q), ErrInvalidAllowMethodsPreflightResponse, ErrInvalidAllowMethodsPreflightResponse},
	{FxInvalidAllowHeader, regexp.MustCompile(`^invalid token ` + q + `(.*)` + q + ` in CORS header ` + q + `Access-Control-Allow-Headers` + q), ErrInvalidAllowHeadersPreflightResponse, ErrInvalidAllowHeadersPreflightResponse},
	// Preflight redirected (307): this line comes first, then
	// CORSPreflightDidNotSucceed with status 307. On the actual request
	// Chromium follows such redirects, so it has no equivalent there.
	{FxExternalRedirectNotAllowed, regexp.MustCompile(`^CORS request external redirect not allowed`), "", ErrPreflightDisallowedRedirect},
	// Preflight answered 500.
	{FxPreflightDidNotSucceed, regexp.MustCompile(`^CORS preflight response did not succeed`), ErrPreflightInvalidStatus, ErrPreflightInvalidStatus},
	// From security.properties: schemes without CORS, an Origin that
	// cannot be added.
	{FxDisabled, regexp.MustCompile(`^CORS disabled`), ErrCorsDisabledScheme, ErrCorsDisabledScheme},
	{FxRequestNotHTTP, regexp.MustCompile(`^CORS request not HTTP`), ErrCorsDisabledScheme, ErrCorsDisabledScheme},
	{FxOriginHeaderNotAdded, regexp.MustCompile(`^CORS header ` + q + `Origin` + q + ` cannot be added`), "", ""},
	// Follows every other reason on a preflighted request, and stands
	// alone for a network failure (refused connection): not a CORS check.
	{FxDidNotSucceed, regexp.MustCompile(`^CORS request did not succeed`), "", ""},
}

// FirefoxReasons lists the codes of the table, in its order.
func FirefoxReasons() []FirefoxReason {
	out := make([]FirefoxReason, len(firefoxRules))
	for i, r := range firefoxRules {
		out[i] = r.code
	}
	return out
}

// LookupFirefoxReason reports whether name is one of Firefox's codes.
func LookupFirefoxReason(name string) (FirefoxReason, bool) {
	for _, r := range firefoxRules {
		if string(r.code) == name {
			return r.code, true
		}
	}
	return "", false
}

// FirefoxFinding is what ClassifyFirefox made of Firefox's console lines.
type FirefoxFinding struct {
	// Code is Firefox's reason; empty when the text is not in the table.
	Code FirefoxReason
	// CorsError is the Chromium CorsError of the same check, empty when
	// Chromium has none.
	CorsError CorsError
	// Param is the failed parameter the text names (a header, the
	// Access-Control-Allow-Origin value), if any.
	Param string
	// Text is the reason as Firefox wrote it, verbatim.
	Text string
}

// CORS reports whether the finding is a CORS check's verdict, rather than
// none or a network failure Firefox reports in CORS words.
func (f FirefoxFinding) CORS() bool {
	return f.Text != "" && f.Code != FxDidNotSucceed
}

// firefoxReasonRE cuts the reason out of Firefox's console line
// "Cross-Origin Request Blocked: … (Reason: …). Status code: …".
var firefoxReasonRE = regexp.MustCompile(`\(Reason: (.*?)\)\.(?: Status code: [^ ]*\.?)?$`)

// ClassifyFirefox finds Firefox's CORS reason among console lines. The
// first line with a reason other than CORSDidNotSucceed decides (Firefox
// writes the specific reason first and "did not succeed" after it); a
// reason that is not in the table is returned verbatim with no code, never
// guessed. preflight says the failure was the preflight's (a preflight was
// answered and the actual request never went out): Chromium names those
// checks apart, Firefox does not.
func ClassifyFirefox(lines []string, preflight bool) FirefoxFinding {
	var fallback FirefoxFinding
	for _, line := range lines {
		if !strings.HasPrefix(line, "Cross-Origin Request Blocked:") {
			continue
		}
		m := firefoxReasonRE.FindStringSubmatch(line)
		if m == nil {
			if fallback.Text == "" {
				fallback = FirefoxFinding{Text: line}
			}
			continue
		}
		f := classifyReason(m[1], preflight)
		if f.Code == FxDidNotSucceed {
			if fallback.Text == "" {
				fallback = f
			}
			continue
		}
		return f
	}
	return fallback
}

func classifyReason(reason string, preflight bool) FirefoxFinding {
	for _, r := range firefoxRules {
		m := r.text.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		f := FirefoxFinding{Code: r.code, CorsError: r.chromium, Text: reason}
		if preflight {
			f.CorsError = r.preflightC
		}
		if len(m) > 1 {
			f.Param = m[1]
		}
		if r.code == FxAllowOriginNotMatchingOrigin {
			// One Firefox code for what Chromium names three ways; the
			// value Firefox quotes decides which, as in accessCheck.
			f.CorsError = mismatchError(f.Param)
			if preflight {
				f.CorsError = preflightVariant(f.CorsError)
			}
		}
		return f
	}
	return FirefoxFinding{Text: reason}
}

// FirefoxReasonOf is the Firefox code of the check a Chromium CorsError
// names, or "" when the table has none: the way an expectation written
// with a Firefox code is checked against a Chromium run.
func FirefoxReasonOf(e CorsError) FirefoxReason {
	c := e.Canonical()
	for _, r := range firefoxRules {
		if c != "" && (r.chromium == c || r.preflightC == c) {
			return r.code
		}
	}
	return ""
}

// SameReason reports whether an expected reason, a Chromium CorsError or a
// Firefox code, names the check a run observed: the observed Chromium
// CorsError (for Firefox, the one of the same check) and Firefox's own
// code (empty for Chromium). A Firefox code matches a Chromium run whose
// CorsError is the same check (Firefox's codes are coarser: one covers
// the actual request and the preflight alike); a Chromium name matches a
// Firefox run through the table's equivalent.
func SameReason(expected string, observed CorsError, engine string) bool {
	if fx, ok := LookupFirefoxReason(expected); ok {
		if engine != "" {
			return engine == string(fx)
		}
		return observed != "" && FirefoxReasonOf(observed) == fx
	}
	return observed.Canonical() == CorsError(expected).Canonical()
}

// mismatchError is Chromium's name for an Access-Control-Allow-Origin
// value that is present, not "*" and not the page's origin (accessCheck).
func mismatchError(acao string) CorsError {
	switch {
	case strings.ContainsAny(acao, " ,"):
		return ErrMultipleAllowOriginValues
	case acao == "null":
		return ErrAllowOriginMismatch
	case !looksLikeURL(acao):
		return ErrInvalidAllowOriginValue
	}
	return ErrAllowOriginMismatch
}
