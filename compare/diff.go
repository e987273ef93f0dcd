// Package compare sets runs of the same suites side by side: Diff reports
// what changed between a saved run and a new one (a baseline), and Matrix
// lays out one row per case and one column per browser with the cases that
// differ first. Records are matched by suite file and case name.
//
// Like reports, the package has no browser imports: it reads result records
// only, and treats every value in them as hostile when it renders them.
package compare

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/result"
)

// Fields that Diff and Matrix compare, in the order they are reported.
const (
	FieldVerdict         = "verdict"
	FieldCorsError       = "cors_error"
	FieldFailedParameter = "failed_parameter"
	FieldPreflight       = "preflight"
	FieldStatus          = "status"
)

// fieldOrder lists the compared fields in report order.
var fieldOrder = []string{FieldVerdict, FieldCorsError, FieldFailedParameter, FieldPreflight, FieldStatus, FieldStepPreflights}

// Outcome is the part of a record that says what the browser did, the part a
// browser update can change: timings, request ids and header order are left
// out so that two runs of an unchanged browser compare equal.
type Outcome struct {
	Verdict         string `json:"verdict"`
	CorsError       string `json:"cors_error,omitempty"`
	FailedParameter string `json:"failed_parameter,omitempty"`
	// PreflightSent is true when the browser sent an OPTIONS request.
	PreflightSent bool `json:"preflight_sent"`
	// Status is the actual response's status, 0 when none arrived.
	Status int `json:"status,omitempty"`
	// StepPreflights says, for a case with steps, which steps sent a
	// preflight ("sent, not sent, …"); empty otherwise.
	StepPreflights string `json:"step_preflights,omitempty"`
	// uncertain marks the steps the model found within the jitter of a
	// cached result's expiry, where the browser's clock decides whether
	// they preflight: a flip there is timing, not a change.
	uncertain []bool
	// EngineReason is the engine's own reason code where it is not
	// Chromium's CorsError (Firefox's, result.Record.EngineReason), shown
	// beside CorsError. It is not compared: two engines name one check
	// differently by design, and CorsError is the check's common name.
	EngineReason string `json:"engine_reason,omitempty"`
}

// OutcomeOf takes the compared fields from a record. A CorsError is taken
// by its current name: Chromium renaming an error between two versions is
// not a change in what the browser did.
func OutcomeOf(rec *result.Record) Outcome {
	o := Outcome{
		Verdict:         string(rec.Verdict),
		CorsError:       string(rec.CorsError.Canonical()),
		FailedParameter: rec.FailedParameter,
		PreflightSent:   rec.Preflight != nil,
		StepPreflights:  stepPreflights(rec),
		EngineReason:    rec.EngineReason,
	}
	for _, st := range rec.Steps {
		o.uncertain = append(o.uncertain, st.PreflightModel != nil && st.PreflightModel.Uncertain)
	}
	if rec.Actual != nil {
		o.Status = rec.Actual.Status
	}
	return o
}

