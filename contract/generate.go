package contract

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
)

// Rule ids: stable names of what a generated case checks. Every case's why:
// starts with its rule id, and verify groups its report by them.
const (
	RuleOriginAllowed      = "origin-allowed"
	RuleMethodAllowed      = "method-allowed"
	RuleHeaderAllowed      = "header-allowed"
	RuleCredentialsAllowed = "credentials-allowed"
	RuleExposeHeader       = "expose-header"
	// RuleVaryOrigin has no cases of its own: verify checks it on every
	// response that echoed the origin in the cases above.
	RuleVaryOrigin        = "vary-origin"
	RuleOriginDenied      = "origin-denied" // followed by /KIND
	RuleMethodDenied      = "method-denied"
	RuleHeaderDenied      = "header-denied"
	RuleCredentialsDenied = "credentials-denied"
)

// MaxLookAlikes caps the look-alike origins tested per route, so a route
// with many allowed origins does not explode into hundreds of cases. The
// null and IP origins come on top.
const MaxLookAlikes = 12

// anyOrigin stands for "some page" on routes open to every origin ("*",
// "reflect") or closed to all. .test is reserved, so it is nobody's site.
const anyOrigin = "https://app.corsproof.test"

// Header names generated cases send when the policy leaves no concrete one.
const (
	unlistedHeader = "X-Corsproof-Unlisted"
	anyHeader      = "X-Corsproof-Any"
	anyMethod      = "PATCH"
)

// deniedMethods are tried in order for method-denied: the first one the
// route does not list is used.
var deniedMethods = []string{"PUT", "DELETE", "PATCH", "PROPFIND"}

// Check is what one generated case checks, in terms of the policy. It is
// the structured twin of the case's why:, used to word verify's findings.
type Check struct {
	// Case is the name of the generated case.
	Case string `json:"case"`
	// Rule is the rule id, such as origin-denied/prefix-lookalike.
	Rule string `json:"rule"`
	// Route is the path of the policy route.
	Route string `json:"route"`
	// Origin is the page's origin; From is the allow_origins entry it
	// stands for (positive cases) or was derived from (look-alikes).
	Origin string `json:"origin"`
	From   string `json:"from,omitempty"`
	// Allowed is the verdict the policy calls for.
	Allowed bool `json:"allowed"`
	// Method and Header are the method and request header under test.
	Method string `json:"method"`
	Header string `json:"header,omitempty"`
	// Credentials is true for credentialed requests.
	Credentials bool `json:"credentials,omitempty"`
	// Expose lists the response headers the page must be able to read.
	Expose []string `json:"expose,omitempty"`
	// Vary is true when responses that echo the origin must carry Vary: Origin.
	Vary bool `json:"vary,omitempty"`
	// MaxAge is the policy's max_age, for RuleMaxAge.
	MaxAge *int `json:"max_age,omitempty"`
}

// Contract is a policy turned into cases: the suite to run and, for each
// case in the same order, the check it makes.
type Contract struct {
	// PolicyFile is the file the policy came from; Target the API's base URL.
	PolicyFile string
	Target     string
	Suite      *scenarios.Suite
	Checks     []Check
	// Notes say what the generator left out and why, one sentence each.
	Notes []string
	// Lint holds the policy's lint findings when Load read it: a verify
	// report carries them, so a tool reading its JSON sees what the user
	// saw on stderr.
	Lint []policy.Finding
}

// Generate turns a policy into a conformance suite against the API at
// targetURL. The result depends only on the policy and targetURL: the same
// input gives the same suite, byte for byte, once marshalled.
func Generate(p *policy.Policy, targetURL string) (*scenarios.Suite, error) {
	c, err := Build(p, targetURL)
	if err != nil {
		return nil, err
	}
	return c.Suite, nil
}

