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
	cmd := &cobra.Command{
		Use:   "run SUITE.yaml...",
		Short: "Run every case of one or more suites in a real browser",
		Long: `Run every case of the suites in headless Chromium, each in a fresh browser
context, and report the verdicts. Exits 0 when every expectation holds, 1 when
any fails, 2 on a usage or configuration error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var suites []*scenarios.Suite
			var errs []error
			for _, path := range args {
				s, err := scenarios.Load(path)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				suites = append(suites, s)
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			return runSuites(cmd.Context(), suites, &bf, &of, stdout, stderr)
		},
	}
	bf.add(cmd.Flags())
	of.add(cmd.Flags(), "text")
	return cmd
}

// runSuites runs the suites on one browser and writes every report asked
// for. It returns errExpectations when any expectation failed.
func runSuites(ctx context.Context, suites []*scenarios.Suite, bf *browserFlags, of *outputFlags, stdout, stderr io.Writer) error {
	if _, err := bf.options(); err != nil {
		return err
	}
	targets, err := of.targets()
	if err != nil {
		return err
	}
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

	b, opts, err := bf.launch(ctx)
	if err != nil {
		return err
	}
	defer b.Close()

	run := &result.Run{
		Tool:              "corsproof",
		Suites:            names,
		Browser:           b.Version(),
		BrowserPath:       b.Path(),
		Driver:            b.Driver(),
		ThirdPartyCookies: string(opts.ThirdPartyCookies),
		LNA:               string(opts.LNA),
		Isolation:         bf.isolation,
		Started:           time.Now().UTC(),
	}
	ropts := of.reportOptions(stdout)

	// JSON Lines go out as each case finishes, so a killed run keeps them.
	var streams []*stream
	for _, t := range targets {
		if t.format != "jsonl" {
			continue
		}
		st, err := openStream(t.path, ropts, run)
		if err != nil {
			return err
		}
		defer st.close()
		streams = append(streams, st)
	}
	if of.output == "jsonl" {
		st := &stream{w: stdout, r: reports.NewJSONLines(ropts)}
		if err := st.r.Begin(stdout, run); err != nil {
			return err
		}
		streams = append(streams, st)
	}

	progress := reports.NewProgress(stderr, len(cases), reports.Options{Quiet: of.quiet || of.output != "text"})
	start := time.Now()
	var streamErr error
	run.Records = b.RunCasesIsolated(ctx, cases, bf.jobs, harness.Isolation(bf.isolation), func(i int, rec *result.Record) {
		if s := suiteOf[i]; s != nil {
			rec.Suite, rec.File = s.Name, s.File
		}
		progress.Add(rec)
		for _, st := range streams {
			if err := st.r.Record(st.w, rec); err != nil && streamErr == nil {
				streamErr = err
			}
		}
	})
	progress.Finish()
	run.DurationMS = time.Since(start).Milliseconds()
	run.Tally()
	if streamErr != nil {
		return fmt.Errorf("writing json lines: %w", streamErr)
	}
	for _, st := range streams {
		if err := st.r.End(st.w, run); err != nil {
			return fmt.Errorf("writing json lines: %w", err)
		}
	}
	if err := writeReports(run, of, targets, ropts, stdout); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d cases", len(run.Records), len(cases))
	}
	if run.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
}

type stream struct {
	w io.Writer
	f *os.File
	r *reports.JSONLines
}

func openStream(path string, opts reports.Options, run *result.Run) (*stream, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("opening report: %w", err)
	}
	st := &stream{w: f, f: f, r: reports.NewJSONLines(opts)}
	if err := st.r.Begin(f, run); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return st, nil
}

func (s *stream) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// writeReports writes the finished run to stdout and to every --report file
// but the streamed JSON Lines ones.
func writeReports(run *result.Run, of *outputFlags, targets []reportTarget, ropts reports.Options, stdout io.Writer) error {
	for _, t := range targets {
		if t.format == "jsonl" {
			continue
		}
		r, err := reports.New(t.format, reports.Options{ShowSecrets: of.showSecrets})
		if err != nil {
			return err
		}
		if err := writeFile(t.path, func(w io.Writer) error { return r.Report(w, run) }); err != nil {
			return err
		}
	}
	if of.output == "jsonl" {
		return nil
	}
	r, err := reports.New(of.output, ropts)
	if err != nil {
		return err
	}
	return r.Report(stdout, run)
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
