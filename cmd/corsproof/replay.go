package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/reports"
)

// replayOptions are the flags and argument of `corsproof replay`.
type replayOptions struct {
	f       *factory
	file    string
	stdin   io.Reader
	imp     importOptions
	browser browserFlags
	out     outputFlags
}

func newReplayCmd(f *factory, runF func(context.Context, *replayOptions) error) *cobra.Command {
	opts := &replayOptions{f: f}
	if runF == nil {
		runF = runReplay
	}
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
			opts.file, opts.stdin = args[0], cmd.InOrStdin()
			return runF(cmd.Context(), opts)
		},
	}
	opts.imp.addCommon(cmd)
	opts.browser.add(cmd.Flags())
	opts.browser.addTryFix(cmd.Flags())
	opts.out.add(cmd.Flags(), "text")
	return cmd
}

// runReplay imports the HAR, runs its requests and writes the outcome: on
// stdout the per-request reproduction summary (or the run in the -o
// format), and every --report file. It returns errExpectations when a
// request did not reproduce what the user saw.
func runReplay(ctx context.Context, opts *replayOptions) error {
	suite, err := importFile(ctx, opts.stdin, "har", opts.file, &opts.imp, opts.f.stderr)
	if err != nil {
		return err
	}
	cfg, err := opts.browser.config(opts.f.browser)
	if err != nil {
		return err
	}
	targets, err := opts.out.targets()
	if err != nil {
		return err
	}
	command := replayCommand(opts.file, &opts.imp)
	run, err := runSuite(ctx, opts.f, cfg, suite, opts.out.quiet || opts.out.output != "text")
	if run == nil {
		return err
	}
	ropts := opts.out.reportOptions(opts.f.stdout)
	// A Markdown file is the repro for a bug tracker; the other formats
	// are the run's reports.
	fopts := reports.Options{ShowSecrets: opts.out.showSecrets}
	var others []reports.Target
	for _, t := range targets {
		if t.Format != "markdown" {
			others = append(others, t)
		} else if err := reports.WriteFile(t.Path, func(w io.Writer) error { return reports.ReplayMarkdown(w, run, command, fopts) }); err != nil {
			return err
		}
	}
	if err := reports.WriteTargets(run, others, fopts); err != nil {
		return err
	}
	if err := reports.WriteReplay(opts.f.stdout, opts.out.output, run, command, ropts); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("interrupted after %d of %d requests", len(run.Records), len(suite.Cases))
	}
	if run.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
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
