package result

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corsproof/corsproof/scenarios"
)

// Input is one run to merge and the name errors call it by, such as the
// path it was read from.
type Input struct {
	Name string
	Run  *Run
}

// Merge is MergeInputs for runs that have no names: errors call them
// "run 1", "run 2"… in the order given.
func Merge(runs ...*Run) (*Run, error) {
	inputs := make([]Input, len(runs))
	for i, r := range runs {
		inputs[i] = Input{Name: "run " + strconv.Itoa(i+1), Run: r}
	}
	return MergeInputs(inputs...)
}

// MergeInputs joins runs made in parallel (shards of one run on several CI
// jobs, say) into one run from which every report can be produced. Records
// come in the order one unsharded run gives them (the suites in the order
// first met, the cases of each by their line in its file, the generated
// checks after them); the engine, browser, driver and
// settings are kept when all runs agree and listed when they do not (the
// time-out and launch settings, which cannot be listed, are then left out).
//
// It refuses what would make the merged run lie about what ran. When the
// runs carry shards, they must all be of one split (the same n) and cover
// shards 1..n exactly once, else a *ShardSetError; a run without a shard
// cannot be merged with runs that have one. And no case (suite and case
// name, the key shards split on) may appear twice, in two runs or in one,
// else a *DuplicateRecordError: the same result given twice, or shards of
// different splits, would otherwise count cases twice. Both errors have a
// Hint. Nil runs are skipped.
func MergeInputs(inputs ...Input) (*Run, error) {
	inputs = slices.DeleteFunc(slices.Clone(inputs), func(in Input) bool { return in.Run == nil })
	if len(inputs) == 0 {
		return nil, errors.New("merging runs: no runs given")
	}
	if err := checkShards(inputs); err != nil {
		return nil, err
	}
	if err := checkDuplicates(inputs); err != nil {
		return nil, err
	}
	out := &Run{Settings: Settings{Tool: "corsproof"}}
	var browsers, products, engines, paths, drivers, cookies, lnas, isolations, cas []string
	// The time-out and the launch settings are kept only when every run
	// had the same: a reproduce command or a reader must not be told a
	// setting some records did not run with.
	timeout, launch := inputs[0].Run.TimeoutMS, inputs[0].Run.Launch
	for _, in := range inputs {
		r := in.Run
		engines = addOnce(engines, r.Engine)
		products = addOnce(products, r.BrowserProduct)
		if r.TimeoutMS != timeout {
			timeout = 0
		}
		if !slices.Equal(r.Launch, launch) {
			launch = nil
		}
		for _, s := range r.Suites {
			if !slices.Contains(out.Suites, s) {
				out.Suites = append(out.Suites, s)
			}
		}
		browsers = addOnce(browsers, r.Browser)
		paths = addOnce(paths, r.BrowserPath)
		drivers = addOnce(drivers, r.Driver)
		cookies = addOnce(cookies, r.ThirdPartyCookies)
		lnas = addOnce(lnas, r.LNA)
		isolations = addOnce(isolations, r.Isolation)
		cas = addOnce(cas, r.CAFile)
		for _, c := range r.CertChecks {
			if !slices.Contains(out.CertChecks, c) {
				out.CertChecks = append(out.CertChecks, c)
			}
		}
		if !r.Started.IsZero() && (out.Started.IsZero() || r.Started.Before(out.Started)) {
			out.Started = r.Started
		}
		// Shards run side by side, so the merged run lasts as long as the
		// longest of them, not their sum.
		out.DurationMS = max(out.DurationMS, r.DurationMS)
		out.Records = append(out.Records, r.Records...)
	}
	sameFileSpelling(out.Records)
	inSuiteOrder(out.Records, out.Suites)
	out.Engine = strings.Join(engines, ", ")
	out.Browser = strings.Join(browsers, ", ")
	out.BrowserProduct = strings.Join(products, ", ")
	out.TimeoutMS, out.Launch = timeout, slices.Clone(launch)
	out.BrowserPath = strings.Join(paths, ", ")
	out.Driver = strings.Join(drivers, ", ")
	out.ThirdPartyCookies = strings.Join(cookies, ", ")
	out.LNA = strings.Join(lnas, ", ")
	out.Isolation = strings.Join(isolations, ", ")
	out.CAFile = strings.Join(cas, ", ")
	if out.Started.IsZero() {
		out.Started = time.Time{}
	}
	out.Tally()
	return out, nil
}

