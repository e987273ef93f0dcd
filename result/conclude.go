package result

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// Conclude finishes a record the browser has filled: it checks the case's
// expectations against what was observed and adds the model's diagnosis.
func Conclude(rec *Record, expect *scenarios.Expect) {
	rec.Expect = expect
	rec.Mismatches = expect.Check(rec.Observed())
	if rec.Mismatches == nil {
		rec.Mismatches = []string{}
	}
	// A case the harness could not run proves nothing either way; unless
	// the case expects exactly that, it must not pass a CI job quietly.
	if rec.Verdict == cors.VerdictError && (expect == nil || expect.Verdict == "") {
		rec.Mismatches = append(rec.Mismatches, "verdict: error: "+rec.Page.Error)
	}
	rec.ExpectMet = len(rec.Mismatches) == 0
	d := cors.Diagnose(rec.ModelInput(), rec.Observation())
	d.Warnings = append(d.Warnings, unnamedHosts(rec)...)
	rec.Diagnosis = &d
}

// unnamedHosts warns about every origin the browser contacted on a host the
// case does not name: a redirect took the request somewhere the user never
// asked corsproof to go.
func unnamedHosts(rec *Record) []string {
	named, err := url.Parse(rec.Request.URL)
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range rec.Contacted {
		u, err := url.Parse(o)
		if err != nil || strings.EqualFold(u.Hostname(), named.Hostname()) {
			continue
		}
		out = append(out, fmt.Sprintf("The request was redirected to `%s`, a host the case does not name; the browser contacted it.", o))
	}
	return out
}

// Observed maps the record onto the terms of an expectation.
func (r *Record) Observed() scenarios.Observed {
	obs := scenarios.Observed{
		Verdict:         r.Verdict,
		CorsError:       r.CorsError,
		EngineReason:    r.EngineReason,
		PreflightSent:   r.Preflight != nil,
		ReadableHeaders: r.Page.ReadableHeaders,
	}
	if r.Actual != nil {
		obs.Status = r.Actual.Status
	}
	return obs
}

// ModelInput is the record as the CORS model reads it: the request as the
// page made it and the raw responses.
func (r *Record) ModelInput() cors.Input {
	in := cors.Input{Request: r.Request.Model(r.Origin)}
	if r.Preflight != nil && r.Preflight.Status != 0 {
		in.Preflight = &cors.Response{URL: r.Preflight.URL, Status: r.Preflight.Status, Headers: r.Preflight.ResponseHeaders}
	}
	if r.Actual != nil && r.Actual.Status != 0 {
		in.Actual = &cors.Response{URL: r.Actual.URL, Status: r.Actual.Status, Headers: r.Actual.ResponseHeaders}
	}
	for _, hop := range r.Redirects {
		in.Redirects = append(in.Redirects, cors.Response{URL: hop.URL, Status: hop.Status, Headers: hop.ResponseHeaders})
	}
	return in
}

// Observation is what the browser reported, as the CORS model reads it.
func (r *Record) Observation() cors.Observation {
	f := r.Failure()
	return cors.Observation{Verdict: r.Verdict, CorsError: r.CorsError, FailedParameter: r.FailedParameter, NetError: r.NetError, BlockedReason: r.BlockedReason, Failure: &f}
}
