package scenarios

import (
	"strings"

	"github.com/corsproof/corsproof/cors"
)

var (
	apiNames         = []string{string(APIFetch), string(APIXHR)}
	credentialsNames = []string{string(CredentialsOmit), string(CredentialsSameOrigin), string(CredentialsInclude)}
	modeNames        = []string{string(ModeCORS), string(ModeNoCORS)}
	verdictNames     = stringsOf(cors.BrowserVerdicts())
	// corsErrorNames are the names suggested for a misspelt cors_error:
	// only current ones, since a legacy name is accepted but not advised.
	corsErrorNames = stringsOf(cors.CorsErrors())
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