// Field returns one compared field as text: "sent"/"not sent" for the
// preflight, "none" for a missing status or an empty CorsError.
func (o Outcome) Field(name string) string {
	switch name {
	case FieldVerdict:
		return o.Verdict
	case FieldCorsError:
		return orNone(o.CorsError)
	case FieldFailedParameter:
		return orNone(o.FailedParameter)
	case FieldPreflight:
		if o.PreflightSent {
			return "sent"
		}
		return "not sent"
	case FieldStatus:
		if o.Status == 0 {
			return "none"
		}
		return strconv.Itoa(o.Status)
	case FieldStepPreflights:
		return orNone(o.StepPreflights)
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Short renders the outcome in a few words for a table cell: the verdict,
// then the CorsError and failed parameter when there is one, after the
// engine's own code as the run's reports show it ("CORSMissingAllowOrigin
// = MissingAllowOriginHeader").
func (o Outcome) Short() string {
	s := o.Verdict
	if o.EngineReason != "" {
		s += " " + o.EngineReason
		if o.CorsError != "" {
			s += " ="
		}
	}
	switch {
	case o.CorsError != "" && o.FailedParameter != "":
		s += " " + o.CorsError + " (" + o.FailedParameter + ")"
	case o.CorsError != "":
		s += " " + o.CorsError
	}
	return s
}

// timingOnly reports whether field f of a and b differs only in steps
// near a cached result's expiry (uncertain on either side): the preflight
// of the steps, or of the last step, which a case with steps reports as
// its own.
func timingOnly(f string, a, b Outcome) bool {
	if f != FieldStepPreflights && f != FieldPreflight {
		return false
	}
	as, bs := strings.Split(a.StepPreflights, ", "), strings.Split(b.StepPreflights, ", ")
	if a.StepPreflights == "" || len(as) != len(bs) || len(a.uncertain) != len(as) || len(b.uncertain) != len(bs) {
		return false
	}
	if f == FieldPreflight {
		n := len(as) - 1
		return a.uncertain[n] || b.uncertain[n]
	}
	for i := range as {
		if as[i] != bs[i] && !a.uncertain[i] && !b.uncertain[i] {
			return false
		}
	}
	return true
}

// differingFields lists the compared fields whose values are not all equal.
func differingFields(outcomes []Outcome) []string {
	var out []string
	for _, f := range fieldOrder {
		for _, o := range outcomes[1:] {
			if o.Field(f) != outcomes[0].Field(f) && !timingOnly(f, outcomes[0], o) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// ChangeKind says how a case changed between two runs.
type ChangeKind string

// Kinds of change.
const (
	// Changed means the case is in both runs with a different outcome.
	Changed ChangeKind = "changed"
	// Added means the case is only in the new run.
	Added ChangeKind = "added"
	// Removed means the case is only in the old run.
	Removed ChangeKind = "removed"
)

// FieldChange is one compared field that differs, as Outcome.Field renders it.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Change is one case whose outcome differs between two runs.
type Change struct {
	Suite string     `json:"suite,omitempty"`
	File  string     `json:"file,omitempty"`
	Case  string     `json:"case"`
	Kind  ChangeKind `json:"kind"`
	// Fields are the differing fields of a Changed case, in report order.
	Fields []FieldChange `json:"fields,omitempty"`
	// Old and New are the outcomes; nil on the side where the case is absent.
	Old *Outcome `json:"old,omitempty"`
	New *Outcome `json:"new,omitempty"`
	// Reasons explain the steps whose preflight changed (StepReasons).
	Reasons []string `json:"reasons,omitempty"`
}

// Diff compares an old run (before) with a new one (after) and returns every case whose
// verdict, CorsError, failed parameter, preflight (sent or not) or status
// changed, and every case present in only one of them. Changed and added
// cases come in the new run's order, removed cases after them in the old
// run's order. Equal runs give no changes.
func Diff(before, after *result.Run) []Change {
	var a, b []result.Record
	if before != nil {
		a = before.Records
	}
	if after != nil {
		b = after.Records
	}
	m := match(a, b)
	var out []Change
	for j := range b {
		rec := &b[j]
		no := OutcomeOf(rec)
		i, ok := m.inA[j]
		if !ok {
			out = append(out, Change{Suite: rec.Suite, File: rec.File, Case: rec.Name, Kind: Added, New: &no})
			continue
		}
		oo := OutcomeOf(&a[i])
		fields := differingFields([]Outcome{oo, no})
		if len(fields) == 0 {
			continue
		}
		c := Change{Suite: rec.Suite, File: rec.File, Case: rec.Name, Kind: Changed, Old: &oo, New: &no}
		for _, f := range fields {
			c.Fields = append(c.Fields, FieldChange{Field: f, Old: oo.Field(f), New: no.Field(f)})
			if f == FieldStepPreflights {
				c.Reasons = StepReasons(&a[i], rec)
			}
		}
		out = append(out, c)
	}
	for i := range a {
		if m.matchedA[i] {
			continue
		}
		oo := OutcomeOf(&a[i])
		out = append(out, Change{Suite: a[i].Suite, File: a[i].File, Case: a[i].Name, Kind: Removed, Old: &oo})
	}
	return out
}

// String describes the change in one line of plain text. The values come
// from the network: escape the line for the medium it goes to.
func (c Change) String() string {
	name := caseLabel(c.Suite, c.Case)
	switch c.Kind {
	case Added:
		return fmt.Sprintf("%s: only in the new run (%s)", name, c.New.Short())
	case Removed:
		return fmt.Sprintf("%s: only in the old run (%s)", name, c.Old.Short())
	}
	s := name + ":"
	for i, f := range c.Fields {
		if i > 0 {
			s += ";"
		}
		s += fmt.Sprintf(" %s %s → %s", f.Field, f.Old, f.New)
	}
	if len(c.Reasons) > 0 {
		s += " (" + strings.Join(c.Reasons, "; ") + ")"
	}
	return s
}

// caseLabel names a case with its suite, as "suite / case".
func caseLabel(suite, name string) string {
	if suite == "" {
		return name
	}
	return suite + " / " + name
}

// key identifies a record in a run: its suite file (or suite name for a
// built-in suite) and case name, and which occurrence of that pair it is, so
// that a suite given twice still matches case by case.
type key struct {
	file, name string
	n          int
}

// loose identifies a record by suite and case name only, for runs whose
// suite files were given by different paths (another machine, another
// working directory).
type loose struct {
	suite, name string
}

func keys(recs []result.Record) []key {
	seen := map[key]int{}
	out := make([]key, len(recs))
	for i := range recs {
		file := recs[i].File
		if file != "" {
			file = filepath.ToSlash(filepath.Clean(file))
		} else {
			file = "suite:" + recs[i].Suite
		}
		k := key{file: file, name: recs[i].Name}
		out[i] = key{file: k.file, name: k.name, n: seen[k]}
		seen[k]++
	}
	return out
}

// matching pairs the records of two runs.
type matching struct {
	inA      map[int]int // index in b → index in a
	matchedA []bool
}

// match pairs records by suite file and case name; what is left is paired by
// suite and case name when that pair is unique on both sides.
func match(a, b []result.Record) matching {
	m := matching{inA: map[int]int{}, matchedA: make([]bool, len(a))}
	ka, kb := keys(a), keys(b)
	index := make(map[key]int, len(a))
	for i, k := range ka {
		index[k] = i
	}
	for j, k := range kb {
		if i, ok := index[k]; ok {
			m.inA[j] = i
			m.matchedA[i] = true
		}
	}
	looseA := map[loose][]int{}
	for i := range a {
		if !m.matchedA[i] {
			l := loose{a[i].Suite, a[i].Name}
			looseA[l] = append(looseA[l], i)
		}
	}
	looseB := map[loose][]int{}
	for j := range b {
		if _, ok := m.inA[j]; !ok {
			l := loose{b[j].Suite, b[j].Name}
			looseB[l] = append(looseB[l], j)
		}
	}
	for l, js := range looseB {
		if is := looseA[l]; len(is) == 1 && len(js) == 1 {
			m.inA[js[0]] = is[0]
			m.matchedA[is[0]] = true
		}
	}
	return m
}
