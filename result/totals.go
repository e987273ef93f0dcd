package result

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// checkTotals compares the totals a saved file states with those of the
// records it holds. They disagree only when the file was edited or lost
// records (a copy cut short, two runs pasted together): merging or
// explaining it would then report on cases that are not there, or miss
// some, so it is refused rather than recounted in silence.
func checkTotals(saved, counted Totals) error {
	var diffs []string
	add := func(what string, s, c int) {
		if s != c {
			diffs = append(diffs, fmt.Sprintf("%s %d, the records %d", what, s, c))
		}
	}
	add("cases", saved.Cases, counted.Cases)
	add("expectations met", saved.ExpectMet, counted.ExpectMet)
	add("expectations failed", saved.ExpectFail, counted.ExpectFail)
	add("model disagreements", saved.ModelDisagrees, counted.ModelDisagrees)
	verdicts := map[cors.Verdict]bool{}
	for v := range saved.ByVerdict {
		verdicts[v] = true
	}
	for v := range counted.ByVerdict {
		verdicts[v] = true
	}
	names := make([]string, 0, len(verdicts))
	for v := range verdicts {
		names = append(names, string(v))
	}
	slices.Sort(names)
	for _, v := range names {
		add(v, saved.ByVerdict[cors.Verdict(v)], counted.ByVerdict[cors.Verdict(v)])
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("the totals contradict the records (totals say %s): the file was edited or lost records; use the file corsproof wrote, or delete its totals to count the records as they are", strings.Join(diffs, "; "))
}
