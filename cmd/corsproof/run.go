package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	var bf browserFlags
	var of outputFlags
	var baseline, shard string
	var allowChanges bool
	cmd := &cobra.Command{
		Use:   "run SUITE.yaml...",
		Short: "Run every case of one or more suites in a real browser",
		Long: `Run every case of the suites in headless Chromium, each with an empty
preflight cache, HTTP cache and cookie jar, and report the verdicts. Exits 0
when every expectation holds, 1 when any fails, 2 on a usage or configuration
error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			suites, err := loadSuites(args)
			if err != nil {
				return err
			}
			if shard != "" {
				sh, err := scenarios.ParseShard(shard)
				if err != nil {
					return &usageError{err: fmt.Errorf("--shard: %w", err), hint: "run job i of n with --shard i/n"}
				}
				for i, s := range suites {
					suites[i] = sh.Select(s)
				}
			}
			return runSuitesBaseline(cmd.Context(), suites, &bf, &of, baseline, allowChanges, stdout, stderr)
		},
	}
	bf.add(cmd.Flags())
	of.add(cmd.Flags(), "text")
	cmd.Flags().StringVar(&baseline, "baseline", "", "compare with a saved run (run -o json) and report every case whose verdict, reason or preflight changed; exit 1 on a change")
	cmd.Flags().StringVar(&shard, "shard", "", "run only shard `i/n`: a stable split by suite file and case name, for n CI jobs; join the results with corsproof merge")
	cmd.Flags().BoolVar(&allowChanges, "allow-changes", false, "with --baseline: report changes but do not fail on them")
	return cmd
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

// runSuites runs the suites on one browser and writes every report asked
// for. It returns errExpectations when any expectation failed.
func runSuites(ctx context.Context, suites []*scenarios.Suite, bf *browserFlags, of *outputFlags, stdout, stderr io.Writer) error {
	return runSuitesBaseline(ctx, suites, bf, of, "", false, stdout, stderr)
}

func runSuitesBaseline(ctx context.Context, suites []*scenarios.Suite, bf *browserFlags, of *outputFlags, baseline string, allowChanges bool, stdout, stderr io.Writer) error {
	if _, err := bf.options(); err != nil {
		return err
	}
	targets, err := of.targets()
	if err != nil {
		return err
	}
	ropts := of.reportOptions(stdout)

	// JSON Lines go out as each case finishes, so a killed run keeps them.
	var streams []*stream
	defer func() {
		for _, st := range streams {
			st.close()
		}
	}()
	for _, t := range targets {
		if t.format != "jsonl" {
			continue
		}
		st, err := openStream(t.path, ropts)
		if err != nil {
			return err
		}
		streams = append(streams, st)
	}
	if of.output == "jsonl" {
		streams = append(streams, &stream{w: stdout, r: reports.NewJSONLines(ropts)})
	}

	var streamErr error
	run, err := runOnBrowser(ctx, suites, bf, runHooks{
		progress: reports.NewProgress(stderr, countCases(suites), reports.Options{Quiet: of.quiet || of.output != "text"}),
		begin: func(run *result.Run) {
			for _, st := range streams {
				if err := st.r.Begin(st.w, run); err != nil && streamErr == nil {
					streamErr = err
				}
			}
		},
		record: func(rec *result.Record) {
			for _, st := range streams {
				if err := st.r.Record(st.w, rec); err != nil && streamErr == nil {
					streamErr = err
				}
			}
		},
	})
	if run == nil {
		return err
	}
	if streamErr != nil {
		return fmt.Errorf("writing json lines: %w", streamErr)
	}
	for _, st := range streams {
		if err := st.r.End(st.w, run); err != nil {
			return fmt.Errorf("writing json lines: %w", err)
		}
	}
	if werr := writeReports(run, of, targets, ropts, stdout); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if run.Totals.ModelDisagrees > 0 && !of.quiet {
		fmt.Fprintf(stderr, "corsproof: the CORS model disagrees with the browser on %d case(s): a model bug or a browser deviation worth reporting (see diagnosis.summary)\n", run.Totals.ModelDisagrees)
	}
	failed := run.Totals.ExpectFail > 0
	if baseline != "" {
		if err := checkBaseline(run, baseline, allowChanges, stderr); err != nil {
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

func countCases(suites []*scenarios.Suite) int {
	n := 0
	for _, s := range suites {
		n += len(s.Cases)
	}
	return n
}

// runHooks let a caller watch a run as it happens.
type runHooks struct {
	progress *reports.Progress
	begin    func(run *result.Run)
	record   func(rec *result.Record)
}

// runOnBrowser launches the browser the flags describe, runs every case of
// the suites on it and returns the finished run. An interrupted run is
// returned too, with the cases that finished, together with an error.
func runOnBrowser(ctx context.Context, suites []*scenarios.Suite, bf *browserFlags, hooks runHooks) (*result.Run, error) {
	var cases []scenarios.Case
	var names []string
	suiteOf := map[int]*scenarios.Suite{}
	for _, s := range suites {
		names = append(names, s.Name)
		for _, c := range s.Cases {
			suiteOf[len(cases)] = s
			cases = append(cases, c)
		}
	}
	b, opts, err := bf.launch(ctx, cases)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	run := &result.Run{
		Tool:              "corsproof",
		Suites:            names,
		Browser:           b.Version(),
		BrowserProduct:    b.Product(),
		BrowserPath:       b.Path(),
		Driver:            b.Driver(),
		ThirdPartyCookies: cookieSetting(b, opts),
		LNA:               lnaSetting(opts),
		TimeoutMS:         opts.Timeout.Milliseconds(),
		Isolation:         bf.isolation,
		Launch:            b.LaunchSettings(),
		Started:           time.Now().UTC(),
	}
	if hooks.begin != nil {
		hooks.begin(run)
	}
	start := time.Now()
	run.Records = b.RunCasesIsolated(ctx, cases, bf.jobs, harness.Isolation(bf.isolation), func(i int, rec *result.Record) {
		if s := suiteOf[i]; s != nil {
			rec.Suite, rec.File = s.Name, s.File
		}
		hooks.progress.Add(rec)
		if hooks.record != nil {
			hooks.record(rec)
		}
	})
	hooks.progress.Finish()
	run.DurationMS = time.Since(start).Milliseconds()
	run.Tally()
	if ctx.Err() != nil {
		return run, fmt.Errorf("interrupted after %d of %d cases", len(run.Records), len(cases))
	}
	return run, nil
}

type stream struct {
	w io.Writer
	f *os.File
	r *reports.JSONLines
}

func openStream(path string, opts reports.Options) (*stream, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("opening report: %w", err)
	}
	return &stream{w: f, f: f, r: reports.NewJSONLines(opts)}, nil
}

func (s *stream) close() {
	if s.f != nil {
		s.f.Close()
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
