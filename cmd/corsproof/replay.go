package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func newReplayCmd(stdout, stderr io.Writer) *cobra.Command {
	var opts importOptions
	var bf browserFlags
	var of outputFlags
	cmd := &cobra.Command{
		Use:   "replay FILE.har|-",
		Short: "Replay the cross-origin requests of a user's HAR in a real browser and say whether the failure reproduces",
		Long: `Import the cross-origin fetch and XHR requests of a HAR (as corsproof import
har does), make each one again from the same page origin in headless Chromium,
and report per request whether the browser here does what the user's browser
did (same verdict, same CORS error), with the diagnosis and the fix.
--report markdown=repro.md writes a repro for a bug tracker, including the
command that reruns it. Exits 0 when every request reproduces, 1 when any
does not, 2 on a usage or configuration error.`,
		Example: `  corsproof replay user.har --only-failed --report markdown=repro.md
  corsproof replay user.har --origin https://app.example.test`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			suite, err := importFile(cmd, "har", args[0], &opts, stderr)
			if err != nil {
				return err
			}
			bopts, err := bf.options()
			if err != nil {
				return err
			}
			targets, err := of.targets()
			if err != nil {
				return err
			}
			bopts.Sinks = harness.CaseSinks(suite.Cases)
			b, err := harness.LaunchWith(cmd.Context(), harness.Drivers[bf.driver], bopts)
			if err != nil {
				return err
			}
			defer b.Close()
			rc := replayConfig{
				command: replayCommand(args[0], &opts), jobs: bf.jobs, of: &of,
				targets: targets, stdout: stdout, stderr: stderr,
			}
			return replay(cmd.Context(), b, suite, rc)
		},
	}
	opts.addCommon(cmd)
	bf.add(cmd.Flags())
	of.add(cmd.Flags(), "text")
	return cmd
}

// replayConfig is what replay needs besides the browser and the suite.
type replayConfig struct {
	// command reruns the replay; the Markdown repro shows it.
	command string
	jobs    int
	of      *outputFlags
	targets []reportTarget
	stdout  io.Writer
	stderr  io.Writer
}

// replayCommand is the command line that reruns a replay, quoted for a shell.
func replayCommand(file string, opts *importOptions) string {
	args := []string{"corsproof", "replay", file}
	if opts.origin != "" {
		args = append(args, "--origin", opts.origin)
	}
	if opts.onlyFailed {
		args = append(args, "--only-failed")
	}
	if opts.withValues {
		args = append(args, "--with-credentials-values")
	}
	for i, a := range args {
		args[i] = reports.ShellQuote(a)
	}
	return strings.Join(args, " ")
}

// replay runs the imported cases on b and writes the outcome: on stdout the
// per-request reproduction summary (or the run in the -o format), and every
// --report file. It returns errExpectations when a request did not
// reproduce what the user saw.
func replay(ctx context.Context, b *harness.Browser, s *scenarios.Suite, rc replayConfig) error {
	opts := b.Options()
	run := &result.Run{
		Tool: "corsproof", Suites: []string{s.Name}, Browser: b.Version(), BrowserPath: b.Path(), Driver: b.Driver(),
		ThirdPartyCookies: cookieSetting(b, opts), LNA: lnaSetting(opts), TimeoutMS: opts.Timeout.Milliseconds(), Started: time.Now().UTC(),
		Launch: b.LaunchSettings(),
	}
	ropts := rc.of.reportOptions(rc.stdout)
	progress := reports.NewProgress(rc.stderr, len(s.Cases), reports.Options{Quiet: rc.of.quiet || rc.of.output != "text"})
	start := time.Now()
	run.Records = b.RunCases(ctx, s.Cases, rc.jobs, func(_ int, rec *result.Record) {
		rec.Suite = s.Name
		progress.Add(rec)
	})
	progress.Finish()
	run.DurationMS = time.Since(start).Milliseconds()
	run.Tally()

	for _, t := range rc.targets {
		var write func(io.Writer) error
		if t.format == "markdown" {
			write = func(w io.Writer) error {
				return writeReplayMarkdown(w, run, rc.command, reports.Options{ShowSecrets: rc.of.showSecrets})
			}
		} else {
			r, err := reports.New(t.format, reports.Options{ShowSecrets: rc.of.showSecrets})
			if err != nil {
				return err
			}
			write = func(w io.Writer) error { return r.Report(w, run) }
		}
		if err := writeFile(t.path, write); err != nil {
			return err
		}
	}
	switch rc.of.output {
	case "text":
		writeReplaySummary(rc.stdout, run)
	case "markdown":
		if err := writeReplayMarkdown(rc.stdout, run, rc.command, ropts); err != nil {
			return err
		}
	default:
		r, err := reports.New(rc.of.output, ropts)
		if err != nil {
			return &usageError{err: err}
		}
		if err := r.Report(rc.stdout, run); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d requests", len(run.Records), len(s.Cases))
	}
	if run.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
}

