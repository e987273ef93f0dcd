// Package runner assembles a run: it starts (or reuses) the browser, runs
// the cases through the harness, concludes every record — expectations
// checked, diagnosis added, suite and file attached — and returns the
// complete result.Run with the settings it ran under. Every command that
// runs cases (run, demo, probe, verify, replay, matrix) goes through Run,
// so a run is put together in one place.
package runner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/mirror"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Config says how cases are run.
type Config struct {
	// Browser configures the browser to launch (or connect to).
	Browser harness.Options
	// Driver names the CDP client library (harness.Drivers); empty means
	// chromedp.
	Driver string
	// Jobs is how many cases run at once; zero means harness.DefaultJobs.
	Jobs int
	// Isolation says how cases are kept apart; empty means clean.
	Isolation harness.Isolation
	// Shard is recorded on the run ("2/3") when the cases are one shard of
	// a split; selecting them is the caller's part.
	Shard string
	// Reuse, when set, runs on this browser instead of launching one, and
	// its settings are recorded instead of Browser's (tests share one).
	// A lent browser is never relaunched: if it dies, the cases left are
	// not run.
	Reuse *harness.Browser
	// TryFix proves the fix of every request the browser blocked for a CORS
	// reason: the case runs again against a loopback mirror of its server
	// that applies the fix (see tryFixes), and the record says whether
	// Chromium then allows it (Diagnosis.FixCheck).
	TryFix bool
	// Repeat, above 1, makes every case a sequence of that many calls
	// (scenarios.Repeat), Every apart, so that its record holds the
	// preflight economy of a client calling the API again and again.
	Repeat int
	Every  time.Duration
	// Relaunches bounds how many new browsers a run starts after its
	// browser died; zero means DefaultRelaunches, negative none.
	Relaunches int
	// Paths (--via) are network paths every case also runs on, after the
	// suite's own paths: (or after the requests as written, "direct");
	// see suitePaths.
	Paths []scenarios.Path
	// CacheCheck adds a shared-cache poisoning check for every case
	// (scenarios.CacheChecks), ErrorPaths the error-path cases
	// (scenarios.ErrorPaths); both run on every path.
	CacheCheck bool
	ErrorPaths bool
	// Rate, above zero, bounds how many cases start per second across
	// all jobs, so that a server that is not a test server is not
	// flooded (audit --rate); zero means no bound.
	Rate float64
}

// Validate checks the configuration without side effects.
func (c *Config) Validate() error {
	if err := c.Browser.Validate(); err != nil {
		return err
	}
	if c.Browser.Engine == harness.EngineFirefox {
		if c.Driver != "" && c.Driver != (harness.Firefox{}).Name() {
			return &harness.OptionError{Option: "--driver", Value: c.Driver, Reason: "drives Chromium; Firefox is driven over WebDriver BiDi", Advice: "drop --driver with --engine firefox"}
		}
	} else if c.Driver != "" {
		if _, ok := harness.Drivers[c.Driver]; !ok {
			return &harness.OptionError{Option: "--driver", Value: c.Driver, Reason: "is not a driver", Advice: "use " + strings.Join(DriverNames(), " or ")}
		}
	}
	if c.Jobs < 0 {
		return &harness.OptionError{Option: "--jobs", Reason: fmt.Sprintf("must be at least 1, got %d", c.Jobs), Advice: "for example -j 2"}
	}
	if c.Repeat < 0 || c.Repeat > scenarios.MaxSteps {
		return &harness.OptionError{Option: "--repeat", Reason: fmt.Sprintf("must be from 1 to %d, got %d", scenarios.MaxSteps, c.Repeat), Advice: "for example --repeat 20"}
	}
	if c.Every < 0 || c.Every > scenarios.MaxWait {
		return &harness.OptionError{Option: "--every", Value: c.Every.String(), Reason: "must be from 0s to 2h1m", Advice: "for example --every 500ms"}
	}
	if c.Rate < 0 {
		return &harness.OptionError{Option: "--rate", Reason: fmt.Sprintf("must be positive, got %g", c.Rate), Advice: "for example --rate 5"}
	}
	return harness.ValidateIsolation(c.Isolation)
}

