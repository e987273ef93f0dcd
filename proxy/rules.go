package proxy

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
)

// PolicyRules answer as an API that honours a policy would: the proxy
// answers preflights itself, and strips the upstream's CORS headers from
// every response before adding the policy's. The headers come from
// contract.PreflightAnswer and contract.ActualAnswer, the reading of the
// policy `corsproof verify` holds an API to, so verify passes against the
// proxy by construction.
type PolicyRules struct {
	p *policy.Policy
}

// Reasons no CORS headers were added, for the log.
const (
	WhyNoRoute      = "no policy route for this path"
	WhyOrigin       = "origin not allowed by the policy"
	WhyNoOrigin     = "no Origin (not a cross-origin request)"
	WhyError        = "error status and cors_on_errors is false"
	WhyNotCanonical = "path has dot segments or empty segments; no route is matched on it"
)

// NewPolicyRules checks that p is a policy the proxy may serve and returns
// its rules, with the lint warnings worth printing on start. It refuses
// what contract.CheckPolicy refuses (a policy browsers reject, such as "*"
// with credentials, or one that models a broken server) and "reflect",
// which lets every origin in: a proxy allows the origins listed, no more.
// Every problem is a *fileerr.Problem at the entry it is about.
func NewPolicyRules(p *policy.Policy) (*PolicyRules, []policy.Finding, error) {
	if p == nil || len(p.Routes) == 0 {
		return nil, nil, errors.New("the policy has no routes")
	}
	var errs []error
	if err := contract.CheckPolicy(p); err != nil {
		errs = append(errs, err)
	}
	for i, r := range p.Routes {
		if j := slices.Index(r.AllowOrigins, policy.OriginReflect); j >= 0 {
			field := fmt.Sprintf("allow_origins[%d]", j)
			line, col := r.At(field)
			errs = append(errs, &fileerr.Problem{File: p.File, Line: line, Col: col,
				Field: fmt.Sprintf("routes[%d].%s", i, field), Value: policy.OriginReflect,
				Message: "is refused: the proxy never reflects an origin it was not given",
				Hint:    `list the front end's origins, such as http://localhost:5173, or use "*" without credentials for a public route`})
		}
	}
	if err := fileerr.Join(errs...); err != nil {
		return nil, nil, err
	}
	var warn []policy.Finding
	for _, f := range p.Lint() {
		if f.Severity == policy.SeverityWarning {
			warn = append(warn, f)
		}
	}
	return &PolicyRules{p: p}, warn, nil
}

// Policy is the policy the rules follow.
func (pr *PolicyRules) Policy() *policy.Policy { return pr.p }

// route matches r's path to a policy route. A path a normalizing server
// would read as another one (/api/public/../admin, //admin) matches none,
// so one route's headers never go on another route's answer.
func (pr *PolicyRules) route(r *http.Request) (policy.Route, string) {
	p := r.URL.Path
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return policy.Route{}, WhyNotCanonical
	}
	route, ok := pr.p.Match(p)
	if !ok {
		return policy.Route{}, WhyNoRoute
	}
	return route, ""
}

// Answer answers every preflight: with the route's preflight status and
// headers when the route lets the origin in, and without CORS headers
// otherwise, so the browser blocks as it would against the real API.
func (pr *PolicyRules) Answer(r *http.Request) (int, Change, bool) {
	if !IsPreflight(r) {
		return 0, Change{}, false
	}
	route, why := pr.route(r)
	if why != "" {
		return http.StatusNoContent, Change{Strip: true, Why: why}, true
	}
	a := contract.PreflightAnswer(route, r.Header.Get("Origin"))
	c := change(route, a, WhyOrigin)
	if a.Allowed {
		c.Refused = preflightRefusal(route, a, r)
	}
	return a.Status, c, true
}

