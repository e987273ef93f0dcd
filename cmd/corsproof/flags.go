package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// browserFlags are the flags of every command that drives a browser.
type browserFlags struct {
	path, url, lna, cookies, isolation, driver, debugCDP, ca string
	engine                                                   string
	timeout, launchTimeout                                   time.Duration
	jobs                                                     int
	args                                                     []string
	tryFix, timings                                          bool
}

func (f *browserFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.engine, "engine", "", "browser engine: chromium (over CDP) or firefox (Firefox ESR over WebDriver BiDi); default chromium, or firefox when --browser names a firefox binary")
	fs.StringVar(&f.path, "browser", "", "browser binary (default: $CORSPROOF_BROWSER, then chromium on PATH; with --engine firefox $CORSPROOF_FIREFOX, then firefox-esr)")
	fs.StringVar(&f.url, "browser-url", "", "connect to a running browser's DevTools endpoint (ws://… or http://host:port; with --engine firefox its WebDriver BiDi ws:// URL) instead of launching one")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "how long one request may take before its verdict is timeout")
	fs.DurationVar(&f.launchTimeout, "launch-timeout", harness.DefaultLaunchTimeout, "how long the browser may take to start and answer (a loaded CI machine may need more)")
	fs.StringVar(&f.lna, "lna", string(harness.LNAOff), "Local Network Access checks: off (page and API on one network), grant (permission granted to the page), enforce (fresh profile, no permission)")
	fs.StringVar(&f.cookies, "third-party-cookies", string(harness.CookiesAllow), "allow (desktop Chromium's default) or block (a fresh headless profile's default)")
	fs.IntVarP(&f.jobs, "jobs", "j", harness.DefaultJobs(), "cases run at once, each in its own browser context")
	fs.StringArrayVar(&f.args, "browser-arg", nil, "extra Chromium switch NAME or NAME=VALUE, without dashes (repeatable); a disable-features list joins corsproof's own")
	fs.StringVar(&f.ca, "ca", "", "trust the certificate authorities in this PEM file for the run's https targets only (a mkcert or company CA); corsproof verifies each served chain itself")
	fs.StringVar(&f.debugCDP, "debug-cdp", "", "write every CDP event of each case to DIR/NNNN-case.cdp.jsonl (with --engine firefox every BiDi message to DIR/NNNN-case.bidi.jsonl)")
	fs.BoolVar(&f.timings, "timings", false, "record where each case's time went (reset, page, request, events) in the JSON records")
	fs.StringVar(&f.driver, "driver", "", "CDP client library for Chromium: "+strings.Join(runner.DriverNames(), " or ")+" (default chromedp; Firefox is always driven over WebDriver BiDi)")
	fs.StringVar(&f.isolation, "isolation", string(harness.IsolationClean), "clean: reuse a browser context after clearing its caches and cookies (verified); fresh: a new browser context per case (--engine firefox: always fresh, a user context per case)")
}

// addTryFix adds --try-fix, for the commands that report fixes.
func (f *browserFlags) addTryFix(fs *pflag.FlagSet) {
	fs.BoolVar(&f.tryFix, "try-fix", false, "prove each blocked request's fix before you deploy it: run it again against a loopback mirror of the server that applies the fix (http and https targets)")
}

