package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
)

// verifyOptions are the flags of verify besides the browser's.
type verifyOptions struct {
	policy      string
	target      string
	output      string
	reports     []string
	suite       string
	quiet       bool
	showSecrets bool
}

func newVerifyCmd(stdout, stderr io.Writer) *cobra.Command {
	var vo verifyOptions
	var bf browserFlags
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), &vo, &bf, nil, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&vo.policy, "policy", "", "the policy file (required)")
	f.StringVar(&vo.target, "target", "", "the API's base URL; route paths are appended to it (required)")
	f.StringVarP(&vo.output, "output", "o", "text", "format on stdout: text or json")
	f.StringArrayVar(&vo.reports, "report", nil, "also write the run's records as FORMAT=PATH (repeatable), e.g. --report junit=junit.xml --report html=report.html")
	f.StringVar(&vo.suite, "save-suite", "", "also write the generated suite to FILE")
	f.BoolVarP(&vo.quiet, "quiet", "q", false, "no progress bar")
	f.BoolVar(&vo.showSecrets, "show-secrets", false, "show the values of credential headers in --report files")
	_ = cmd.MarkFlagRequired("policy")
	_ = cmd.MarkFlagRequired("target")
	bf.add(f)
	return cmd
}

// runVerify is verify's whole run. b is a browser to reuse (tests share
// one); nil launches one from bf. It returns errExpectations when the API
// departs from the policy.
func runVerify(ctx context.Context, vo *verifyOptions, bf *browserFlags, b *harness.Browser, stdout, stderr io.Writer) error {
	if vo.output != "text" && vo.output != "json" {
		return usagef("use -o text or -o json", "--output: %q is not a verify format", vo.output)
	}
	type reportFile struct{ format, path string }
	var files []reportFile
	for _, spec := range vo.reports {
		format, path, err := reports.ParseSpec(spec)
		if err != nil {
			return &usageError{err: fmt.Errorf("--report: %w", err), hint: "for example --report junit=junit.xml"}
		}
		files = append(files, reportFile{format, path})
	}
	c, err := loadContract(vo.policy, vo.target, stderr)
	if err != nil {
		return err
	}
	if vo.suite != "" {
		data, err := c.Suite.Marshal()
		if err != nil {
			return fmt.Errorf("writing suite: %w", err)
		}
		if err := os.WriteFile(vo.suite, data, 0o644); err != nil {
			return fmt.Errorf("writing suite: %w", err)
		}
	}
	if b == nil {
		opts, err := bf.options()
		if err != nil {
			return err
		}
		opts.Sinks = harness.CaseSinks(c.Suite.Cases)
		b, err = harness.LaunchWith(ctx, harness.Drivers[bf.driver], opts)
		if err != nil {
			return err
		}
		defer b.Close()
	} else if bf.jobs < 1 {
		return usagef("for example -j 2", "--jobs must be at least 1, got %d", bf.jobs)
	}

	opts := b.Options()
	run := &result.Run{
		Tool:              "corsproof",
		Suites:            []string{c.Suite.Name},
		Browser:           b.Version(),
		BrowserPath:       b.Path(),
		Driver:            b.Driver(),
		ThirdPartyCookies: cookieSetting(b, opts),
		LNA:               lnaSetting(opts),
		TimeoutMS:         opts.Timeout.Milliseconds(),
		Started:           time.Now().UTC(),
		Launch:            b.LaunchSettings(),
	}
	ropts := reports.Options{ShowSecrets: vo.showSecrets, Quiet: vo.quiet || vo.output != "text"}
	progress := reports.NewProgress(stderr, len(c.Suite.Cases), ropts)
	start := time.Now()
	run.Records = b.RunCases(ctx, c.Suite.Cases, bf.jobs, func(i int, rec *result.Record) {
		rec.Suite = c.Suite.Name
		progress.Add(rec)
	})
	progress.Finish()
	run.DurationMS = time.Since(start).Milliseconds()
	run.Tally()
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d cases", len(run.Records), len(c.Suite.Cases))
	}

	rep := contract.Evaluate(c, run.Records)
	rep.Browser = b.Version()
	for _, f := range files {
		if err := writeVerifyReport(f.format, f.path, run, vo.showSecrets); err != nil {
			return err
		}
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

// writeVerifyReport writes the run's records to path in one of the reports
// formats, for CI artefacts next to verify's own verdict.
func writeVerifyReport(format, path string, run *result.Run, showSecrets bool) error {
	r, err := reports.New(format, reports.Options{ShowSecrets: showSecrets})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := r.Report(f, run); err != nil {
		f.Close()
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