// inSuiteOrder puts the records of each suite file back in the order one
// run of it gives them: its cases by line, then the checks generated from
// them (--cache-check, --error-paths). Shards deal the cases out round
// robin, so their records come shard by shard. Suites come in the order
// suites names them (every shard names every suite of the run, in the
// order loaded), then in the order first met; a suite with a record of
// unknown line keeps the order given. The records of one case (on several
// paths, its checks) are always in one shard, in their order, which the
// stable sort keeps.
func inSuiteOrder(recs []Record, suites []string) {
	type key struct{ suite, file string }
	rank := map[key]int{}
	lined := map[key]bool{}
	for i, r := range recs {
		k := key{r.Suite, r.File}
		if _, ok := rank[k]; !ok {
			// By the suite's place in suites, then by first record: two
			// files of one suite name never mix.
			j := slices.Index(suites, r.Suite)
			if j < 0 {
				j = len(suites)
			}
			rank[k], lined[k] = j*(len(recs)+1)+i, true
		}
		if r.Line == 0 {
			lined[k] = false
		}
	}
	generated := func(r Record) int {
		if r.CacheCheck != nil || r.ErrorPath != nil {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(recs, func(a, b Record) int {
		ka, kb := key{a.Suite, a.File}, key{b.Suite, b.File}
		if c := cmp.Compare(rank[ka], rank[kb]); c != 0 || !lined[ka] {
			return c
		}
		return cmp.Or(cmp.Compare(generated(a), generated(b)), cmp.Compare(a.Line, b.Line))
	})
}

// sameFileSpelling gives the records of one suite file the first
// spelling of its path met: jobs that name it differently (suites/a.yaml,
// ./a.yaml, an absolute path) split the same way, and the reports group
// cases by file. A file is the same when the suite name and the file's
// base name are.
func sameFileSpelling(recs []Record) {
	type key struct{ suite, base string }
	first := map[key]string{}
	for i := range recs {
		r := &recs[i]
		if r.File == "" || r.File == "-" {
			continue
		}
		k := key{r.Suite, path.Base(strings.ReplaceAll(r.File, `\`, "/"))}
		if f, ok := first[k]; ok {
			r.File = f
		} else {
			first[k] = r.File
		}
	}
}

func addOnce(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// ShardSetError is a set of runs whose shards are not one whole split:
// shards of different splits, a shard given twice or missing, or runs with
// and without a shard together.
type ShardSetError struct {
	// Reason says what is wrong, naming the runs and shards.
	Reason string
	// Err is the cause when a run's shard could not be read.
	Err error
}

// Error renders the reason after what was being done.
func (e *ShardSetError) Error() string { return "merging runs: " + e.Reason }

// Unwrap returns the cause, if any.
func (e *ShardSetError) Unwrap() error { return e.Err }

// Hint says which files merge expects.
func (e *ShardSetError) Hint() string {
	return "merge one result from each job of one split: the runs of `--shard 1/n` to `--shard n/n`"
}

// checkShards checks that the runs' shards, if any, cover 1..n once.
func checkShards(inputs []Input) error {
	var with, without []Input
	for _, in := range inputs {
		if in.Run.Shard == "" {
			without = append(without, in)
		} else {
			with = append(with, in)
		}
	}
	if len(with) == 0 {
		// Runs that were not split (older results, or different suites)
		// merge as a plain union; duplicates are still refused.
		return nil
	}
	if len(without) > 0 {
		return &ShardSetError{Reason: fmt.Sprintf("%s has no shard but %s is shard %s", without[0].Name, with[0].Name, with[0].Run.Shard)}
	}
	// given[i] names the runs that hold shard i (1-based).
	var given [][]string
	var first Input
	for _, in := range with {
		sh, err := scenarios.ParseShard(in.Run.Shard)
		if err != nil {
			return &ShardSetError{Reason: fmt.Sprintf("%s: %v", in.Name, err), Err: err}
		}
		if given == nil {
			given, first = make([][]string, sh.Count+1), in
		} else if sh.Count != len(given)-1 {
			return &ShardSetError{Reason: fmt.Sprintf("%s is shard %s but %s is shard %s: the shards of one split share n", first.Name, first.Run.Shard, in.Name, in.Run.Shard)}
		}
		given[sh.Index] = append(given[sh.Index], in.Name)
	}
	n := len(given) - 1
	var problems, missing, present []string
	for i := 1; i <= n; i++ {
		sh := scenarios.Shard{Index: i, Count: n}.String()
		switch len(given[i]) {
		case 0:
			missing = append(missing, sh)
		case 1:
			present = append(present, sh+" in "+given[i][0])
		default:
			problems = append(problems, fmt.Sprintf("shard %s is given %d times: %s", sh, len(given[i]), strings.Join(given[i], ", ")))
			present = append(present, sh+" in "+given[i][0])
		}
	}
	switch {
	case len(missing) == 1:
		problems = append(problems, fmt.Sprintf("shard %s is missing (given: %s)", missing[0], strings.Join(present, ", ")))
	case len(missing) > 1:
		problems = append(problems, fmt.Sprintf("shards %s are missing (given: %s)", strings.Join(missing, ", "), strings.Join(present, ", ")))
	}
	if len(problems) > 0 {
		return &ShardSetError{Reason: strings.Join(problems, "; ")}
	}
	return nil
}

// DuplicateRecordError is a case found more than once among the runs
// merged: the same suite and case name in two runs, or twice in one.
type DuplicateRecordError struct {
	// Duplicates lists every case found twice, in the order met.
	Duplicates []Duplicate
}

// Duplicate is one case found twice.
type Duplicate struct {
	// Suite is empty for a record of corsproof probe.
	Suite, Case string
	// Inputs name the run that held the case first and the one that held
	// it again; they are the same when one run holds it twice.
	Inputs [2]string
	// SameRun is true when one run holds the case twice.
	SameRun bool
}

// maxListed bounds how many duplicates an error names, so merging a file
// with itself says so in a line instead of repeating every case.
const maxListed = 3

// Error names the duplicates, the first few in full.
func (e *DuplicateRecordError) Error() string {
	describe := func(d Duplicate) string {
		c := "case " + strconv.Quote(d.Case)
		if d.Suite != "" {
			c += " of suite " + strconv.Quote(d.Suite)
		}
		if d.SameRun {
			return c + " is twice in " + d.Inputs[0]
		}
		return c + " is in both " + d.Inputs[0] + " and " + d.Inputs[1]
	}
	if len(e.Duplicates) == 1 {
		return "merging runs: " + describe(e.Duplicates[0])
	}
	var list []string
	for _, d := range e.Duplicates[:min(len(e.Duplicates), maxListed)] {
		list = append(list, describe(d))
	}
	if more := len(e.Duplicates) - maxListed; more > 0 {
		list = append(list, fmt.Sprintf("and %d more", more))
	}
	return fmt.Sprintf("merging runs: %d cases appear more than once: %s", len(e.Duplicates), strings.Join(list, "; "))
}

// Hint says what merge is for, and what to use to compare runs instead.
func (e *DuplicateRecordError) Hint() string {
	return "pass each shard's result once; to compare runs of the same cases, use `corsproof matrix` or `corsproof run --baseline`"
}

// checkDuplicates refuses a case (suite and case name) seen twice.
func checkDuplicates(inputs []Input) error {
	type key struct{ suite, name string }
	first := map[key]int{}
	var dups []Duplicate
	for i, in := range inputs {
		for _, rec := range in.Run.Records {
			k := key{rec.Suite, rec.Name}
			prev, seen := first[k]
			if !seen {
				first[k] = i
				continue
			}
			dups = append(dups, Duplicate{Suite: rec.Suite, Case: rec.Name, Inputs: [2]string{inputs[prev].Name, in.Name}, SameRun: prev == i})
		}
	}
	if len(dups) > 0 {
		return &DuplicateRecordError{Duplicates: dups}
	}
	return nil
}