// preflightRefusal says which of the method and request headers a preflight
// asks for the answer a leaves out, as the browser judges them (cors.Predict),
// or "" when it covers them all. The request is modelled as the page would
// make it: credentialed when the route allows credentials (then "*" in the
// lists is literal), each header with a value that is not CORS-safelisted,
// since that is why the browser names it.
func preflightRefusal(route policy.Route, a contract.Answer, r *http.Request) string {
	resp := &cors.Response{Status: a.Status, Headers: map[string]string{}}
	for name := range a.Headers {
		resp.Headers[name] = a.Headers.Get(name)
	}
	creds := "omit"
	if route.AllowCredentials {
		creds = "include"
	}
	host := r.Host
	if host == "" {
		host = "proxy.invalid"
	}
	refused := func(method string, headers map[string]string) bool {
		p := cors.Predict(cors.Input{
			Request:   cors.Request{Origin: r.Header.Get("Origin"), Method: method, URL: "http://" + host + r.URL.Path, Headers: headers, Credentials: creds},
			Preflight: resp,
		})
		return p.Verdict == cors.VerdictBlocked && p.FailedAt == cors.StagePreflight
	}
	var parts []string
	method := r.Header.Get("Access-Control-Request-Method")
	if method != "" && refused(method, nil) {
		parts = append(parts, "method "+method+" is not in allow_methods")
	}
	var headers []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		// POST needs no preflight of its own, so only the header is judged.
		if h != "" && cors.IsToken(h) && refused(http.MethodPost, map[string]string{h: "(corsproof)"}) {
			headers = append(headers, h)
		}
	}
	if len(headers) > 0 {
		noun := "request header"
		if len(headers) > 1 {
			noun = "request headers"
		}
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("%s %s %s in allow_headers", noun, strings.Join(headers, ", "), isAre(len(headers))))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s %s in its allow_headers", noun, strings.Join(headers, ", "), isAre(len(headers))))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	parts[0] += " of route " + route.Path
	them := "them"
	if len(parts) == 1 && len(headers) <= 1 {
		them = "it"
	}
	return strings.Join(parts, "; ") + " (add " + them + " to the policy if the API is to allow " + them + ")"
}

func isAre(n int) string {
	if n == 1 {
		return "is not"
	}
	return "are not"
}

// Respond replaces the upstream's CORS headers by the route's.
func (pr *PolicyRules) Respond(r *http.Request, status int) Change {
	route, why := pr.route(r)
	if why != "" {
		return Change{Strip: true, Why: why}
	}
	origin := r.Header.Get("Origin")
	a := contract.ActualAnswer(route, origin, status)
	why = WhyOrigin
	switch {
	case status >= 400 && !route.CORSOnErrors:
		why = WhyError
	case origin == "":
		why = WhyNoOrigin
	}
	c := change(route, a, why)
	if a.Allowed && origin != "" && !route.AllowCredentials && r.Header.Get("Cookie") != "" {
		// Cookies go cross-origin only with credentials: include, which
		// the browser refuses without Access-Control-Allow-Credentials.
		c.Refused = "the request carried cookies (credentials: include), but route " + route.Path +
			" does not allow credentials (set allow_credentials: true with the origins listed, or send it with credentials: 'omit')"
	}
	return c
}

func change(route policy.Route, a contract.Answer, why string) Change {
	c := Change{Route: route.Path, Strip: true, VaryOrigin: a.Vary}
	if a.Allowed {
		c.Headers = &cors.HeaderChange{Set: map[string]string{}}
		for name := range a.Headers {
			c.Headers.Set[name] = a.Headers.Get(name)
		}
	} else {
		c.Why = why
	}
	return c
}

// FixRules are the --try-fix mirror's: every request goes to the real
// server, and its responses get one request's fix (cors.FixHeaders), the
// preflight's change on preflights and the actual request's on the rest.
// Nothing is stripped: a fix is a change to what the server sends.
type FixRules struct {
	mu  sync.Mutex
	fix *cors.FixHeaders
}

// Set sets the fix applied from now on; nil applies nothing.
func (f *FixRules) Set(fix *cors.FixHeaders) {
	f.mu.Lock()
	f.fix = fix
	f.mu.Unlock()
}

// Answer forwards every request.
func (f *FixRules) Answer(*http.Request) (int, Change, bool) { return 0, Change{}, false }

// Respond returns the fix's change for r.
func (f *FixRules) Respond(r *http.Request, _ int) Change {
	f.mu.Lock()
	fix := f.fix
	f.mu.Unlock()
	if fix == nil {
		return Change{}
	}
	if IsPreflight(r) {
		return Change{Headers: fix.Preflight}
	}
	return Change{Headers: fix.Actual}
}