// config is the runner configuration the flags describe, validated.
func (f *browserFlags) config(reuse *harness.Browser) (runner.Config, error) {
	if f.engine == "" {
		f.engine = harness.EngineOf(f.path)
	}
	if reuse != nil && reuse.Engine() != f.engine {
		// A browser lent for another engine cannot run this one.
		reuse = nil
	}
	cfg := runner.Config{
		Browser: harness.Options{Engine: f.engine, Path: f.path, URL: f.url, Timeout: f.timeout, LaunchTimeout: f.launchTimeout, DebugDir: f.debugCDP, Timings: f.timings,
			LNA: harness.LNAMode(f.lna), ThirdPartyCookies: harness.CookieMode(f.cookies), CAFile: f.ca, ExtraFlags: harness.ParseSwitches(f.args)},
		Driver: f.driver, Jobs: f.jobs, Isolation: harness.Isolation(f.isolation), Reuse: reuse,
		TryFix: f.tryFix,
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
		// A browser that is not there fails now, with how to get one.
		if _, err := harness.FindEngineBrowser(f.engine, f.path); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// pathFlags are the network-path flags, shared by run and probe: the
// paths (a CDN edge, a proxy, the origin server) every request also runs
// on, and the checks of what those hops add, drop or poison.
type pathFlags struct {
	via                    []string
	cacheCheck, errorPaths bool
}

func (p *pathFlags) add(fs *pflag.FlagSet) {
	fs.StringArrayVar(&p.via, "via", nil, "also make every request over the network path `NAME=URL` (scheme://host[:port] of a CDN edge, proxy or origin server; repeatable) and compare each exchange with the first path (the suite's paths:, or the URLs as written, named direct); a changed verdict fails, header drift warns")
	fs.BoolVar(&p.cacheCheck, "cache-check", false, "add a shared-cache poisoning check per case: its origin primes the path, then another origin makes the same request from a fresh browser; fails when that origin is answered with the first one's Access-Control-Allow-Origin")
	fs.BoolVar(&p.errorPaths, "error-paths", false, "add error-path cases per case (no credentials, a bad token, an unknown route, a malformed body, a burst of 20 calls for a rate limiter); fails when an error response lacks the CORS headers the page needs to read it")
}

// apply puts the flags into a runner configuration.
func (p *pathFlags) apply(cfg *runner.Config) error {
	cfg.Paths = nil
	for _, s := range p.via {
		path, err := scenarios.ParsePath(s)
		if err != nil {
			return &usageError{err: fmt.Errorf("--via: %w", err), hint: "write --via NAME=URL, e.g. edge=https://cdn.example.com (scheme://host[:port], no path), or NAME=URL@HOST:PORT to connect to another address"}
		}
		cfg.Paths = append(cfg.Paths, path)
	}
	cfg.CacheCheck, cfg.ErrorPaths = p.cacheCheck, p.errorPaths
	return nil
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
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "show the values of credential headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization and token-like ones such as X-Api-Key)")
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

// open checks -o and every --report and opens them for a run.
func (f *outputFlags) open(stdout io.Writer) (*reports.Output, error) {
	targets, err := f.targets()
	if err != nil {
		return nil, err
	}
	return reports.OpenOutput(stdout, f.output, targets, f.reportOptions(stdout))
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

// requestFlags describe the request a page makes, for probe and explain.
type requestFlags struct {
	origin, method, credentials, api, data, mode string
	headers                                      []string
}

func (r *requestFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&r.origin, "origin", "", "the page's origin: scheme://host[:port] or null")
	fs.StringVarP(&r.method, "request", "X", "GET", "HTTP method")
	fs.StringArrayVarP(&r.headers, "header", "H", nil, "request header 'Name: value' the page sets (repeatable)")
	fs.StringVar(&r.credentials, "credentials", "same-origin", "omit, same-origin or include (xhr: include = withCredentials)")
	fs.StringVar(&r.api, "api", "fetch", "fetch or xhr")
	fs.StringVarP(&r.data, "data", "d", "", "request body (a body without Content-Type gets text/plain)")
	fs.StringVar(&r.mode, "mode", "", "fetch mode: cors (default) or no-cors")
}

// toCase is the case the flags describe, not yet validated.
func (r *requestFlags) toCase(name, url string) (scenarios.Case, error) {
	c := scenarios.Case{Name: name, Origin: r.origin, Request: scenarios.Request{
		API: scenarios.API(r.api), Method: r.method, URL: url, Body: r.data,
		Credentials: scenarios.Credentials(r.credentials), Mode: scenarios.Mode(r.mode),
	}}
	h, err := headerMap("-H", r.headers)
	c.Request.Headers = h
	return c, err
}

// headerMap parses repeated 'Name: value' flag values; nil for none.
func headerMap(flag string, lines []string) (map[string]string, error) {
	var out map[string]string
	for _, line := range lines {
		name, value, err := splitHeader(flag, line)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = value
	}
	return out, nil
}

// cookieMap parses repeated --cookie name=value values; nil for none.
func cookieMap(values []string) (map[string]string, error) {
	var out map[string]string
	for _, ck := range values {
		name, value, ok := strings.Cut(ck, "=")
		if !ok || name == "" {
			return nil, usagef("write --cookie name=value", "--cookie %q: not name=value", ck)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = value
	}
	return out, nil
}

// splitHeader parses a 'Name: value' flag value.
func splitHeader(flag, h string) (name, value string, err error) {
	name, value, ok := strings.Cut(h, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", usagef("write "+flag+" 'Name: value'", "%s %q: not a header", flag, h)
	}
	if !cors.IsToken(name) {
		return "", "", usagef("a header name is letters, digits and !#$%&'*+-.^_`|~ only", "%s %q: %q is not a valid header name", flag, h, name)
	}
	value = strings.Trim(value, " \t")
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", usagef("a header value is one line", "%s %q: the value holds a line break or NUL", flag, h)
	}
	return name, value, nil
}

// flagOfField maps a case's field, as Case.Validate names it, to the flag
// that set it.
var flagOfField = []struct{ field, flag string }{
	{"case.origin", "--origin"},
	{"case.request.method", "-X"},
	{"case.request.headers", "-H"},
	{"case.request.credentials", "--credentials"},
	{"case.request.mode", "--mode"},
	{"case.request.api", "--api"},
	{"case.request.body", "--data"},
	{"case.cookies", "--cookie"},
	{"case.expect", "--expect"},
	{"case.request", "request flags"},
}

// checkFlagCase validates a case built from a command's flags exactly as a
// suite file's case is validated (Case.Validate), and reports problems in
// terms of the flags. urlFlag names what set the URL (a flag, or the
// command's argument).
func checkFlagCase(c scenarios.Case, command, urlFlag string) (scenarios.Case, error) {
	if err := c.Validate(); err != nil {
		return c, flagProblems(err, command, urlFlag)
	}
	return c, nil
}

// suiteWords are the suite-file words of the case validator's hints and
// what a command line says instead.
var suiteWords = strings.NewReplacer("remove mode", "drop --mode", "remove body", "drop --data",
	"api: fetch", "--api fetch", "api: xhr", "--api xhr", "method: ", "-X ", "credentials: ", "--credentials ", "mode: ", "--mode ")

// flagHint says a case validator's hint in terms of the flags.
func flagHint(h string) string { return suiteWords.Replace(h) }

// flagURLProblem rewords a problem with the request URL for a command
// line, which has no suite target to resolve a path against.
func flagURLProblem(msg, value, hint string) (string, string) {
	example := "http://127.0.0.1:8080/api/items"
	if value != "" && !strings.Contains(value, "://") && !strings.HasPrefix(value, "/") {
		example = "http://" + value
	}
	switch {
	case strings.Contains(msg, "relative but the suite has no target"):
		return "is not an absolute URL", "write the whole URL, such as " + example
	case strings.Contains(hint, "relative to target"),
		strings.Contains(msg, "has scheme") && !strings.Contains(value, "://"): // localhost:8080/x reads as scheme "localhost"
		return msg, "write an absolute http(s) URL, such as " + example
	}
	return msg, hint
}

// flagProblems rewrites a case's problems in terms of the flags that set
// its fields.
func flagProblems(err error, command, urlFlag string) error {
	probs := fileerr.Problems(err)
	if len(probs) == 0 {
		return &usageError{err: err}
	}
	var out []error
	fields := append([]struct{ field, flag string }{{"case.request.url", urlFlag}}, flagOfField...)
	for _, p := range probs {
		where := p.Field
		for _, m := range fields {
			if p.Field == m.field || strings.HasPrefix(p.Field, m.field+".") || strings.HasPrefix(p.Field, m.field+"[") {
				where = m.flag
				if m.flag == "-H" && p.Field != m.field {
					where += " " + strings.TrimPrefix(strings.TrimPrefix(p.Field, m.field), ".")
				}
				break
			}
		}
		msg, hint := p.Message, flagHint(p.Hint)
		if p.Field == "case.request.url" {
			// A command line has no suite target: the URL is absolute.
			msg, hint = flagURLProblem(msg, p.Value, hint)
		}
		out = append(out, &fileerr.Problem{Field: where, Value: p.Value, Message: msg, Hint: hint})
	}
	return &usageError{err: errors.Join(out...), hint: "see `corsproof " + command + " --help`"}
}

// checkSuiteFile refuses a -o of import or generate, which names the file
// the suite goes to, that is a format's name: elsewhere -o is a format, and
// `-o json` would quietly write a file called json.
func checkSuiteFile(out string) error {
	if slices.Contains(append(reports.Formats(), "md", "yaml", "yml"), strings.ToLower(out)) {
		return usagef("-o names the file the suite is written to (YAML); leave it out to print the suite, or name a file such as repro.yaml",
			"-o %q: a format's name, not a file: this command writes a suite", out)
	}
	return nil
}

// writeSuite writes s as YAML to path, or to stdout when path is empty or
// "-"; announce says on stderr what went where and how to run it.
func writeSuite(f *factory, s *scenarios.Suite, path string, announce bool) error {
	data, err := s.Marshal()
	if err != nil {
		return fmt.Errorf("writing suite: %w", err)
	}
	// A suite past run's default limits says how to run it.
	flags := scenarios.RunLimitFlags(len(s.Cases), data)
	if path == "" || path == "-" {
		if flags != "" && announce {
			fmt.Fprintf(f.stderr, "corsproof: the suite has %d cases in %d MiB, more than run reads by default: run it with %s\n", len(s.Cases), len(data)>>20, flags)
		}
		_, err = f.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing suite: %w", err)
	}
	if announce {
		if flags != "" {
			flags = " " + flags
		}
		fmt.Fprintf(f.stderr, "corsproof: wrote %d %s to %s; run them with: corsproof run %s%s\n",
			len(s.Cases), pluralOf(len(s.Cases), "case", "cases"), path, reports.ShellQuote(path), flags)
	}
	return nil
}

// runSuite runs one suite with a progress display on stderr (none when
// quiet) and the run's notices there too.
func runSuite(ctx context.Context, f *factory, cfg runner.Config, s *scenarios.Suite, quiet bool) (*result.Run, error) {
	progress := reports.NewProgress(f.stderr, len(s.Cases), reports.Options{Quiet: quiet})
	run, err := runner.Run(ctx, cfg, []*scenarios.Suite{s}, runner.Hooks{Record: progress.Add, Notice: noticeTo(f.stderr)})
	progress.Finish()
	return run, err
}
