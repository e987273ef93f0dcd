package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/internal/input"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// runOptions are the flags and arguments of `corsproof run`.
type runOptions struct {
	f            *factory
	files        []string
	browser      browserFlags
	out          outputFlags
	baseline     string
	shard        string
	cases        []string
	allowChanges bool
	repeat       repeatFlags
	maxCases     int
	maxFileMiB   int
	paths        pathFlags
}

func newRunCmd(f *factory, runF func(context.Context, *runOptions) error) *cobra.Command {
	opts := &runOptions{f: f}
	if runF == nil {
		runF = runRun
	}
	cmd := &cobra.Command{
		Use:   "run SUITE.yaml...",
		Short: "Run every case of one or more suites in a real browser",
		Long: `Run every case of the suites in headless Chromium, each with an empty
preflight cache, HTTP cache and cookie jar, and report the verdicts. Exits 0
when every expectation holds, 1 when any fails, 2 on a usage or configuration
error, 3 when the browser died and could not be replaced (the cases left are
reported as not run).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runF(cmd.Context(), opts)
		},
	}
	opts.browser.add(cmd.Flags())
	opts.browser.addTryFix(cmd.Flags())
	opts.repeat.add(cmd.Flags())
	opts.out.add(cmd.Flags(), "text")
	cmd.Flags().StringVar(&opts.baseline, "baseline", "", "compare with a saved run (run -o json) and report every case whose verdict, reason or preflight changed; exit 1 on a change")
	cmd.Flags().StringVar(&opts.shard, "shard", "", "run only shard `i/n` of the cases of all suites, sorted by suite and case name and dealt round robin, for n CI jobs; join the results with corsproof merge")
	cmd.Flags().StringArrayVar(&opts.cases, "case", nil, "run only the cases named `NAME` (repeatable): a case name, SUITE/NAME, or a glob such as 'login*'")
	cmd.Flags().BoolVar(&opts.allowChanges, "allow-changes", false, "with --baseline: report changes but do not fail on them")
	opts.paths.add(cmd.Flags())
	cmd.Flags().IntVar(&opts.maxCases, "max-cases", scenarios.DefaultLimits.Cases, "refuse a suite with more cases than this")
	cmd.Flags().IntVar(&opts.maxFileMiB, "max-file-size", int(scenarios.DefaultLimits.FileBytes>>20), "refuse a suite file larger than this many `MiB`")
	return cmd
}

// runRun loads the suites, selects the shard and runs them.
func runRun(ctx context.Context, opts *runOptions) error {
	if opts.maxCases < 0 || opts.maxFileMiB < 0 {
		return usagef("for example --max-cases 100000 --max-file-size 64", "--max-cases and --max-file-size must be at least 1")
	}
	lim := scenarios.Limits{Cases: opts.maxCases, FileBytes: input.MiB(opts.maxFileMiB)}
	suites, err := interruptible(ctx, "loading suites", func() ([]*scenarios.Suite, error) {
		return loadSuites(ctx, opts.files, lim)
	})
	if err != nil {
		return err
	}
	all := suites
	if suites, err = scenarios.Select(suites, opts.cases); err != nil {
		return err
	}
	var sh scenarios.Shard
	if opts.shard != "" {
		if sh, err = scenarios.ParseShard(opts.shard); err != nil {
			return &usageError{err: fmt.Errorf("--shard: %w", err), hint: "run job i of n with --shard i/n"}
		}
		// A repeated case is refused with a hint of its own (exit 2).
		if suites, err = sh.Split(suites); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	return runSuites(ctx, opts.f, suites, suiteRun{browser: &opts.browser, out: &opts.out, repeat: &opts.repeat,
		shard: sh.String(), all: all, selected: len(opts.cases) > 0, baseline: opts.baseline, allowChanges: opts.allowChanges,
		paths: &opts.paths})
}

// loadSuites loads every suite file and reports the problems of all of
// them at once.
func loadSuites(ctx context.Context, paths []string, lim scenarios.Limits) ([]*scenarios.Suite, error) {
	var suites []*scenarios.Suite
	var errs []error
	for _, path := range paths {
		s, err := scenarios.LoadContext(ctx, path, os.Stdin, lim)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		suites = append(suites, s)
	}
	return suites, errors.Join(errs...)
}

// suiteRun is how `run` and `demo` run suites and report them.
type suiteRun struct {
	browser *browserFlags
	out     *outputFlags
	shard   string
	// all are the suites as loaded, before --case and --shard took their
	// part: a baseline is compared with the cases that run only. selected
	// is true when --case chose cases.
	all          []*scenarios.Suite
	selected     bool
	baseline     string
	allowChanges bool
	// repeat is nil for demo, which has no --repeat.
	repeat *repeatFlags
	// paths are run's network-path flags; nil for demo.
	paths *pathFlags
}

// runSuites runs the suites and writes every report asked for, JSON Lines
// as each case finishes (so a killed run keeps them). It returns
// errExpectations when any expectation failed or the baseline changed.
func runSuites(ctx context.Context, f *factory, suites []*scenarios.Suite, sr suiteRun) error {
	cfg, err := sr.browser.config(f.browser)
	if err != nil {
		return err
	}
	cfg.Shard = sr.shard
	if sr.paths != nil {
		if err := sr.paths.apply(&cfg); err != nil {
			return err
		}
	}
	if sr.repeat != nil {
		if err := sr.repeat.apply(&cfg); err != nil {
			return err
		}
	}
	var baseline *result.Run
	notCompared := 0
	if sr.baseline != "" {
		if baseline, err = loadBaseline(sr.baseline); err != nil {
			return err
		}
		if sr.all != nil {
			baseline, notCompared = compare.ForCases(baseline, sr.all, suites)
		}
	}
	out, err := sr.out.open(f.stdout)
	if err != nil {
		return err
	}
	defer out.Close()
	n, err := runner.CaseCount(cfg, suites)
	if err != nil {
		return err
	}
	progress := sr.out.progress(f.stderr, n)
	run, err := runner.Run(ctx, cfg, suites, runner.Hooks{
		Begin:  out.Begin,
		Notice: noticeTo(f.stderr),
		Record: func(rec *result.Record) {
			progress.Add(rec)
			out.Record(rec)
		},
	})
	progress.Finish()
	if run == nil {
		return err
	}
	if baseline != nil && err == nil {
		// In the run's JSON for scripts, as well as on stderr below.
		run.Baseline = compare.Baseline(sr.baseline, baseline, run, notCompared, sr.allowChanges)
	}
	if werr := out.Finish(run); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if run.Totals.ModelDisagrees > 0 && !sr.out.quiet {
		fmt.Fprintf(f.stderr, "corsproof: the CORS model disagrees with the browser on %d case(s): a model bug or a browser deviation worth reporting (see diagnosis.summary)\n", run.Totals.ModelDisagrees)
	}
	failed := run.Totals.ExpectFail > 0
	if sr.baseline != "" {
		if notCompared > 0 {
			why := "belong to other shards of --shard " + sr.shard + " and are compared there"
			if sr.selected {
				why = "were left out by --case"
				if sr.shard != "" {
					why = "were left out by --case or belong to other shards of --shard " + sr.shard
				}
			}
			fmt.Fprintf(f.stderr, "corsproof: baseline %s: %d of its cases %s\n", reports.SanitizeTerminal(sr.baseline), notCompared, why)
		}
		if err := checkBaseline(run, baseline, sr.baseline, sr.allowChanges, f.stderr); err != nil {
			if !errors.Is(err, errExpectations) {
				return err
			}
			failed = true
		}
	}
	if failed {
		return errExpectations
	}
	return nil
}
