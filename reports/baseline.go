package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/result"
)

// baselineLine sums up a comparison with a saved run (run --baseline) in
// one line of plain text; the names in it come from files and the network.
func baselineLine(b *result.BaselineDiff) string {
	from := b.File
	if b.Browser != "" {
		from += " (" + b.Browser + ")"
	}
	var line string
	if len(b.Changes) == 0 {
		line = "Compared with the baseline " + from + ": no case changed."
	} else {
		line = fmt.Sprintf("Compared with the baseline %s: %s changed", from, plural(len(b.Changes), "case"))
		if b.Allowed {
			line += " (allowed by --allow-changes)"
		}
		line += "."
	}
	if b.NotCompared > 0 {
		line += fmt.Sprintf(" %s of the baseline did not run here (other shards, --case) and %s not compared.", plural(b.NotCompared, "case"), pluralWord(b.NotCompared, "is", "are"))
	}
	return line
}

// baselineChangeText says what changed in one case, in plain text.
func baselineChangeText(c result.BaselineChange) string {
	switch c.Kind {
	case "added":
		return "only in this run"
	case "removed":
		return "only in the baseline"
	}
	parts := make([]string, 0, len(c.Fields))
	for _, f := range c.Fields {
		parts = append(parts, fmt.Sprintf("%s %s → %s", f.Field, f.Old, f.New))
	}
	s := strings.Join(parts, "; ")
	if len(c.Reasons) > 0 {
		s += " (" + strings.Join(c.Reasons, "; ") + ")"
	}
	return s
}

// baselineCase names a changed case with its suite.
func baselineCase(c result.BaselineChange) string {
	if c.Suite == "" {
		return c.Case
	}
	return c.Suite + " / " + c.Case
}

// htmlBaseline is the HTML report's baseline section.
type htmlBaseline struct {
	Line string
	Rows []htmlBaselineRow
}

type htmlBaselineRow struct{ Case, Kind, Change string }

func newHTMLBaseline(b *result.BaselineDiff) *htmlBaseline {
	if b == nil {
		return nil
	}
	h := &htmlBaseline{Line: visibleControls(baselineLine(b))}
	for _, c := range b.Changes {
		h.Rows = append(h.Rows, htmlBaselineRow{visibleControls(baselineCase(c)), c.Kind, visibleControls(baselineChangeText(c))})
	}
	return h
}

// markdownBaseline writes the Markdown report's baseline section.
func markdownBaseline(w io.Writer, b *result.BaselineDiff) {
	if b == nil {
		return
	}
	fmt.Fprintf(w, "\n## Baseline\n\n%s\n", mdInline(baselineLine(b)))
	if len(b.Changes) == 0 {
		return
	}
	fmt.Fprint(w, "\n| Case | Change | What |\n|---|---|---|\n")
	for _, c := range b.Changes {
		fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(baselineCase(c)), mdCell(c.Kind), mdCell(baselineChangeText(c)))
	}
}
