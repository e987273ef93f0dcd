package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// matrixOptions are the flags of `corsproof matrix` beyond the shared
// browser settings.
type matrixOptions struct {
	f           *factory
	files       []string
	demo        bool
	browser     browserFlags
	browsers    []string
	output      string
	reports     []string
	quiet       bool
	showSecrets bool
}

// matrixBrowser is one --browser LABEL=PATH, and the engine its binary
// is (harness.EngineOf).
type matrixBrowser struct {
	label, path, engine string
}

func newMatrixCmd(f *factory, runF func(context.Context, *matrixOptions) error) *cobra.Command {
	mo := &matrixOptions{f: f}
	if runF == nil {
		runF = runMatrix
	}
	cmd := &cobra.Command{
		Use:   "matrix SUITE.yaml... --browser LABEL=PATH --browser LABEL=PATH...",
		Short: "Run suites on several browsers and show which verdicts differ",
		Long: `Run every case of the suites once per browser, each browser in turn, and
print a case × browser table with the cases whose verdict, CorsError, failed
parameter, preflight or status differ first, followed by both browsers'
reasons side by side. Differences are information, not failures: the exit
code is 0 unless the command line or a browser is wrong (2).`,
		Example: `  corsproof matrix --demo --browser chromium=/usr/lib/chromium/chromium --browser firefox=/usr/bin/firefox-esr
  corsproof matrix --demo --browser c150=browsers/chromium-150/usr/lib/chromium/chromium \
      --browser c156=/usr/lib/chromium/chromium --browser shell=/usr/lib/chromium/chromium-headless-shell
  corsproof matrix suites/api.yaml \
      --browser chromium-150=browsers/150/usr/lib/chromium/chromium \
      --browser chromium-156=/usr/lib/chromium/chromium \
      --report markdown=matrix.md --report html=matrix.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if mo.demo && len(args) > 0 {
				return usagef("drop the suite files, or --demo", "--demo runs the built-in suite; suite files were given too")
			}
			if !mo.demo && len(args) == 0 {
				return usagef("name suite files, or use --demo for the built-in suite", "matrix needs at least one suite")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			mo.files = args
			return runF(cmd.Context(), mo)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&mo.demo, "demo", false, "run the built-in demo suite against the built-in target (started on loopback)")
	fs.StringArrayVar(&mo.browsers, "browser", nil, "LABEL=PATH of a browser binary to run the suites on (repeatable, at least one): Chromium, or Firefox (a binary named firefox*, driven over WebDriver BiDi)")
	// The shared browser settings, but for --browser (here LABEL=PATH,
	// repeatable) and --browser-url (a matrix launches each binary).
	shared := pflag.NewFlagSet("browser", pflag.ContinueOnError)
	mo.browser.add(shared)
	shared.VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "browser" && fl.Name != "browser-url" && fl.Name != "engine" {
			fs.AddFlag(fl)
		}
	})
	fs.StringVarP(&mo.output, "output", "o", "text", "format on stdout: "+strings.Join(compare.Formats(), ", "))
	fs.StringArrayVar(&mo.reports, "report", nil, "also write FORMAT=PATH (repeatable), e.g. --report markdown=matrix.md --report html=matrix.html")
	fs.BoolVarP(&mo.quiet, "quiet", "q", false, "no progress on stderr")
	fs.BoolVar(&mo.showSecrets, "show-secrets", false, "show the values of credential headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization and token-like ones such as X-Api-Key)")
	_ = cmd.MarkFlagRequired("browser")
	return cmd
}

// runMatrix runs the suites on each browser in turn and renders the
// comparison.
func runMatrix(ctx context.Context, mo *matrixOptions) error {
	stdout, stderr := mo.f.stdout, mo.f.stderr
	browsers, err := mo.browserList()
	if err != nil {
		return err
	}
	targets, err := mo.targets()
	if err != nil {
		return err
	}
	// Check every browser and setting before loading anything, so a typo
	// fails in a second rather than after the first browser's run.
	var cols []runner.Column
	for _, b := range browsers {
		one := mo.browser
		one.path, one.engine = b.path, b.engine
		cfg, err := one.config(nil)
		if err != nil {
			return fmt.Errorf("--browser %s: %w", b.label, err)
		}
		cols = append(cols, runner.Column{Label: b.label, Config: cfg})
	}
	var suites []*scenarios.Suite
	if mo.demo {
		srv, s, err := testapi.StartDemo()
		if err != nil {
			return err
		}
		defer srv.Close()
		suites = append(suites, s)
	}
	loaded, err := interruptible(ctx, "loading suites", func() ([]*scenarios.Suite, error) {
		return loadSuites(ctx, mo.files, scenarios.Limits{})
	})
	if err != nil {
		return err
	}
	suites = append(suites, loaded...)
	n := 0
	for _, s := range suites {
		n += len(s.Cases)
	}
	quiet := mo.quiet || mo.output != "text"
	var progress *reports.Progress
	m, err := runner.Matrix(ctx, cols, suites, func(c runner.Column) runner.Hooks {
		progress.Finish()
		if !quiet {
			path, _ := harness.FindEngineBrowser(c.Config.Browser.Engine, c.Config.Browser.Path)
			fmt.Fprintf(stderr, "corsproof: running on %s (%s)\n", c.Label, path)
		}
		progress = reports.NewProgress(stderr, n, reports.Options{Quiet: quiet})
		return runner.Hooks{Record: progress.Add, Notice: noticeTo(stderr)}
	})
	progress.Finish()
	if err != nil {
		return err
	}
	ropts := compare.Options{ShowSecrets: mo.showSecrets}
	for _, t := range targets {
		if err := reports.WriteFile(t.Path, func(w io.Writer) error { return compare.Render(w, m, t.Format, ropts) }); err != nil {
			return err
		}
	}
	return compare.Render(stdout, m, mo.output, ropts)
}

// browserList parses the --browser flags.
func (mo *matrixOptions) browserList() ([]matrixBrowser, error) {
	var out []matrixBrowser
	seen := map[string]bool{}
	for _, v := range mo.browsers {
		label, path, ok := strings.Cut(v, "=")
		label, path = strings.TrimSpace(label), strings.TrimSpace(path)
		switch {
		case !ok || label == "" || path == "":
			return nil, usagef("write --browser LABEL=PATH, e.g. --browser chromium-156=/usr/lib/chromium/chromium", "--browser %q: not LABEL=PATH", v)
		case seen[label]:
			return nil, usagef("give each browser its own label", "--browser %q: the label %q is used twice", v, label)
		}
		seen[label] = true
		out = append(out, matrixBrowser{label: label, path: path, engine: harness.EngineOf(path)})
	}
	if len(out) == 0 {
		return nil, usagef("add --browser LABEL=PATH for each browser to compare", "matrix needs at least one --browser")
	}
	return out, nil
}

// targets validates -o and the --report flags against the matrix formats.
func (mo *matrixOptions) targets() ([]reports.Target, error) {
	if err := compare.CheckFormat(mo.output); err != nil {
		return nil, &usageError{err: fmt.Errorf("--output: %w", err)}
	}
	t, err := compare.ParseTargets(mo.reports)
	if err != nil {
		return nil, usagef("write FORMAT=PATH, e.g. --report markdown=matrix.md", "--report: %v", err)
	}
	return t, nil
}
