package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// ImportSummary lists the cases made and the entries skipped. URLs come
// from the user's file and are sanitised before they reach the terminal.
func ImportSummary(w io.Writer, rep *scenarios.ImportReport) {
	unit := rep.Unit
	if unit == "" {
		unit = "entry"
	}
	if rep.Unit == "" {
		fmt.Fprintf(w, "corsproof: %s: %d %s, %d %s to replay, %d skipped\n", SanitizeTerminal(rep.File),
			rep.Entries, pluralWord(rep.Entries, "entry", "entries"), len(rep.Cases), pluralWord(len(rep.Cases), "request", "requests"), len(rep.Skipped))
	} else {
		fmt.Fprintf(w, "corsproof: %s: %d %s\n", SanitizeTerminal(rep.File), rep.Entries, pluralWord(rep.Entries, unit, unit+"s"))
	}
	for _, c := range rep.Cases {
		line := fmt.Sprintf("  %s %d: %s", unit, c.Entry, SanitizeTerminal(c.Name))
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
		if d := droppedLine(c.Dropped); d != "" {
			fmt.Fprintln(w, "    "+SanitizeTerminal(d))
		}
		for _, n := range c.Notes {
			fmt.Fprintln(w, "    "+SanitizeTerminal(n))
		}
	}
	for _, s := range rep.Skipped {
		what := strings.TrimSpace(s.Method + " " + clipURL(s.URL))
		if what != "" {
			what += ": "
		}
		fmt.Fprintf(w, "  skipped entry %d: %s%s (%s)\n", s.Entry, SanitizeTerminal(what), s.Kind, SanitizeTerminal(s.Reason))
	}
}

// droppedLine says which recorded request headers the case leaves out, and
// why: the reader checks that none of them is one the page set.
func droppedLine(names []string) string {
	var forbidden, added []string
	for _, n := range names {
		if strings.HasPrefix(n, ":") || cors.IsForbiddenRequestHeader(n) {
			forbidden = append(forbidden, n)
		} else {
			added = append(added, n)
		}
	}
	var parts []string
	if len(forbidden) > 0 {
		parts = append(parts, strings.Join(forbidden, ", ")+" (forbidden: only the browser sets them)")
	}
	if len(added) > 0 {
		parts = append(parts, strings.Join(added, ", ")+" (the browser or DevTools adds them; replaying them would change the request)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "dropped " + strings.Join(parts, "; ")
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
