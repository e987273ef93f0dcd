package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// explainOptions are the flags of `corsproof explain`.
type explainOptions struct {
	from     string
	caseName string

	origin      string
	method      string
	url         string
	headers     []string
	credentials string
	mode        string
	api         string
	data        string

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

func newExplainCmd(stdout, stderr io.Writer) *cobra.Command {
	var eo explainOptions
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
verdict is shown next to the model's.

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
			return eo.run(cmd, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&eo.from, "from", "", "a saved result: a record (probe -o json) or a run (run -o json or -o jsonl)")
	f.StringVar(&eo.caseName, "case", "", "with --from a run: explain only this case (NAME, or SUITE/NAME when names repeat)")
	f.StringVar(&eo.origin, "origin", "", "the page's origin: scheme://host[:port] or null")
	f.StringVarP(&eo.method, "request", "X", "GET", "HTTP method")
	f.StringVar(&eo.url, "url", "", "the request URL")
	f.StringArrayVarP(&eo.headers, "header", "H", nil, "request header 'Name: value' the page sets (repeatable)")
	f.StringVar(&eo.credentials, "credentials", "same-origin", "omit, same-origin or include (xhr: include = withCredentials)")
	f.StringVar(&eo.mode, "mode", "", "fetch mode: cors (default) or no-cors")
	f.StringVar(&eo.api, "api", "fetch", "fetch or xhr")
	f.StringVarP(&eo.data, "data", "d", "", "request body (a body without Content-Type gets text/plain)")
	f.IntVar(&eo.preflightStatus, "preflight-status", 0, "status of the OPTIONS response (default 204 when --preflight-header is given)")
	f.StringArrayVar(&eo.preflightHeaders, "preflight-header", nil, "header 'Name: value' of the OPTIONS response (repeatable; repeat a name for several lines)")
	f.IntVar(&eo.status, "status", 0, "status of the actual response (default 200 when --response-header is given)")
	f.StringArrayVar(&eo.responseHeaders, "response-header", nil, "header 'Name: value' of the actual response (repeatable; repeat a name for several lines)")
	f.StringVarP(&eo.output, "output", "o", "text", "text or json")
	f.BoolVar(&eo.showSecrets, "show-secrets", false, "show the values of Authorization, Cookie, Set-Cookie and Proxy-Authorization")
	return cmd
}

// explanation is one explained request: the JSON shape of -o json.
type explanation struct {
	Case  string `json:"case,omitempty"`
	Suite string `json:"suite,omitempty"`
	// Input is what the model read, credential values redacted.
	Input cors.Input `json:"input"`
	// Browser is the saved browser verdict; nil when explaining flags.
	Browser    *browserVerdict `json:"browser,omitempty"`
	Prediction cors.Prediction `json:"prediction"`
	Diagnosis  cors.Diagnosis  `json:"diagnosis"`
}

// browserVerdict is what the browser did, from a saved record.
type browserVerdict struct {
	Name            string `json:"name,omitempty"`
	Verdict         string `json:"verdict"`
	CorsError       string `json:"cors_error,omitempty"`
	FailedParameter string `json:"failed_parameter,omitempty"`
	NetError        string `json:"net_error,omitempty"`
	BlockedReason   string `json:"blocked_reason,omitempty"`
}

func (eo *explainOptions) run(cmd *cobra.Command, stdout io.Writer) error {
	if eo.output != "text" && eo.output != "json" {
		return usagef("use -o text or -o json", "--output: %q is not a format explain writes", eo.output)
	}
	var exps []explanation
	single := true
	if eo.from != "" {
		var changed []string
		for _, name := range explainRequestFlags {
			if cmd.Flags().Changed(name) {
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
			exps = append(exps, explainRecord(&recs[i], eo.showSecrets))
		}
	} else {
		if eo.caseName != "" {
			return usagef("add --from RESULT.json", "--case %q: only applies with --from", eo.caseName)
		}
		in, err := eo.input(cmd)
		if err != nil {
			return err
		}
		exps = append(exps, explainInput(in, eo.showSecrets, eo.preflightGiven(cmd)))
	}

	if eo.output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var v any = exps
		if single {
			v = exps[0]
		}
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing explanation: %w", err)
		}
		return nil
	}
	for i := range exps {
		if i > 0 {
			if _, err := fmt.Fprintln(stdout); err != nil {
				return fmt.Errorf("writing explanation: %w", err)
			}
		}
		if err := writeExplanation(stdout, &exps[i], len(exps) > 1); err != nil {
			return fmt.Errorf("writing explanation: %w", err)
		}
	}
	return nil
}

