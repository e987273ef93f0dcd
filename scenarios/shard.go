package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is one part of a deterministic split of a run's cases across n CI
// jobs. The zero Shard is the whole run.
type Shard struct {
	// Index counts from 1 to Count.
	Index, Count int
}

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, such as 2/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String writes the shard as ParseShard reads it, such as "2/4"; it is
// empty for the zero Shard, so a run that was not split records no shard.
func (s Shard) String() string {
	if s == (Shard{}) {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

// Split returns the cases of the run that belong to the shard, as new
// suites in the order given, each keeping its cases in their declared order.
// A suite left with no cases is kept, empty, so that every shard's run
// names the same suites; nil suites are dropped.
//
// Shards are taken across the whole run, not suite by suite: the cases of
// all suites are sorted by suite name, then case name, and dealt out round
// robin, so no shard holds more than one case more than another, however
// many small suites there are. The key is what a record keeps (its suite
// and case name), not the file's path, so jobs that spell the path
// differently (suite.yaml, ./suite.yaml, an absolute path) or pass the files
// in a different order still split the same way. Every job must load the
// same suites: adding a case moves others between shards.
//
// Two cases with the same suite and case name (the same file passed twice,
// or two files whose suites share a name) cannot be told apart by shard or
// by merge, so Split returns a *DuplicateCaseError for them.
func (s Shard) Split(suites []*Suite) ([]*Suite, error) {
	if s != (Shard{}) && (s.Count < 1 || s.Index < 1 || s.Index > s.Count) {
		return nil, fmt.Errorf("splitting cases: shard %d/%d: want i/n with 1 <= i <= n", s.Index, s.Count)
	}
	type ref struct{ suite, i int }
	var all []ref
	for si, suite := range suites {
		if suite == nil {
			continue
		}
		for ci := range suite.Cases {
			all = append(all, ref{si, ci})
		}
	}
	at := func(r ref) *Case { return &suites[r.suite].Cases[r.i] }
	// A stable sort keeps duplicates in the order given, so the error names
	// the first one first.
	slices.SortStableFunc(all, func(a, b ref) int {
		return cmp.Or(
			strings.Compare(suites[a.suite].Name, suites[b.suite].Name),
			strings.Compare(at(a).Name, at(b).Name))
	})
	for k := 1; k < len(all); k++ {
		a, b := all[k-1], all[k]
		if suites[a.suite].Name == suites[b.suite].Name && at(a).Name == at(b).Name {
			return nil, &DuplicateCaseError{
				Suite: suites[a.suite].Name, Case: at(a).Name,
				Files: [2]string{suites[a.suite].File, suites[b.suite].File},
				Lines: [2]int{at(a).Line, at(b).Line},
			}
		}
	}
	keep := make(map[ref]bool, len(all))
	for k, r := range all {
		if s.Count <= 1 || k%s.Count == s.Index-1 {
			keep[r] = true
		}
	}
	out := make([]*Suite, 0, len(suites))
	for si, suite := range suites {
		if suite == nil {
			continue
		}
		part := *suite
		part.Cases = nil
		for ci, c := range suite.Cases {
			if keep[ref{si, ci}] {
				part.Cases = append(part.Cases, c)
			}
		}
		out = append(out, &part)
	}
	return out, nil
}

// DuplicateCaseError is two cases of one run with the same suite and case
// name. Shards and merge know a case by those two names alone, so such a run
// cannot be split or its shards joined.
type DuplicateCaseError struct {
	Suite, Case string
	// Files and Lines locate the two cases; a file is empty for a suite
	// that was not loaded from one, a line 0 when unknown.
	Files [2]string
	Lines [2]int
}

// Error names the case and where both copies are.
func (e *DuplicateCaseError) Error() string {
	where := func(i int) string {
		f := e.Files[i]
		if f == "" {
			f = "suite " + strconv.Quote(e.Suite)
		}
		if e.Lines[i] > 0 {
			f += ":" + strconv.Itoa(e.Lines[i])
		}
		return f
	}
	return fmt.Sprintf("splitting cases: case %q of suite %q is in both %s and %s: shards know a case by its suite and case name",
		e.Case, e.Suite, where(0), where(1))
}

// Hint says how to make the names unique.
func (e *DuplicateCaseError) Hint() string {
	switch {
	case e.Files[0] != e.Files[1]:
		return "give each suite its own name: in its file"
	case e.Lines[0] == e.Lines[1]:
		return "pass each suite file once"
	}
	return "give each case of the suite its own name"
}
