package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

type probeOptions struct {
	origin      string
	method      string
	headers     []string
	credentials string
	api         string
	data        string
	mode        string
	expect      string
	cookies     []string
}

func newProbeCmd(stdout, stderr io.Writer) *cobra.Command {
	var po probeOptions
	var bf browserFlags
	var of outputFlags
	cmd := &cobra.Command{
		Use:   "probe URL --origin ORIGIN",
		Short: "Make one request from a page at ORIGIN in a real browser and explain the verdict",
		Example: `  corsproof probe http://127.0.0.1:8080/api/allowlist --origin https://app.example.test
  corsproof probe https://api.example.com/v1/login --origin http://localhost:3000 \
      -X POST -H 'Content-Type: application/json' --credentials include --data '{"user":"a"}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := po.toCase(args[0])
			if err != nil {
				return err
			}
			return probe(cmd, c, &bf, &of, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&po.origin, "origin", "", "the page's origin: scheme://host[:port] or null (required)")
	f.StringVarP(&po.method, "request", "X", "GET", "HTTP method")
	f.StringArrayVarP(&po.headers, "header", "H", nil, "request header 'Name: value' the page sets (repeatable)")
	f.StringVar(&po.credentials, "credentials", "same-origin", "omit, same-origin or include (xhr: include = withCredentials)")
	f.StringVar(&po.api, "api", "fetch", "fetch or xhr")
	f.StringVarP(&po.data, "data", "d", "", "request body")
	f.StringVar(&po.mode, "mode", "", "fetch mode: cors (default) or no-cors")
	f.StringArrayVar(&po.cookies, "cookie", nil, "cookie name=value in the browser's jar for the URL before the request (repeatable); sent only if the browser would send it")
	f.StringVar(&po.expect, "expect", "", "expected verdict (allowed or blocked); exit 1 when it differs")
	_ = cmd.MarkFlagRequired("origin")
	bf.add(f)
	of.add(f, "text")
	return cmd
}

// toCase validates the flags the same way a suite file is validated, by
// writing them as a one-case suite, so both paths give the same errors.
func (po *probeOptions) toCase(rawURL string) (scenarios.Case, error) {
	headers := map[string]string{}
	for _, h := range po.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return scenarios.Case{}, usagef("write -H 'Name: value'", "-H %q: not a header", h)
		}
		headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	c := scenarios.Case{
		Name:   "probe",
		Origin: po.origin,
		Request: scenarios.Request{
			API: scenarios.API(po.api), Method: po.method, URL: rawURL, Headers: headers,
			Credentials: scenarios.Credentials(po.credentials), Body: po.data, Mode: scenarios.Mode(po.mode),
		},
	}
	if len(headers) == 0 {
		c.Request.Headers = nil
	}
	for _, ck := range po.cookies {
		name, value, ok := strings.Cut(ck, "=")
		if !ok || name == "" {
			return scenarios.Case{}, usagef("write --cookie name=value", "--cookie %q: not name=value", ck)
		}
		if c.Cookies == nil {
			c.Cookies = map[string]string{}
		}
		c.Cookies[name] = value
	}
	if po.expect != "" {
		c.Expect = &scenarios.Expect{Verdict: cors.Verdict(po.expect)}
	}
	return checkFlagCase(c, "probe", "the URL")
}

func probe(cmd *cobra.Command, c scenarios.Case, bf *browserFlags, of *outputFlags, stdout io.Writer) error {
	// Check every output flag before the browser runs.
	targets, err := of.targets()
	if err != nil {
		return err
	}
	b, opts, err := bf.launch(cmd.Context(), []scenarios.Case{c})
	if err != nil {
		return err
	}
	defer b.Close()
	start := time.Now()
	rec := b.RunOne(cmd.Context(), c)
	run := &result.Run{Tool: "corsproof", Suites: []string{"probe"}, Browser: b.Version(), BrowserProduct: b.Product(), BrowserPath: b.Path(),
		Driver: b.Driver(), ThirdPartyCookies: cookieSetting(b, opts), LNA: lnaSetting(opts), TimeoutMS: opts.Timeout.Milliseconds(), Isolation: string(harness.IsolationFresh), Launch: b.LaunchSettings(),
		Started: start.UTC(), DurationMS: time.Since(start).Milliseconds(), Records: []result.Record{rec}}
	run.Tally()
	ropts := of.reportOptions(stdout)
	switch of.output {
	case "json":
		r := &rec
		if !of.showSecrets {
			r = reports.RedactRecord(r)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("writing record: %w", err)
		}
	case "text":
		if of.quiet {
			// One line: what the browser did and why.
			line := strings.ToUpper(string(rec.Verdict)) + "  " + rec.Request.Method + " " + rec.Request.URL + " from " + rec.Origin
			if rec.CorsError != "" {
				line += ": " + string(rec.CorsError)
				if rec.FailedParameter != "" {
					line += " (" + rec.FailedParameter + ")"
				}
			}
			fmt.Fprintln(stdout, reports.SanitizeTerminal(line))
			break
		}
		if err := reports.TextRecord(stdout, &rec, ropts); err != nil {
			return err
		}
	default:
		r, err := reports.New(of.output, ropts)
		if err != nil {
			return &usageError{err: err}
		}
		if err := r.Report(stdout, run); err != nil {
			return err
		}
	}
	if len(targets) > 0 {
		if err := writeReports(run, &outputFlags{output: "jsonl", showSecrets: of.showSecrets}, targets, ropts, io.Discard); err != nil {
			return err
		}
	}
	if !rec.ExpectMet {
		return errExpectations
	}
	return nil
}