// loadRecords reads --from and selects --case. isRun is true when the file
// held a run rather than one record.
func (eo *explainOptions) loadRecords() (recs []result.Record, isRun bool, err error) {
	run, src, err := compare.Load(eo.from)
	if err != nil {
		return nil, false, &usageError{err: fmt.Errorf("--from: %w", err), hint: "save a result with `corsproof probe … -o json > result.json` or `corsproof run … -o json > run.json`"}
	}
	isRun = src != compare.SourceRecord
	if len(run.Records) == 0 {
		return nil, isRun, usagef("run the suite again and save its output", "--from %s: the run has no records", eo.from)
	}
	if eo.caseName == "" {
		return run.Records, isRun, nil
	}
	var byName, bySuite []int
	for i, r := range run.Records {
		if r.Name == eo.caseName {
			byName = append(byName, i)
		}
		if r.Suite+"/"+r.Name == eo.caseName {
			bySuite = append(bySuite, i)
		}
	}
	switch {
	case len(byName) == 1:
		return []result.Record{run.Records[byName[0]]}, isRun, nil
	case len(byName) > 1 && len(bySuite) != 1:
		var suites []string
		for _, i := range byName {
			suites = append(suites, fmt.Sprintf("%q", run.Records[i].Suite))
		}
		return nil, isRun, usagef(fmt.Sprintf("write --case 'SUITE/%s'", eo.caseName),
			"--case %q: %d records have this name (suites %s)", eo.caseName, len(byName), strings.Join(suites, ", "))
	case len(bySuite) == 1:
		return []result.Record{run.Records[bySuite[0]]}, isRun, nil
	}
	var names []string
	for _, r := range run.Records {
		names = append(names, fmt.Sprintf("%q", r.Name))
	}
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return nil, isRun, usagef("the cases in it are "+strings.Join(names, ", "), "--case %q: no such case in %s", eo.caseName, eo.from)
}

// input builds the model's input from the flags, validating the request the
// way a suite file is validated so both give the same errors, but naming
// the flags.
func (eo *explainOptions) input(cmd *cobra.Command) (cors.Input, error) {
	if eo.origin == "" || eo.url == "" {
		return cors.Input{}, usagef("give --from RESULT.json, or describe the request with --origin and --url",
			"explain needs a saved result or a request: --origin and --url are required without --from")
	}
	headers := map[string]string{}
	for _, h := range eo.headers {
		name, value, err := splitHeader("-H", h)
		if err != nil {
			return cors.Input{}, err
		}
		headers[name] = value
	}
	c := scenarios.Case{
		Name:   "explain",
		Origin: eo.origin,
		Request: scenarios.Request{
			API: scenarios.API(eo.api), Method: eo.method, URL: eo.url, Headers: headers,
			Credentials: scenarios.Credentials(eo.credentials), Body: eo.data, Mode: scenarios.Mode(eo.mode),
		},
	}
	if len(headers) == 0 {
		c.Request.Headers = nil
	}
	c, err := checkFlagCase(c, "explain", "--url")
	if err != nil {
		return cors.Input{}, err
	}
	in := cors.Input{Request: cors.Request{
		Origin: c.Origin, Method: c.Request.Method, URL: c.Request.URL, Headers: c.Request.Headers,
		Credentials: string(c.Request.Credentials), Mode: string(c.Request.Mode), API: string(c.Request.API), Body: c.Request.Body,
	}}

	pre, err := response(cmd, "preflight-status", eo.preflightStatus, "--preflight-header", eo.preflightHeaders, 204)
	if err != nil {
		return cors.Input{}, err
	}
	if pre != nil {
		pre.URL = c.Request.URL
		in.Preflight = pre
	}
	act, err := response(cmd, "status", eo.status, "--response-header", eo.responseHeaders, 200)
	if err != nil {
		return cors.Input{}, err
	}
	if act != nil {
		act.URL = c.Request.URL
		in.Actual = act
	}
	return in, nil
}