// Build is Generate keeping what verify needs to word its findings: the
// check behind every case and the generator's notes.
func Build(p *policy.Policy, targetURL string) (*Contract, error) {
	if p == nil {
		return nil, errors.New("generating suite: no policy")
	}
	base, err := checkTarget(targetURL)
	if err != nil {
		return nil, err
	}
	if err := CheckPolicy(p); err != nil {
		return nil, err
	}
	name := "contract"
	if p.File != "" {
		name = "contract " + filepath.Base(p.File)
	}
	g := &generator{
		c:     &Contract{PolicyFile: p.File, Target: targetURL},
		names: map[string]int{},
	}
	g.c.Suite = &scenarios.Suite{Version: scenarios.SuiteVersion, Name: name, Target: targetURL}
	for _, r := range p.Routes {
		g.route(r, base+r.Path)
		if n, max := len(g.c.Suite.Cases), scenarios.DefaultLimits.Cases; n > max {
			// Stop before the suite outgrows memory: run would refuse it.
			return nil, fmt.Errorf("generating suite from %s: the policy yields more than %d cases by route %s, more than one suite may hold; split the policy into several files", p.File, max, r.Path)
		}
	}
	if len(g.c.Suite.Cases) == 0 {
		return nil, fmt.Errorf("generating suite from %s: the policy yields no cases", p.File)
	}
	// The suite must be one `corsproof run` accepts: check it the same way.
	data, err := g.c.Suite.Marshal()
	if err != nil {
		return nil, fmt.Errorf("generating suite: %w", err)
	}
	if _, err := scenarios.Parse(name, data); err != nil {
		return nil, fmt.Errorf("generating suite: the generated suite is invalid (a corsproof bug): %w", err)
	}
	return g.c, nil
}

// TargetError is an API base URL a contract cannot be built against.
type TargetError struct {
	Raw, Reason string
}

func (e *TargetError) Error() string { return fmt.Sprintf("target %q: %s", e.Raw, e.Reason) }

// Hint says what a base URL is.
func (e *TargetError) Hint() string {
	return "give the API's base URL, such as http://127.0.0.1:8080 or https://api.example.com/v1; route paths are appended to it"
}

