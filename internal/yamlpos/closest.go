package yamlpos

import "strings"

// Closest returns the candidate nearest to s, or "" when none is near
// enough to be a plausible typo, for "did you mean" hints on unknown keys
// and values. A match ignoring case always wins, and so does one that
// differs only in writing - for _, as in allow-origins.
func Closest(s string, candidates []string) string {
	fold := func(w string) string { return strings.ReplaceAll(strings.ToLower(w), "-", "_") }
	best, bestDist := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if fold(c) == fold(s) {
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
