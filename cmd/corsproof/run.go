package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

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
	allowChanges bool
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
error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runF(cmd.Context(), opts)
		},
	}
	opts.browser.add(cmd.Flags())
	opts.out.add(cmd.Flags(), "text")
	cmd.Flags().StringVar(&opts.baseline, "baseline", "", "compare with a saved run (run -o json) and report every case whose verdict, reason or preflight changed; exit 1 on a change")
	cmd.Flags().StringVar(&opts.shard, "shard", "", "run only shard `i/n`: a stable split by suite file and case name, for n CI jobs; join the results with corsproof merge")
	cmd.Flags().BoolVar(&opts.allowChanges, "allow-changes", false, "with --baseline: report changes but do not fail on them")
	return cmd
}

// runRun loads the suites, selects the shard and runs them.
func runRun(ctx context.Context, opts *runOptions) error {
	suites, err := loadSuites(opts.files)
	if err != nil {
		return err
	}
	if opts.shard != "" {
		sh, err := scenarios.ParseShard(opts.shard)
		if err != nil {
			return &usageError{err: fmt.Errorf("--shard: %w", err), hint: "run job i of n with --shard i/n"}
		}
		for i, s := range suites {
			suites[i] = sh.Select(s)
		}
	}
	return runSuites(ctx, opts.f, suites, suiteRun{browser: &opts.browser, out: &opts.out,
		shard: opts.shard, baseline: opts.baseline, allowChanges: opts.allowChanges})
}

// loadSuites loads every suite file and reports the problems of all of
// them at once.
func loadSuites(paths []string) ([]*scenarios.Suite, error) {
	var suites []*scenarios.Suite
	var errs []error
	for _, path := range paths {
		s, err := scenarios.Load(path)
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
	browser      *browserFlags
	out          *outputFlags
	shard        string
	baseline     string
	allowChanges bool
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
	targets, err := sr.out.targets()
	if err != nil {
		return err
	}
	ropts := sr.out.reportOptions(f.stdout)
	var lines []*lineStream
	defer func() {
		for _, l := range lines {
			l.close()
		}
	}()
	for _, t := range targets {
		if t.format == "jsonl" {
			file, err := os.Create(t.path)
			if err != nil {
				return fmt.Errorf("opening report: %w", err)
			}
			lines = append(lines, &lineStream{w: file, c: file, r: reports.NewJSONLines(ropts)})
		}
	}
	if sr.out.output == "jsonl" {
		lines = append(lines, &lineStream{w: f.stdout, r: reports.NewJSONLines(ropts)})
	}
	n := 0
	for _, s := range suites {
		n += len(s.Cases)
	}
	progress := sr.out.progress(f.stderr, n)
	run, err := runner.Run(ctx, cfg, suites, runner.Hooks{
		Begin: func(run *result.Run) {
			for _, l := range lines {
				l.do(func() error { return l.r.Begin(l.w, run) })
			}
		},
		Record: func(rec *result.Record) {
			progress.Add(rec)
			for _, l := range lines {
				l.do(func() error { return l.r.Record(l.w, rec) })
			}
		},
	})
	progress.Finish()
	if run == nil {
		return err
	}
	for _, l := range lines {
		l.do(func() error { return l.r.End(l.w, run) })
		if l.err != nil {
			return fmt.Errorf("writing json lines: %w", l.err)
		}
	}
	if werr := writeReports(run, sr.out, targets, ropts, f.stdout); werr != nil {
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
		if err := checkBaseline(run, sr.baseline, sr.allowChanges, f.stderr); err != nil {
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

// lineStream is one JSON Lines destination; it keeps the first error.
type lineStream struct {
	w   io.Writer
	c   io.Closer
	r   *reports.JSONLines
	err error
}

func (l *lineStream) do(write func() error) {
	if l.err == nil {
		l.err = write()
	}
}

func (l *lineStream) close() {
	if l.c != nil {
		l.c.Close()
	}
}

// writeReports writes the finished run to stdout and to every --report file
// but the streamed JSON Lines ones. stdout comes first, and one report that
// fails does not keep the others from being written.
func writeReports(run *result.Run, of *outputFlags, targets []reportTarget, ropts reports.Options, stdout io.Writer) error {
	var errs []error
	if of.output != "jsonl" {
		r, err := reports.New(of.output, ropts)
		if err != nil {
			return err
		}
		errs = append(errs, r.Report(stdout, run))
	}
	for _, t := range targets {
		if t.format == "jsonl" {
			continue
		}
		r, err := reports.New(t.format, reports.Options{ShowSecrets: of.showSecrets})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, writeFile(t.path, func(w io.Writer) error { return r.Report(w, run) }))
	}
	return errors.Join(errs...)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
