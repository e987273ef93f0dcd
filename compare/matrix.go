package compare

import (
	"errors"
	"fmt"
	"slices"

	"github.com/corsproof/corsproof/result"
)

// Column is one labelled run: the suites as one browser ran them.
type Column struct {
	// Label names the browser in headings, such as "chromium-150".
	Label string      `json:"label"`
	Run   *result.Run `json:"-"`
}

// Cell is what one browser did with one case.
type Cell struct {
	Outcome
	// Record is the full record, for the side-by-side details of differing
	// cases. It points into the column's run and is not copied.
	Record *result.Record `json:"-"`
}

// Row is one case across all browsers.
type Row struct {
	Suite string `json:"suite,omitempty"`
	File  string `json:"file,omitempty"`
	Case  string `json:"case"`
	// Cells has one entry per column, nil where that run lacks the case.
	Cells []*Cell `json:"cells"`
	// Differs is true when the outcomes are not all equal or a run lacks
	// the case; Fields names the differing fields.
	Differs bool     `json:"differs"`
	Fields  []string `json:"fields,omitempty"`
	// Reasons explain steps whose preflight differs from the first
	// browser's, each prefixed with the other browser's label.
	Reasons []string `json:"reasons,omitempty"`
}

// Matrix is a case × browser table of outcomes. Rows that differ come first,
// then the rest; within each group rows keep the order of the first run
// that has them.
type Matrix struct {
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
}

// NewMatrix builds the table from labelled runs, in the column order given.
// Records are matched across runs as Diff matches them. Labels must be
// non-empty and distinct and every run non-nil.
func NewMatrix(cols ...Column) (*Matrix, error) {
	if len(cols) == 0 {
		return nil, errors.New("building matrix: no runs given")
	}
	seen := map[string]bool{}
	for i, c := range cols {
		switch {
		case c.Label == "":
			return nil, fmt.Errorf("building matrix: column %d has no label", i+1)
		case seen[c.Label]:
			return nil, fmt.Errorf("building matrix: label %q used twice", c.Label)
		case c.Run == nil:
			return nil, fmt.Errorf("building matrix: column %q has no run", c.Label)
		}
		seen[c.Label] = true
	}

	// reps holds, per row, the first record seen for it: matching each run
	// against the rows so far pairs every run's records by the same rules.
	var rows []Row
	var reps []result.Record
	for ci, c := range cols {
		m := match(reps, c.Run.Records)
		for j := range c.Run.Records {
			rec := &c.Run.Records[j]
			cell := &Cell{Outcome: OutcomeOf(rec), Record: rec}
			if i, ok := m.inA[j]; ok {
				rows[i].Cells[ci] = cell
				continue
			}
			row := Row{Suite: rec.Suite, File: rec.File, Case: rec.Name, Cells: make([]*Cell, len(cols))}
			row.Cells[ci] = cell
			rows = append(rows, row)
			reps = append(reps, *rec)
		}
	}

	var differ, same []Row
	for _, r := range rows {
		var outcomes []Outcome
		missing := false
		for _, cell := range r.Cells {
			if cell == nil {
				missing = true
				continue
			}
			outcomes = append(outcomes, cell.Outcome)
		}
		if len(outcomes) > 1 {
			r.Fields = differingFields(outcomes)
		}
		if slices.Contains(r.Fields, FieldStepPreflights) {
			r.Reasons = rowStepReasons(cols, r)
		}
		r.Differs = missing || len(r.Fields) > 0
		if r.Differs {
			differ = append(differ, r)
		} else {
			same = append(same, r)
		}
	}
	return &Matrix{Columns: cols, Rows: append(differ, same...)}, nil
}

// Differing counts the rows that differ.
func (m *Matrix) Differing() int {
	n := 0
	for _, r := range m.Rows {
		if r.Differs {
			n++
		}
	}
	return n
}

// rowStepReasons compares each browser's steps with the first browser's
// that ran the case.
func rowStepReasons(cols []Column, r Row) []string {
	var out []string
	var first *Cell
	for ci, cell := range r.Cells {
		if cell == nil {
			continue
		}
		if first == nil {
			first = cell
			continue
		}
		for _, why := range StepReasons(first.Record, cell.Record) {
			out = append(out, cols[ci].Label+": "+why)
		}
	}
	return out
}