// DriverNames lists the drivers, sorted.
func DriverNames() []string {
	names := make([]string, 0, len(harness.Drivers))
	for n := range harness.Drivers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Hooks let a caller watch a run as it happens.
type Hooks struct {
	// Begin is called once the browser is up, before the first case, with
	// the run's settings filled in.
	Begin func(run *result.Run)
	// Record is called with each concluded record as its case finishes,
	// one call at a time, in the order cases finish.
	Record func(rec *result.Record)
	// Notice is called with what the run has to tell the user as it
	// happens: the browser died, it was relaunched, cases were not run.
	Notice func(msg string)
	// Launched is called with each browser the run launches, the first,
	// every one started after a browser died and a --try-fix second
	// browser (tests use it to play the fault and to count launches).
	Launched func(b *harness.Browser)
}

// Run runs every case of the suites and returns the finished run. A run
// cut short by ctx is returned too, holding the cases that finished,
// together with an error saying how far it got; so is a run whose browser
// could not be closed cleanly.
func Run(ctx context.Context, cfg Config, suites []*scenarios.Suite, hooks Hooks) (_ *result.Run, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var names []string
	for _, s := range suites {
		names = append(names, s.Name)
	}
	p, err := plan(cfg, suites)
	if err != nil {
		return nil, err
	}
	cases, from := p.cases, p.from
	b := cfg.Reuse
	rec := &recovery{b: b}
	if b == nil {
		opts := cfg.Browser
		// Page origins must never reach the network: they are sinks for
		// the browser's resolver, except where a case names them as
		// targets.
		opts.Sinks = append(slices.Clone(opts.Sinks), harness.CaseSinks(cases)...)
		// --ca is checked against the https targets before launch: those
		// this browser reaches. A path with an address has a browser of
		// its own (runRoutes), which checks its targets at that address;
		// checked here, its host would be looked up and another server
		// reached.
		opts.CATargets = append(slices.Clone(opts.CATargets), harness.CaseTargets(pick(cases, p.routed("")))...)
		if cfg.TryFix && opts.Engine != harness.EngineFirefox && opts.URL == "" {
			// --try-fix runs cases again in this browser against mirrors
			// of https targets that serve certificates made with a key
			// only this process holds: the browser accepts that key from
			// launch, before the mirrors exist (see tryFixes).
			pin, perr := mirror.KeyPin()
			if perr != nil {
				return nil, perr
			}
			opts.MirrorPins = append(slices.Clone(opts.MirrorPins), pin)
		}
		if cfg.TryFix && opts.Engine == harness.EngineFirefox && opts.URL == "" {
			// Firefox proves fixes in this browser too, in a user context
			// whose proxy is the mirrors' (tryFixes): loopback targets
			// must go through it, and it accepts each https target's
			// mirror certificate, made now, at the target's host:port.
			if opts.MirrorCerts, err = firefoxMirrorCerts(pick(cases, p.routed("")), opts.HostMap); err != nil {
				return nil, err
			}
			opts.ContextProxies = true
		}
		d := harness.Drivers[cfg.Driver]
		if d == nil {
			d = harness.Chromedp{}
		}
		if opts.Engine == harness.EngineFirefox {
			d = harness.Firefox{}
		}
		if b, err = harness.LaunchWith(ctx, d, opts); err != nil {
			return nil, err
		}
		rec.b = b
		if hooks.Launched != nil {
			hooks.Launched(b)
		}
		defer func() {
			// A browser that would not close leaves a process or a
			// profile behind: the user should hear of it. After a
			// relaunch, the one to close is the last.
			if cerr := rec.b.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	iso := cfg.Isolation
	if iso == "" {
		iso = harness.IsolationClean
	}
	if b.Engine() == harness.EngineFirefox {
		// Firefox cannot clear a context's preflight cache over BiDi, so
		// a context is never reused: every case gets a fresh one.
		iso = harness.IsolationFresh
	}
	opts := b.Options()
	run := &result.Run{
		Settings: result.Settings{
			Tool:              "corsproof",
			Suites:            names,
			Engine:            b.Engine(),
			Browser:           b.Version(),
			BrowserProduct:    b.Product(),
			BrowserPath:       b.Path(),
			Driver:            b.Driver(),
			ThirdPartyCookies: CookieSetting(b),
			LNA:               LNASetting(opts),
			CAFile:            opts.CAFile,
			CertChecks:        b.CertChecks(),
			TimeoutMS:         opts.Timeout.Milliseconds(),
			Isolation:         string(iso),
			Shard:             cfg.Shard,
			Repeat:            repeatSetting(cfg),
			EveryMS:           everySetting(cfg),
			Launch:            b.LaunchSettings(),
			Started:           time.Now().UTC(),
		},
	}
	if hooks.Begin != nil {
		hooks.Begin(run)
	}
	start := time.Now()
	if cfg.Relaunches < 0 {
		cfg.Relaunches = -1
	}
	// With --try-fix a record whose fix is to be proved is reported once
	// the proof is in, so that streamed reports hold it too.
	// With paths, a record is reported once its case has run on every
	// path and it is compared with the reference path's (with --try-fix
	// too, at the end).
	streamed := hooks
	var pairs *pairStream
	switch {
	case p.paths && cfg.TryFix && hooks.Record != nil:
		streamed.Record = nil
	case p.paths && hooks.Record != nil:
		pairs = newPairStream(p, hooks.Record)
		streamed.Record = pairs.add
	case cfg.TryFix && hooks.Record != nil:
		streamed.Record = func(r *result.Record) {
			if !needsTry(r) {
				markUntriable(r)
				hooks.Record(r)
			}
		}
	}
	main := p.routed("")
	*rec = recovery{cfg: cfg, hooks: streamed, b: b, owned: cfg.Reuse == nil && b.Owned(), cases: pick(cases, main), from: pick(from, main), iso: iso, pace: newPacer(cfg.Rate)}
	records, incomplete := rec.run(ctx)
	if len(main) < len(cases) {
		var routeErr error
		records, routeErr = p.runRoutes(ctx, cfg, rec.b, streamed, iso, main, records)
		incomplete = errors.Join(incomplete, routeErr)
	}
	run.Records = records
	p.comparePaths(run.Records)
	var tryErr error
	if cfg.TryFix && incomplete == nil && ctx.Err() == nil && len(run.Records) == len(cases) {
		recs := map[int]*result.Record{}
		for i := range run.Records {
			if needsTry(&run.Records[i]) {
				recs[i] = &run.Records[i]
			} else {
				markUntriable(&run.Records[i])
			}
		}
		held := slices.Sorted(maps.Keys(recs))
		tryErr = proveFixes(ctx, rec.b, rec.owned, iso, cases, p.route, recs, hooks.Launched)
		if hooks.Record != nil && !p.paths {
			for _, i := range held {
				hooks.Record(&run.Records[i])
			}
		}
	}
	switch {
	case pairs != nil:
		pairs.flush(run.Records)
	case p.paths && hooks.Record != nil:
		for i := range run.Records {
			hooks.Record(&run.Records[i])
		}
	}
	run.DurationMS = time.Since(start).Milliseconds()
	run.Tally()
	if ctx.Err() != nil {
		return run, fmt.Errorf("interrupted after %d of %d cases", len(run.Records)-rec.interrupted, len(cases))
	}
	if incomplete != nil {
		return run, incomplete
	}
	return run, tryErr
}

// repeatSetting and everySetting are what a run records of --repeat and
// --every: nothing without a repeat.
func repeatSetting(cfg Config) int {
	if cfg.Repeat < 2 {
		return 0
	}
	return cfg.Repeat
}

func everySetting(cfg Config) int64 {
	if cfg.Repeat < 2 {
		return 0
	}
	return cfg.Every.Milliseconds()
}

// Conclude turns the harness's observation of a case into its record:
// where the case came from, whether its expectations held, and the
// diagnosis. s may be nil for a case that has no suite.
func Conclude(rec *result.Record, s *scenarios.Suite, c scenarios.Case) {
	if s != nil {
		rec.Suite = s.Name
	}
	rec.File, rec.Line = c.File, c.Line
	rec.Path = c.Path
	if len(rec.Steps) > 0 {
		result.ConcludeSteps(rec, c)
	} else {
		result.Conclude(rec, c.Expect)
	}
	result.ConcludeCheck(rec, c)
}

// CookieSetting is the third-party cookie setting a run records. The
// headless shell ignores the profile preference that blocks them (measured
// with Chromium 156), so a run there says so rather than claim a block.
func CookieSetting(b *harness.Browser) string {
	opts := b.Options()
	if opts.URL != "" {
		// The preference lives in a profile corsproof did not create.
		return "unknown: the remote browser's own profile decides"
	}
	if opts.ThirdPartyCookies == harness.CookiesBlock && strings.Contains(b.Version(), "headless-shell") {
		return "block requested; chromium-headless-shell ignores it and sends them"
	}
	return string(opts.ThirdPartyCookies)
}

// LNASetting is the Local Network Access handling a run records: off is a
// launch switch, which a browser corsproof only connects to never got.
func LNASetting(opts harness.Options) string {
	if opts.URL != "" && opts.LNA == harness.LNAOff {
		return "unknown: as the remote browser was started (off needs --disable-features=LocalNetworkAccessChecks there)"
	}
	return string(opts.LNA)
}
