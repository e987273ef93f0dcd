package cors

import (
	"fmt"
	"slices"
	"strings"
)

// Diagnose sets the model's prediction next to the browser's verdict and
// explains it. The explanation follows the browser's CorsError when there is
// one, because the browser is the oracle; the model only adds the values.
// For a CORS block the fix is the complete one (Fix), never only the first
// failing check.
//
// AgreesWithBrowser is true when the verdict and the CorsError both match.
// For a browser verdict that is not about CORS (network-error, timeout,
// error, or a block for a reason the model does not model, such as CSP)
// the model has nothing to compare, so agreement means only that the model
// would not have blocked the request for a CORS reason. When the model
// lacks the response it needs (VerdictUnknown) there is no agreement:
// AgreesWithBrowser is false and ModelUndecided true. A legacy CorsError
// name from an older Chromium is read as its current name.
func Diagnose(in Input, obs Observation) Diagnosis {
	browserVerdict, failedParameter := obs.Verdict, obs.FailedParameter
	browserCorsError := obs.CorsError.Canonical()
	p := Predict(in)
	d := Diagnosis{
		ModelVerdict:   p.Verdict,
		ModelCorsError: p.CorsError,
		Warnings:       append([]string(nil), p.Warnings...),
	}
	outsideModel := browserVerdict.noCORSOpinion() ||
		browserVerdict == VerdictBlocked && browserCorsError == "" && obs.BlockedReason != BlockerMixedContent
	switch {
	case p.Verdict == VerdictUnknown:
		d.AgreesWithBrowser = false
	case outsideModel:
		d.AgreesWithBrowser = !(p.Verdict == VerdictBlocked && p.CorsError != "")
	default:
		d.AgreesWithBrowser = p.Verdict == browserVerdict && p.CorsError == browserCorsError && p.Blocker == blockerOf(browserVerdict, browserCorsError, obs.BlockedReason)
	}
	// With several headers missing, the browser names one of them: the
	// model follows Chromium's order (headerCheckOrder), another engine's
	// may differ; that is no difference worth a warning.
	orderOnly := browserCorsError == ErrHeaderDisallowedByPreflightResponse && slices.Contains(p.RequestHeaderNames, strings.ToLower(failedParameter))
	if d.AgreesWithBrowser && !orderOnly && browserCorsError != "" && failedParameter != "" && p.FailedParameter != "" && p.FailedParameter != failedParameter {
		d.Warnings = append(d.Warnings, fmt.Sprintf("the browser reported the failed parameter %s, the model %s (with several failing headers the order can differ)", quote(failedParameter), quote(p.FailedParameter)))
	}

	switch {
	case browserVerdict == VerdictBlocked && browserCorsError != "":
		param := failedParameter
		if param == "" && p.CorsError == browserCorsError {
			param = p.FailedParameter
		}
		d.Summary, d.Fix = Explain(browserCorsError, contextFor(in, p, browserCorsError, param))
		if browserCorsError.HeaderFixable() {
			d.setFix(in, p)
		} else {
			d.failureWords(obs)
		}
		d.Summary = "Blocked: " + d.Summary
		if !d.AgreesWithBrowser && !d.ModelUndecided() {
			d.Summary += " " + disagreement(p, browserVerdict, browserCorsError)
		}
	case browserVerdict == VerdictBlocked && obs.BlockedReason == BlockerMixedContent:
		d.Summary = fmt.Sprintf("Blocked as mixed content: the page %s is served over https and asks for the plain http URL %s, so the browser refuses before sending anything. That is not a CORS check, and no CORS header can allow it.", quote(normalizeOrigin(in.Request.Origin)), quote(in.Request.URL))
		d.Fix = "Serve the API over https and call it with an https URL (or, for local development only, call it on a loopback host such as 127.0.0.1 or localhost, which is not mixed content)."
		d.failureWords(obs)
	case browserVerdict == VerdictBlocked:
		d.Summary = "Blocked by the browser without a CORS reason"
		if obs.BlockedReason != "" {
			d.Summary += " (" + quote(obs.BlockedReason) + ")"
		}
		d.Summary += ", for example CSP, an extension or a browser policy; no CORS header can change it."
		d.failureWords(obs)
		if p.Verdict == VerdictBlocked && p.CorsError != "" {
			s, _ := Explain(p.CorsError, contextFor(in, p, p.CorsError, p.FailedParameter))
			d.Summary += " The model also predicts a CORS failure: " + s
			d.setFix(in, p)
		}
	case browserVerdict == VerdictAllowed:
		d.Summary = "Allowed: " + allowedWhy(p)
		if !d.AgreesWithBrowser && !d.ModelUndecided() {
			d.Summary += " " + disagreement(p, browserVerdict, browserCorsError)
		}
	case browserVerdict.noCORSOpinion():
		d.Summary = fmt.Sprintf("Not a CORS verdict: the browser reports %s, so the request failed before or outside the CORS checks.", quote(string(browserVerdict)))
		d.failureWords(obs)
		if p.Verdict == VerdictBlocked && p.CorsError != "" {
			s, _ := Explain(p.CorsError, contextFor(in, p, p.CorsError, p.FailedParameter))
			d.Summary += " Had the server answered as recorded, the model predicts " + string(p.CorsError) + ": " + s + " This disagreement is either a model bug or a browser deviation worth reporting."
			d.setFix(in, p)
		} else if p.Verdict == VerdictError {
			d.Summary += " The model agrees that the page's API refuses this request: " + strings.Join(p.Notes, "; ") + "."
		}
	default:
		d.Summary = fmt.Sprintf("The browser verdict %s is not one the model knows; the model predicts %s.", quote(string(browserVerdict)), p.Verdict)
	}
	if d.ModelUndecided() && browserVerdict != VerdictAllowed {
		d.Warnings = append(d.Warnings, "the model had no final response to check, so it could not confirm the browser's verdict")
	}
	return d
}

