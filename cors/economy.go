package cors

import (
	"fmt"
	"slices"
	"strings"
)

// StormCalls is the K of a preflight storm: more than one preflight per K
// calls of the same request (URL, method, headers) is a storm.
const StormCalls = 5

// IsStorm reports whether preflights sent for calls of the same request
// make a preflight storm.
func IsStorm(calls, preflights int) bool {
	return preflights > 1 && preflights*StormCalls > calls
}

// PreflightAdvice says why repeated calls of request r kept paying
// preflights and what change removes them. causes are the Cause* of each
// preflight sent after the first (from PreflightCache.Lookup), so a longer
// Max-Age is advised only when there are some; maxAge is the
// Access-Control-Max-Age the server sent, present false when it sent none.
func PreflightAdvice(r Request, causes []string, maxAge string, present bool) (cause string, fixes []string) {
	secs := ParseMaxAge(maxAge, present)
	counts := map[string]int{}
	top := ""
	for _, c := range causes {
		counts[c]++
		if top == "" || counts[c] > counts[top] {
			top = c
		}
	}
	switch top {
	case CauseExpired, CauseNoEntry, "":
		switch {
		case !present:
			cause = fmt.Sprintf("the server sends no Access-Control-Max-Age, so Chromium keeps each preflight result only %d s", DefaultMaxAge)
		case secs == 0:
			cause = fmt.Sprintf("Access-Control-Max-Age %s caches nothing, so every call preflights", quote(maxAge))
		default:
			cause = fmt.Sprintf("Access-Control-Max-Age %s keeps each preflight result %d s, less than the time the calls span", quote(maxAge), secs)
		}
	case CauseNewHeader:
		cause = "the calls use different request headers, and each new set is not covered by the cached Access-Control-Allow-Headers, so its preflight replaces the entry"
	case CauseNewMethod:
		cause = "the calls use different methods, and each new one is not covered by the cached Access-Control-Allow-Methods, so its preflight replaces the entry"
	case CauseCredentials:
		cause = "calls with credentials are not covered by a cached result that did not allow credentials"
	case CauseDropped:
		cause = "a call to the same URL that the cached result did not cover (a method or header the server does not allow) made Chromium drop the result, and its own preflight failed, so the next call of this request preflighted again"
	case CauseFresh:
		cause = "steps with fresh: true start with an empty preflight cache, as another user's browser does, so each pays its own preflight"
	case CauseFailed:
		cause = "the preflights failed, and a failed preflight caches nothing, whatever its Max-Age, so every call preflights again"
	case CauseOpaque:
		cause = "the page's origin is opaque (null: a sandboxed frame, a data: or file: page), and Chromium reuses no cached preflight result for it, whatever the Max-Age, so every call preflights"
	}
	if secs < MaxMaxAge && len(causes) > 0 && top != CauseDropped && top != CauseFresh && top != CauseFailed && top != CauseOpaque {
		now := "none"
		if present {
			now = quote(maxAge)
		}
		fixes = append(fixes, fmt.Sprintf("Raise Access-Control-Max-Age on the preflight response to %d (Chromium's cap, 2 hours; now %s): one preflight then serves every call for 2 hours.", MaxMaxAge, now))
	}
	switch top {
	case CauseNewHeader:
		fixes = append(fixes, "List every header the client sends in Access-Control-Allow-Headers, so one preflight result covers all the calls.")
	case CauseNewMethod:
		fixes = append(fixes, "List every method the client uses in Access-Control-Allow-Methods, so one preflight result covers all the calls.")
	case CauseFailed:
		fixes = append(fixes, "Make the preflight response allow the request first (see the diagnosis): then its result is cached for its Max-Age.")
	case CauseDropped:
		fixes = append(fixes, "Allow every method and header the client sends to this URL in Access-Control-Allow-Methods and Access-Control-Allow-Headers, or stop sending the one the server refuses: each refused call throws away the cached result of the others.")
	}
	p := Predict(Input{Request: r})
	for _, why := range p.PreflightReasons {
		switch why.Kind {
		case ReasonMethod:
			fixes = append(fixes, fmt.Sprintf("Use GET or POST instead of %s where the API allows it: those methods need no preflight on their own.", why.Name))
		case ReasonContentType:
			fixes = append(fixes, "Send the body with a CORS-safelisted Content-Type (text/plain, application/x-www-form-urlencoded or multipart/form-data) and parse it on the server: then the content type needs no preflight.")
		case ReasonHeader:
			if IsSecretHeader(why.Name) || why.Name == "authorization" {
				fixes = append(fixes, fmt.Sprintf("Move %s into the body or a cookie if the API can read it there: a custom header always needs a preflight.", quote(why.Name)))
			} else {
				fixes = append(fixes, fmt.Sprintf("Drop the %s header if the API does not need it, or move its value into the body or the query string: a custom header always needs a preflight.", quote(why.Name)))
			}
		default:
			fixes = append(fixes, fmt.Sprintf("Avoid what makes the request non-simple: %s.", why.Detail))
		}
	}
	return cause, slices.Compact(fixes)
}

// shapeOf is the part of a request that decides its preflight: method and
// the header names it preflights for.
func shapeOf(r Request) string {
	p := Predict(Input{Request: r})
	return p.Method + " " + strings.Join(p.RequestHeaderNames, ",")
}

// SameShape reports whether two requests are the same call as far as the
// preflight cache is concerned: the same page origin, URL, credentials
// mode, method and the headers they preflight for.
func SameShape(a, b Request) bool {
	return keyOf(a) == keyOf(b) && strings.EqualFold(a.Credentials, b.Credentials) && shapeOf(a) == shapeOf(b)
}
