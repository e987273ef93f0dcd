package audit

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Rule ids: the kind of mistake a finding is. They are stable, so that
// SARIF dashboards and CI filters can rely on them.
const (
	// RuleOriginReflected: an arbitrary site could read; the server echoes
	// whatever Origin it gets.
	RuleOriginReflected = "origin-reflected"
	// RuleWildcardOrigin: an arbitrary site could read because the server
	// answers Access-Control-Allow-Origin: *.
	RuleWildcardOrigin = "wildcard-origin"
	// RuleNullOrigin: a page with the opaque origin null could read.
	RuleNullOrigin = "null-origin"
	// RuleLookalikeOrigin: origins that only look like a legitimate one
	// could read; the origin check is a broken pattern.
	RuleLookalikeOrigin = "lookalike-origin"
	// RuleVaryMissing: the response's Access-Control-Allow-Origin depends
	// on the Origin, but the response does not say Vary: Origin, so a
	// shared cache may hand one origin's answer to another (vary.go).
	RuleVaryMissing = "vary-origin-missing"
	// RulePreflightVaryMissing: the same for the preflight (OPTIONS).
	RulePreflightVaryMissing = "preflight-vary-origin-missing"
)

// Rules lists the rule ids with their one-line descriptions.
var Rules = []struct{ ID, Title, Help string }{
	{RuleOriginReflected, "The API reflects any origin", "Compare the Origin header against an exact list of your front ends' origins and send Access-Control-Allow-Origin only for those."},
	{RuleWildcardOrigin, "The API answers Access-Control-Allow-Origin: *", "Fine for public data. For data that is not public, list the origins that may read it, or require a credential a page cannot borrow."},
	{RuleNullOrigin, "The API trusts the null origin", "Never allow \"null\": sandboxed iframes and file: pages of any site send it. Remove it from the allow-list."},
	{RuleLookalikeOrigin, "The API accepts look-alike origins", "Compare the whole serialized origin (scheme, host and port) for equality, or anchor and escape the pattern: ^https://(app|shop)\\.example\\.com$."},
	{RuleVaryMissing, "Access-Control-Allow-Origin varies with Origin, without Vary: Origin", result.CacheFix},
	{RulePreflightVaryMissing, "The preflight's Access-Control-Allow-Origin varies with Origin, without Vary: Origin", "Send `Vary: Origin` on OPTIONS responses too (with `Access-Control-Request-Method, Access-Control-Request-Headers` when the answer depends on them). " + result.PreflightCacheFix},
}

// excerptLen bounds the part of a body a finding quotes.
const excerptLen = 200

