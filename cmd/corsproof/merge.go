package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/result"
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
write it in any report format. Exits 1 when any expectation failed in any run.`,
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
			return &usageError{err: fmt.Errorf("%s: %w", path, err), hint: "merge reads what `corsproof run -o json` or `-o jsonl` writes"}
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
	if merged.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
}
