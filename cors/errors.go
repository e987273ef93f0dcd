package cors

import "slices"

// CorsError is one of Chromium's network::mojom::CorsError names, as CDP
// reports it in Network.loadingFailed corsErrorStatus.corsError. The names
// are copied from cdproto's network.CorsError rather than imported so that
// the model stays free of browser-side imports.
type CorsError string

// Chromium's current CorsError names (cdproto v0.159, Chromium 156).
const (
	ErrDisallowedByMode                     CorsError = "DisallowedByMode"
	ErrInvalidResponse                      CorsError = "InvalidResponse"
	ErrWildcardOriginNotAllowed             CorsError = "WildcardOriginNotAllowed"
	ErrMissingAllowOriginHeader             CorsError = "MissingAllowOriginHeader"
	ErrMultipleAllowOriginValues            CorsError = "MultipleAllowOriginValues"
	ErrInvalidAllowOriginValue              CorsError = "InvalidAllowOriginValue"
	ErrAllowOriginMismatch                  CorsError = "AllowOriginMismatch"
	ErrInvalidAllowCredentials              CorsError = "InvalidAllowCredentials"
	ErrCorsDisabledScheme                   CorsError = "CorsDisabledScheme"
	ErrPreflightInvalidStatus               CorsError = "PreflightInvalidStatus"
	ErrPreflightDisallowedRedirect          CorsError = "PreflightDisallowedRedirect"
	ErrPreflightWildcardOriginNotAllowed    CorsError = "PreflightWildcardOriginNotAllowed"
	ErrPreflightMissingAllowOriginHeader    CorsError = "PreflightMissingAllowOriginHeader"
	ErrPreflightMultipleAllowOriginValues   CorsError = "PreflightMultipleAllowOriginValues"
	ErrPreflightInvalidAllowOriginValue     CorsError = "PreflightInvalidAllowOriginValue"
	ErrPreflightAllowOriginMismatch         CorsError = "PreflightAllowOriginMismatch"
	ErrPreflightInvalidAllowCredentials     CorsError = "PreflightInvalidAllowCredentials"
	ErrPreflightMissingAllowExternal        CorsError = "PreflightMissingAllowExternal"
	ErrPreflightInvalidAllowExternal        CorsError = "PreflightInvalidAllowExternal"
	ErrInvalidAllowMethodsPreflightResponse CorsError = "InvalidAllowMethodsPreflightResponse"
	ErrInvalidAllowHeadersPreflightResponse CorsError = "InvalidAllowHeadersPreflightResponse"
	ErrMethodDisallowedByPreflightResponse  CorsError = "MethodDisallowedByPreflightResponse"
	ErrHeaderDisallowedByPreflightResponse  CorsError = "HeaderDisallowedByPreflightResponse"
	ErrRedirectContainsCredentials          CorsError = "RedirectContainsCredentials"
	ErrInsecureLocalNetwork                 CorsError = "InsecureLocalNetwork"
	ErrInvalidLocalNetworkAccess            CorsError = "InvalidLocalNetworkAccess"
	ErrNoCorsRedirectModeNotFollow          CorsError = "NoCorsRedirectModeNotFollow"
	ErrLocalNetworkAccessPermissionDenied   CorsError = "LocalNetworkAccessPermissionDenied"
)

// corsErrors is the one list of current names, in cdproto's order.
var corsErrors = []CorsError{
	ErrDisallowedByMode,
	ErrInvalidResponse,
	ErrWildcardOriginNotAllowed,
	ErrMissingAllowOriginHeader,
	ErrMultipleAllowOriginValues,
	ErrInvalidAllowOriginValue,
	ErrAllowOriginMismatch,
	ErrInvalidAllowCredentials,
	ErrCorsDisabledScheme,
	ErrPreflightInvalidStatus,
	ErrPreflightDisallowedRedirect,
	ErrPreflightWildcardOriginNotAllowed,
	ErrPreflightMissingAllowOriginHeader,
	ErrPreflightMultipleAllowOriginValues,
	ErrPreflightInvalidAllowOriginValue,
	ErrPreflightAllowOriginMismatch,
	ErrPreflightInvalidAllowCredentials,
	ErrPreflightMissingAllowExternal,
	ErrPreflightInvalidAllowExternal,
	ErrInvalidAllowMethodsPreflightResponse,
	ErrInvalidAllowHeadersPreflightResponse,
	ErrMethodDisallowedByPreflightResponse,
	ErrHeaderDisallowedByPreflightResponse,
	ErrRedirectContainsCredentials,
	ErrInsecureLocalNetwork,
	ErrInvalidLocalNetworkAccess,
	ErrNoCorsRedirectModeNotFollow,
	ErrLocalNetworkAccessPermissionDenied,
}

