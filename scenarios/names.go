package scenarios

import (
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
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
	verdictNames     = verdictStrings()
)

// verdictStrings lists the verdicts an expectation may name, as the
// validator's enum and hints take them.
func verdictStrings() []string {
	var out []string
	for _, v := range cors.BrowserVerdicts() {
		out = append(out, string(v))
	}
	return out
}

// closest returns the candidate nearest to s, or "" when none is near enough
// to be a plausible typo; a case-insensitive match always wins.
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.ToLower(c) == ls {
			return c
		}
		d := editDistance(ls, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	// A third of the length allows transpositions and a dropped letter or
	// two in long names without suggesting unrelated short ones.
	limit := max(2, len([]rune(s))/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

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
	if c := closest(v, names); c != "" {
		return "did you mean " + c + "?"
	}
	return "use " + listWords(names)
}
