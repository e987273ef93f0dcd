// Package testapi is the built-in target API that `corsproof serve` and
// `corsproof demo` run: an HTTP server whose routes each answer with a CORS
// policy (package policy), including the broken policies real servers ship
// (wildcard with credentials, trailing-slash origins, preflights eaten by an
// auth layer…), so corsproof has something known to test against.
// [DefaultPolicy] is the policy it serves unless given another, and
// [DemoSuite] the suite that exercises every route of it.
//
// # Routes
//
// A route's path is a prefix matched on segment boundaries: "/api/open"
// matches "/api/open" and "/api/open/x" but not "/api/openx". The longest
// matching prefix wins. A request whose path matches no route gets 404
// without CORS headers, unless it carries query overrides (below).
//
// For a route, an OPTIONS request carrying Access-Control-Request-Method is a
// preflight and gets preflight_status (default 204); any other request gets
// status (default 200) and a JSON body describing the request. Every response
// carries X-Request-Id (a counter starting at 1) and Cache-Control: no-store,
// so nothing is cached between cases.
//
// CORS headers are sent when the request's Origin is allowed by the route
// (see [policy.Route.AllowsOrigin]). Access-Control-Allow-Origin is the route's
// acao_override when set, otherwise "*" when the origin was allowed only by
// "*", otherwise the Origin echoed back. Vary: Origin is sent on every
// response of a route whose answer depends on the origin (any entry other
// than "*"), unless vary is false. With cors_on_errors false, responses with
// a status of 400 or more carry no CORS headers, as when an auth layer or a
// gateway answers before the CORS middleware runs; redirects (3xx) always
// carry them, because browsers check CORS on a redirect response too.
//
// # Query overrides
//
// Any request may adjust its route with query parameters, for ad-hoc checks
// without editing a policy. On a path that matches no route, the overrides
// apply to an empty route (no CORS headers unless the overrides add them).
// The preflight goes to the same URL, so overrides reach it too.
//
//	acao=VALUE            Access-Control-Allow-Origin sent verbatim for any request with an
//	                      Origin; repeat for several header lines; acao=reflect echoes the Origin
//	acac=true|false       Access-Control-Allow-Credentials: true, or none
//	acam=PUT,DELETE       Access-Control-Allow-Methods (empty value: none)
//	acah=x-token          Access-Control-Allow-Headers (empty value: none); acah=reflect echoes
//	                      Access-Control-Request-Headers
//	aceh=x-request-id     Access-Control-Expose-Headers (empty value: none)
//	max_age=SECONDS       Access-Control-Max-Age, any integer, negative too (empty value: none)
//	preflight_status=N    status of the preflight (200–599)
//	status=N              status of the actual response (200–599)
//	redirect=URL          answer actual requests with 307 to URL (absolute or a path)
//	preflight_redirect=URL answer preflights with 307 to URL
//	vary=0|1              send Vary: Origin or not
//	cors_on_errors=0|1    CORS headers on responses with status >= 400 or not
//	delay_ms=N            wait N milliseconds (at most 60000) before answering
//
// A malformed override is answered 400 with a plain-text reason.
//
// # Cookies
//
// GET /set-cookie?name=N[&value=V][&secure=0][&partitioned=1] sets a cookie
// with Path=/; by default it is "SameSite=None; Secure", the only kind a
// browser attaches to a credentialed cross-site request. Browsers reject
// Secure cookies set over plain http, except (in Chromium) from localhost;
// secure=0 drops Secure and uses SameSite=Lax instead, which a browser keeps
// on plain http but does not send cross-site. partitioned=1 adds Partitioned
// (CHIPS), which Chromium keeps even when third-party cookies are blocked.
// GET /cookies reports the cookies the request carried. Both answer any
// origin with credentials allowed, so a page can call them with
// credentials: "include".
//
// # Request log
//
// The handler keeps every request it received (see [Handler.Log]) and can
// write one line per request to an io.Writer. Served through
// [Handler.WrapListener] (as [Start] does), the log holds the header lines in
// the order they crossed the wire; otherwise in Go's canonical form, sorted.
package testapi