// checkTarget validates the API's base URL and returns it without a
// trailing slash, ready to put route paths after.
func checkTarget(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &TargetError{Raw: raw, Reason: "want the API's base URL, such as http://127.0.0.1:8080"}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", &TargetError{Raw: raw, Reason: "the base URL takes no query, fragment or user; route paths are appended to it"}
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// CheckPolicy rejects policies that cannot serve as a contract: those Lint
// reports errors for (browsers refuse them, so no expectation holds) and
// routes that model server behaviour rather than a CORS policy (redirects,
// fixed Access-Control-Allow-Origin values, failing preflights). Every
// problem is a *fileerr.Problem at its route, joined in file order.
func CheckPolicy(p *policy.Policy) error {
	var errs []error
	add := func(i int, r policy.Route, field, value, msg, hint string) {
		f := fmt.Sprintf("routes[%d]", i)
		if field != "" {
			f += "." + field
		}
		errs = append(errs, &fileerr.Problem{File: p.File, Line: r.Line, Col: r.Column,
			Field: f, Value: value, Message: msg, Hint: hint})
	}
	for _, f := range p.Lint() {
		if f.Severity != policy.SeverityError {
			continue
		}
		i := slices.IndexFunc(p.Routes, func(r policy.Route) bool { return r.Path == f.Route })
		if f.Rule == policy.RuleACAOOverride {
			continue // reported below with the other server-behaviour keys
		}
		field := fmt.Sprintf("routes[%d]", i)
		if f.Field != "" {
			field += "." + f.Field
		}
		errs = append(errs, &fileerr.Problem{File: p.File, Line: f.Line, Col: f.Column,
			Field: field, Value: f.Value, Message: f.Message + " [" + f.Rule + "]", Hint: "a contract must be a policy browsers accept"})
	}
	for i, r := range p.Routes {
		const hint = "remove it from the contract; it describes a broken server, not a policy"
		if len(r.ACAOOverride) > 0 {
			add(i, r, "acao_override", strings.Join(r.ACAOOverride, ", "), "a contract cannot fix Access-Control-Allow-Origin to one value", hint)
		}
		if r.Redirect != "" {
			add(i, r, "redirect", r.Redirect, "a contract does not redirect", hint)
		}
		if r.PreflightRedirect != "" {
			add(i, r, "preflight_redirect", r.PreflightRedirect, "browsers never follow a redirected preflight", hint)
		}
		if r.PreflightStatus != 0 && (r.PreflightStatus < 200 || r.PreflightStatus > 299) {
			add(i, r, "preflight_status", fmt.Sprint(r.PreflightStatus), "browsers refuse a preflight answered outside 200-299", hint)
		}
		if r.Status >= 400 && !r.CORSOnErrors {
			add(i, r, "cors_on_errors", "false", fmt.Sprintf("with status %d every answer lacks CORS headers", r.Status), hint)
		}
	}
	// Each problem names the file and says why a contract cannot have it,
	// so the joined list needs no "not a contract" preamble.
	return fileerr.Join(errs...)
}

// generator accumulates cases in a fixed order.
type generator struct {
	c     *Contract
	names map[string]int
}

func (g *generator) note(format string, args ...any) {
	g.c.Notes = append(g.c.Notes, fmt.Sprintf(format, args...))
}

// add appends a case and its check; the case name is made unique.
func (g *generator) add(ck Check, why, detail string, req scenarios.Request, exp *scenarios.Expect) {
	name := ck.Route + " " + ck.Rule + " " + detail
	if n := g.names[name]; n > 0 {
		g.names[name]++
		name = fmt.Sprintf("%s #%d", name, n+1)
	} else {
		g.names[name] = 1
	}
	ck.Case = name
	g.c.Suite.Cases = append(g.c.Suite.Cases, scenarios.Case{
		Name: name, Why: ck.Rule + ": " + why, Origin: ck.Origin, Request: req, Expect: exp,
	})
	g.c.Checks = append(g.c.Checks, ck)
}

// allowedOrigin is an origin a route's positive cases come from.
type allowedOrigin struct {
	origin string
	// from is the allow_origins entry: the origin itself, a pattern, or "*".
	from string
}

// describe words an allowed origin for a why: sentence.
func (a allowedOrigin) describe() string {
	switch {
	case a.from == policy.OriginAny || a.from == policy.OriginReflect:
		return "any origin (tested from " + a.origin + ")"
	case a.from != a.origin:
		return a.from + " (tested as " + a.origin + ")"
	}
	return a.origin
}

// origins returns the route's representative allowed origins: every exact
// origin and "null" as listed, one concrete host per pattern, and one page
// for "*" or "reflect" when nothing more specific is listed.
func origins(r policy.Route) []allowedOrigin {
	var out []allowedOrigin
	seen := map[string]bool{}
	for _, e := range r.AllowOrigins {
		if !isPattern(e) {
			// Exact entries are tested as listed, so no pattern may stand
			// in for one: each pattern gets an origin of its own.
			seen[e] = true
		}
	}
	added := map[string]bool{}
	open := ""
	for _, e := range r.AllowOrigins {
		o := e
		switch {
		case e == policy.OriginAny || e == policy.OriginReflect:
			open = e
			continue
		case isPattern(e):
			c, ok := concreteOrigin(e, func(c string) bool { return seen[c] })
			if !ok {
				continue
			}
			o = c
		}
		if !added[o] {
			added[o], seen[o] = true, true
			out = append(out, allowedOrigin{origin: o, from: e})
		}
	}
	if len(out) == 0 && open != "" {
		out = append(out, allowedOrigin{origin: anyOrigin, from: open})
	}
	return out
}

// route generates every case of one route.
func (g *generator) route(r policy.Route, u string) {
	vary := r.Vary && originDependent(r)
	all := origins(r)
	var methods []string
	if len(all) > 0 {
		methods = g.allowedMethods(r)
	}
	base := baseMethod(r, methods)
	get := func(origin string, creds bool) scenarios.Request {
		c := scenarios.CredentialsOmit
		if creds {
			c = scenarios.CredentialsInclude
		}
		return scenarios.Request{API: scenarios.APIFetch, Method: base, URL: u, Credentials: c, Mode: scenarios.ModeCORS}
	}
	plain := "a " + base
	if cors.IsSafelistedMethod(base) {
		plain = "a simple " + base
	}
	allowed := &scenarios.Expect{Verdict: cors.VerdictAllowed}
	blocked := &scenarios.Expect{Verdict: cors.VerdictBlocked}
	if len(all) == 0 {
		// No CORS at all: the route is closed to cross-origin pages.
		g.add(Check{Rule: RuleOriginDenied + "/" + KindAnyOrigin, Route: r.Path, Origin: anyOrigin, Method: base},
			fmt.Sprintf("the policy lists no origins for %s, so no cross-origin page may read it", r.Path),
			anyOrigin, get(anyOrigin, false), blocked)
		return
	}
	primary := all[0]

	// Positive: a plain request (simple unless the route allows no
	// safelisted method) from every representative origin.
	for _, a := range all {
		g.add(Check{Rule: RuleOriginAllowed, Route: r.Path, Origin: a.origin, From: a.from, Allowed: true, Method: base, Vary: vary},
			fmt.Sprintf("the policy allows %s on %s: %s from it must be readable, %s", a.describe(), r.Path, plain, acaoRule(a)),
			a.origin, get(a.origin, false), allowed)
	}
	// A pattern matches one or more labels: one more read from a host two
	// labels deep, which a check for exactly one label ([^.]+) refuses.
	for _, a := range all {
		if !isPattern(a.from) {
			continue
		}
		deep, ok := deeperOrigin(a.origin)
		if !ok || !r.AllowsOrigin(deep) || slices.ContainsFunc(all, func(x allowedOrigin) bool { return x.origin == deep }) {
			continue
		}
		g.add(Check{Rule: RuleOriginAllowed, Route: r.Path, Origin: deep, From: a.from, Allowed: true, Method: base, Vary: vary},
			fmt.Sprintf("the policy allows %s on %s, one or more labels in front of the domain: %s from %s, two labels deep, must be readable, %s", a.from, r.Path, plain, deep, acaoRule(a)),
			deep, get(deep, false), allowed)
	}

	// Positive: each allowed non-simple method, from the primary origin.
	for _, m := range methods {
		req := get(primary.origin, false)
		req.Method = m
		g.add(Check{Rule: RuleMethodAllowed, Route: r.Path, Origin: primary.origin, From: primary.from, Allowed: true, Method: m, Vary: vary},
			fmt.Sprintf("the policy allows method %s on %s: the preflight from %s must allow it", m, r.Path, primary.origin),
			m+" from "+primary.origin, req, allowed)
	}

	// Positive: each allowed request header.
	headers := g.allowedHeaders(r)
	for _, h := range headers {
		req := get(primary.origin, false)
		req.Headers = map[string]string{h: headerValue(h)}
		g.add(Check{Rule: RuleHeaderAllowed, Route: r.Path, Origin: primary.origin, From: primary.from, Allowed: true, Method: base, Header: h, Vary: vary},
			fmt.Sprintf("the policy allows request header %s on %s: the preflight from %s must allow it", h, r.Path, primary.origin),
			h+" from "+primary.origin, req, allowed)
	}

	// Credentials: allowed from every origin, plus one preflighted request;
	// otherwise a credentialed request must fail.
	if r.AllowCredentials {
		for _, a := range all {
			g.add(Check{Rule: RuleCredentialsAllowed, Route: r.Path, Origin: a.origin, From: a.from, Allowed: true, Method: base, Credentials: true, Vary: vary},
				fmt.Sprintf("the policy allows %s with credentials on %s: the API must echo the origin (never *) with Access-Control-Allow-Credentials: true", a.describe(), r.Path),
				a.origin, get(a.origin, true), allowed)
		}
		if len(methods) > 0 || len(headers) > 0 {
			req := get(primary.origin, true)
			ck := Check{Rule: RuleCredentialsAllowed, Route: r.Path, Origin: primary.origin, From: primary.from, Allowed: true, Method: base, Credentials: true, Vary: vary}
			detail := "preflighted"
			if len(methods) > 0 {
				req.Method, ck.Method = methods[0], methods[0]
				detail += " " + methods[0]
			}
			if len(headers) > 0 {
				req.Headers = map[string]string{headers[0]: headerValue(headers[0])}
				ck.Header = headers[0]
				detail += " " + headers[0]
			}
			g.add(ck,
				fmt.Sprintf("the policy allows credentials on %s: the preflight from %s must also echo the origin with Access-Control-Allow-Credentials: true", r.Path, primary.origin),
				detail+" from "+primary.origin, req, allowed)
		}
	} else {
		g.add(Check{Rule: RuleCredentialsDenied, Route: r.Path, Origin: primary.origin, From: primary.from, Method: base, Credentials: true},
			fmt.Sprintf("the policy does not allow credentials on %s: a credentialed request from %s must be blocked", r.Path, primary.origin),
			primary.origin, get(primary.origin, true), blocked)
	}

	// Positive: reads of the exposed headers.
	var expose []string
	for _, h := range r.ExposeHeaders {
		if h == "*" {
			g.note("route %s: expose_headers \"*\" names no header, so no read of it is tested", r.Path)
			continue
		}
		if cors.IsForbiddenResponseHeader(h) {
			g.note("route %s: expose_headers %s: browsers never let script read it, exposed or not, so no read of it is tested", r.Path, h)
			continue
		}
		if !slices.ContainsFunc(expose, func(x string) bool { return strings.EqualFold(x, h) }) {
			expose = append(expose, h)
		}
	}
	if len(expose) > 0 {
		g.add(Check{Rule: RuleExposeHeader, Route: r.Path, Origin: primary.origin, From: primary.from, Allowed: true, Method: base, Expose: expose, Vary: vary},
			fmt.Sprintf("the policy exposes %s on %s: a page at %s must be able to read %s", strings.Join(expose, ", "), r.Path, primary.origin, itOrThem(len(expose))),
			strings.Join(expose, ",")+" from "+primary.origin, get(primary.origin, false), &scenarios.Expect{Verdict: cors.VerdictAllowed, ReadableHeaders: expose})
	}

	g.maxAge(r, primary, methods, headers, get(primary.origin, false))

	// Negative: origins the policy does not allow.
	if !openToAll(r) {
		for _, v := range deniedOrigins(r) {
			g.add(Check{Rule: RuleOriginDenied + "/" + v.Kind, Route: r.Path, Origin: v.Origin, From: v.From, Method: base},
				fmt.Sprintf("the policy does not allow %s on %s (%s): the API must not let a page there read it", v.Origin, r.Path, kindPhrase(v)),
				v.Origin, get(v.Origin, false), blocked)
		}
	}

	// Negative: a method and a header outside the lists.
	if slices.Contains(r.AllowMethods, "*") {
		g.note("route %s: allow_methods \"*\" allows every method, so no method-denied case", r.Path)
	} else if m := deniedMethod(r.AllowMethods); m != "" {
		req := get(primary.origin, false)
		req.Method = m
		g.add(Check{Rule: RuleMethodDenied, Route: r.Path, Origin: primary.origin, From: primary.from, Method: m},
			fmt.Sprintf("the policy does not allow method %s on %s: the browser must block it from %s", m, r.Path, primary.origin),
			m+" from "+primary.origin, req, blocked)
	}
	if slices.Contains(r.AllowHeaders, "*") {
		g.note("route %s: allow_headers \"*\" allows every header, so no header-denied case", r.Path)
	} else {
		h := unlistedHeader
		for i := 2; slices.ContainsFunc(r.AllowHeaders, func(x string) bool { return strings.EqualFold(x, h) }); i++ {
			h = fmt.Sprintf("%s-%d", unlistedHeader, i)
		}
		req := get(primary.origin, false)
		req.Headers = map[string]string{h: headerValue(h)}
		g.add(Check{Rule: RuleHeaderDenied, Route: r.Path, Origin: primary.origin, From: primary.from, Method: base, Header: h},
			fmt.Sprintf("the policy does not allow request header %s on %s: the browser must block it from %s", h, r.Path, primary.origin),
			h+" from "+primary.origin, req, blocked)
	}
}

// acaoRule says what Access-Control-Allow-Origin the API owes an origin.
func acaoRule(a allowedOrigin) string {
	if a.from == policy.OriginAny {
		return "with Access-Control-Allow-Origin: * or the origin itself"
	}
	return "with Access-Control-Allow-Origin matching the origin exactly (no trailing slash)"
}

func itOrThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "each"
}