// Read is what the attacker's page read, as the browser let it.
type Read struct {
	Status int `json:"status"`
	// Headers are the response headers the page's script could read.
	Headers map[string]string `json:"headers"`
	// Excerpt is the start of the body, with the values of the seeded
	// cookies and the credential headers replaced by [redacted].
	Excerpt   string `json:"excerpt"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Outcome is one check's result: the severity of what its page could read.
type Outcome struct {
	Check    Check    `json:"check"`
	Severity Severity `json:"severity"`
	// Why explains the severity.
	Why     string       `json:"why"`
	Verdict cors.Verdict `json:"verdict"`
	// CorsError and FailedParameter are Chromium's reason for a refusal.
	CorsError       cors.CorsError `json:"cors_error,omitempty"`
	FailedParameter string         `json:"failed_parameter,omitempty"`
	// AllowOrigin is the Access-Control-Allow-Origin the server sent.
	AllowOrigin string `json:"allow_origin,omitempty"`
	Read        *Read  `json:"read,omitempty"`
	// Record is the browser's full record of the check.
	Record *result.Record `json:"-"`
	rule   string
}

// Finding is one misconfiguration of one URL: the checks that show it,
// the worst of them in front.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	URL      string   `json:"url"`
	Title    string   `json:"title"`
	// Why explains the severity, from the check that sets it.
	Why string `json:"why"`
	// Origin is the page origin of that check, and Request its request.
	Origin  string            `json:"origin"`
	Request scenarios.Request `json:"request"`
	// Cookies names the cookies seeded in the jar for it, and CookiesSent
	// those the browser attached.
	Cookies     []string `json:"cookies,omitempty"`
	CookiesSent []string `json:"cookies_sent,omitempty"`
	// Preflight and Actual are the raw exchanges of that check.
	Preflight *result.Exchange `json:"preflight,omitempty"`
	Actual    *result.Exchange `json:"actual,omitempty"`
	Read      *Read            `json:"read,omitempty"`
	// Kinds are the attacker origin kinds that could read, and Origins
	// the origins.
	Kinds   []string `json:"kinds"`
	Origins []string `json:"origins"`
	// Refused are the checks of this mistake the browser refused,
	// however the headers looked, with the browser's reason.
	Refused []Outcome `json:"refused,omitempty"`
	// Answers are, for a finding about Vary, the Access-Control-Allow-Origin
	// values the origins were answered with: what shows that the header
	// depends on the Origin.
	Answers []Answer `json:"answers,omitempty"`
	// PoC is the path of the proof-of-concept page, once written.
	PoC string `json:"poc,omitempty"`
	// Evidence is the check behind Severity.
	Evidence *Outcome `json:"-"`
}

// Report is a finished audit.
type Report struct {
	Tool    string   `json:"tool"`
	Browser string   `json:"browser"`
	URLs    []string `json:"urls"`
	// Legit are the legitimate origins each URL's attacker origins were
	// derived from.
	Legit    map[string][]string `json:"legitimate_origins"`
	Checks   int                 `json:"checks"`
	Requests int                 `json:"requests"`
	Findings []Finding           `json:"findings"`
	// Incomplete lists the checks that have no usable record (error,
	// time-out, not run): the audit cannot vouch for them.
	Incomplete []Outcome `json:"incomplete,omitempty"`
	// Run is the run behind the report, for the run formats.
	Run *result.Run `json:"-"`
}

// Worst is the highest severity among the findings; SeverityNone when
// there are none.
func (r *Report) Worst() Severity {
	w := SeverityNone
	for _, f := range r.Findings {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}

// Fails reports whether a finding at or above min exists.
func (r *Report) Fails(min Severity) bool {
	for _, f := range r.Findings {
		if f.Severity.AtLeast(min) {
			return true
		}
	}
	return false
}

// Classify turns the run of a plan into the audit's findings.
func Classify(p *Plan, run *result.Run) *Report {
	rep := &Report{Tool: "corsproof", Browser: run.Browser, URLs: p.Options.URLs, Legit: p.Legit, Checks: len(p.Checks), Requests: p.Requests(), Run: run, Findings: []Finding{}}
	byName := map[string]int{}
	for i, c := range p.Suite.Cases {
		byName[c.Name] = i
	}
	secrets := p.secrets()
	seen := map[string][]Outcome{}
	type key struct{ url, rule string }
	groups := map[key][]Outcome{}
	var order []key
	for i := range run.Records {
		rec := &run.Records[i]
		ci, ok := byName[rec.Name]
		if !ok {
			continue
		}
		if rec.Cookies == nil {
			// The record names what its case seeded in the jar.
			rec.Cookies = p.Suite.Cases[ci].Cookies
		}
		o, usable := judge(p, p.Checks[ci], rec, secrets)
		if !usable {
			rep.Incomplete = append(rep.Incomplete, o)
			continue
		}
		seen[o.Check.URL] = append(seen[o.Check.URL], o)
		if o.rule == "" {
			continue
		}
		k := key{o.Check.URL, o.rule}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], o)
	}
	// What an arbitrary site gets subsumes what null and the look-alikes
	// get, unless they get more: one mistake, one finding.
	for _, k := range order {
		if k.rule != RuleOriginReflected && k.rule != RuleWildcardOrigin {
			continue
		}
		top := worst(groups[k]).Severity
		for _, other := range []string{RuleNullOrigin, RuleLookalikeOrigin} {
			ok := key{k.url, other}
			if g, found := groups[ok]; found && worst(g).Severity.Rank() <= top.Rank() {
				groups[k] = append(groups[k], g...)
				delete(groups, ok)
			}
		}
	}
	for _, k := range order {
		g, ok := groups[k]
		if !ok {
			continue
		}
		rep.Findings = append(rep.Findings, finding(k.url, k.rule, g))
	}
	for _, u := range p.Options.URLs {
		outcomes, ok := seen[u]
		if !ok {
			continue // no outcome, or a URL named twice (audited once)
		}
		rep.Findings = append(rep.Findings, varyFindings(u, outcomes)...)
		delete(seen, u)
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return b.Severity.Rank() - a.Severity.Rank() })
	return rep
}

// judge reads one check's record. usable is false when the record says
// nothing about CORS (a harness error, a time-out, a case not run). The
// outcome's rule is empty when neither the browser nor the headers give
// the attacker anything: the origin was simply refused.
func judge(p *Plan, c Check, rec *result.Record, secrets []string) (o Outcome, usable bool) {
	o = Outcome{Check: c, Verdict: rec.Verdict, CorsError: rec.CorsError, FailedParameter: rec.FailedParameter, Record: rec}
	switch rec.Verdict {
	case cors.VerdictAllowed, cors.VerdictBlocked:
	default:
		// The browser's net error says what happened (a redirect loop,
		// headers too big, a response that is no HTTP); the page's own
		// error is "TypeError: Failed to fetch" for all of them.
		o.Severity, o.Why = SeverityNone, strings.TrimSpace("no verdict: "+string(rec.Verdict)+" "+cmp.Or(rec.NetError, rec.Page.Error, rec.Fault))
		return o, false
	}
	acao, acac := "", ""
	if ex := rec.Actual; ex != nil {
		acao, acac = header(ex.ResponseHeaders, "Access-Control-Allow-Origin"), header(ex.ResponseHeaders, "Access-Control-Allow-Credentials")
	}
	if rec.Actual == nil && rec.Preflight != nil {
		acao, acac = header(rec.Preflight.ResponseHeaders, "Access-Control-Allow-Origin"), header(rec.Preflight.ResponseHeaders, "Access-Control-Allow-Credentials")
	}
	o.AllowOrigin = acao
	switch c.Origin.Kind {
	case KindLegitimate:
		// Not an attack: the answer only serves the comparison of vary.go.
		o.Severity, o.Why = SeverityNone, "the legitimate origin's own request"
		return o, true
	case KindArbitrary:
		o.rule = RuleOriginReflected
		if strings.TrimSpace(acao) == "*" {
			o.rule = RuleWildcardOrigin
		}
	case KindNull:
		o.rule = RuleNullOrigin
	default:
		o.rule = RuleLookalikeOrigin
	}
	if strings.TrimSpace(acao) == "null" {
		// "null" sent to another origin is no reflection or look-alike
		// match: it is the null origin the server lets in, whoever asked
		// (a fallback for origins off its list), and only null pages read.
		o.rule = RuleNullOrigin
	}
	read := rec.Verdict == cors.VerdictAllowed && rec.Page.Status > 0 && rec.Page.Type != "opaque"
	if !read {
		if !looksBad(c, acao, acac) {
			o.rule = ""
		}
		o.Severity = SeverityNone
		o.Why = refusal(rec)
		return o, true
	}
	o.Read = excerpt(rec, secrets)
	from := c.Origin.Origin
	var sent []string
	if rec.Actual != nil {
		sent = rec.Actual.CookiesSent
	}
	credentialed := rec.Request.Credentials == scenarios.CredentialsInclude
	switch {
	case credentialed && len(p.Options.Cookies) > 0 && len(sent) > 0:
		o.Severity = SeverityHigh
		o.Why = fmt.Sprintf("a page at %s read the response with the user's cookies (%s): account data is readable cross-origin", from, strings.Join(sent, ", "))
	case credentialed && len(p.Options.Cookies) == 0:
		o.Severity = SeverityHigh
		o.Why = fmt.Sprintf("a page at %s read the response with credentials included: a logged-in victim's cookies go with it (give --cookie to see what they reveal)", from)
	case strings.TrimSpace(acao) == "*" && !p.Options.Private:
		o.Severity = SeverityInfo
		o.Why = "any page can read it without credentials (Access-Control-Allow-Origin: *): harmless for public data; pass --private if the endpoint is not public"
	default:
		o.Severity = SeverityMedium
		o.Why = fmt.Sprintf("a page at %s read the response without the user's credentials", from)
		if credentialed {
			o.Why += " (the browser withheld the seeded cookies" + withheld(rec) + ")"
		}
		if strings.TrimSpace(acao) == "*" {
			o.Why += ": the endpoint is marked --private, and any site can read it"
		} else {
			o.Why += ": the server trusts this origin, so whatever it guards by origin or by network position is readable"
		}
	}
	return o, true
}

// looksBad reports whether a header scanner would flag the answer: the
// attacker's origin (or null) echoed, or "*" with credentials allowed.
func looksBad(c Check, acao, acac string) bool {
	acao = strings.TrimSpace(acao)
	switch {
	case acao == "":
		return false
	case acao == c.Origin.Origin, acao == "null":
		return true
	case acao == "*":
		return strings.EqualFold(strings.TrimSpace(acac), "true")
	}
	return false
}

// refusal says why the browser's refusal stands however the headers look.
func refusal(rec *result.Record) string {
	if rec.Verdict != cors.VerdictBlocked {
		return "the page could not read the response"
	}
	reason := string(rec.CorsError)
	if reason == "" {
		reason = rec.BlockedReason
	}
	if rec.FailedParameter != "" {
		reason += " " + rec.FailedParameter
	}
	why := map[cors.CorsError]string{
		"WildcardOriginNotAllowed":          "\"*\" with credentials is refused by every browser",
		"PreflightWildcardOriginNotAllowed": "\"*\" with credentials is refused by every browser",
		"InvalidAllowCredentials":           "the origin was allowed but credentials were not (no Access-Control-Allow-Credentials: true), so no cookie-bearing read is possible",
		"PreflightInvalidAllowCredentials":  "the preflight allowed the origin but not credentials",
		"AllowOriginMismatch":               "the Access-Control-Allow-Origin value is not the page's origin",
		"MultipleAllowOriginValues":         "several Access-Control-Allow-Origin values are refused by every browser",
	}[rec.CorsError.Canonical()]
	if why == "" {
		return "refused by the browser (" + reason + ")"
	}
	return "refused by the browser (" + reason + "): " + why
}

// withheld lists the browser's reasons for the cookies it did not send.
func withheld(rec *result.Record) string {
	if rec.Actual == nil || len(rec.Actual.CookiesBlocked) == 0 {
		return ""
	}
	var parts []string
	for _, c := range rec.Actual.CookiesBlocked {
		parts = append(parts, c.Name+": "+strings.Join(c.Reasons, ", "))
	}
	return "; " + strings.Join(parts, "; ")
}

// excerpt is what the page read, with secrets taken out and the body cut.
func excerpt(rec *result.Record, secrets []string) *Read {
	r := &Read{Status: rec.Page.Status, Headers: maps.Clone(rec.Page.ReadableHeaders), Excerpt: redact(rec.Page.Body, secrets)}
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	for k, v := range r.Headers {
		r.Headers[k] = redact(v, secrets)
	}
	if utf8.RuneCountInString(r.Excerpt) > excerptLen {
		r.Excerpt, r.Truncated = string([]rune(r.Excerpt)[:excerptLen]), true
	}
	return r
}

func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// secrets are the values an excerpt must not show: the seeded cookies'
// and the credential headers' (long ones first, so that a value inside
// another does not leave part of it).
func (p *Plan) secrets() []string {
	var out []string
	for _, v := range p.Options.Cookies {
		if len(v) >= 3 {
			out = append(out, v)
		}
	}
	for k, v := range p.Options.Headers {
		if cors.IsSecretHeader(k) && len(v) >= 3 {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// worst is the outcome that sets a group's severity: the most severe, and
// among equals the first (plan order: credentialed before the others).
func worst(g []Outcome) Outcome {
	best := g[0]
	for _, o := range g[1:] {
		if o.Severity.Rank() > best.Severity.Rank() || (o.Severity == best.Severity && kindRank(o.Check.Kind) < kindRank(best.Check.Kind)) {
			best = o
		}
	}
	return best
}

func kindRank(k CheckKind) int {
	return slices.Index([]CheckKind{CheckCredentialed, CheckSimple, CheckPreflighted}, k)
}

// finding builds the finding of one URL and rule from its outcomes.
func finding(url, rule string, g []Outcome) Finding {
	w := worst(g)
	f := Finding{Rule: rule, Severity: w.Severity, URL: url, Why: w.Why, Origin: w.Check.Origin.Origin, Evidence: &w, Kinds: []string{}, Origins: []string{}}
	rec := w.Record
	f.Request = rec.Request
	f.Preflight, f.Actual, f.Read = rec.Preflight, rec.Actual, w.Read
	if len(rec.Cookies) > 0 {
		f.Cookies = slices.Sorted(maps.Keys(rec.Cookies))
	}
	if rec.Actual != nil {
		f.CookiesSent = rec.Actual.CookiesSent
	}
	for _, o := range g {
		if o.Severity == SeverityNone {
			f.Refused = append(f.Refused, o)
			continue
		}
		if !slices.Contains(f.Kinds, o.Check.Origin.Kind) {
			f.Kinds = append(f.Kinds, o.Check.Origin.Kind)
		}
		if !slices.Contains(f.Origins, o.Check.Origin.Origin) {
			f.Origins = append(f.Origins, o.Check.Origin.Origin)
		}
	}
	for _, r := range Rules {
		if r.ID == rule {
			f.Title = r.Title
		}
	}
	if rule == RuleLookalikeOrigin && len(f.Kinds) > 0 {
		f.Title += " (" + strings.Join(f.Kinds, ", ") + ")"
		if reg, ok := ownDomain(g); ok {
			f.Why += "; every origin that read is a host under " + reg + ": an attacker must first control one (a subdomain takeover, or script injected there)"
		}
	}
	if f.Severity == SeverityNone {
		f.Title += ", but the browser refused every read"
	}
	return f
}

// ownDomain reports whether every origin that read in g is, over the same
// scheme, a host under the registrable domain of the legitimate origin it
// was derived from (evil.example.com for https://app.example.com), and
// returns that domain: such a finding is the API trusting its own domain,
// which a stranger cannot register into, unlike https://evilexample.com.
func ownDomain(g []Outcome) (string, bool) {
	reg := ""
	for _, o := range g {
		if o.Severity == SeverityNone {
			continue
		}
		a, err1 := url.Parse(o.Check.Origin.Origin)
		l, err2 := url.Parse(o.Check.Origin.From)
		if err1 != nil || err2 != nil || a.Scheme != l.Scheme {
			return "", false
		}
		r, err := publicsuffix.EffectiveTLDPlusOne(l.Hostname())
		if err != nil || (reg != "" && r != reg) {
			return "", false
		}
		if h := a.Hostname(); h != r && !strings.HasSuffix(h, "."+r) {
			return "", false
		}
		reg = r
	}
	return reg, reg != ""
}

// header looks a header up by name in any case.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
