package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/contract"
)

// generateOptions are the flags of `corsproof generate`.
type generateOptions struct {
	f                   *factory
	policy, target, out string
}

func newGenerateCmd(f *factory, runF func(context.Context, *generateOptions) error) *cobra.Command {
	opts := &generateOptions{f: f}
	if runF == nil {
		runF = runGenerate
	}
	cmd := &cobra.Command{
		Use:   "generate --policy POLICY.yaml --target URL",
		Short: "Write the conformance suite a CORS policy implies, for `corsproof run`",
		Long: `Turn a CORS policy (the file ` + "`corsproof serve --policy`" + ` reads) into a suite:
positive cases from every allowed origin, method, request header and exposed
header, with credentials where allowed, and negative cases from what the policy
does not allow: look-alike origins (https://example.com.evil.test,
https://evilexample.com), other schemes and ports, null, IP origins, other
methods and headers, credentials. Each case says in why: which rule it checks.
The same policy always gives the same suite, byte for byte.`,
		Example: `  corsproof generate --policy examples/policy.yaml --target http://127.0.0.1:8080 -o contract.yaml
  corsproof run contract.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.policy, "policy", "", "the policy file (required)")
	fs.StringVar(&opts.target, "target", "", "the API's base URL; route paths are appended to it (required)")
	fs.StringVarP(&opts.out, "out", "o", "", "write the suite to FILE instead of stdout")
	_ = cmd.MarkFlagRequired("policy")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

// runGenerate writes the policy's conformance suite.
func runGenerate(ctx context.Context, opts *generateOptions) error {
	if err := checkSuiteFile(opts.out); err != nil {
		return err
	}
	c, err := loadContract(ctx, opts.policy, opts.target, opts.f.stderr)
	if err != nil {
		return err
	}
	return writeSuite(opts.f, c.Suite, opts.out, true)
}

// loadContract reads the policy, prints its lint warnings and the
// generator's notes on stderr, and builds the contract.
func loadContract(ctx context.Context, policyPath, targetURL string, stderr io.Writer) (*contract.Contract, error) {
	c, lint, err := contract.Load(ctx, policyPath, targetURL)
	if te := (*contract.TargetError)(nil); errors.As(err, &te) {
		return nil, usagef(te.Hint(), "--target %q: %s", te.Raw, te.Reason)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range lint {
		// f says its own severity after its file:line:col.
		fmt.Fprintf(stderr, "corsproof: %s\n", f)
	}
	for _, n := range c.Notes {
		fmt.Fprintf(stderr, "corsproof: note: %s\n", n)
	}
	return c, nil
}
