package result

import (
	"fmt"
	"strings"
)

// CaseError says why Find found no single record, and what to write instead.
type CaseError struct {
	Name string
	// Ambiguous is true when several records have the name; false when none has.
	Ambiguous bool
	Detail    string
	Hint      string
}

func (e *CaseError) Error() string { return fmt.Sprintf("%q: %s", e.Name, e.Detail) }

// Find returns the record named NAME, or SUITE/NAME when names repeat
// across suites.
func (r *Run) Find(name string) (*Record, error) {
	var byName, bySuite []int
	for i, rec := range r.Records {
		if rec.Name == name {
			byName = append(byName, i)
		}
		if rec.Suite+"/"+rec.Name == name {
			bySuite = append(bySuite, i)
		}
	}
	switch {
	case len(byName) == 1:
		return &r.Records[byName[0]], nil
	case len(byName) > 1 && len(bySuite) != 1:
		var suites []string
		for _, i := range byName {
			suites = append(suites, fmt.Sprintf("%q", r.Records[i].Suite))
		}
		return nil, &CaseError{Name: name, Ambiguous: true,
			Detail: fmt.Sprintf("%d records have this name (suites %s)", len(byName), strings.Join(suites, ", ")),
			Hint:   fmt.Sprintf("write --case 'SUITE/%s'", name)}
	case len(bySuite) == 1:
		return &r.Records[bySuite[0]], nil
	}
	var names []string
	for _, rec := range r.Records {
		names = append(names, fmt.Sprintf("%q", rec.Name))
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return nil, &CaseError{Name: name, Detail: "no such case", Hint: "the cases in it are " + strings.Join(names, ", ")}
}
