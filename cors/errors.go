package cors

// Chromium's CorsError names, as cdproto's network.CorsError spells them.
// They are copied here rather than imported so that the model stays free of
// browser-side imports.
const (
	ErrDisallowedByMode                     = "DisallowedByMode"
	ErrInvalidResponse                      = "InvalidResponse"
	ErrWildcardOriginNotAllowed             = "WildcardOriginNotAllowed"
	ErrMissingAllowOriginHeader             = "MissingAllowOriginHeader"
	ErrMultipleAllowOriginValues            = "MultipleAllowOriginValues"
	ErrInvalidAllowOriginValue              = "InvalidAllowOriginValue"
	ErrAllowOriginMismatch                  = "AllowOriginMismatch"
	ErrInvalidAllowCredentials              = "InvalidAllowCredentials"
	ErrCorsDisabledScheme                   = "CorsDisabledScheme"
	ErrPreflightInvalidStatus               = "PreflightInvalidStatus"
	ErrPreflightDisallowedRedirect          = "PreflightDisallowedRedirect"
	ErrPreflightWildcardOriginNotAllowed    = "PreflightWildcardOriginNotAllowed"
	ErrPreflightMissingAllowOriginHeader    = "PreflightMissingAllowOriginHeader"
	ErrPreflightMultipleAllowOriginValues   = "PreflightMultipleAllowOriginValues"
	ErrPreflightInvalidAllowOriginValue     = "PreflightInvalidAllowOriginValue"
	ErrPreflightAllowOriginMismatch         = "PreflightAllowOriginMismatch"
	ErrPreflightInvalidAllowCredentials     = "PreflightInvalidAllowCredentials"
	ErrPreflightMissingAllowExternal        = "PreflightMissingAllowExternal"
	ErrPreflightInvalidAllowExternal        = "PreflightInvalidAllowExternal"
	ErrInvalidAllowMethodsPreflightResponse = "InvalidAllowMethodsPreflightResponse"
	ErrInvalidAllowHeadersPreflightResponse = "InvalidAllowHeadersPreflightResponse"
	ErrMethodDisallowedByPreflightResponse  = "MethodDisallowedByPreflightResponse"
	ErrHeaderDisallowedByPreflightResponse  = "HeaderDisallowedByPreflightResponse"
	ErrRedirectContainsCredentials          = "RedirectContainsCredentials"
	ErrInsecureLocalNetwork                 = "InsecureLocalNetwork"
	ErrInvalidLocalNetworkAccess            = "InvalidLocalNetworkAccess"
	ErrNoCorsRedirectModeNotFollow          = "NoCorsRedirectModeNotFollow"
	ErrLocalNetworkAccessPermissionDenied   = "LocalNetworkAccessPermissionDenied"
)

// corsErrors lists every CorsError value of cdproto v0.159 in its order.
var corsErrors = []string{
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

// CorsErrors returns every CorsError name Chromium can report (cdproto
// v0.159's network.CorsError values), in cdproto's order. The slice is a
// copy; callers may change it.
func CorsErrors() []string {
	return append([]string(nil), corsErrors...)
}

// IsCorsError reports whether name is one of Chromium's CorsError names.
func IsCorsError(name string) bool {
	for _, e := range corsErrors {
		if e == name {
			return true
		}
	}
	return false
}

// preflightVariant maps an access-check error to the name Chromium uses when
// the same check fails on the preflight response.
func preflightVariant(e string) string {
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

// isPreflightError reports whether a CorsError is about the preflight response.
func isPreflightError(e string) bool {
	switch e {
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
