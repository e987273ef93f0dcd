package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

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
	// route[i] is "" for a case the browser sends where DNS says, else
	// the host:port → address mapping of its path (Path.Address), which
	// needs a browser of its own.
	route []string
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
				return nil, &harness.OptionError{Option: "--via", Value: v.Name + "=" + v.URL, Reason: fmt.Sprintf("names path %q, which suite %q runs on already", v.Name, s.Name), Advice: "give the path another name (direct is the URLs as the suite writes them)"}
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
				if path.Address != "" {
					p.route[len(p.route)-1] = path.HostPort() + "=" + path.Address
				}
			}
		}
	}
	return p, nil
}

func (p *planned) add(c scenarios.Case, s *scenarios.Suite, group int) {
	p.cases = append(p.cases, c)
	p.from = append(p.from, s)
	p.group = append(p.group, group)
	p.route = append(p.route, "")
}

// routed lists the cases of one route, in order.
func (p *planned) routed(route string) []int {
	var out []int
	for i, r := range p.route {
		if r == route {
			out = append(out, i)
		}
	}
	return out
}

func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for j, i := range idx {
		out[j] = all[i]
	}
	return out
}

// runRoutes runs the cases of the paths with an address, each path's in a
// browser launched like the run's own but whose host resolver maps the
// path's host:port to its address (harness.Options.HostMap), so that the
// URL, Host header and TLS name stay the path's. done holds the records of
// the cases in main; the result holds every record in case order.
func (p *planned) runRoutes(ctx context.Context, cfg Config, first *harness.Browser, hooks Hooks, iso harness.Isolation, main []int, done []result.Record) ([]result.Record, error) {
	all := make([]*result.Record, len(p.cases))
	for j := range done {
		if j < len(main) {
			all[main[j]] = &done[j]
		}
	}
	var routes []string
	for _, r := range p.route {
		if r != "" && !slices.Contains(routes, r) {
			routes = append(routes, r)
		}
	}
	var errs []error
	for _, route := range routes {
		if ctx.Err() != nil {
			break
		}
		idx := p.routed(route)
		sub := pick(p.cases, idx)
		opts := first.Options()
		if opts.URL != "" {
			errs = append(errs, fmt.Errorf("path %s: an address needs a browser corsproof launches; a browser it connects to (--browser-url) keeps its own host resolver", sub[0].Path))
			break
		}
		from, to, _ := strings.Cut(route, "=")
		opts.HostMap = maps.Clone(opts.HostMap)
		if opts.HostMap == nil {
			opts.HostMap = map[string]string{}
		}
		opts.HostMap[from] = to
		// The path's target is the real server's at the address: no
		// mirror certificate of the first browser's for it, which
		// Firefox would keep in place of the real leaf --ca accepted
		// (one certificate exception per host:port).
		opts.MirrorCerts = maps.Clone(opts.MirrorCerts)
		for hp := range opts.MirrorCerts {
			if strings.EqualFold(hp, from) {
				delete(opts.MirrorCerts, hp)
			}
		}
		opts.Sinks = append(slices.Clone(opts.Sinks), harness.CaseSinks(sub)...)
		// --ca is checked against this path's targets, at its address.
		opts.CATargets = append(slices.Clone(cfg.Browser.CATargets), harness.CaseTargets(sub)...)
		b, err := harness.LaunchWith(ctx, driverLike(first), opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("path %s: %w", sub[0].Path, err))
			continue
		}
		if hooks.Launched != nil {
			hooks.Launched(b)
		}
		r := &recovery{cfg: cfg, hooks: hooks, b: b, owned: true, cases: sub, from: pick(p.from, idx), iso: iso, pace: newPacer(cfg.Rate)}
		recs, incomplete := r.run(ctx)
		if cerr := r.b.Close(); cerr != nil {
			errs = append(errs, fmt.Errorf("path %s: %w", sub[0].Path, cerr))
		}
		if incomplete != nil {
			errs = append(errs, fmt.Errorf("path %s: %w", sub[0].Path, incomplete))
		}
		for j := range recs {
			if j < len(idx) {
				all[idx[j]] = &recs[j]
			}
		}
	}
	out := make([]result.Record, 0, len(all))
	for _, r := range all {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, errors.Join(errs...)
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
		comparePair(p.ref[p.group[i]], &records[j], &records[i])
	}
}

// comparePair compares rec with ref, its case's record on the reference
// path refPath, and adds the findings to rec.
func comparePair(refPath string, ref, rec *result.Record) {
	d := compare.Paths(refPath, ref, rec)
	rec.PathDiff = d
	mm, warn := compare.PathFindings(rec.Path, rec, d)
	if len(mm) > 0 {
		rec.Mismatches = append(slices.Clip(rec.Mismatches), mm...)
		rec.ExpectMet = false
	}
	if len(warn) > 0 && rec.Diagnosis != nil {
		dg := *rec.Diagnosis
		dg.Warnings = append(slices.Clip(dg.Warnings), warn...)
		rec.Diagnosis = &dg
	}
}

// pairStream hands records to a Record hook as soon as their case has run
// on every path, compared with the reference path's, so that streamed
// reports (JSON Lines) keep what finished when a run is cut short. The
// run's own records are compared again at the end, alike.
type pairStream struct {
	p   *planned
	out func(*result.Record)
	// index finds a case by suite and record name; -1 marks a name given
	// twice (a suite run twice), whose records wait for the end.
	index   map[[2]string]int
	held    map[int][]heldRecord
	emitted []bool
}

type heldRecord struct {
	i   int
	rec result.Record
}

func newPairStream(p *planned, out func(*result.Record)) *pairStream {
	ps := &pairStream{p: p, out: out, index: map[[2]string]int{}, held: map[int][]heldRecord{}, emitted: make([]bool, len(p.cases))}
	for i, c := range p.cases {
		k := [2]string{p.from[i].Name, c.Name}
		if _, dup := ps.index[k]; dup {
			ps.index[k] = -1
			continue
		}
		ps.index[k] = i
	}
	return ps
}

// add takes one concluded record (hooks are called one at a time).
func (ps *pairStream) add(rec *result.Record) {
	i, ok := ps.index[[2]string{rec.Suite, rec.Name}]
	if !ok || i < 0 {
		return
	}
	g := ps.p.group[i]
	ps.held[g] = append(ps.held[g], heldRecord{i, *rec})
	members := 0
	for _, x := range ps.p.group {
		if x == g {
			members++
		}
	}
	if len(ps.held[g]) < members {
		return
	}
	recs := ps.held[g]
	delete(ps.held, g)
	slices.SortFunc(recs, func(a, b heldRecord) int { return a.i - b.i })
	var ref *result.Record
	for k := range recs {
		if recs[k].rec.Path == ps.p.ref[g] {
			ref = &recs[k].rec
		}
	}
	for k := range recs {
		if ref != nil && &recs[k].rec != ref {
			comparePair(ps.p.ref[g], ref, &recs[k].rec)
		}
		ps.emitted[recs[k].i] = true
		ps.out(&recs[k].rec)
	}
}

// flush hands over, at the end, the records not streamed yet.
func (ps *pairStream) flush(records []result.Record) {
	if len(records) != len(ps.p.cases) {
		return
	}
	for i := range records {
		if !ps.emitted[i] {
			ps.out(&records[i])
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
