package result

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
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
	if w := cookiesNotSent(rec); w != "" {
		d.Warnings = append(d.Warnings, w)
	}
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

// cookiesNotSent warns when the case puts cookies in the jar that the
// request's credentials mode never sends: omit sends none, same-origin
// (fetch's default, and xhr without withCredentials) none to another
// origin. The browser gives no sign of it: it does not even consider them.
func cookiesNotSent(rec *Record) string {
	if len(rec.Cookies) == 0 {
		return ""
	}
	mode := rec.Request.Credentials
	if mode == "" {
		mode = scenarios.CredentialsSameOrigin
	}
	page := rec.Origin
	if rec.Page.Origin != "" {
		page = rec.Page.Origin
	}
	pageOrigin, err := cors.SerializeOrigin(page)
	if err != nil {
		pageOrigin = "null"
	}
	target, err := cors.SerializeOrigin(rec.Request.URL)
	crossOrigin := err != nil || pageOrigin == "null" || target != pageOrigin
	switch {
	case mode == scenarios.CredentialsInclude:
		return ""
	case mode == scenarios.CredentialsSameOrigin && !crossOrigin:
		return ""
	}
	names := slices.Sorted(maps.Keys(rec.Cookies))
	for i, n := range names {
		names[i] = codeSpan(n)
	}
	why := "with credentials `omit` the browser sends no cookies"
	if mode == scenarios.CredentialsSameOrigin {
		why = "with credentials `same-origin` (fetch's default; xhr without withCredentials) the browser sends no cookies to another origin"
	}
	return fmt.Sprintf("The case puts the cookie(s) %s in the browser's jar, but %s, so they never reached the server; if the page needs them, make the request with `credentials: 'include'` (`--credentials include`; xhr: `withCredentials = true`).", strings.Join(names, ", "), why)
}

// codeSpan renders a name from the case in backticks, escaped when it is
// not plain printable ASCII.
func codeSpan(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f || s[i] == '`' {
			return strconv.QuoteToASCII(s)
		}
	}
	return "`" + s + "`"
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
