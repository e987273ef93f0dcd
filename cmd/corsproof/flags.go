package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/scenarios"
)

// browserFlags are the flags of every command that drives a browser.
type browserFlags struct {
	path      string
	url       string
	timeout   time.Duration
	lna       string
	cookies   string
	jobs      int
	isolation string
	driver    string
	args      []string
	debugCDP  string
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
	fs.StringVar(&f.driver, "driver", "chromedp", "CDP client library: "+strings.Join(driverNames(), " or "))
	fs.StringVar(&f.isolation, "isolation", string(harness.IsolationClean), "clean: reuse a browser context after clearing its caches and cookies (verified); fresh: a new browser context per case")
}

func (f *browserFlags) options() (harness.Options, error) {
	opts := harness.Options{URL: f.url, Timeout: f.timeout, DebugDir: f.debugCDP}
	if f.debugCDP != "" {
		if err := os.MkdirAll(f.debugCDP, 0o755); err != nil {
			return opts, usagef("pick a writable folder", "--debug-cdp: %v", err)
		}
	}
	switch harness.LNAMode(f.lna) {
	case harness.LNAOff, harness.LNAGrant, harness.LNAEnforce:
		opts.LNA = harness.LNAMode(f.lna)
	default:
		return opts, usagef("use off, grant or enforce", "--lna: %q is not a mode", f.lna)
	}
	switch harness.CookieMode(f.cookies) {
	case harness.CookiesAllow, harness.CookiesBlock:
		opts.ThirdPartyCookies = harness.CookieMode(f.cookies)
	default:
		return opts, usagef("use allow or block", "--third-party-cookies: %q is not a mode", f.cookies)
	}
	for _, a := range f.args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "" {
			return opts, usagef("for example --browser-arg in-process-gpu", "--browser-arg %q: no switch name", a)
		}
		if opts.ExtraFlags == nil {
			opts.ExtraFlags = map[string]any{}
		}
		if hasValue {
			opts.ExtraFlags[name] = value
		} else {
			opts.ExtraFlags[name] = true
		}
	}
	if f.timeout <= 0 {
		return opts, usagef("for example --timeout 5s", "--timeout must be positive, got %s", f.timeout)
	}
	switch harness.Isolation(f.isolation) {
	case harness.IsolationClean, harness.IsolationFresh:
	default:
		return opts, usagef("use clean or fresh", "--isolation: %q is not a mode", f.isolation)
	}
	if _, ok := harness.Drivers[f.driver]; !ok {
		return opts, usagef("use "+strings.Join(driverNames(), " or "), "--driver: %q is not a driver", f.driver)
	}
	if f.jobs < 1 {
		return opts, usagef("for example -j 2", "--jobs must be at least 1, got %d", f.jobs)
	}
	if f.url == "" {
		path, err := harness.FindBrowser(f.path)
		if err != nil {
			return opts, &usageError{err: err, hint: "install Chromium with `sudo apt-get install chromium`, or pass --browser PATH"}
		}
		opts.Path = path
	}
	return opts, nil
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

// reportTarget is one --report FORMAT=PATH.
type reportTarget struct {
	format string
	path   string
}

func (f *outputFlags) targets() ([]reportTarget, error) {
	if _, err := reports.New(f.output, reports.Options{}); err != nil {
		return nil, &usageError{err: fmt.Errorf("--output: %w", err)}
	}
	var out []reportTarget
	for _, r := range f.reports {
		format, path, ok := strings.Cut(r, "=")
		if !ok || path == "" {
			return nil, usagef("write FORMAT=PATH, e.g. --report html=report.html", "--report %q: missing =PATH", r)
		}
		if _, err := reports.New(format, reports.Options{}); err != nil {
			return nil, &usageError{err: fmt.Errorf("--report %q: %w", r, err)}
		}
		// Find out now, not after the run, that a report cannot be written.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return nil, usagef("pick a writable path", "--report %q: %v", r, err)
		}
		f.Close()
		out = append(out, reportTarget{format: strings.ToLower(format), path: path})
	}
	return out, nil
}

func (f *outputFlags) reportOptions(w io.Writer) reports.Options {
	return reports.Options{ShowSecrets: f.showSecrets, Quiet: f.quiet, Color: isTerminal(w) && os.Getenv("NO_COLOR") == ""}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func driverNames() []string {
	names := make([]string, 0, len(harness.Drivers))
	for n := range harness.Drivers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// launch starts the browser the flags describe, through the chosen driver,
// for the cases it will run: their page origins never reach the network.
func (f *browserFlags) launch(ctx context.Context, cases []scenarios.Case) (*harness.Browser, harness.Options, error) {
	opts, err := f.options()
	if err != nil {
		return nil, opts, err
	}
	opts.Sinks = harness.CaseSinks(cases)
	b, err := harness.LaunchWith(ctx, harness.Drivers[f.driver], opts)
	return b, opts, err
}

// cookieSetting is the third-party cookie setting a run records. The
// headless shell ignores the profile preference that blocks them (measured
// with Chromium 156), so a run there says so rather than claim a block.
func cookieSetting(b *harness.Browser, opts harness.Options) string {
	if opts.URL != "" {
		// The preference lives in a profile corsproof did not create.
		return "unknown: the remote browser's own profile decides"
	}
	if opts.ThirdPartyCookies == harness.CookiesBlock && strings.Contains(b.Version(), "headless-shell") {
		return "block requested; chromium-headless-shell ignores it and sends them"
	}
	return string(opts.ThirdPartyCookies)
}

// lnaSetting is the Local Network Access handling a run records: off is a
// launch switch, which a browser corsproof only connects to never got.
func lnaSetting(opts harness.Options) string {
	if opts.URL != "" && opts.LNA == harness.LNAOff {
		return "unknown: as the remote browser was started (off needs --disable-features=LocalNetworkAccessChecks there)"
	}
	return string(opts.LNA)
}