// preflightGiven reports whether the flags describe a preflight response.
func (eo *explainOptions) preflightGiven(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("preflight-status") || len(eo.preflightHeaders) > 0
}

// response builds one response from a status flag and a header flag; nil
// when neither was given. A header sent twice is joined with "\n", as
// Chromium reports several header lines.
func response(cmd *cobra.Command, statusFlag string, status int, headerFlag string, lines []string, defaultStatus int) (*cors.Response, error) {
	given := cmd.Flags().Changed(statusFlag)
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
	if len(lines) > 0 {
		r.Headers = map[string]string{}
	}
	for _, line := range lines {
		name, value, err := splitHeader(headerFlag, line)
		if err != nil {
			return nil, err
		}
		// Several lines of one header arrive joined with "\n" whatever
		// their case; keep the first spelling of the name.
		existing := name
		for k := range r.Headers {
			if strings.EqualFold(k, name) {
				existing = k
			}
		}
		if prev, ok := r.Headers[existing]; ok {
			value = prev + "\n" + value
		}
		r.Headers[existing] = value
	}
	return r, nil
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

// flagOfField maps a suite field, as scenarios names it, to the flag that set it.
var flagOfField = []struct{ field, flag string }{
	{"cases[0].origin", "--origin"},
	{"cases[0].request.method", "-X"},
	{"cases[0].request.headers", "-H"},
	{"cases[0].request.credentials", "--credentials"},
	{"cases[0].request.mode", "--mode"},
	{"cases[0].request.api", "--api"},
	{"cases[0].request.body", "--data"},
	{"cases[0].request", "request flags"},
}

// checkFlagCase validates a case built from a command's flags exactly as a
// suite file's case is validated, by writing it as a one-case suite and
// reading it back, and reports problems in terms of the flags. urlFlag
// names what set the URL (a flag, or the command's argument).
func checkFlagCase(c scenarios.Case, command, urlFlag string) (scenarios.Case, error) {
	s := scenarios.Suite{Version: scenarios.SuiteVersion, Name: command, Cases: []scenarios.Case{c}}
	data, err := s.Marshal()
	if err != nil {
		return c, fmt.Errorf("checking flags: %w", err)
	}
	parsed, err := scenarios.Parse(command+" flags", data)
	if err != nil {
		return c, flagProblems(err, command, urlFlag)
	}
	out := parsed.Cases[0]
	out.File = ""
	return out, nil
}

// flagProblems rewrites suite problems in terms of the flags: the user never
// wrote the suite, so a file position would only confuse.
func flagProblems(err error, command, urlFlag string) error {
	probs := fileerr.Problems(err)
	if len(probs) == 0 {
		return &usageError{err: err}
	}
	var lines []string
	fields := append([]struct{ field, flag string }{{"cases[0].request.url", urlFlag}, {"cases[0].cookies", "--cookie"}}, flagOfField...)
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
		line := where + ": "
		if p.Value != "" {
			line += fmt.Sprintf("%q ", p.Value)
		}
		line += p.Message
		if p.Hint != "" {
			line += " (hint: " + p.Hint + ")"
		}
		lines = append(lines, line)
	}
	return &usageError{err: errors.New(strings.Join(lines, "\n")), hint: "see `corsproof " + command + " --help`"}
}