// failureWords explains a failure outside the CORS response checks
// (network, certificate, mixed content, Local Network Access, time-out) in
// its own words, with what to check, when the observation carries its
// details; it reports whether it did.
func (d *Diagnosis) failureWords(obs Observation) bool {
	if obs.Failure == nil {
		return false
	}
	summary, fix, ok := ExplainFailure(*obs.Failure)
	if ok {
		d.Summary, d.Fix = summary, fix
	}
	return ok
}

// setFix fills the structured fix and says it in words.
func (d *Diagnosis) setFix(in Input, p Prediction) {
	f := Fix(in)
	if f == nil {
		return
	}
	d.FixHeaders = f
	d.Fix = RenderFix(f, p.Method, in.Request.URL)
}

// blockerOf is the Prediction.Blocker a browser verdict corresponds to.
func blockerOf(v Verdict, e CorsError, blockedReason string) string {
	if v == VerdictBlocked && e == "" && blockedReason == BlockerMixedContent {
		return BlockerMixedContent
	}
	return ""
}

// disagreement says plainly that the model and the browser differ.
func disagreement(p Prediction, browserVerdict Verdict, browserCorsError CorsError) string {
	model := string(p.Verdict)
	if p.CorsError != "" {
		model += " (" + string(p.CorsError) + ")"
	}
	browser := string(browserVerdict)
	if browserCorsError != "" {
		browser += " (" + string(browserCorsError) + ")"
	}
	s := fmt.Sprintf("The model disagrees: it predicts %s where the browser says %s. That is either a model bug or a browser deviation worth reporting.", model, browser)
	if p.Verdict == VerdictBlocked {
		ms, _ := Explain(p.CorsError, contextFor(Input{}, p, p.CorsError, p.FailedParameter))
		s += " The model's reasoning: " + ms
	}
	return s
}

// allowedWhy explains an allowed request in one or two sentences.
func allowedWhy(p Prediction) string {
	switch {
	case !p.CrossOrigin:
		return "the request stays same-origin or uses no-cors/data:, so no CORS check blocks it."
	case p.PreflightNeeded:
		reasons := make([]string, 0, len(p.PreflightReasons))
		for _, r := range p.PreflightReasons {
			reasons = append(reasons, r.Detail)
		}
		return fmt.Sprintf("the preflight was needed (%s) and allowed the request, and the response allows the origin %s.", strings.Join(reasons, "; "), quote(p.RequestOrigin))
	}
	return fmt.Sprintf("no preflight was needed and the response allows the origin %s.", quote(p.RequestOrigin))
}

// contextFor gathers the facts an explanation needs for a CorsError.
func contextFor(in Input, p Prediction, corsError CorsError, param string) Context {
	c := Context{
		PageOrigin:      normalizeOrigin(in.Request.Origin),
		Origin:          p.RequestOrigin,
		Method:          p.Method,
		URL:             p.FailedURL,
		Status:          p.FailedStatus,
		FailedParameter: param,
		Credentials:     strings.EqualFold(in.Request.Credentials, "include"),
		RequestHeaders:  p.RequestHeaderNames,
		Redirect:        p.FailedAt == StageRedirect,
	}
	var r *Response
	switch {
	case corsError.AboutPreflight():
		r = in.Preflight
		if p.FailedAt == StagePreflight && p.FailedURL != "" {
			for i := range in.RedirectPreflights {
				if in.RedirectPreflights[i].URL == p.FailedURL {
					r = &in.RedirectPreflights[i]
				}
			}
		}
	case p.FailedAt == StageRedirect:
		for i := range in.Redirects {
			if in.Redirects[i].URL == p.FailedURL {
				r = &in.Redirects[i]
			}
		}
	default:
		r = in.Actual
	}
	if r != nil {
		if r.URL != "" {
			c.URL = r.URL
		}
		if c.Status == 0 || p.CorsError != corsError {
			c.Status = r.Status
		}
		c.Location, _ = headerValue(r.Headers, hLocation)
		if m, ok := listHeader(r.Headers, hACAM); ok {
			c.AllowedMethods = m
		}
		if h, ok := listHeader(r.Headers, hACAH); ok {
			for _, n := range h {
				c.AllowedHeaders = append(c.AllowedHeaders, strings.ToLower(n))
			}
		}
	}
	if c.URL == "" {
		c.URL = in.Request.URL
	}
	return c
}
