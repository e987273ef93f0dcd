package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// pathGrid lays a run with network paths out as one row per case and one
// column per path, in the order the run met them (the reference first).
type pathGrid struct {
	Paths []string
	Rows  []pathRow
}

// pathRow is one case across the paths.
type pathRow struct {
	Case  string
	Cells []pathCell
}

// pathCell is the case's record on one path.
type pathCell struct {
	// Index is the record's place in the run (0-based), -1 for no record.
	Index     int
	Verdict   string
	CorsError string
	// Changed is true when the verdict differs from the reference path's;
	// Drift lists the header and status changes that did not.
	Changed bool
	Drift   []string
}

// Text is the cell as one line: verdict, reason, and a mark for a change.
func (c pathCell) Text() string {
	if c.Index < 0 {
		return "-"
	}
	s := c.Verdict
	if c.CorsError != "" {
		s += " " + c.CorsError
	}
	switch {
	case c.Changed:
		s += " ✗"
	case len(c.Drift) > 0:
		s += " ~"
	}
	return s
}

// pathsOf builds the grid, nil for a run without paths.
func pathsOf(r *result.Run) *pathGrid {
	g := &pathGrid{}
	col := map[string]int{}
	row := map[string]int{}
	for i := range r.Records {
		rec := &r.Records[i]
		if rec.Path == "" {
			continue
		}
		if _, ok := col[rec.Path]; !ok {
			col[rec.Path] = len(g.Paths)
			g.Paths = append(g.Paths, rec.Path)
		}
		name := strings.TrimSuffix(rec.Name, scenarios.PathCaseName("", rec.Path))
		key := suiteKey(rec) + "\x00" + name
		j, ok := row[key]
		if !ok {
			j = len(g.Rows)
			row[key] = j
			g.Rows = append(g.Rows, pathRow{Case: name})
		}
		cells := g.Rows[j].Cells
		for len(cells) <= col[rec.Path] {
			cells = append(cells, pathCell{Index: -1})
		}
		c := pathCell{Index: i, Verdict: string(rec.Verdict), CorsError: string(rec.CorsError)}
		if d := rec.PathDiff; d != nil {
			c.Changed = d.VerdictChanged
			for _, ex := range d.Exchanges {
				c.Drift = append(c.Drift, ex.Lines()...)
			}
		}
		cells[col[rec.Path]] = c
		g.Rows[j].Cells = cells
	}
	if len(g.Paths) == 0 {
		return nil
	}
	for j := range g.Rows {
		for len(g.Rows[j].Cells) < len(g.Paths) {
			g.Rows[j].Cells = append(g.Rows[j].Cells, pathCell{Index: -1})
		}
	}
	return g
}

// pathsLine counts the cases whose verdict or headers differ by path.
func (g *pathGrid) line() string {
	changed, drift := 0, 0
	for _, r := range g.Rows {
		c, d := false, false
		for _, cell := range r.Cells {
			c = c || cell.Changed
			d = d || len(cell.Drift) > 0
		}
		if c {
			changed++
		} else if d {
			drift++
		}
	}
	return fmt.Sprintf("paths %s (reference %s): %s, %s with a different verdict (✗), %s with header drift only (~)",
		strings.Join(g.Paths, ", "), g.Paths[0], plural(len(g.Rows), "case"), plural(changed, "case"), plural(drift, "case"))
}

// checkLines are the findings of a generated check, for a record's detail.
func checkLines(rec *result.Record) (label string, lines []string) {
	if c := rec.CacheCheck; c != nil {
		lines = []string{c.Summary}
		if c.Fix != "" {
			lines = append(lines, "Fix: "+c.Fix)
		}
		return "Cache check", lines
	}
	if e := rec.ErrorPath; e != nil {
		lines = []string{e.Summary}
		if e.Fix != "" {
			lines = append(lines, "Fix: "+e.Fix)
		}
		return "Error path", lines
	}
	return "", nil
}

// textPaths writes the grid as a table, with the drift of each path under
// its row; quiet leaves out rows where every path agrees.
func textPaths(bw io.Writer, p painter, g *pathGrid, quiet bool) {
	s := SanitizeTerminal
	widths := make([]int, len(g.Paths)+1)
	widths[0] = len("CASE")
	for i, name := range g.Paths {
		widths[i+1] = width(s(name))
	}
	var rows []pathRow
	for _, r := range g.Rows {
		differs := false
		for _, c := range r.Cells {
			differs = differs || c.Changed || len(c.Drift) > 0
		}
		if quiet && !differs {
			continue
		}
		rows = append(rows, r)
		widths[0] = max(widths[0], width(truncate(s(r.Case), maxNameWidth)))
		for i, c := range r.Cells {
			widths[i+1] = max(widths[i+1], width(s(c.Text())))
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, s(g.line()))
	if len(rows) == 0 {
		return
	}
	head := pad("CASE", widths[0])
	for i, name := range g.Paths {
		head += "  " + pad(s(name), widths[i+1])
	}
	fmt.Fprintln(bw, p.paint(ansiBold, strings.TrimRight(head, " ")))
	for _, r := range rows {
		line := pad(truncate(s(r.Case), maxNameWidth), widths[0])
		for i, c := range r.Cells {
			cell := pad(s(c.Text()), widths[i+1])
			switch {
			case c.Changed:
				cell = p.paint(ansiRed, cell)
			case len(c.Drift) > 0:
				cell = p.paint(ansiYellow, cell)
			}
			line += "  " + cell
		}
		fmt.Fprintln(bw, strings.TrimRight(line, " "))
		for i, c := range r.Cells {
			for _, d := range c.Drift {
				fmt.Fprintln(bw, strings.Repeat(" ", widths[0]+2)+p.paint(ansiYellow, s(g.Paths[i]+": "+d)))
			}
		}
	}
}

// markdownPaths writes the grid as a table, one column per path, and the
// drift of each path below it.
func markdownPaths(w io.Writer, g *pathGrid) {
	fmt.Fprintf(w, "\n## Paths\n\n%s\n\n| Case |", mdInline(g.line()))
	for _, p := range g.Paths {
		fmt.Fprintf(w, " %s |", mdCell(p))
	}
	fmt.Fprint(w, "\n|---|"+strings.Repeat("---|", len(g.Paths))+"\n")
	var drift []string
	for _, r := range g.Rows {
		fmt.Fprintf(w, "| %s |", mdCell(r.Case))
		for i, c := range r.Cells {
			fmt.Fprintf(w, " %s |", mdCell(c.Text()))
			for _, d := range c.Drift {
				drift = append(drift, r.Case+" on "+g.Paths[i]+": "+d)
			}
		}
		fmt.Fprintln(w)
	}
	if len(drift) > 0 {
		fmt.Fprint(w, "\n**What the paths changed**\n\n")
		for _, d := range drift {
			fmt.Fprintf(w, "- %s\n", mdInline(d))
		}
	}
}

// caseName is a record's name for the text table, cut to fit; the path a
// record ran on stays readable when its case name is long.
func caseName(rec *result.Record) string {
	name := SanitizeTerminal(rec.Name)
	if rec.Path == "" {
		return truncate(name, maxNameWidth)
	}
	suffix := SanitizeTerminal(scenarios.PathCaseName("", rec.Path))
	base := strings.TrimSuffix(name, suffix)
	if width(suffix) >= maxNameWidth/2 || base == name {
		return truncate(name, maxNameWidth)
	}
	return truncate(base, maxNameWidth-width(suffix)) + suffix
}
