package compare

import "github.com/corsproof/corsproof/result"

// Baseline compares a finished run with a saved one (run --baseline) and
// returns the comparison as the run records it, for its JSON: file is the
// saved run's path as given, notCompared the saved cases this run did not
// run (ForCases), allow whether --allow-changes was given.
func Baseline(file string, old, run *result.Run, notCompared int, allow bool) *result.BaselineDiff {
	d := &result.BaselineDiff{File: file, NotCompared: notCompared, Allowed: allow, Changes: []result.BaselineChange{}}
	if old != nil {
		d.Browser, d.Started = old.Browser, old.Started
	}
	for _, c := range Diff(old, run) {
		bc := result.BaselineChange{Suite: c.Suite, File: c.File, Case: c.Case, Kind: string(c.Kind), Reasons: c.Reasons}
		for _, f := range c.Fields {
			bc.Fields = append(bc.Fields, result.BaselineField{Field: f.Field, Old: f.Old, New: f.New})
		}
		d.Changes = append(d.Changes, bc)
	}
	return d
}
