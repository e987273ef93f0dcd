package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/result"
)

func newMergeCmd(stdout, stderr io.Writer) *cobra.Command {
	var of outputFlags
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
			targets, err := of.targets()
			if err != nil {
				return err
			}
			var runs []*result.Run
			for _, path := range args {
				run, _, err := compare.Load(path)
				if err != nil {
					return &usageError{err: fmt.Errorf("%s: %w", path, err), hint: "merge reads what `corsproof run -o json` or `-o jsonl` writes"}
				}
				runs = append(runs, run)
			}
			merged, err := result.Merge(runs...)
			if err != nil {
				return err
			}
			if err := writeReports(merged, &of, targets, of.reportOptions(stdout), stdout); err != nil {
				return err
			}
			if merged.Totals.ExpectFail > 0 {
				return errExpectations
			}
			return nil
		},
	}
	of.add(cmd.Flags(), "text")
	return cmd
}