// explainRecord explains a saved record next to the browser's verdict.
func explainRecord(rec *result.Record, showSecrets bool) explanation {
	in := rec.ModelInput()
	return explanation{
		Case:  rec.Name,
		Suite: rec.Suite,
		Input: redactInput(in, showSecrets),
		Browser: &browserVerdict{
			Name: rec.Browser, Verdict: string(rec.Verdict), CorsError: rec.CorsError,
			FailedParameter: rec.FailedParameter, NetError: rec.NetError, BlockedReason: rec.BlockedReason,
		},
		Prediction: cors.Predict(in),
		Diagnosis:  cors.Diagnose(in, string(rec.Verdict), rec.CorsError, rec.FailedParameter),
	}
}

// explainInput explains a request described by flags. With no browser, the
// model's verdict stands in for the browser's so that Diagnose explains it;
// verdicts Diagnose has no words for (unknown, a refused request) are
// explained here.
func explainInput(in cors.Input, showSecrets, preflightGiven bool) explanation {
	p := cors.Predict(in)
	var d cors.Diagnosis
	switch p.Verdict {
	case cors.VerdictAllowed, cors.VerdictBlocked:
		d = cors.Diagnose(in, p.Verdict, p.CorsError, p.FailedParameter)
	case cors.VerdictError:
		d = cors.Diagnosis{
			ModelVerdict: p.Verdict, AgreesWithBrowser: true, Warnings: p.Warnings,
			Summary: "Refused by the page's API before anything is sent: " + strings.Join(p.Notes, "; ") + ".",
			Fix:     "Change the request in the page; no server header can allow it.",
		}
	default:
		d = cors.Diagnosis{ModelVerdict: p.Verdict, AgreesWithBrowser: true, Warnings: p.Warnings, Summary: unknownSummary(p, preflightGiven)}
	}
	if p.CrossOrigin && p.PreflightNeeded && !preflightGiven && p.Verdict != cors.VerdictError {
		d.Warnings = append(d.Warnings, "no preflight response was given (--preflight-status, --preflight-header), so the model assumed the preflight allowed the request")
		// The model's note for a record speaks of a browser's preflight
		// cache; with no browser here, the warning above says it.
		p.Notes = slices.DeleteFunc(slices.Clone(p.Notes), func(n string) bool { return strings.Contains(n, "cached preflight") })
	}
	return explanation{Input: redactInput(in, showSecrets), Prediction: p, Diagnosis: d}
}

// unknownSummary says what the model could decide without the actual response.
func unknownSummary(p cors.Prediction, preflightGiven bool) string {
	switch {
	case !p.CrossOrigin:
		return "No CORS check applies to this request (same-origin or no-cors); give --status and --response-header to see which headers script can read."
	case p.PreflightNeeded && !preflightGiven:
		return "A preflight is needed. Give the server's OPTIONS answer (--preflight-status, --preflight-header) and the actual response (--status, --response-header) to check them."
	case p.PreflightNeeded:
		return "The preflight allows the request. Give the actual response (--status, --response-header) to check it too."
	}
	return "No preflight is needed: the browser sends the request as is. Give the response (--status, --response-header) to check whether the page may read it."
}

// redactInput hides credential header values in what explain echoes.
func redactInput(in cors.Input, showSecrets bool) cors.Input {
	if showSecrets {
		return in
	}
	redact := func(h map[string]string) map[string]string {
		if h == nil {
			return nil
		}
		out := make(map[string]string, len(h))
		for k, v := range h {
			if reports.IsSecretHeader(k) {
				v = reports.Redacted
			}
			out[k] = v
		}
		return out
	}
	in.Request.Headers = redact(in.Request.Headers)
	copyResp := func(r *cors.Response) *cors.Response {
		if r == nil {
			return nil
		}
		c := *r
		c.Headers = redact(r.Headers)
		return &c
	}
	in.Preflight = copyResp(in.Preflight)
	in.Actual = copyResp(in.Actual)
	in.Redirects = slices.Clone(in.Redirects)
	for i := range in.Redirects {
		in.Redirects[i].Headers = redact(in.Redirects[i].Headers)
	}
	in.RedirectPreflights = slices.Clone(in.RedirectPreflights)
	for i := range in.RedirectPreflights {
		in.RedirectPreflights[i].Headers = redact(in.RedirectPreflights[i].Headers)
	}
	return in
}

