package contract

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
)

// Outcome is what verify concluded about one check.
type Outcome string

// Outcomes, from worst to best. Security and violation mean the API
// departs from the policy; error means a case could not be judged; a
// warning is something the run could not observe and does not fail it.
const (
	OutcomeSecurity  Outcome = "security"
	OutcomeViolation Outcome = "violation"
	OutcomeError     Outcome = "error"
	OutcomeWarning   Outcome = "warning"
	OutcomePass      Outcome = "pass"
)

// rank orders outcomes from worst (0) to best.
func (o Outcome) rank() int {
	return slices.Index([]Outcome{OutcomeSecurity, OutcomeViolation, OutcomeError, OutcomeWarning, OutcomePass}, o)
}

// Finding is one departure from the policy (or one thing verify could not
// judge), worded as a sentence about the policy and the API.
type Finding struct {
	Rule    string  `json:"rule"`
	Outcome Outcome `json:"outcome"`
	Route   string  `json:"route"`
	// Case names the generated case; Origin is its page's origin.
	Case   string `json:"case"`
	Origin string `json:"origin"`
	// Message says what the policy wants and what the API did. Header
	// values in it came from the network and are quoted when not plain.
	Message string `json:"message"`
	// Fix says what to change on the API, when known.
	Fix string `json:"fix,omitempty"`
	// Origins lists the origins of a finding that stands for several
	// cases: every denied origin a route let in with "*".
	Origins []string `json:"origins,omitempty"`
	// wildcard marks a security finding whose answer was
	// Access-Control-Allow-Origin: *, for mergeWildcard.
	wildcard bool
	// cause is why an error finding could not be judged, for mergeErrors.
	cause string
}

// RuleResult sums up one rule: how many cases checked it, how many held,
// and the worst outcome among them.
type RuleResult struct {
	Rule    string  `json:"rule"`
	Cases   int     `json:"cases"`
	Passed  int     `json:"passed"`
	Outcome Outcome `json:"outcome"`
}

// Report is verify's verdict on an API, organised by rule.
type Report struct {
	Policy  string `json:"policy"`
	Target  string `json:"target"`
	Browser string `json:"browser,omitempty"`
	// BrowserProduct and Isolation say what the run ran on, as a run's
	// own JSON does.
	BrowserProduct string `json:"browser_product,omitempty"`
	Isolation      string `json:"isolation,omitempty"`
	Cases          int    `json:"cases"`
	// Conforms is true when no finding is a security finding, a violation
	// or an error.
	Conforms   bool `json:"conforms"`
	Security   int  `json:"security"`
	Violations int  `json:"violations"`
	Errors     int  `json:"errors"`
	Warnings   int  `json:"warnings"`
	// Rules are in the order the suite first checks them.
	Rules    []RuleResult `json:"rules"`
	Findings []Finding    `json:"findings"`
	Notes    []string     `json:"notes,omitempty"`
	// Lint is the policy's lint findings (a broad pattern, http with
	// credentials…), which verify also prints on stderr.
	Lint []policy.Finding `json:"lint,omitempty"`
}

// EvaluateRun is Evaluate of a run's records, with the browser and the
// isolation the run used.
func EvaluateRun(c *Contract, run *result.Run) *Report {
	rep := Evaluate(c, run.Records)
	rep.Browser, rep.BrowserProduct, rep.Isolation = run.Browser, run.BrowserProduct, run.Isolation
	return rep
}

