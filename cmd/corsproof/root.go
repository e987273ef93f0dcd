package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/runner"
)

// ExitCode is what the process exits with.
type ExitCode int

// Exit codes: expectations met, expectations failed, usage or
// configuration error, and a run that could not run every case (its
// browser died and could not be replaced; the reports hold a not-run
// record for each case left).
const (
	ExitOK         ExitCode = 0
	ExitFailed     ExitCode = 1
	ExitUsage      ExitCode = 2
	ExitIncomplete ExitCode = 3
)

// errExpectations signals that the run finished but an expectation failed;
// it carries no message because the report already says which.
var errExpectations = errors.New("expectations failed")

// usageError marks errors in what the user asked for (flags, files).
type usageError struct {
	err  error
	hint string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
func (e *usageError) Hint() string  { return e.hint }

// hinter is an error that says what to do about it: a usage error, a
// browser option the library refused.
type hinter interface{ Hint() string }

func usagef(hint, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), hint: hint}
}

// Main runs the CLI with args and returns the exit code. Only Main prints
// errors; commands return them.
func Main(args []string, stdout, stderr io.Writer) ExitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C the run winds down and cleans up; a second
	// one gets Go's default handling and ends the process at once.
	context.AfterFunc(ctx, stop)
	root := newRootCmd(&factory{stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errExpectations) {
		printError(stderr, err)
	}
	return exitCode(ctx, err)
}

// exitCode maps a command's error to the process exit code.
func exitCode(ctx context.Context, err error) ExitCode {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errExpectations) {
		return ExitFailed
	}
	if ie := (*runner.IncompleteError)(nil); errors.As(err, &ie) {
		return ExitIncomplete
	}
	var h hinter
	switch {
	case errors.As(err, &h), isCobraUsage(err), len(fileerr.Problems(err)) > 0:
		return ExitUsage
	case ctx.Err() != nil:
		// Interrupted: the browser and its profile are gone by now.
		return ExitFailed
	default:
		// Everything else is configuration the user can fix: an
		// unreachable browser, an unwritable report path.
		return ExitUsage
	}
}

// isCobraUsage reports errors cobra raises for bad flags and arguments.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func printError(w io.Writer, err error) {
	if probs := fileerr.Problems(err); len(probs) > 0 {
		// Each problem names its file and place; the hint gets a line of
		// its own so the error line stays one FILE:LINE:COL: message.
		for _, p := range probs {
			fmt.Fprintf(w, "corsproof: error: %s\n", p.Summary())
			if h := p.HintText(); h != "" {
				fmt.Fprintf(w, "corsproof: hint: %s\n", h)
			}
		}
	} else if head, names, ok := suggestions(err.Error()); ok {
		// cobra's "Did you mean this?" list, as one error and a hint.
		fmt.Fprintf(w, "corsproof: error: %s\n", head)
		fmt.Fprintf(w, "corsproof: hint: did you mean %s?\n", strings.Join(names, " or "))
		return
	} else {
		for _, line := range strings.Split(err.Error(), "\n") {
			if strings.TrimSpace(line) != "" {
				fmt.Fprintf(w, "corsproof: error: %s\n", line)
			}
		}
	}
	var h hinter
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(w, "corsproof: hint: %s\n", h.Hint())
	}
}

// suggestions splits cobra's unknown-command error into its first line
// and the commands it suggests.
func suggestions(msg string) (head string, names []string, ok bool) {
	head, rest, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return "", nil, false
	}
	for _, line := range strings.Split(rest, "\n") {
		if n := strings.TrimSpace(line); n != "" {
			names = append(names, n)
		}
	}
	return head, names, len(names) > 0
}

// factory is what every command takes from the process: where its output
// goes and, in tests, a browser to share instead of launching one per run.
type factory struct {
	stdout, stderr io.Writer
	browser        *harness.Browser
}

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "corsproof",
		Short: "What does a real browser do with this cross-origin request, and why?",
		Long: `corsproof serves test pages from any origin you name, drives real headless
Chromium to make the fetch or XHR call, and records the browser's own verdict
(allowed or blocked, with Chromium's CORS error) next to the raw headers of
the preflight and the actual request, then says what to change on the server.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(f.stdout)
	root.SetErr(f.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		hint := "see `" + c.CommandPath() + " --help`"
		if strings.Contains(err.Error(), "missing unit in duration") {
			hint = "a duration has a unit: for example 5s, 1500ms or 2m"
		}
		return &usageError{err: err, hint: hint}
	})
	root.AddCommand(
		newProbeCmd(f, nil),
		newRunCmd(f, nil),
		newDemoCmd(f, nil),
		newServeCmd(f, nil),
		newProxyCmd(f, nil),
		newExplainCmd(f, nil),
		newMatrixCmd(f, nil),
		newImportCmd(f, nil),
		newReplayCmd(f, nil),
		newGenerateCmd(f, nil),
		newVerifyCmd(f, nil),
		newMergeCmd(f, nil),
		newAuditCmd(f, nil),
		newSchemaCmd(f, nil),
		newUICmd(f, nil),
	)
	return root
}

// noticeTo prints what a run has to say as it happens (the browser died,
// was relaunched) on w, the command's stderr.
func noticeTo(w io.Writer) func(string) {
	return func(msg string) {
		for _, line := range strings.Split(msg, "\n") {
			fmt.Fprintf(w, "corsproof: warning: %s\n", line)
		}
	}
}
