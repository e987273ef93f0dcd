package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// Explanation is one explained request, as `corsproof explain -o json`
// writes it.
type Explanation struct {
	Case  string `json:"case,omitempty"`
	Suite string `json:"suite,omitempty"`
	// Step names the step of Case this explains, for a case with steps.
	Step string `json:"step,omitempty"`
	// Input is what the model read, credential values redacted.
	Input cors.Input `json:"input"`
	// Browser is the saved browser verdict; nil when explaining flags.
	Browser    *BrowserVerdict `json:"browser,omitempty"`
	Prediction cors.Prediction `json:"prediction"`
	Diagnosis  cors.Diagnosis  `json:"diagnosis"`
	// PreflightSent and PreflightCache are a step's: whether the browser
	// sent a preflight, and the model's prediction given what the earlier
	// steps left in the preflight cache.
	PreflightSent  *bool                  `json:"preflight_sent,omitempty"`
	PreflightCache *result.PreflightModel `json:"preflight_cache,omitempty"`
	// Steps explain each step of a case with steps, in order; the case's
	// own fields are its last step's.
	Steps []Explanation `json:"steps,omitempty"`
}

// BrowserVerdict is what the browser did, from a saved record.
type BrowserVerdict struct {
	Name            string `json:"name,omitempty"`
	Verdict         string `json:"verdict"`
	CorsError       string `json:"cors_error,omitempty"`
	FailedParameter string `json:"failed_parameter,omitempty"`
	// EngineReason and ReasonText are the engine's own reason where it is
	// not Chromium (result.Record's): Firefox's code, and its text.
	EngineReason  string `json:"engine_reason,omitempty"`
	ReasonText    string `json:"reason_text,omitempty"`
	NetError      string `json:"net_error,omitempty"`
	BlockedReason string `json:"blocked_reason,omitempty"`
}

// ExplainRecord explains a saved record next to the browser's verdict; a
// record with steps, each of its steps too, with the model's prediction of
// its preflight given the steps before it (run again, not read from the
// record).
func ExplainRecord(rec *result.Record, showSecrets bool) Explanation {
	e := explainOne(rec, showSecrets)
	if len(rec.Steps) == 0 {
		return e
	}
	preds := result.PredictStepPreflights(rec.Steps)
	for i := range rec.Steps {
		st := explainOne(&rec.Steps[i], showSecrets)
		st.Case, st.Suite, st.Step = rec.Name, rec.Suite, rec.Steps[i].Name
		sent := rec.Steps[i].Preflight != nil
		st.PreflightSent, st.PreflightCache = &sent, preds[i]
		e.Steps = append(e.Steps, st)
	}
	return e
}

func explainOne(rec *result.Record, showSecrets bool) Explanation {
	in := rec.ModelInput()
	return Explanation{
		Case:  rec.Name,
		Suite: rec.Suite,
		Input: RedactInput(in, showSecrets),
		Browser: &BrowserVerdict{
			Name: rec.Browser, Verdict: string(rec.Verdict), CorsError: string(rec.CorsError),
			FailedParameter: rec.FailedParameter, EngineReason: rec.EngineReason, ReasonText: rec.ReasonText,
			NetError: rec.NetError, BlockedReason: rec.BlockedReason,
		},
		Prediction: cors.Predict(in),
		Diagnosis:  cors.Diagnose(in, rec.Observation()),
	}
}

// ExplainInput explains a request described without a browser (the
// model's own verdict stands in, see cors.ExplainModel).
func ExplainInput(in cors.Input, showSecrets, preflightGiven bool) Explanation {
	p, d := cors.ExplainModel(in, preflightGiven)
	return Explanation{Input: RedactInput(in, showSecrets), Prediction: p, Diagnosis: d}
}

