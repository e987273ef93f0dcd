package scenarios

import (
	"slices"
	"strings"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

// CorsErrors are Chromium's network::mojom::CorsError names, as CDP reports
// them in Network.loadingFailed corsErrorStatus.corsError. An expect.cors_error
// must be one of them.
var CorsErrors = []string{
	"DisallowedByMode",
	"InvalidResponse",
	"WildcardOriginNotAllowed",
	"MissingAllowOriginHeader",
	"MultipleAllowOriginValues",
	"InvalidAllowOriginValue",
	"AllowOriginMismatch",
	"InvalidAllowCredentials",
	"CorsDisabledScheme",
	"PreflightInvalidStatus",
	"PreflightDisallowedRedirect",
	"PreflightWildcardOriginNotAllowed",
	"PreflightMissingAllowOriginHeader",
	"PreflightMultipleAllowOriginValues",
	"PreflightInvalidAllowOriginValue",
	"PreflightAllowOriginMismatch",
	"PreflightInvalidAllowCredentials",
	"PreflightMissingAllowExternal",
	"PreflightInvalidAllowExternal",
	"InvalidAllowMethodsPreflightResponse",
	"InvalidAllowHeadersPreflightResponse",
	"MethodDisallowedByPreflightResponse",
	"HeaderDisallowedByPreflightResponse",
	"RedirectContainsCredentials",
	"InsecureLocalNetwork",
	"InvalidLocalNetworkAccess",
	"NoCorsRedirectModeNotFollow",
	"LocalNetworkAccessPermissionDenied",
	"PreflightMissingAllowPrivateNetwork",
	"PreflightInvalidAllowPrivateNetwork",
	"InvalidPrivateNetworkAccess",
	"UnexpectedPrivateNetworkAccess",
}

// IsCorsError reports whether name is one of CorsErrors, exactly as spelled.
func IsCorsError(name string) bool { return slices.Contains(CorsErrors, name) }

var (
	apiNames         = []string{string(APIFetch), string(APIXHR)}
	credentialsNames = []string{string(CredentialsOmit), string(CredentialsSameOrigin), string(CredentialsInclude)}
	modeNames        = []string{string(ModeCORS), string(ModeNoCORS)}
	verdictNames     = []string{string(VerdictAllowed), string(VerdictBlocked), string(VerdictNetworkError), string(VerdictTimeout), string(VerdictError)}
)

// listWords renders names as "a, b or c" for hints.
func listWords(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// enumHint suggests the closest of names to v, or lists them all.
func enumHint(v string, names []string) string {
	if c := yamlpos.Closest(v, names); c != "" {
		return "did you mean " + c + "?"
	}
	return "use " + listWords(names)
}
