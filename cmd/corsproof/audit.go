package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/audit"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
)

// auditOptions are audit's flags besides the browser's.
type auditOptions struct {
	f           *factory
	browser     browserFlags
	urls        []string
	origins     []string
	cookies     []string
	headers     []string
	method      string
	unsafe      bool
	private     bool
	failOn      string
	rate        float64
	maxRequests int
	pocDir      string
	output      string
	reports     []string
	quiet       bool
	showSecrets bool
}

func newAuditCmd(f *factory, runF func(context.Context, *auditOptions) error) *cobra.Command {
	ao := &auditOptions{f: f}
	if runF == nil {
		runF = runAudit
	}
	cmd := &cobra.Command{
		Use:   "audit URL...",
		Short: "Find the CORS misconfigurations an attacker would use, proven from the attacker's page in a real browser",
		Long: `Make the requests an attacker's page would make to each URL — from an arbitrary
site, the null origin and look-alikes of the legitimate origins (--origin, or
the URL's own origin) — in headless Chromium, with and without the victim's
cookie (--cookie) in the jar, and with a preflight when -H or -X need one.
Severity comes from what the page could read, not from the headers:
  high    read with the user's credentials (account data readable cross-origin)
  medium  read without credentials, from an origin the server trusts specifically
          (or any read of an endpoint marked --private)
  info    "*" on a public endpoint
  none    refused by the browser, however the headers look (the reason is given)
Each finding the browser let read gets a proof-of-concept page in --poc-dir.
Only the URLs given are requested, with GET unless -X says otherwise, at most
--rate checks a second and --max-requests requests in all; corsproof itself
sends nothing: every request is the browser's.
Exits 1 when a finding at or above --fail-on exists (or a check got no
verdict), 0 otherwise, 2 on a usage error, 3 when the browser died for good.`,
		Example: `  corsproof serve &
  corsproof audit http://127.0.0.1:8080/api/reflect-credentials --cookie session=abc
  corsproof audit https://api.example.com/me --origin https://app.example.com \
      --cookie session=$SESSION --report sarif=cors.sarif --fail-on high`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ao.urls = args
			// A method that may change data is made only when -X names it.
			ao.unsafe = cmd.Flags().Changed("request")
			return runF(cmd.Context(), ao)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&ao.origins, "origin", nil, "a legitimate origin of the API's own front end (repeatable); look-alikes are derived from it (default: each URL's origin)")
	fs.StringArrayVar(&ao.cookies, "cookie", nil, "the victim's cookie name=value, put in the browser's jar for the URL (SameSite=None; Secure) for the credentialed checks (repeatable)")
	fs.StringArrayVarP(&ao.headers, "header", "H", nil, "request header 'Name: value' the page sets in the preflighted check (repeatable)")
	fs.StringVarP(&ao.method, "request", "X", "GET", "method of every check; the audit makes no other (POST, PUT, DELETE… only when named here)")
	fs.BoolVar(&ao.private, "private", false, "the URLs are not public (an intranet API, a local device): a read without credentials is medium even with \"*\"")
	fs.StringVar(&ao.failOn, "fail-on", string(audit.SeverityMedium), "exit 1 when a finding at or above this severity exists: info, medium, high, or none for any finding")
	fs.Float64Var(&ao.rate, "rate", 5, "checks started per second at most")
	fs.IntVar(&ao.maxRequests, "max-requests", audit.DefaultMaxRequests, "requests the browser may send in all (a preflighted check counts two); the audit refuses to start above it")
	fs.StringVar(&ao.pocDir, "poc-dir", "corsproof-poc", "folder for the proof-of-concept pages of the findings")
	fs.StringVarP(&ao.output, "output", "o", "text", "format on stdout: "+strings.Join(reports.AuditFormats, ", "))
	fs.StringArrayVar(&ao.reports, "report", nil, "also write FORMAT=PATH (repeatable): findings as "+strings.Join(reports.AuditFormats, ", ")+"; every check as junit, har or jsonl")
	fs.BoolVarP(&ao.quiet, "quiet", "q", false, "no progress bar")
	fs.BoolVar(&ao.showSecrets, "show-secrets", false, "show the values of credential headers in the output")
	ao.browser.add(fs)
	return cmd
}

// options turns the flags into the library's options.
func (ao *auditOptions) options() (audit.Options, error) {
	o := audit.Options{URLs: ao.urls, Origins: ao.origins, Method: ao.method, Unsafe: ao.unsafe, Private: ao.private, MaxRequests: ao.maxRequests}
	if ao.maxRequests < 1 {
		return o, usagef("for example --max-requests 200", "--max-requests must be at least 1, got %d", ao.maxRequests)
	}
	var err error
	if o.Cookies, err = cookieMap(ao.cookies); err != nil {
		return o, err
	}
	o.Headers, err = headerMap("-H", ao.headers)
	return o, err
}

// runAudit is audit's whole run. It returns errExpectations when a finding
// at or above --fail-on exists or a check got no verdict.
func runAudit(ctx context.Context, ao *auditOptions) error {
	stdout := ao.f.stdout
	if !reports.IsAuditFormat(ao.output) {
		return usagef("use -o "+strings.Join(reports.AuditFormats, ", -o "), "--output: %q is not an audit format", ao.output)
	}
	failOn, err := audit.ParseSeverity(ao.failOn)
	if err != nil {
		return err
	}
	if ao.rate <= 0 {
		return usagef("for example --rate 5", "--rate must be positive, got %g", ao.rate)
	}
	opts, err := ao.options()
	if err != nil {
		return err
	}
	engine := ao.browser.engine
	if engine == "" {
		engine = harness.EngineOf(ao.browser.path)
	}
	opts.Firefox = engine == harness.EngineFirefox
	plan, err := audit.NewPlan(opts)
	if err != nil {
		return err
	}
	findingTargets, runTargets, err := reports.SplitAuditTargets(ao.reports)
	if err != nil {
		return &usageError{err: fmt.Errorf("--report: %w", err), hint: "for example --report sarif=cors.sarif --report html=checks.html"}
	}
	cfg, err := ao.browser.config(ao.f.browser)
	if err != nil {
		return err
	}
	cfg.Rate = ao.rate
	run, err := runSuite(ctx, ao.f, cfg, plan.Suite, ao.quiet || ao.output != "text")
	if err != nil {
		return err
	}
	rep := audit.Classify(plan, run)
	if err := audit.WritePoCs(ao.pocDir, rep); err != nil {
		return err
	}
	ropts := reports.Options{ShowSecrets: ao.showSecrets}
	for _, t := range findingTargets {
		if err := reports.WriteFile(t.Path, func(w io.Writer) error { return reports.WriteAudit(w, t.Format, rep, ropts) }); err != nil {
			return err
		}
	}
	if err := reports.WriteTargets(run, runTargets, ropts); err != nil {
		return err
	}
	if err := reports.WriteAudit(stdout, ao.output, rep, ropts); err != nil {
		return err
	}
	if rep.Fails(failOn) || len(rep.Incomplete) > 0 {
		return errExpectations
	}
	return nil
}
