package contract

import (
	"fmt"
	"strconv"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// RuleMaxAge checks a route's max_age: the Access-Control-Max-Age the API
// sends on its preflight, and whether the browser then reuses the result.
const RuleMaxAge = "max-age"

// maxAge adds the max_age case of a route whose policy sets one: the same
// preflighted request twice from one page. The first call must preflight;
// the second must not when max_age is above 0, since the browser keeps the
// result that long (at most 7200 s in Chromium).
func (g *generator) maxAge(r policy.Route, primary allowedOrigin, methods, headers []string, req scenarios.Request) {
	if r.MaxAge == nil {
		return
	}
	ck := Check{Rule: RuleMaxAge, Route: r.Path, Origin: primary.origin, From: primary.from, Allowed: true, Method: req.Method, MaxAge: r.MaxAge}
	switch {
	case len(methods) > 0:
		req.Method, ck.Method = methods[0], methods[0]
	case len(headers) > 0:
		req.Headers = map[string]string{headers[0]: headerValue(headers[0])}
		ck.Header = headers[0]
	default:
		g.note("route %s: max_age is set, but the policy allows no method or header that needs a preflight, so it is not checked", r.Path)
		return
	}
	if *r.MaxAge > cors.MaxMaxAge {
		g.note("route %s: max_age %d is above Chromium's cap of %d s; the browser keeps the preflight result 2 hours", r.Path, *r.MaxAge, cors.MaxMaxAge)
	}
	yes, again := true, *r.MaxAge <= 0
	detail := req.Method
	if ck.Header != "" {
		detail = ck.Header
	}
	g.add(ck,
		fmt.Sprintf("the policy sets max_age %d on %s: the preflight must send Access-Control-Max-Age: %d, and a second identical call from %s must reuse the result", *r.MaxAge, r.Path, *r.MaxAge, primary.origin),
		detail+" twice from "+primary.origin, req, nil)
	c := &g.c.Suite.Cases[len(g.c.Suite.Cases)-1]
	c.Steps = []scenarios.Step{
		{Name: "first call", Request: req, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed, Preflight: &yes}},
		{Name: "second call", Request: req, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed, Preflight: &again}},
	}
}

// judgeMaxAge compares the API's Access-Control-Max-Age with the policy's,
// and the second call's preflight with what that Max-Age promises.
func judgeMaxAge(ck Check, rec *result.Record) []Finding {
	f := Finding{Rule: ck.Rule, Route: ck.Route, Case: ck.Case, Origin: ck.Origin}
	want := *ck.MaxAge
	if len(rec.Steps) < 2 || rec.Steps[0].Preflight == nil || rec.Steps[0].Preflight.Status == 0 || rec.Steps[0].Verdict != cors.VerdictAllowed {
		f.Outcome = OutcomeError
		f.cause = "the first call's preflight did not pass, so there was no Access-Control-Max-Age to read (see the method and header findings)"
		f.Message = fmt.Sprintf("could not check %s: %s", ck.Case, f.cause)
		return []Finding{f}
	}
	first, second := rec.Steps[0], rec.Steps[1]
	got, present := header(first.Preflight, "Access-Control-Max-Age")
	keeps := cors.ParseMaxAge(got, present)
	var out []Finding
	if n, err := strconv.Atoi(got); !present || err != nil || n != want {
		f.Outcome = OutcomeViolation
		sent := "sends no Access-Control-Max-Age"
		if present {
			sent = "sends Access-Control-Max-Age: " + shown(got)
		}
		f.Message = fmt.Sprintf("the policy sets max_age %d on %s, but the API's preflight %s, which Chromium keeps %d s", want, ck.Route, sent, keeps)
		f.Fix = fmt.Sprintf("send Access-Control-Max-Age: %d on the preflight responses of %s", want, ck.Route)
		out = append(out, f)
	}
	if pm := second.PreflightModel; pm != nil && !pm.AgreesWithBrowser {
		h := f
		h.Outcome = OutcomeWarning
		what := "sent a new preflight for the second identical call"
		if second.Preflight == nil {
			what = "sent no preflight for the second identical call"
		}
		h.Message = fmt.Sprintf("with Access-Control-Max-Age %s on %s, the browser %s; the model expected otherwise (%s)", shown(got), ck.Route, what, pm.Reason)
		h.Fix = ""
		out = append(out, h)
	}
	return out
}