// originDependent reports whether the route's answer depends on the Origin
// (anything but "*" alone), which is when Vary: Origin is owed.
func originDependent(r policy.Route) bool {
	return slices.ContainsFunc(r.AllowOrigins, func(e string) bool { return e != policy.OriginAny })
}

// openToAll reports whether every origin is allowed, leaving nothing to deny.
func openToAll(r policy.Route) bool {
	return slices.Contains(r.AllowOrigins, policy.OriginAny) || slices.Contains(r.AllowOrigins, policy.OriginReflect)
}

// baseMethod is the method of a route's plain cases: GET when the route
// allows it (or lists no methods, or "*"), otherwise a safelisted method it
// lists (POST, then HEAD), otherwise the first method it allows that a page
// can send (methods, from allowedMethods). Browsers never check Access-Control-Allow-Methods for a GET, but
// APIs may refuse methods outside their list on actual requests, as the
// policy lets them.
func baseMethod(r policy.Route, methods []string) string {
	listed := func(m string) bool {
		return slices.ContainsFunc(r.AllowMethods, func(x string) bool { return cors.NormalizeMethod(x) == m })
	}
	switch {
	case len(r.AllowMethods) == 0 || slices.Contains(r.AllowMethods, "*") || listed("GET"):
		return "GET"
	case listed("POST"):
		return "POST"
	case listed("HEAD"):
		return "HEAD"
	}
	if len(methods) > 0 {
		return methods[0]
	}
	return "GET"
}

