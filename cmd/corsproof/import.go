package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/internal/input"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/scenarios"
)

// importOptions are the flags of `import` and the import half of `replay`.
type importOptions struct {
	origin     string
	name       string
	onlyFailed bool
	withValues bool
	maxFileMiB int
	maxEntries int
}

func (o *importOptions) addCommon(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.origin, "origin", "", "page origin of every case, instead of the one each request's Origin or Referer header gives")
	f.BoolVar(&o.onlyFailed, "only-failed", false, "HAR: keep only the requests that failed in the user's browser")
	f.BoolVar(&o.withValues, "with-credentials-values", false, "keep the values of Authorization, cookies and token-like headers instead of placeholders")
	f.IntVar(&o.maxFileMiB, "max-file-size", int(scenarios.DefaultLimits.HARBytes>>20), "read at most this many `MiB` of input")
	f.IntVar(&o.maxEntries, "max-har-entries", scenarios.DefaultLimits.HAREntries, "HAR: refuse a HAR with more entries than this")
}

// importCmdOptions are the flags and arguments of `corsproof import`.
type importCmdOptions struct {
	f          *factory
	kind, file string
	stdin      io.Reader
	out        string
	imp        importOptions
}

func newImportCmd(f *factory, runF func(context.Context, *importCmdOptions) error) *cobra.Command {
	opts := &importCmdOptions{f: f}
	if runF == nil {
		runF = runImport
	}
	cmd := &cobra.Command{
		Use:   "import har|curl|fetch FILE|-",
		Short: "Turn a HAR export, a \"Copy as cURL\" or a \"Copy as fetch\" into a suite",
		Long: `Turn what a user sent into a suite file (version 1) that corsproof run replays
in a real browser from the same page origin. For a HAR, only the cross-origin
fetch and XHR requests become cases; preflights are matched to their request,
and each case expects what the user's browser did. The values of cookies,
Authorization and token-like headers are replaced by placeholders unless
--with-credentials-values; header names and the credentials mode are kept,
which is what CORS looks at. What was skipped, and why, goes to stderr.`,
		Example: `  corsproof import har user.har -o repro.yaml
  pbpaste | corsproof import curl - -o repro.yaml`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.kind, opts.file, opts.stdin = args[0], args[1], cmd.InOrStdin()
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.out, "output", "o", "", "write the suite to this file (default: stdout)")
	cmd.Flags().StringVar(&opts.imp.name, "name", "", "the suite's name (default: imported from FILE)")
	opts.imp.addCommon(cmd)
	return cmd
}

// runImport writes the suite the input makes.
func runImport(ctx context.Context, opts *importCmdOptions) error {
	if err := checkSuiteFile(opts.out); err != nil {
		return err
	}
	stdout, stderr := opts.f.stdout, opts.f.stderr
	s, err := importFile(ctx, opts.stdin, opts.kind, opts.file, &opts.imp, stderr)
	if err != nil {
		return err
	}
	data, err := s.Marshal()
	if err != nil {
		return fmt.Errorf("writing suite: %w", err)
	}
	flags := scenarios.RunLimitFlags(len(s.Cases), data)
	if opts.out == "" || opts.out == "-" {
		if flags != "" {
			fmt.Fprintf(stderr, "corsproof: the suite has %d cases in %d MiB, more than run reads by default: run it with %s\n", len(s.Cases), len(data)>>20, flags)
		}
		_, err = stdout.Write(data)
		return err
	}
	if err := os.WriteFile(opts.out, data, 0o644); err != nil {
		return fmt.Errorf("writing suite: %w", err)
	}
	if flags != "" {
		flags = " " + flags
	}
	fmt.Fprintf(stderr, "corsproof: wrote %d %s to %s; run them with: corsproof run %s%s\n",
		len(s.Cases), pluralOf(len(s.Cases), "case", "cases"), opts.out, reports.ShellQuote(opts.out), flags)
	return nil
}

// importFile reads and imports one file of the given kind and reports what
// the import skipped on stderr.
func importFile(ctx context.Context, stdin io.Reader, kind, path string, opts *importOptions, stderr io.Writer) (*scenarios.Suite, error) {
	if opts.maxFileMiB < 0 || opts.maxEntries < 0 {
		return nil, usagef("for example --max-file-size 1024 --max-har-entries 200000", "--max-file-size and --max-har-entries must be at least 1")
	}
	s, rep, err := scenarios.ImportFile(ctx, kind, path, stdin, input.MiB(opts.maxFileMiB), scenarios.HAROptions{Name: opts.name, Origin: opts.origin,
		OnlyFailed: opts.onlyFailed, WithCredentialsValues: opts.withValues, MaxEntries: opts.maxEntries})
	if rep != nil {
		reports.ImportSummary(stderr, rep)
	}
	return s, err
}
