package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
)

// mergeOptions are the flags and arguments of `corsproof merge`.
type mergeOptions struct {
	f     *factory
	files []string
	out   outputFlags
}

func newMergeCmd(f *factory, runF func(context.Context, *mergeOptions) error) *cobra.Command {
	opts := &mergeOptions{f: f}
	if runF == nil {
		runF = runMerge
	}
	cmd := &cobra.Command{
		Use:   "merge RESULT.json...",
		Short: "Join the results of several runs (shards on several CI jobs) into one run and report it",
		Long: `Join saved runs (run -o json or -o jsonl, one per shard) into one run, and
write it in any report format. Exits 1 when any expectation failed in any run,
3 when a run holds cases it did not run (the merged run is incomplete).`,
		Example: `  corsproof run suite.yaml --shard 1/2 -o json > r1.json   # on job 1
  corsproof run suite.yaml --shard 2/2 -o json > r2.json   # on job 2
  corsproof merge r1.json r2.json --report html=report.html --report junit=junit.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runF(cmd.Context(), opts)
		},
	}
	opts.out.add(cmd.Flags(), "text")
	return cmd
}

// runMerge joins the saved runs and writes the reports.
func runMerge(ctx context.Context, opts *mergeOptions) error {
	// Check -o and every --report before reading, but open them (which
	// empties the JSON Lines files) only once the inputs are read: a saved
	// run may be one of the reports, and a failed merge keeps them.
	if _, err := opts.out.targets(); err != nil {
		return err
	}
	var inputs []result.Input
	for _, path := range opts.files {
		run, err := interruptible(ctx, "reading "+path, func() (*result.Run, error) {
			run, _, err := result.Load(path)
			return run, err
		})
		if ctx.Err() != nil {
			return err
		}
		if err != nil {
			// result.Load names the file in every error it returns.
			return &usageError{err: err, hint: "merge reads what `corsproof run -o json` or `-o jsonl` writes"}
		}
		inputs = append(inputs, result.Input{Name: path, Run: run})
	}
	// A duplicate case or an incomplete set of shards is a mistake in the
	// command line, with a hint: it exits 2.
	merged, err := result.MergeInputs(inputs...)
	if err != nil {
		return err
	}
	out, err := opts.out.open(opts.f.stdout)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := out.Write(merged); err != nil {
		return err
	}
	// A shard whose browser died for good (or that was interrupted) holds
	// not-run records: the merged run is as incomplete as that shard was,
	// and says so as run does (exit 3), not as a failed expectation.
	if n := merged.Totals.ByVerdict[cors.VerdictNotRun]; n > 0 {
		return &runner.IncompleteError{NotRun: n, Cases: merged.Totals.Cases,
			Cause: errors.New("the merged runs did not run them (a browser that died for good, or an interrupted shard); run those shards again")}
	}
	if merged.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
}
