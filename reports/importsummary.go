package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/scenarios"
)

// ImportSummary lists the cases made and the entries skipped. URLs come
// from the user's file and are sanitised before they reach the terminal.
func ImportSummary(w io.Writer, rep *scenarios.ImportReport) {
	fmt.Fprintf(w, "corsproof: %s: %d %s, %d %s to replay, %d skipped\n", SanitizeTerminal(rep.File),
		rep.Entries, pluralWord(rep.Entries, "entry", "entries"), len(rep.Cases), pluralWord(len(rep.Cases), "request", "requests"), len(rep.Skipped))
	for _, c := range rep.Cases {
		line := fmt.Sprintf("  entry %d: %s", c.Entry, SanitizeTerminal(c.Name))
		if c.Observed != "" {
			line += " (user saw " + string(c.Observed)
			if c.CorsError != "" {
				line += ", " + string(c.CorsError)
			}
			line += ")"
		}
		if len(c.Redacted) > 0 {
			line += "; placeholders for " + SanitizeTerminal(strings.Join(c.Redacted, ", "))
		}
		fmt.Fprintln(w, line)
	}
	for _, s := range rep.Skipped {
		what := strings.TrimSpace(s.Method + " " + clipURL(s.URL))
		if what != "" {
			what += ": "
		}
		fmt.Fprintf(w, "  skipped entry %d: %s%s (%s)\n", s.Entry, SanitizeTerminal(what), s.Kind, SanitizeTerminal(s.Reason))
	}
}

// clipURL shortens data: URLs and other long values for one-line messages.
func clipURL(u string) string {
	if r := []rune(u); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return u
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
