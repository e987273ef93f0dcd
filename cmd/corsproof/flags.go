package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/runner"
)

// browserFlags are the flags of every command that drives a browser.
type browserFlags struct {
	path, url, lna, cookies, isolation, driver, debugCDP string
	timeout                                              time.Duration
	jobs                                                 int
	args                                                 []string
}

func (f *browserFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.path, "browser", "", "Chromium binary (default: $CORSPROOF_BROWSER, then chromium on PATH)")
	fs.StringVar(&f.url, "browser-url", "", "connect to a running browser's DevTools endpoint (ws://… or http://host:port) instead of launching one")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "how long one request may take before its verdict is timeout")
	fs.StringVar(&f.lna, "lna", string(harness.LNAOff), "Local Network Access checks: off (page and API on one network), grant (permission granted to the page), enforce (fresh profile, no permission)")
	fs.StringVar(&f.cookies, "third-party-cookies", string(harness.CookiesAllow), "allow (desktop Chromium's default) or block (a fresh headless profile's default)")
	fs.IntVarP(&f.jobs, "jobs", "j", harness.DefaultJobs(), "cases run at once, each in its own browser context")
	fs.StringArrayVar(&f.args, "browser-arg", nil, "extra Chromium switch NAME or NAME=VALUE, without dashes (repeatable); a disable-features list joins corsproof's own")
	fs.StringVar(&f.debugCDP, "debug-cdp", "", "write every CDP event of each case to DIR/NNNN-case.cdp.jsonl")
	fs.StringVar(&f.driver, "driver", "chromedp", "CDP client library: "+strings.Join(runner.DriverNames(), " or "))
	fs.StringVar(&f.isolation, "isolation", string(harness.IsolationClean), "clean: reuse a browser context after clearing its caches and cookies (verified); fresh: a new browser context per case")
}

// config is the runner configuration the flags describe, validated.
func (f *browserFlags) config(reuse *harness.Browser) (runner.Config, error) {
	cfg := runner.Config{
		Browser: harness.Options{Path: f.path, URL: f.url, Timeout: f.timeout, DebugDir: f.debugCDP,
			LNA: harness.LNAMode(f.lna), ThirdPartyCookies: harness.CookieMode(f.cookies)},
		Driver: f.driver, Jobs: f.jobs, Isolation: harness.Isolation(f.isolation), Reuse: reuse,
	}
	for _, a := range f.args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if cfg.Browser.ExtraFlags == nil {
			cfg.Browser.ExtraFlags = map[string]any{}
		}
		if !hasValue {
			cfg.Browser.ExtraFlags[name] = true
		} else {
			cfg.Browser.ExtraFlags[name] = value
		}
	}
	// Flags always carry a value: zero is a choice here, not "the default".
	if f.timeout <= 0 {
		return cfg, usagef("for example --timeout 5s", "--timeout must be positive, got %s", f.timeout)
	}
	if f.jobs < 1 {
		return cfg, usagef("for example -j 2", "--jobs must be at least 1, got %d", f.jobs)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if f.url == "" && reuse == nil {
		if _, err := harness.FindBrowser(f.path); err != nil {
			return cfg, &usageError{err: err, hint: "install Chromium with `sudo apt-get install chromium`, or pass --browser PATH"}
		}
	}
	return cfg, nil
}

// outputFlags say where results go.
type outputFlags struct {
	output      string
	reports     []string
	quiet       bool
	showSecrets bool
}

func (f *outputFlags) add(fs *pflag.FlagSet, defaultOutput string) {
	fs.StringVarP(&f.output, "output", "o", defaultOutput, "format on stdout: "+strings.Join(reports.Formats(), ", "))
	fs.StringArrayVar(&f.reports, "report", nil, "also write FORMAT=PATH (repeatable), e.g. --report html=report.html --report junit=junit.xml")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only failed expectations and totals; no progress bar")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "show the values of Authorization, Cookie, Set-Cookie and Proxy-Authorization")
}

// targets checks -o and every --report before anything runs.
func (f *outputFlags) targets() ([]reports.Target, error) {
	if _, err := reports.New(f.output, reports.Options{}); err != nil {
		return nil, &usageError{err: fmt.Errorf("--output: %w", err)}
	}
	t, err := reports.ParseTargets(f.reports)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("--report: %w", err), hint: "write FORMAT=PATH to a writable path, e.g. --report html=report.html"}
	}
	return t, nil
}

func (f *outputFlags) reportOptions(w io.Writer) reports.Options {
	return reports.Options{ShowSecrets: f.showSecrets, Quiet: f.quiet, Color: isTerminal(w) && os.Getenv("NO_COLOR") == ""}
}

// progress is the progress display for a run of n cases: on stderr, and
// only for text output.
func (f *outputFlags) progress(stderr io.Writer, n int) *reports.Progress {
	return reports.NewProgress(stderr, n, reports.Options{Quiet: f.quiet || f.output != "text"})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