// allowedMethods returns the non-simple methods a route allows and that a
// page can send, in policy order; "*" is tested with one method that
// stands for any.
func (g *generator) allowedMethods(r policy.Route) []string {
	var out []string
	for _, m := range r.AllowMethods {
		switch {
		case m == "*":
			if !slices.Contains(out, anyMethod) {
				out = append(out, anyMethod)
			}
		case cors.IsSafelistedMethod(cors.NormalizeMethod(m)):
			// CORS-safelisted: no preflight, the simple GET covers them.
		case cors.IsForbiddenMethod(m):
			g.note("route %s: method %s is forbidden in browsers, so it is not tested", r.Path, m)
		case cors.NormalizeMethod(m) != m:
			g.note("route %s: method %q is not upper case; browsers send %s and compare case-sensitively, so it is not tested", r.Path, m, cors.NormalizeMethod(m))
		default:
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// allowedHeaders returns the request headers a route allows that a page can
// set, in policy order; "*" is tested with one header that stands for any.
func (g *generator) allowedHeaders(r policy.Route) []string {
	var out []string
	for _, h := range r.AllowHeaders {
		switch {
		case h == "*":
			h = anyHeader
		case cors.IsForbiddenRequestHeader(h):
			g.note("route %s: request header %s is forbidden in browsers (they set or drop it themselves), so it is not tested", r.Path, h)
			continue
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, h) }) {
			out = append(out, h)
		}
	}
	return out
}

// headerValue is the value a case sends for a header. It must make the
// request non-simple, or the case would pass without any preflight: the
// CORS-safelisted names get a value that is not safelisted.
func headerValue(name string) string {
	switch strings.ToLower(name) {
	case "content-type":
		return "application/json"
	case "accept", "accept-language", "content-language":
		return "(corsproof)"
	case "authorization":
		return "Bearer corsproof"
	}
	return "corsproof"
}

// deniedMethod returns the first of deniedMethods the route does not list.
func deniedMethod(allowed []string) string {
	for _, m := range deniedMethods {
		if !slices.ContainsFunc(allowed, func(x string) bool { return strings.EqualFold(x, m) }) {
			return m
		}
	}
	return ""
}

// deniedOrigins returns the origins a route must refuse: look-alikes of
// its entries (at most MaxLookAlikes, every kind represented before any
// repeats), then "null" and the IP origins, each unless the route allows it.
func deniedOrigins(r policy.Route) []Variant {
	var cands []Variant
	seen := map[string]bool{}
	byKind := map[string][]Variant{}
	for _, e := range r.AllowOrigins {
		for _, v := range LookAlikes(e) {
			if seen[v.Origin] || r.AllowsOrigin(v.Origin) {
				continue
			}
			seen[v.Origin] = true
			byKind[v.Kind] = append(byKind[v.Kind], v)
		}
	}
	for _, k := range kindOrder {
		cands = append(cands, byKind[k]...)
	}
	out := capFair(cands, MaxLookAlikes)
	if !r.AllowsOrigin(policy.OriginNull) {
		out = append(out, Variant{Kind: KindNull, Origin: policy.OriginNull})
	}
	for _, ip := range ipOrigins {
		if !seen[ip] && !r.AllowsOrigin(ip) {
			out = append(out, Variant{Kind: KindIP, Origin: ip})
		}
	}
	return out
}

// capFair keeps at most n of the variants: first one of each kind, then
// the rest in order, and returns them in their original order.
func capFair(vs []Variant, n int) []Variant {
	if len(vs) <= n {
		return vs
	}
	keep := make([]bool, len(vs))
	kept := 0
	kinds := map[string]bool{}
	for i, v := range vs {
		if kept < n && !kinds[v.Kind] {
			kinds[v.Kind] = true
			keep[i] = true
			kept++
		}
	}
	for i := range vs {
		if kept < n && !keep[i] {
			keep[i] = true
			kept++
		}
	}
	var out []Variant
	for i, v := range vs {
		if keep[i] {
			out = append(out, v)
		}
	}
	return out
}

// kindPhrase says in a few words what a denied origin is.
func kindPhrase(v Variant) string {
	switch v.Kind {
	case KindSuffix:
		return "a suffix look-alike of " + v.From
	case KindPrefix:
		return "a prefix look-alike of " + v.From
	case KindSubdomain:
		return "another subdomain than " + v.From
	case KindBareDomain:
		return "the bare domain of " + v.From + ", which needs a subdomain"
	case KindScheme:
		return "the other scheme than " + v.From
	case KindPort:
		return "another port than " + v.From
	case KindNull:
		return "the opaque origin of sandboxed iframes and file: pages"
	case KindIP:
		return "an IP-address origin"
	}
	return v.Kind
}