// legacyCorsErrors maps names older Chromium versions reported (and saved
// runs, HAR files and suites may still hold) to the current name of the
// same failure, so that a run from Chromium 120 and one from Chromium 156
// compare equal when the browser did the same thing.
//
// Private Network Access became Local Network Access: three names were
// renamed outright. The PNA preflight (Access-Control-Allow-Private-Network)
// and its permission prompt were replaced by one user permission, so every
// name for "the page was not allowed to reach the private address" resolves
// to LocalNetworkAccessPermissionDenied, the name Chromium 156 reports when
// such a request is not allowed.
var legacyCorsErrors = map[CorsError]CorsError{
	"InsecurePrivateNetwork":                    ErrInsecureLocalNetwork,
	"InvalidPrivateNetworkAccess":               ErrInvalidLocalNetworkAccess,
	"PrivateNetworkAccessPermissionDenied":      ErrLocalNetworkAccessPermissionDenied,
	"UnexpectedPrivateNetworkAccess":            ErrLocalNetworkAccessPermissionDenied,
	"PreflightMissingAllowPrivateNetwork":       ErrLocalNetworkAccessPermissionDenied,
	"PreflightInvalidAllowPrivateNetwork":       ErrLocalNetworkAccessPermissionDenied,
	"PreflightMissingPrivateNetworkAccessId":    ErrLocalNetworkAccessPermissionDenied,
	"PreflightMissingPrivateNetworkAccessName":  ErrLocalNetworkAccessPermissionDenied,
	"PrivateNetworkAccessPermissionUnavailable": ErrLocalNetworkAccessPermissionDenied,
}

// CorsErrors returns every current CorsError name, in cdproto's order; legacy
// names are not in it, so it is the list to suggest from. The slice is a
// copy; callers may change it.
func CorsErrors() []CorsError {
	return append([]CorsError(nil), corsErrors...)
}

// LegacyCorsErrors returns the names older Chromium versions reported that
// LookupCorsError still accepts, sorted.
func LegacyCorsErrors() []CorsError {
	out := make([]CorsError, 0, len(legacyCorsErrors))
	for n := range legacyCorsErrors {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// LookupCorsError returns the current CorsError for name: name itself when it
// is a current name, the name it was renamed to when it is a legacy one.
// ok is false for anything else. Names match exactly, as CDP spells them,
// because a differently-cased name is a typo the caller should report.
func LookupCorsError(name string) (e CorsError, ok bool) {
	e = CorsError(name)
	if current, legacy := legacyCorsErrors[e]; legacy {
		return current, true
	}
	for _, c := range corsErrors {
		if c == e {
			return e, true
		}
	}
	return "", false
}

// Canonical returns the current name of e when e is a legacy alias and e
// itself otherwise (current or unknown), so that comparisons between a
// browser's report and an expectation or the model do not depend on which
// Chromium version wrote the name.
func (e CorsError) Canonical() CorsError {
	if c, ok := LookupCorsError(string(e)); ok {
		return c
	}
	return e
}

// preflightVariant maps an access-check error to the name Chromium uses when
// the same check fails on the preflight response.
func preflightVariant(e CorsError) CorsError {
	switch e {
	case ErrWildcardOriginNotAllowed:
		return ErrPreflightWildcardOriginNotAllowed
	case ErrMissingAllowOriginHeader:
		return ErrPreflightMissingAllowOriginHeader
	case ErrMultipleAllowOriginValues:
		return ErrPreflightMultipleAllowOriginValues
	case ErrInvalidAllowOriginValue:
		return ErrPreflightInvalidAllowOriginValue
	case ErrAllowOriginMismatch:
		return ErrPreflightAllowOriginMismatch
	case ErrInvalidAllowCredentials:
		return ErrPreflightInvalidAllowCredentials
	}
	return e
}

// AboutPreflight reports whether e names a check of the preflight (OPTIONS)
// response rather than of the actual response or the request, so that a
// caller knows which response to show. Legacy names count as their current
// name.
func (e CorsError) AboutPreflight() bool {
	switch e.Canonical() {
	case ErrPreflightInvalidStatus, ErrPreflightDisallowedRedirect,
		ErrPreflightWildcardOriginNotAllowed, ErrPreflightMissingAllowOriginHeader,
		ErrPreflightMultipleAllowOriginValues, ErrPreflightInvalidAllowOriginValue,
		ErrPreflightAllowOriginMismatch, ErrPreflightInvalidAllowCredentials,
		ErrPreflightMissingAllowExternal, ErrPreflightInvalidAllowExternal,
		ErrInvalidAllowMethodsPreflightResponse, ErrInvalidAllowHeadersPreflightResponse,
		ErrMethodDisallowedByPreflightResponse, ErrHeaderDisallowedByPreflightResponse:
		return true
	}
	return false
}

// HeaderFixable reports whether a server can make a request blocked with
// this error pass by changing its response headers (and status). The
// others are the page's own choices (mode, scheme, a redirect with
// credentials in the URL) or Local Network Access, which no response
// header can allow.
func (e CorsError) HeaderFixable() bool {
	switch e.Canonical() {
	case ErrDisallowedByMode, ErrCorsDisabledScheme, ErrRedirectContainsCredentials,
		ErrInsecureLocalNetwork, ErrInvalidLocalNetworkAccess, ErrNoCorsRedirectModeNotFollow,
		ErrLocalNetworkAccessPermissionDenied, ErrPreflightMissingAllowExternal,
		ErrPreflightInvalidAllowExternal, ErrInvalidResponse:
		return false
	}
	return true
}
