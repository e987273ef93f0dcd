package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/reports"
)

// verifyOptions are the flags of verify besides the browser's.
type verifyOptions struct {
	f           *factory
	browser     browserFlags
	policy      string
	target      string
	output      string
	reports     []string
	suite       string
	quiet       bool
	showSecrets bool
}

func newVerifyCmd(f *factory, runF func(context.Context, *verifyOptions) error) *cobra.Command {
	vo := &verifyOptions{f: f}
	if runF == nil {
		runF = runVerify
	}
	cmd := &cobra.Command{
		Use:   "verify --policy POLICY.yaml --target URL",
		Short: "Hold a real API to a CORS policy: generate the suite, run it in a real browser, report rule by rule",
		Long: `Generate the conformance suite of a CORS policy (see ` + "`corsproof generate`" + `), run it
in headless Chromium against the API at --target, and report rule by rule where
the API departs from the policy: stricter than the policy (a violation) or more
permissive (a SECURITY finding, such as an allowed look-alike origin), and
echoed origins without Vary: Origin when the policy requires it.
Exits 0 when the API conforms, 1 when it departs from the policy in either
direction or a case could not be checked, 2 on a usage or configuration error.`,
		Example: `  corsproof serve --policy examples/policy.yaml &     # the mock the front end develops against
  corsproof verify --policy examples/policy.yaml --target http://127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), vo) },
	}
	fs := cmd.Flags()
	fs.StringVar(&vo.policy, "policy", "", "the policy file (required)")
	fs.StringVar(&vo.target, "target", "", "the API's base URL; route paths are appended to it (required)")
	fs.StringVarP(&vo.output, "output", "o", "text", "format on stdout: text or json")
	fs.StringArrayVar(&vo.reports, "report", nil, "also write the run's records as FORMAT=PATH (repeatable), e.g. --report junit=junit.xml --report html=report.html")
	fs.StringVar(&vo.suite, "save-suite", "", "also write the generated suite to FILE")
	fs.BoolVarP(&vo.quiet, "quiet", "q", false, "no progress bar")
	fs.BoolVar(&vo.showSecrets, "show-secrets", false, "show the values of credential headers in --report files")
	_ = cmd.MarkFlagRequired("policy")
	_ = cmd.MarkFlagRequired("target")
	vo.browser.add(fs)
	return cmd
}

// runVerify is verify's whole run. It returns errExpectations when the API
// departs from the policy.
func runVerify(ctx context.Context, vo *verifyOptions) error {
	stdout, stderr := vo.f.stdout, vo.f.stderr
	if vo.output != "text" && vo.output != "json" {
		return usagef("use -o text or -o json", "--output: %q is not a verify format", vo.output)
	}
	targets, err := reports.ParseTargets(vo.reports)
	if err != nil {
		return &usageError{err: fmt.Errorf("--report: %w", err), hint: "for example --report junit=junit.xml"}
	}
	cfg, err := vo.browser.config(vo.f.browser)
	if err != nil {
		return err
	}
	c, err := loadContract(ctx, vo.policy, vo.target, stderr)
	if err != nil {
		return err
	}
	if vo.suite != "" {
		if err := writeSuite(vo.f, c.Suite, vo.suite, false); err != nil {
			return err
		}
	}
	run, err := runSuite(ctx, vo.f, cfg, c.Suite, vo.quiet || vo.output != "text")
	if err != nil {
		return err
	}

	rep := contract.EvaluateRun(c, run)
	rep.Annotate(run)
	if err := reports.WriteTargets(run, targets, reports.Options{ShowSecrets: vo.showSecrets}); err != nil {
		return err
	}
	if vo.output == "json" {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if !rep.Conforms {
		return errExpectations
	}
	return nil
}