// writeExplanation writes one explanation as text. Every value may come
// from the network, so each line is sanitized for the terminal.
func writeExplanation(w io.Writer, e *explanation, titled bool) error {
	ew := &lineWriter{w: w}
	p, d := &e.Prediction, &e.Diagnosis
	if titled {
		title := e.Case
		if e.Suite != "" {
			title = e.Suite + " / " + e.Case
		}
		ew.line("── %s", title)
	}
	r := e.Input.Request
	api := r.API
	if api == "" {
		api = "fetch"
	}
	creds := r.Credentials
	if creds == "" {
		creds = "same-origin"
	}
	ew.line("Request:    %s %s from %s (%s, credentials %s)", p.Method, r.URL, r.Origin, api, creds)
	if b := e.Browser; b != nil {
		s := b.Verdict + withReason(b.CorsError, b.FailedParameter)
		if b.CorsError == "" && b.NetError != "" {
			s += " (" + b.NetError + ")"
		}
		if b.BlockedReason != "" {
			s += " [" + b.BlockedReason + "]"
		}
		if b.Name != "" {
			s += " · " + b.Name
		}
		ew.line("Browser:    %s", s)
	}
	model := p.Verdict + withReason(p.CorsError, p.FailedParameter)
	if at := stageNames[p.FailedAt]; at != "" {
		model += " at " + at
	}
	switch {
	case e.Browser == nil:
		model += " (model only, no browser)"
	case d.AgreesWithBrowser:
		model += " · agrees with the browser"
	default:
		model += " · DISAGREES with the browser"
	}
	ew.line("Model:      %s", model)
	switch {
	case !p.CrossOrigin:
		ew.line("Preflight:  not needed (no CORS check applies)")
	case p.PreflightNeeded:
		ew.line("Preflight:  needed")
		for _, reason := range p.PreflightReasons {
			ew.line("  - %s", reason.Detail)
		}
		if len(p.RequestHeaderNames) > 0 {
			ew.line("  Access-Control-Request-Headers: %s", strings.Join(p.RequestHeaderNames, ","))
		}
	default:
		ew.line("Preflight:  not needed (safelisted method and headers)")
	}
	ew.line("Summary:    %s", d.Summary)
	if d.Fix != "" {
		ew.line("Fix:        %s", d.Fix)
	}
	if len(p.ReadableHeaders) > 0 {
		ew.line("Readable:   %s", strings.Join(p.ReadableHeaders, ", "))
	}
	if len(p.UnreadableHeaders) > 0 {
		ew.line("Unreadable: %s", strings.Join(p.UnreadableHeaders, ", "))
	}
	if len(d.Warnings) > 0 {
		ew.line("Warnings:")
		for _, warn := range d.Warnings {
			ew.line("  - %s", warn)
		}
	}
	if len(p.Notes) > 0 {
		ew.line("Notes:")
		for _, n := range p.Notes {
			ew.line("  - %s", n)
		}
	}
	return ew.err
}

// stageNames words the stage where a check failed.
var stageNames = map[string]string{
	cors.StagePreflight: "the preflight",
	cors.StageRedirect:  "a redirect",
	cors.StageActual:    "the actual response",
	cors.StageRequest:   "the request, before it was sent",
}

func withReason(corsError, param string) string {
	switch {
	case corsError != "" && param != "":
		return " " + corsError + " (" + param + ")"
	case corsError != "":
		return " " + corsError
	}
	return ""
}

// lineWriter writes sanitized lines and remembers the first error.
type lineWriter struct {
	w   io.Writer
	err error
}

// line formats one line; each line of the result (a value may hold line
// breaks) is sanitized for the terminal on its own.
func (l *lineWriter) line(format string, args ...any) {
	if l.err != nil {
		return
	}
	for _, s := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		if _, l.err = fmt.Fprintln(l.w, reports.SanitizeTerminal(s)); l.err != nil {
			return
		}
	}
}