// Evaluate judges the records of a run of c.Suite against the policy:
// each case's verdict against the one the policy calls for, exposed headers
// against what the page could read, and Vary: Origin on every response that
// echoed the origin when the route requires it. Records are matched to
// cases by name; a case without a record is an error.
func Evaluate(c *Contract, records []result.Record) *Report {
	rep := &Report{Policy: c.PolicyFile, Target: c.Target, Cases: len(c.Checks), Notes: c.Notes, Lint: c.Lint, Findings: []Finding{}}
	byName := make(map[string]*result.Record, len(records))
	for i := range records {
		byName[records[i].Name] = &records[i]
		if rep.Browser == "" {
			rep.Browser = records[i].Browser
		}
	}
	rules := map[string]*RuleResult{}
	tally := func(rule string, fs []Finding) {
		rr := rules[rule]
		if rr == nil {
			rr = &RuleResult{Rule: rule, Outcome: OutcomePass}
			rules[rule] = rr
			rep.Rules = append(rep.Rules, RuleResult{Rule: rule})
		}
		rr.Cases++
		worst := OutcomePass
		for _, f := range fs {
			if f.Outcome.rank() < worst.rank() {
				worst = f.Outcome
			}
		}
		if worst == OutcomePass || worst == OutcomeWarning {
			rr.Passed++
		}
		if worst.rank() < rr.Outcome.rank() {
			rr.Outcome = worst
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	varyReported := map[string]bool{}
	for _, ck := range c.Checks {
		rec := byName[ck.Case]
		tally(ck.Rule, judge(ck, rec))
		if rec == nil || !ck.Vary {
			continue
		}
		for _, ex := range []struct {
			what string
			x    *result.Exchange
		}{{"preflight response", rec.Preflight}, {"response", rec.Actual}} {
			if ex.x == nil || ex.x.Status == 0 || headerValue1(ex.x, "Access-Control-Allow-Origin") != rec.Origin {
				continue
			}
			var fs []Finding
			if vary := headerValue1(ex.x, "Vary"); !varyCoversOrigin(vary) {
				key := ck.Route + " " + ex.what
				if !varyReported[key] {
					varyReported[key] = true
					fs = append(fs, Finding{Rule: RuleVaryOrigin, Outcome: OutcomeViolation, Route: ck.Route, Case: ck.Case, Origin: rec.Origin,
						Message: fmt.Sprintf("the policy requires Vary: Origin on %s, but the API echoed Access-Control-Allow-Origin: %s in the %s to %s without it (Vary: %s); a shared cache may serve that answer to another origin",
							ck.Route, shown(rec.Origin), ex.what, ck.Method, shown(vary)),
						Fix: "add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request's Origin"})
				} else {
					// Counted as failed, reported once per route and response kind.
					fs = append(fs, Finding{Outcome: OutcomeViolation})
				}
			}
			tally(RuleVaryOrigin, fs)
		}
	}
	// Drop the placeholders that only counted repeated Vary failures.
	rep.Findings = slices.DeleteFunc(rep.Findings, func(f Finding) bool { return f.Message == "" })
	rep.Findings = mergeErrors(mergeWildcard(rep.Findings))
	for i := range rep.Rules {
		rep.Rules[i] = *rules[rep.Rules[i].Rule]
	}
	slices.SortStableFunc(rep.Rules, func(a, b RuleResult) int { return ruleRank(a.Rule) - ruleRank(b.Rule) })
	for _, f := range rep.Findings {
		switch f.Outcome {
		case OutcomeSecurity:
			rep.Security++
		case OutcomeViolation:
			rep.Violations++
		case OutcomeError:
			rep.Errors++
		case OutcomeWarning:
			rep.Warnings++
		}
	}
	rep.Conforms = rep.Security+rep.Violations+rep.Errors == 0
	return rep
}

// ruleRank orders rules for reports: what the policy allows, then Vary,
// then what it denies, look-alikes in the order they are generated.
func ruleRank(rule string) int {
	order := []string{RuleOriginAllowed, RuleMethodAllowed, RuleHeaderAllowed, RuleCredentialsAllowed, RuleExposeHeader, RuleMaxAge, RuleVaryOrigin}
	if i := slices.Index(order, rule); i >= 0 {
		return i
	}
	switch rule {
	case RuleUnchecked:
		return -1
	case RuleOriginDenied:
		return 9
	}
	if kind, ok := strings.CutPrefix(rule, RuleOriginDenied+"/"); ok {
		kinds := append(slices.Clone(kindOrder), KindNull, KindIP, KindAnyOrigin)
		if i := slices.Index(kinds, kind); i >= 0 {
			return 10 + i
		}
		return 29
	}
	order = []string{RuleMethodDenied, RuleHeaderDenied, RuleCredentialsDenied}
	if i := slices.Index(order, rule); i >= 0 {
		return 30 + i
	}
	return 40
}

// judge returns the findings of one case; none when it holds.
func judge(ck Check, rec *result.Record) []Finding {
	f := Finding{Rule: ck.Rule, Route: ck.Route, Case: ck.Case, Origin: ck.Origin}
	if rec == nil {
		f.Outcome, f.Message = OutcomeError, fmt.Sprintf("could not check %s: the case did not run", ck.Case)
		return []Finding{f}
	}
	switch {
	case rec.Verdict != cors.VerdictAllowed && rec.Verdict != cors.VerdictBlocked:
		f.Outcome = OutcomeError
		f.cause = fmt.Sprintf("the request ended in %s%s", shown(string(rec.Verdict)), because(firstNonEmpty(rec.NetError, rec.Page.Error)))
		f.Message = fmt.Sprintf("could not check %s: %s", ck.Case, f.cause)
		if rec.Verdict == cors.VerdictNetworkError {
			f.Fix = "check that the API is running and reachable at the target URL"
		}
		return []Finding{f}
	case rec.Verdict == cors.VerdictBlocked && rec.CorsError == "":
		f.Outcome = OutcomeError
		f.cause = "the browser blocked the request before any CORS check" + because(firstNonEmpty(rec.BlockedReason, rec.NetError))
		f.Message = fmt.Sprintf("could not check %s: %s", ck.Case, f.cause)
		f.Fix = "an https page cannot call an http API other than on loopback (mixed content); verify an https API or run it on 127.0.0.1"
		return []Finding{f}
	}
	if ck.Rule == RuleMaxAge {
		return judgeMaxAge(ck, rec)
	}
	allowed := rec.Verdict == cors.VerdictAllowed
	switch {
	case ck.Allowed && !allowed:
		f.Outcome = OutcomeViolation
		f.Message = policyClause(ck) + ", but " + blockDetail(rec)
		if rec.Diagnosis != nil {
			f.Fix = policyFix(ck, rec)
		}
		return []Finding{f}
	case !ck.Allowed && allowed:
		f.Outcome = OutcomeSecurity
		f.Message, f.Fix = securityMessage(ck, rec)
		acao, _ := header(rec.Actual, "Access-Control-Allow-Origin")
		f.wildcard = acao == "*" && strings.HasPrefix(ck.Rule, RuleOriginDenied+"/")
		return []Finding{f}
	case allowed && len(ck.Expose) > 0:
		return exposeFindings(ck, rec)
	}
	return nil
}

// mergeWildcard replaces the security findings of a route that let every
// denied origin in with Access-Control-Allow-Origin: * by one finding: one
// cause, one thing to fix. A single such finding stays as it is.
func mergeWildcard(fs []Finding) []Finding {
	byRoute := map[string][]int{}
	for i, f := range fs {
		if f.wildcard {
			byRoute[f.Route] = append(byRoute[f.Route], i)
		}
	}
	drop := map[int]bool{}
	for route, idx := range byRoute {
		if len(idx) < 2 {
			continue
		}
		first := &fs[idx[0]]
		var origins []string
		for _, i := range idx {
			origins = append(origins, fs[i].Origin)
			drop[i] = i != idx[0]
		}
		first.Rule = RuleOriginDenied
		first.Origin = ""
		first.Origins = origins
		first.Message = fmt.Sprintf("the API lets any origin read %s (it answered Access-Control-Allow-Origin: *), which the policy does not: %d origins it must refuse were allowed, such as %s",
			route, len(origins), strings.Join(origins[:min(3, len(origins))], ", "))
		first.Fix = "echo only the policy's origins in Access-Control-Allow-Origin instead of *"
	}
	out := fs[:0]
	for i, f := range fs {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

// RuleUnchecked names a finding that stands for several cases that could
// not be checked for the same reason.
const RuleUnchecked = "could-not-check"

// mergeErrors replaces error findings that share their cause (an API that
// is down fails every case the same way) by one finding per cause.
func mergeErrors(fs []Finding) []Finding {
	byCause := map[string][]int{}
	var causes []string
	for i, f := range fs {
		if f.Outcome != OutcomeError || f.cause == "" {
			continue
		}
		if byCause[f.cause] == nil {
			causes = append(causes, f.cause)
		}
		byCause[f.cause] = append(byCause[f.cause], i)
	}
	drop := map[int]bool{}
	for _, cause := range causes {
		idx := byCause[cause]
		if len(idx) < 2 {
			continue
		}
		first := &fs[idx[0]]
		first.Rule = RuleUnchecked
		first.Route, first.Origin = "", ""
		first.Message = fmt.Sprintf("could not check %d cases: %s (the first: %s)", len(idx), cause, first.Case)
		for _, i := range idx[1:] {
			drop[i] = true
		}
	}
	out := fs[:0]
	for i, f := range fs {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

// policyFix is the record's fix as the policy would have it. The model's
// fix names the one origin the case came from; a route whose policy allows
// any origin without credentials answers them all with "*", which needs
// neither Vary: Origin nor an allow-list.
func policyFix(ck Check, rec *result.Record) string {
	d := rec.Diagnosis
	if ck.From != "*" || ck.Credentials || d.FixHeaders == nil || !d.FixHeaders.HasChanges() {
		return d.Fix
	}
	fh := *d.FixHeaders
	wildcard := func(c *cors.HeaderChange) *cors.HeaderChange {
		if !setsOrigin(c) {
			return c
		}
		out := *c
		out.Set = maps.Clone(c.Set)
		out.Set["Access-Control-Allow-Origin"] = "*"
		delete(out.Set, "Vary")
		return &out
	}
	if !setsOrigin(fh.Preflight) && !setsOrigin(fh.Actual) {
		return d.Fix // the origin is right already: nothing to say about *
	}
	fh.Preflight, fh.Actual = wildcard(fh.Preflight), wildcard(fh.Actual)
	fh.Notes = nil
	for _, n := range d.FixHeaders.Notes {
		if !strings.Contains(n, "allow-list") {
			fh.Notes = append(fh.Notes, n)
		}
	}
	fh.Notes = append(fh.Notes, "The policy lets any origin read "+ck.Route+" without credentials: `*` answers them all.")
	return cors.RenderFix(&fh, rec.Request.Method, rec.Request.URL)
}

// setsOrigin reports whether a change sends Access-Control-Allow-Origin.
func setsOrigin(c *cors.HeaderChange) bool {
	return c != nil && c.Set["Access-Control-Allow-Origin"] != ""
}

// policyClause words what the policy allows, for a violation.
func policyClause(ck Check) string {
	who := ck.Origin
	if ck.From != "" && ck.From != ck.Origin {
		who = ck.From + " (as " + ck.Origin + ")"
		if ck.From == "*" || ck.From == "reflect" {
			who = "any origin (as " + ck.Origin + ")"
		}
	}
	switch ck.Rule {
	case RuleMethodAllowed:
		return fmt.Sprintf("the policy allows method %s from %s on %s", ck.Method, who, ck.Route)
	case RuleHeaderAllowed:
		return fmt.Sprintf("the policy allows request header %s from %s on %s", ck.Header, who, ck.Route)
	case RuleCredentialsAllowed:
		s := fmt.Sprintf("the policy allows %s with credentials on %s", who, ck.Route)
		if !cors.IsSafelistedMethod(ck.Method) || ck.Header != "" {
			s += " (preflighted " + strings.TrimSpace(ck.Method+" "+ck.Header) + ")"
		}
		return s
	}
	return fmt.Sprintf("the policy allows %s on %s", who, ck.Route)
}

// blockDetail says what the API answered that made the browser block, from
// Chromium's reason and the raw headers of the response it judged.
func blockDetail(rec *result.Record) string {
	ce := rec.CorsError.Canonical()
	onPreflight := ce.AboutPreflight()
	ex, where := rec.Actual, "response"
	if onPreflight {
		ex, where = rec.Preflight, "preflight response"
	}
	acao, hasACAO := header(ex, "Access-Control-Allow-Origin")
	switch ce {
	case cors.ErrMissingAllowOriginHeader, cors.ErrPreflightMissingAllowOriginHeader:
		return "the API's " + where + " had no Access-Control-Allow-Origin"
	case cors.ErrAllowOriginMismatch, cors.ErrPreflightAllowOriginMismatch:
		s := "the API answered Access-Control-Allow-Origin: " + shown(acao)
		if acao == rec.Origin+"/" {
			s += " (with a trailing slash, which never matches an origin)"
		}
		return s + onThe(onPreflight)
	case cors.ErrWildcardOriginNotAllowed, cors.ErrPreflightWildcardOriginNotAllowed:
		return "the API answered Access-Control-Allow-Origin: *" + onThe(onPreflight) + ", which browsers refuse with credentials"
	case cors.ErrMultipleAllowOriginValues, cors.ErrPreflightMultipleAllowOriginValues:
		return "the API sent several Access-Control-Allow-Origin values: " + shown(acao) + onThe(onPreflight)
	case cors.ErrInvalidAllowCredentials, cors.ErrPreflightInvalidAllowCredentials:
		if v, ok := header(ex, "Access-Control-Allow-Credentials"); ok {
			return "the API answered Access-Control-Allow-Credentials: " + shown(v) + onThe(onPreflight) + " (it must be exactly true)"
		}
		return "the API's " + where + " had no Access-Control-Allow-Credentials: true"
	case cors.ErrPreflightInvalidStatus:
		if ex != nil && ex.Status != 0 {
			return "the API answered the preflight with status " + strconv.Itoa(ex.Status)
		}
		return "the API answered the preflight with a failing status"
	case cors.ErrPreflightDisallowedRedirect:
		return "the API redirected the preflight, which browsers never follow"
	case cors.ErrMethodDisallowedByPreflightResponse:
		if v, ok := header(ex, "Access-Control-Allow-Methods"); ok {
			return "the preflight's Access-Control-Allow-Methods is " + shown(v)
		}
		return "the preflight response had no Access-Control-Allow-Methods"
	case cors.ErrHeaderDisallowedByPreflightResponse:
		if v, ok := header(ex, "Access-Control-Allow-Headers"); ok {
			return "the preflight's Access-Control-Allow-Headers is " + shown(v)
		}
		return "the preflight response had no Access-Control-Allow-Headers"
	}
	s := "the browser blocked it with " + shown(string(rec.CorsError))
	if rec.FailedParameter != "" {
		s += " (" + shown(rec.FailedParameter) + ")"
	}
	if hasACAO {
		s += "; the API answered Access-Control-Allow-Origin: " + shown(acao)
	}
	return s
}

func onThe(preflight bool) string {
	if preflight {
		return " on the preflight"
	}
	return ""
}

// securityMessage words a request the API let through against the policy.
func securityMessage(ck Check, rec *result.Record) (msg, fix string) {
	acao, _ := header(rec.Actual, "Access-Control-Allow-Origin")
	answered := "; it answered Access-Control-Allow-Origin: " + shown(acao)
	if acac, ok := header(rec.Actual, "Access-Control-Allow-Credentials"); ok && strings.TrimSpace(acac) == "true" {
		answered += " with Access-Control-Allow-Credentials: true, so a page there can read it with the user's cookies"
	}
	switch {
	case ck.Rule == RuleMethodDenied:
		v, _ := header(rec.Preflight, "Access-Control-Allow-Methods")
		return fmt.Sprintf("the API allows method %s from %s on %s, which the policy does not; its preflight answered Access-Control-Allow-Methods: %s", ck.Method, ck.Origin, ck.Route, shown(v)),
			"list only the policy's methods in Access-Control-Allow-Methods"
	case ck.Rule == RuleHeaderDenied:
		v, _ := header(rec.Preflight, "Access-Control-Allow-Headers")
		return fmt.Sprintf("the API allows request header %s from %s on %s, which the policy does not; its preflight answered Access-Control-Allow-Headers: %s", ck.Header, ck.Origin, ck.Route, shown(v)),
			"list only the policy's headers in Access-Control-Allow-Headers, and never reflect Access-Control-Request-Headers"
	case ck.Rule == RuleCredentialsDenied:
		return fmt.Sprintf("the API allows credentialed requests from %s on %s, which the policy does not%s", ck.Origin, ck.Route, answered),
			"do not send Access-Control-Allow-Credentials: true on this route"
	case ck.Rule == RuleOriginDenied+"/"+KindAnyOrigin:
		return fmt.Sprintf("the API lets a page at %s read %s, which the policy closes to cross-origin pages%s", ck.Origin, ck.Route, answered),
			"send no CORS headers on this route"
	}
	kind := strings.TrimPrefix(ck.Rule, RuleOriginDenied+"/")
	fix = "compare the Origin header with the policy's origins exactly, as whole strings; never by prefix, suffix, substring or unanchored regular expression"
	switch kind {
	case KindNull:
		fix = `do not allow the origin "null": sandboxed iframes and file: pages of any site send it`
	case KindIP:
		fix = "do not allow IP-address origins the policy does not list"
	case KindScheme:
		fix = "compare the scheme too: an http page can be spoofed by anyone on the network"
	case KindPort:
		fix = "compare the port too: another port is another origin, often another application"
	}
	if acao == "*" {
		fix = "the API answers Access-Control-Allow-Origin: * here; echo only the policy's origins"
	}
	return fmt.Sprintf("the API allows %s on %s, which the policy does not (%s)%s", ck.Origin, ck.Route,
		kindPhrase(Variant{Kind: kind, Origin: ck.Origin, From: ck.From}), answered), fix
}

// exposeFindings checks that each exposed header the API sent was readable.
func exposeFindings(ck Check, rec *result.Record) []Finding {
	var out []Finding
	aceh, hasACEH := header(rec.Actual, "Access-Control-Expose-Headers")
	for _, h := range ck.Expose {
		if _, ok := readable(rec.Page.ReadableHeaders, h); ok {
			continue
		}
		f := Finding{Rule: ck.Rule, Route: ck.Route, Case: ck.Case, Origin: ck.Origin}
		if _, sent := header(rec.Actual, h); sent {
			f.Outcome = OutcomeViolation
			got := "no Access-Control-Expose-Headers"
			if hasACEH {
				got = "Access-Control-Expose-Headers: " + shown(aceh)
			}
			f.Message = fmt.Sprintf("the policy exposes %s on %s, but a page at %s could not read it: the API answered %s", h, ck.Route, ck.Origin, got)
			f.Fix = "list " + h + " in Access-Control-Expose-Headers"
		} else {
			f.Outcome = OutcomeWarning
			f.Message = fmt.Sprintf("the policy exposes %s on %s, but the API's response to GET carried no %s, so whether it is exposed could not be observed", h, ck.Route, h)
			f.Fix = "send " + h + " on this route, or drop it from expose_headers"
		}
		out = append(out, f)
	}
	return out
}

func readable(m map[string]string, name string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// header returns a raw response header of ex, case-insensitively; lines of
// a repeated header come joined with "\n", as Chromium reports them.
func header(ex *result.Exchange, name string) (string, bool) {
	if ex == nil {
		return "", false
	}
	return readable(ex.ResponseHeaders, name)
}

// headerValue1 is header without the presence flag.
func headerValue1(ex *result.Exchange, name string) string {
	v, _ := header(ex, name)
	return v
}

// varyCoversOrigin reports whether a Vary value names Origin (or "*",
// which varies on everything).
func varyCoversOrigin(v string) bool {
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
		f = strings.TrimSpace(f)
		if strings.EqualFold(f, "origin") || f == "*" {
			return true
		}
	}
	return false
}

func because(s string) string {
	if s == "" {
		return ""
	}
	return " (" + shown(s) + ")"
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// shown renders a value that came from the network for a one-line
// message: repeated header lines joined with ", ", quoted when anything in
// it is not printable ASCII (so it cannot forge lines or escape codes), cut
// at 120 characters, "none" when empty.
func shown(v string) string {
	if v == "" {
		return "none"
	}
	v = strings.ReplaceAll(v, "\n", ", ")
	const limit = 120
	cut := ""
	if r := []rune(v); len(r) > limit {
		v, cut = string(r[:limit]), "…"
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return strconv.QuoteToASCII(v) + cut
		}
	}
	return v + cut
}
