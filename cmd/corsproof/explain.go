package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
)

// explainOptions are the flags of `corsproof explain`.
type explainOptions struct {
	f *factory
	// changed holds the flags given on the command line: a flag at its
	// default and a flag not given mean different things here.
	changed map[string]bool

	from     string
	caseName string

	req requestFlags
	url string

	preflightStatus  int
	preflightHeaders []string
	status           int
	responseHeaders  []string

	output      string
	showSecrets bool
}

// explainRequestFlags lists the flags that describe a request or its responses,
// which --from replaces.
var explainRequestFlags = []string{"origin", "request", "url", "header", "credentials", "mode", "api", "data", "preflight-status", "preflight-header", "status", "response-header"}

func newExplainCmd(f *factory, runF func(context.Context, *explainOptions) error) *cobra.Command {
	eo := &explainOptions{f: f, changed: map[string]bool{}}
	if runF == nil {
		runF = runExplain
	}
	cmd := &cobra.Command{
		Use:   "explain (--from RESULT.json [--case NAME] | --origin ORIGIN --url URL [flags])",
		Short: "Explain a CORS verdict offline, from a saved result or from headers, without a browser",
		Long: `Run corsproof's model of the Fetch standard's CORS checks, without a browser,
and say whether a preflight is needed and why, what Chromium decides, which
check fails (Chromium's CorsError and failed parameter), and what to change
on the server.

With --from, explain a saved result: one record as "corsproof probe -o json"
writes it, or a whole run as "corsproof run -o json" (or -o jsonl) writes it,
where every record is explained unless --case names one. The browser's
verdict is shown next to the model's. A case with steps (or made with
--repeat) is explained step by step, each with whether it sent a preflight
and the model's prediction given the steps before it.

Otherwise describe the request with --origin, --url, -X, -H, --credentials,
--mode, --api and --data, and the server's answers with --preflight-status,
--preflight-header, --status and --response-header. Leave the responses out
to ask only whether a preflight is needed. Without a browser the model's own
verdict stands in for the browser's.

With -o json, one explanation is one JSON object with the prediction and the
diagnosis; a run gives an array of them.`,
		Example: `  corsproof explain --from result.json
  corsproof explain --from run.json --case 'missing allow-origin'
  corsproof explain --origin https://app.example.com --url https://api.example.com/v1/items \
      -X PUT -H 'Content-Type: application/json' --credentials include \
      --preflight-status 204 --preflight-header 'Access-Control-Allow-Origin: *'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.Flags().Visit(func(fl *pflag.Flag) { eo.changed[fl.Name] = true })
			return runF(cmd.Context(), eo)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&eo.from, "from", "", "a saved result: a record (probe -o json) or a run (run -o json or -o jsonl)")
	fs.StringVar(&eo.caseName, "case", "", "with --from a run: explain only this case (NAME, or SUITE/NAME when names repeat)")
	eo.req.add(fs)
	fs.StringVar(&eo.url, "url", "", "the request URL")
	fs.IntVar(&eo.preflightStatus, "preflight-status", 0, "status of the OPTIONS response (default 204 when --preflight-header is given)")
	fs.StringArrayVar(&eo.preflightHeaders, "preflight-header", nil, "header 'Name: value' of the OPTIONS response (repeatable; repeat a name for several lines)")
	fs.IntVar(&eo.status, "status", 0, "status of the actual response (default 200 when --response-header is given)")
	fs.StringArrayVar(&eo.responseHeaders, "response-header", nil, "header 'Name: value' of the actual response (repeatable; repeat a name for several lines)")
	fs.StringVarP(&eo.output, "output", "o", "text", "text or json")
	fs.BoolVar(&eo.showSecrets, "show-secrets", false, "show the values of credential headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization and token-like ones such as X-Api-Key)")
	return cmd
}

// runExplain explains a saved result or a request described by flags.
func runExplain(_ context.Context, eo *explainOptions) error {
	stdout := eo.f.stdout
	if eo.output != "text" && eo.output != "json" {
		return usagef("use -o text or -o json", "--output: %q is not a format explain writes", eo.output)
	}
	var exps []reports.Explanation
	single := true
	if eo.from != "" {
		var changed []string
		for _, name := range explainRequestFlags {
			if eo.changed[name] {
				changed = append(changed, "--"+name)
			}
		}
		if len(changed) > 0 {
			return usagef("explain either a saved result (--from) or a request described by flags, not both",
				"--from %s: cannot be combined with %s", eo.from, strings.Join(changed, ", "))
		}
		recs, isRun, err := eo.loadRecords()
		if err != nil {
			return err
		}
		single = !isRun || eo.caseName != ""
		for i := range recs {
			exps = append(exps, reports.ExplainRecord(&recs[i], eo.showSecrets))
		}
	} else {
		if eo.caseName != "" {
			return usagef("add --from RESULT.json", "--case %q: only applies with --from", eo.caseName)
		}
		in, err := eo.input()
		if err != nil {
			return err
		}
		exps = append(exps, reports.ExplainInput(in, eo.showSecrets, eo.changed["preflight-status"] || len(eo.preflightHeaders) > 0))
	}

	return reports.WriteExplanations(stdout, exps, eo.output == "json", single)
}

// loadRecords reads --from and selects --case. isRun is true when the file
// held a run rather than one record.
func (eo *explainOptions) loadRecords() (recs []result.Record, isRun bool, err error) {
	run, src, err := result.Load(eo.from)
	if err != nil {
		return nil, false, &usageError{err: fmt.Errorf("--from: %w", err), hint: "save a result with `corsproof probe … -o json > result.json` or `corsproof run … -o json > run.json`"}
	}
	isRun = src != result.SourceRecord
	if len(run.Records) == 0 {
		return nil, isRun, usagef("run the suite again and save its output", "--from %s: the run has no records", eo.from)
	}
	if eo.caseName == "" {
		return run.Records, isRun, nil
	}
	rec, err := run.Find(eo.caseName)
	if err != nil {
		var ce *result.CaseError
		if errors.As(err, &ce) && !ce.Ambiguous {
			return nil, isRun, usagef(ce.Hint, "--case %q: no such case in %s", eo.caseName, eo.from)
		} else if errors.As(err, &ce) {
			return nil, isRun, &usageError{err: fmt.Errorf("--case %w", err), hint: ce.Hint}
		}
		return nil, isRun, err
	}
	return []result.Record{*rec}, isRun, nil
}

// input builds the model's input from the flags, validating the request the
// way a suite file is validated so both give the same errors, but naming
// the flags.
func (eo *explainOptions) input() (cors.Input, error) {
	if eo.req.origin == "" || eo.url == "" {
		return cors.Input{}, usagef("give --from RESULT.json, or describe the request with --origin and --url",
			"explain needs a saved result or a request: --origin and --url are required without --from")
	}
	c, err := eo.req.toCase("explain", eo.url)
	if err != nil {
		return cors.Input{}, err
	}
	c, err = checkFlagCase(c, "explain", "--url")
	if err != nil {
		return cors.Input{}, err
	}
	in := cors.Input{Request: c.Request.Model(c.Origin)}

	pre, err := response(eo.changed["preflight-status"], "preflight-status", eo.preflightStatus, "--preflight-header", eo.preflightHeaders, 204)
	if err != nil {
		return cors.Input{}, err
	}
	if pre != nil {
		pre.URL = c.Request.URL
		in.Preflight = pre
	}
	act, err := response(eo.changed["status"], "status", eo.status, "--response-header", eo.responseHeaders, 200)
	if err != nil {
		return cors.Input{}, err
	}
	if act != nil {
		act.URL = c.Request.URL
		in.Actual = act
	}
	return in, nil
}

// response builds one response from a status flag and a header flag; nil
// when neither was given.
func response(given bool, statusFlag string, status int, headerFlag string, lines []string, defaultStatus int) (*cors.Response, error) {
	if !given && len(lines) == 0 {
		return nil, nil
	}
	if !given {
		status = defaultStatus
	}
	if status < 100 || status > 599 {
		return nil, usagef("give an HTTP status from 100 to 599", "--%s: %d is not an HTTP status", statusFlag, status)
	}
	r := &cors.Response{Status: status}
	for _, line := range lines {
		name, value, err := splitHeader(headerFlag, line)
		if err != nil {
			return nil, err
		}
		r.AddHeader(name, value)
	}
	return r, nil
}
