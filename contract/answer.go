package contract

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/policy"
)

// Answer is the CORS part of a response that follows a policy route: the
// headers an API conforming to the contract sends for one request, and
// nothing else. `corsproof proxy` answers with it, so what the proxy sends
// and what verify demands come from one reading of the policy.
type Answer struct {
	// Headers are the CORS response headers, canonical names, one value
	// each; empty when the route lets the request's origin in nowhere.
	Headers http.Header
	// Allowed reports whether the answer lets the origin in (it carries an
	// Access-Control-Allow-Origin).
	Allowed bool
	// Vary is true when the answer depends on the Origin, so the response
	// must carry Vary: Origin whether or not this origin is allowed.
	Vary bool
	// Status is the status of a preflight answer; zero for an actual
	// response, whose status is the API's own.
	Status int
}

// PreflightAnswer is what route r owes a preflight from origin: the origin
// (or "*"), credentials, the route's methods, request headers and Max-Age,
// with the route's preflight status. The lists are sent as the policy
// writes them; the browser decides whether they cover the request.
func PreflightAnswer(r policy.Route, origin string) Answer {
	a := originAnswer(r, origin)
	a.Status = r.PreflightStatus
	if a.Status == 0 {
		a.Status = policy.DefaultPreflightStatus
	}
	if !a.Allowed {
		return a
	}
	if len(r.AllowMethods) > 0 {
		a.Headers.Set("Access-Control-Allow-Methods", strings.Join(r.AllowMethods, ", "))
	}
	if len(r.AllowHeaders) > 0 {
		a.Headers.Set("Access-Control-Allow-Headers", strings.Join(r.AllowHeaders, ", "))
	}
	if r.MaxAge != nil {
		a.Headers.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAge))
	}
	return a
}

// ActualAnswer is what route r owes the response of an actual request from
// origin (empty when the request had none) that the API answers with
// status: the origin (or "*"), credentials and the exposed headers; none
// on a status of 400 or more when the route's cors_on_errors is false.
func ActualAnswer(r policy.Route, origin string, status int) Answer {
	if status >= 400 && !r.CORSOnErrors {
		return Answer{Headers: http.Header{}, Vary: r.Vary && r.OriginDependent()}
	}
	a := originAnswer(r, origin)
	if a.Allowed && len(r.ExposeHeaders) > 0 {
		a.Headers.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	return a
}

// originAnswer holds the headers preflights and actual responses share:
// Access-Control-Allow-Origin and -Credentials. An allowed origin is
// echoed exactly; "*" goes out only when the entry that lets the origin in
// is "*" (or, for a request without an Origin, when the route lists it).
func originAnswer(r policy.Route, origin string) Answer {
	a := Answer{Headers: http.Header{}, Vary: r.Vary && r.OriginDependent()}
	acao := ""
	switch entry, ok := r.MatchOrigin(origin); {
	case ok && entry == policy.OriginAny:
		acao = "*"
	case ok:
		acao = origin
	case origin == "" && slices.Contains(r.AllowOrigins, policy.OriginAny):
		acao = "*"
	default:
		return a
	}
	a.Allowed = true
	a.Headers.Set("Access-Control-Allow-Origin", acao)
	if r.AllowCredentials {
		a.Headers.Set("Access-Control-Allow-Credentials", "true")
	}
	return a
}
