package scenarios

import (
	"net/url"
	"strings"
)

// Generated checks a case can be (Case.Check).
const (
	// CheckCache is a shared-cache poisoning check (CacheCheck).
	CheckCache = "cache-check"
	// CheckErrorPath prefixes an error-path case (ErrorPaths):
	// "error-path:unauthenticated" and so on.
	CheckErrorPath = "error-path:"
)

// Error paths ErrorPaths generates.
const (
	ErrorUnauthenticated = "unauthenticated"
	ErrorBadToken        = "bad-token"
	ErrorUnknownRoute    = "unknown-route"
	// ErrorMalformedBody sends a body no parser accepts, to reach the
	// API's 400 or 5xx handling.
	ErrorMalformedBody = "malformed-body"
	// ErrorRateLimited is a burst of ErrorBurst calls from one page, to
	// reach the API's rate limiter.
	ErrorRateLimited = "rate-limited"
)

// ErrorBurst is the number of calls of a rate-limited error path: as many
// as a page that polls or retries in a loop makes in a moment, and few
// enough to be a fair load on an API under test.
const ErrorBurst = 20

// MalformedBody is the body of a malformed-body error path: neither JSON,
// nor a form, nor XML.
const MalformedBody = "{\"corsproof\": <malformed"

// UnlistedOrigin is the second origin of a cache check when the suite has
// no other: an origin no API is expected to allow.
const UnlistedOrigin = "https://unlisted-origin.example"

// BadToken is the credential of a bad-token error path: well formed, and
// valid for no API.
const BadToken = "Bearer corsproof-invalid-token"

// UnknownRoute is appended to a case's URL path to reach the API's
// not-found handling.
const UnknownRoute = "corsproof-no-such-route"

// CacheChecks are the shared-cache poisoning checks of c, one for each
// other origin: a sequence in which c's origin makes c's request (priming
// any cache on the way), then the other origin makes the same request in a
// fresh step — empty browser caches and cookie jar — so that only a cache
// outside the browser can carry the first answer to the second. Cases
// with steps, no-cors requests and null origins have none.
func CacheChecks(c Case, others []string) []Case {
	if len(c.Steps) > 0 || c.Request.Mode == ModeNoCORS || c.Origin == "null" {
		return nil
	}
	var out []Case
	for _, b := range others {
		if b == c.Origin || b == "null" {
			continue
		}
		out = append(out, Case{
			Name:   c.Name + cacheCheckName + b,
			Why:    "origin " + b + " makes the request " + c.Origin + " made, in a fresh browser: only a shared cache can hand it " + c.Origin + "'s answer",
			Origin: c.Origin,
			Check:  CheckCache,
			Steps: []Step{
				{Name: "prime from " + c.Origin, Request: c.Request},
				{Name: "from " + b, Origin: b, Fresh: true, Request: c.Request},
			},
			Request: c.Request,
			File:    c.File, Line: c.Line,
		})
	}
	return out
}

// CacheCheckOrigins are the second origins of a suite's cache checks: the
// first origin of the suite besides a (an origin the API likely allows
// too) and UnlistedOrigin.
func CacheCheckOrigins(s *Suite, a string) []string {
	var out []string
	for _, c := range s.Cases {
		for _, o := range c.Origins() {
			if o != a && o != "null" && o != UnlistedOrigin {
				out = append(out, o)
				return append(out, UnlistedOrigin)
			}
		}
	}
	return append(out, UnlistedOrigin)
}

// ErrorPaths are c's request reshaped to reach the API's error handling,
// page origin and CORS-relevant shape kept: without its credentials (when
// it has any), with a bad token, on a route that does not exist, with a
// body no parser accepts (when it sends one), and as a burst of
// ErrorBurst calls from one page (a rate limiter's 429). Each records
// whether the error response carries CORS headers: without them the page
// cannot read the status, and the user sees a CORS error that hides the
// real one.
func ErrorPaths(c Case) []Case {
	if len(c.Steps) > 0 || c.Request.Mode == ModeNoCORS {
		return nil
	}
	mk := func(kind string, r Request, cookies map[string]string) Case {
		return Case{Name: c.Name + errorPathName + kind, Origin: c.Origin, Request: r, Cookies: cookies,
			Check: CheckErrorPath + kind, File: c.File, Line: c.Line,
			Why: "reaches the API's error handling (" + kind + "): the error response needs CORS headers for the page to read it"}
	}
	var out []Case
	auth := headerName(c.Request.Headers, "Authorization")
	if auth != "" || len(c.Cookies) > 0 {
		r := c.Request
		r.Headers = withoutHeader(r.Headers, auth)
		out = append(out, mk(ErrorUnauthenticated, r, nil))
	}
	r := c.Request
	r.Headers = withoutHeader(r.Headers, auth)
	r.Headers["Authorization"] = BadToken
	out = append(out, mk(ErrorBadToken, r, c.Cookies))
	if u, err := url.Parse(c.Request.URL); err == nil {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/" + UnknownRoute
		u.RawPath = ""
		r := c.Request
		r.URL = u.String()
		out = append(out, mk(ErrorUnknownRoute, r, c.Cookies))
	}
	if c.Request.Body != "" {
		r := c.Request
		r.Body = MalformedBody
		out = append(out, mk(ErrorMalformedBody, r, c.Cookies))
	}
	return append(out, Repeat(mk(ErrorRateLimited, c.Request, c.Cookies), ErrorBurst, 0))
}

func headerName(h map[string]string, name string) string {
	for k := range h {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// withoutHeader is a copy of h without name: always a copy, since the
// caller may add to it and h is the case's own.
func withoutHeader(h map[string]string, name string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if k != name {
			out[k] = v
		}
	}
	return out
}

// The names of generated checks: the case's name, then one of these.
const (
	cacheCheckName = " › cache check from "
	errorPathName  = " › error path "
)

// BaseCaseName is the name of the suite case a record was made from:
// name without the path it ran on ("NAME @PATH", PathCaseName) and without
// the generated check it is (" › cache check from …", " › error path …").
func BaseCaseName(name, path string) string {
	if path != "" {
		name = strings.TrimSuffix(name, " @"+path)
	}
	for _, sep := range []string{cacheCheckName, errorPathName} {
		if i := strings.LastIndex(name, sep); i >= 0 {
			return name[:i]
		}
	}
	return name
}
