package runner

import (
	"fmt"
	"slices"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Network paths: a suite with paths: (or a run with --via) runs every case
// once per path — the same request from the same page, sent to each path's
// scheme, host and port — and each record on a path other than the first
// (the reference) is compared with the reference's record of the same case
// (compare.Paths). A changed verdict fails the record; header drift that
// leaves the verdict alone is a warning.

// planned is the run's case list, with where each case came from and
// which cases are one case on several paths.
type planned struct {
	cases []scenarios.Case
	from  []*scenarios.Suite
	// group[i] numbers the suite case that case i runs on a path; ref is
	// the reference path's name of each group, "" without paths.
	group []int
	ref   []string
	// paths is true when any case runs on more than one path.
	paths bool
}

// suitePaths are the paths suite s runs on: its own paths:, then --via's;
// with --via alone, the requests as written come first, as "direct".
func suitePaths(s *scenarios.Suite, via []scenarios.Path) ([]scenarios.Path, error) {
	if len(via) == 0 {
		return s.Paths, nil
	}
	ps := slices.Clone(s.Paths)
	if len(ps) == 0 {
		ps = []scenarios.Path{{Name: scenarios.DirectPath}}
	}
	for _, v := range via {
		for _, p := range ps {
			if p.Name == v.Name {
				return nil, &harness.OptionError{Option: "--via", Value: v.Name + "=" + v.URL, Reason: fmt.Sprintf("names path %q, which suite %q already has", v.Name, s.Name), Advice: "give the path another name"}
			}
		}
		ps = append(ps, v)
	}
	if len(ps) > scenarios.MaxPaths {
		return nil, &harness.OptionError{Option: "--via", Reason: fmt.Sprintf("makes %d paths for suite %q, more than %d", len(ps), s.Name, scenarios.MaxPaths), Advice: "compare fewer paths in one run"}
	}
	return ps, nil
}

// plan lists the cases to run: each suite's cases, then its generated
// checks (--cache-check, --error-paths), each on every path of its suite.
func plan(cfg Config, suites []*scenarios.Suite) (*planned, error) {
	p := &planned{}
	for _, s := range suites {
		paths, err := suitePaths(s, cfg.Paths)
		if err != nil {
			return nil, err
		}
		var base []scenarios.Case
		for _, c := range s.Cases {
			if cfg.Repeat > 1 {
				if n := max(1, len(c.Steps)) * cfg.Repeat; n > scenarios.MaxSteps {
					return nil, &harness.OptionError{Option: "--repeat", Reason: fmt.Sprintf("makes %d steps of case %q, more than %d", n, c.Name, scenarios.MaxSteps), Advice: "repeat fewer times"}
				}
				c = scenarios.Repeat(c, cfg.Repeat, cfg.Every)
			}
			base = append(base, c)
		}
		for _, c := range s.Cases {
			if cfg.CacheCheck {
				base = append(base, scenarios.CacheChecks(c, scenarios.CacheCheckOrigins(s, c.Origin))...)
			}
			if cfg.ErrorPaths {
				base = append(base, scenarios.ErrorPaths(c)...)
			}
		}
		for _, c := range base {
			g := len(p.ref)
			if len(paths) == 0 {
				p.ref = append(p.ref, "")
				p.add(c, s, g)
				continue
			}
			p.paths = true
			p.ref = append(p.ref, paths[0].Name)
			for _, path := range paths {
				p.add(scenarios.OnPath(c, path), s, g)
			}
		}
	}
	return p, nil
}

func (p *planned) add(c scenarios.Case, s *scenarios.Suite, group int) {
	p.cases = append(p.cases, c)
	p.from = append(p.from, s)
	p.group = append(p.group, group)
}

// comparePaths compares every record on a path with its group's record on
// the reference path. records must be those of p.cases, in order.
func (p *planned) comparePaths(records []result.Record) {
	if !p.paths || len(records) != len(p.cases) {
		return
	}
	refOf := map[int]int{}
	for i, c := range p.cases {
		if c.Path != "" && c.Path == p.ref[p.group[i]] {
			refOf[p.group[i]] = i
		}
	}
	for i := range records {
		c := p.cases[i]
		j, ok := refOf[p.group[i]]
		if c.Path == "" || !ok || j == i {
			continue
		}
		rec, ref := &records[i], &records[j]
		d := compare.Paths(p.ref[p.group[i]], ref, rec)
		rec.PathDiff = d
		mm, warn := compare.PathFindings(c.Path, rec, d)
		if len(mm) > 0 {
			rec.Mismatches = append(rec.Mismatches, mm...)
			rec.ExpectMet = false
		}
		if len(warn) > 0 && rec.Diagnosis != nil {
			rec.Diagnosis.Warnings = append(rec.Diagnosis.Warnings, warn...)
		}
	}
}

// CaseCount is how many cases a run of the suites under cfg makes: its
// cases on every path, with the generated checks.
func CaseCount(cfg Config, suites []*scenarios.Suite) (int, error) {
	p, err := plan(cfg, suites)
	if err != nil {
		return 0, err
	}
	return len(p.cases), nil
}
