package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// probeOptions are the flags and argument of `corsproof probe`.
type probeOptions struct {
	f       *factory
	url     string
	req     requestFlags
	expect  string
	cookies []string
	browser browserFlags
	out     outputFlags
	repeat  repeatFlags
	paths   pathFlags
}

func newProbeCmd(f *factory, runF func(context.Context, *probeOptions) error) *cobra.Command {
	po := &probeOptions{f: f}
	if runF == nil {
		runF = runProbe
	}
	cmd := &cobra.Command{
		Use:   "probe URL --origin ORIGIN",
		Short: "Make one request from a page at ORIGIN in a real browser and explain the verdict",
		Example: `  corsproof probe http://127.0.0.1:8080/api/allowlist --origin https://app.example.test
  corsproof probe https://api.example.com/v1/login --origin http://localhost:3000 \
      -X POST -H 'Content-Type: application/json' --credentials include --data '{"user":"a"}'
  corsproof probe http://127.0.0.1:8080/api/open --origin https://app.example.test -X PUT -H 'X-Token: a' --repeat 20`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			po.url = args[0]
			return runF(cmd.Context(), po)
		},
	}
	fs := cmd.Flags()
	po.req.add(fs)
	fs.StringArrayVar(&po.cookies, "cookie", nil, "cookie name=value in the browser's jar for the URL before the request (repeatable); sent only if the browser would send it")
	fs.StringVar(&po.expect, "expect", "", "expected verdict (allowed or blocked); exit 1 when it differs")
	_ = cmd.MarkFlagRequired("origin")
	po.browser.add(fs)
	po.browser.addTryFix(fs)
	po.repeat.add(fs)
	po.paths.add(fs)
	po.out.add(fs, "text")
	return cmd
}

// toCase validates the flags the same way a suite file is validated, by
// writing them as a one-case suite, so both paths give the same errors.
func (po *probeOptions) toCase() (scenarios.Case, error) {
	c, err := po.req.toCase("probe", po.url)
	if err != nil {
		return c, err
	}
	if c.Cookies, err = cookieMap(po.cookies); err != nil {
		return c, err
	}
	if po.expect != "" {
		c.Expect = &scenarios.Expect{Verdict: cors.Verdict(po.expect)}
	}
	return checkFlagCase(c, "probe", "the URL")
}

// runProbe makes the one request and writes its record.
func runProbe(ctx context.Context, po *probeOptions) error {
	c, err := po.toCase()
	if err != nil {
		return err
	}
	cfg, err := po.browser.config(po.f.browser)
	if err != nil {
		return err
	}
	if err := po.repeat.apply(&cfg); err != nil {
		return err
	}
	if err := po.paths.apply(&cfg); err != nil {
		return err
	}
	// A check that makes no case here would be a silent no-op.
	if po.paths.cacheCheck && len(scenarios.CacheChecks(c, []string{scenarios.UnlistedOrigin})) == 0 {
		return usagef("drop --cache-check: a shared cache is checked with a cors-mode request from a real origin", "--cache-check: nothing to check for this request (an origin null, a no-cors request, or steps)")
	}
	if po.paths.errorPaths && len(scenarios.ErrorPaths(c)) == 0 {
		return usagef("drop --error-paths: a no-cors page cannot read any response", "--error-paths: no error path applies to this request")
	}
	// Check every output flag before the browser runs.
	targets, err := po.out.targets()
	if err != nil {
		return err
	}
	run, err := runner.Run(ctx, cfg, []*scenarios.Suite{{Name: "probe", Cases: []scenarios.Case{c}}}, runner.Hooks{Notice: noticeTo(po.f.stderr)})
	if err != nil {
		return err
	}
	of := &po.out
	if err := reports.WriteProbe(po.f.stdout, of.output, run, of.reportOptions(po.f.stdout)); err != nil {
		return err
	}
	if err := reports.WriteTargets(run, targets, reports.Options{ShowSecrets: of.showSecrets}); err != nil {
		return err
	}
	if run.Totals.ExpectFail > 0 {
		return errExpectations
	}
	return nil
}