// RedactInput hides credential header values in what explain echoes.
func RedactInput(in cors.Input, showSecrets bool) cors.Input {
	if showSecrets {
		return in
	}
	redact := func(h map[string]string) map[string]string {
		if h == nil {
			return nil
		}
		out := make(map[string]string, len(h))
		for k, v := range h {
			if cors.IsSecretHeader(k) {
				v = Redacted
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

// WriteExplanation writes one explanation as text. Every value may come
// from the network, so each line is sanitized for the terminal.
func WriteExplanation(w io.Writer, e *Explanation, titled bool) error {
	if len(e.Steps) > 0 {
		return writeSteps(w, e)
	}
	ew := &lineWriter{w: w}
	p, d := &e.Prediction, &e.Diagnosis
	if titled {
		title := caseTitle(e)
		if e.Step != "" {
			title = e.Step
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
		if b.EngineReason != "" || b.ReasonText != "" {
			// Firefox's own code first, as the run's reports show it.
			s = b.Verdict + " " + engineReason(&result.Record{EngineReason: b.EngineReason, ReasonText: b.ReasonText,
				CorsError: cors.CorsError(b.CorsError), FailedParameter: b.FailedParameter})
		}
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
	model := string(p.Verdict) + withReason(string(p.CorsError), p.FailedParameter)
	if at := stageNames[p.FailedAt]; at != "" {
		model += " at " + at
	}
	cache := ""
	if pm := e.PreflightCache; pm != nil && e.PreflightSent != nil {
		sent := "no preflight"
		if *e.PreflightSent {
			sent = "preflight sent"
		}
		predicted := "no preflight"
		if pm.Sent {
			predicted = "a preflight"
		}
		line := fmt.Sprintf("%s; the model predicts %s: %s", sent, predicted, pm.Reason)
		switch {
		case pm.Uncertain:
			line += " · either way agrees"
		case pm.AgreesWithBrowser:
			line += " · agrees with the browser"
		default:
			line += " · DISAGREES with the browser"
		}
		cache = line
	}
	switch {
	case e.Browser == nil:
		model += " (model only, no browser)"
	case d.AgreesWithBrowser:
		model += " · agrees with the browser"
	case d.ModelUndecided():
		model += " · undecided (no final response to check)"
	default:
		model += " · DISAGREES with the browser"
	}
	ew.line("Model:      %s", model)
	if cache != "" {
		ew.line("Cache:      %s", cache)
	}
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

// writeSteps writes the explanation of a case with steps: a title, then
// each step as an explanation of its own.
func writeSteps(w io.Writer, e *Explanation) error {
	ew := &lineWriter{w: w}
	ew.line("── %s: %d steps from one page and browser context, so the preflight cache carries from one to the next", caseTitle(e), len(e.Steps))
	for i := range e.Steps {
		ew.line("")
		if ew.err != nil {
			return ew.err
		}
		if err := WriteExplanation(w, &e.Steps[i], true); err != nil {
			return err
		}
	}
	return ew.err
}

// caseTitle names the case of an explanation: SUITE / CASE, or the case
// alone when the suite has its name (probe's).
func caseTitle(e *Explanation) string {
	if e.Suite == "" || e.Suite == e.Case {
		return e.Case
	}
	return e.Suite + " / " + e.Case
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
		if _, l.err = fmt.Fprintln(l.w, SanitizeTerminal(s)); l.err != nil {
			return
		}
	}
}

// WriteExplanations writes explanations as text, one after the other with
// a title each when there are several, or as JSON: one object when single,
// else an array.
func WriteExplanations(w io.Writer, exps []Explanation, asJSON, single bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		var v any = exps
		if single && len(exps) == 1 {
			v = exps[0]
		}
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing explanation: %w", err)
		}
		return nil
	}
	for i := range exps {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return fmt.Errorf("writing explanation: %w", err)
			}
		}
		if err := WriteExplanation(w, &exps[i], len(exps) > 1); err != nil {
			return fmt.Errorf("writing explanation: %w", err)
		}
	}
	return nil
}