// reproduction says whether a record shows what the user's browser did.
func reproduction(rec *result.Record) string {
	switch {
	case rec.Expect == nil:
		return "replayed"
	case rec.ExpectMet:
		return "reproduced"
	}
	return "not reproduced"
}

// outcome is a verdict with its CorsError, "blocked (MissingAllowOriginHeader)".
func outcome(v cors.Verdict, corsError string) string {
	if v == "" {
		return "unknown"
	}
	if corsError != "" {
		return string(v) + " (" + corsError + ")"
	}
	return string(v)
}

// replayLines renders the summary as plain lines; every value that came
// from the user's file or the network is sanitised by the caller's medium.
func replayLines(run *result.Run, clean func(string) string) []string {
	var lines []string
	reproduced := 0
	for i := range run.Records {
		rec := &run.Records[i]
		status := reproduction(rec)
		if status == "reproduced" {
			reproduced++
		}
		user := "unknown"
		if rec.Expect != nil {
			user = outcome(rec.Expect.Verdict, string(rec.Expect.CorsError))
		}
		lines = append(lines,
			fmt.Sprintf("%s: %s", status, clean(rec.Name)),
			fmt.Sprintf("  request:        %s %s from %s", clean(rec.Request.Method), clean(rec.Request.URL), clean(rec.Origin)),
			fmt.Sprintf("  user's browser: %s", clean(user)),
			fmt.Sprintf("  here:           %s", clean(outcome(rec.Verdict, string(rec.CorsError)))),
		)
		if d := rec.Diagnosis; d != nil {
			if d.Summary != "" {
				lines = append(lines, "  diagnosis:      "+clean(d.Summary))
			}
			if d.Fix != "" {
				lines = append(lines, "  fix:            "+clean(d.Fix))
			}
		}
		for _, m := range rec.Mismatches {
			lines = append(lines, "  differs:        "+clean(m))
		}
	}
	lines = append(lines, fmt.Sprintf("%d of %d %s reproduced what the user's browser did (%s)", reproduced, len(run.Records),
		pluralOf(len(run.Records), "request", "requests"), run.Browser))
	return lines
}

// writeReplaySummary writes the per-request summary for a terminal.
func writeReplaySummary(w io.Writer, run *result.Run) {
	for _, l := range replayLines(run, reports.SanitizeTerminal) {
		fmt.Fprintln(w, l)
	}
}

// writeReplayMarkdown writes the repro: the command to rerun the replay,
// the per-request summary, then the Markdown report of the run, whose
// cases each carry their own probe command and suite YAML.
func writeReplayMarkdown(w io.Writer, run *result.Run, command string, opts reports.Options) error {
	var b bytes.Buffer
	b.WriteString("# corsproof replay\n\n")
	b.WriteString("Rerun it:\n\n")
	b.WriteString(reports.Fenced("sh", command))
	b.WriteString("\nWhat the browser here did with each request of the user's HAR:\n\n")
	b.WriteString(reports.Fenced("text", strings.Join(replayLines(run, reports.SanitizeTerminal), "\n")))
	b.WriteString("\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing markdown repro: %w", err)
	}
	return reports.NewMarkdown(opts).Report(w, run)
}
