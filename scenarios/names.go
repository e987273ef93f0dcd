package scenarios

import (
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

var (
	apiNames         = []string{string(APIFetch), string(APIXHR)}
	credentialsNames = []string{string(CredentialsOmit), string(CredentialsSameOrigin), string(CredentialsInclude)}
	modeNames        = []string{string(ModeCORS), string(ModeNoCORS)}
	verdictNames     = stringsOf(cors.BrowserVerdicts())
	// corsErrorNames are the names suggested for a misspelt cors_error:
	// only current ones, since a legacy name is accepted but not advised.
	corsErrorNames = stringsOf(cors.CorsErrors())
	// firefoxReasonNames are Firefox's codes (MDN's names), which a
	// cors_error may name too.
	firefoxReasonNames = stringsOf(cors.FirefoxReasons())
)

// stringsOf turns a list of cors' typed names into the strings the
// validator's enums and hints take.
func stringsOf[T ~string](names []T) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
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
	if c := yamlpos.Closest(v, names); c != "" {
		return "did you mean " + c + "?"
	}
	return "use " + listWords(names)
}
