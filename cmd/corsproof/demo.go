package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// demoOptions are the flags of `corsproof demo`.
type demoOptions struct {
	f       *factory
	browser browserFlags
	out     outputFlags
}

func newDemoCmd(f *factory, runF func(context.Context, *demoOptions) error) *cobra.Command {
	opts := &demoOptions{f: f}
	if runF == nil {
		runF = runDemo
	}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the built-in target API on loopback and run the built-in example suite against it",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	opts.browser.add(cmd.Flags())
	opts.browser.addTryFix(cmd.Flags())
	opts.out.add(cmd.Flags(), "text")
	return cmd
}

// runDemo starts the built-in target on loopback and runs the built-in
// suite against it.
func runDemo(ctx context.Context, opts *demoOptions) error {
	srv, suite, err := testapi.StartDemo()
	if err != nil {
		return err
	}
	defer srv.Close()
	if !opts.out.quiet && opts.out.output == "text" {
		fmt.Fprintf(opts.f.stderr, "corsproof: built-in target at %s; running %d demo cases\n", srv.URL, len(suite.Cases))
	}
	return runSuites(ctx, opts.f, []*scenarios.Suite{suite}, suiteRun{browser: &opts.browser, out: &opts.out})
}
