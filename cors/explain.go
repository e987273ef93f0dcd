package cors

import (
	"fmt"
	"slices"
	"strings"
)

// Context carries the facts of one case that fill an explanation.
type Context struct {
	// PageOrigin is the page's origin; Origin is the Origin header the failing
	// request carried (differs from PageOrigin when a redirect tainted it).
	PageOrigin string
	Origin     string
	// Method is the method of the actual request (GET, PUT …).
	Method string
	// URL is the URL of the response that failed the check.
	URL string
	// Status is that response's status code, 0 when unknown.
	Status int
	// Location is the redirect target when the failing response redirected.
	Location string
	// FailedParameter is the value the browser reported with the error.
	FailedParameter string
	// Credentials is true when the request was made with credentials.
	Credentials bool
	// Redirect is true when the failing response was a redirect hop.
	Redirect bool
	// AllowedMethods and AllowedHeaders are what the preflight already allows.
	AllowedMethods []string
	AllowedHeaders []string
	// RequestHeaders are the header names the preflight must allow.
	RequestHeaders []string
}

// which names the response a CorsError is about.
func (c Context) which(corsError CorsError) string {
	where := ""
	if c.URL != "" {
		where = " for " + quote(c.URL)
	}
	switch {
	case corsError.AboutPreflight():
		return "The OPTIONS (preflight) response" + where
	case c.Redirect:
		return fmt.Sprintf("The redirect (status %d) response%s", c.Status, where)
	}
	m := c.Method
	if m == "" {
		m = "actual"
	}
	return fmt.Sprintf("The %s response%s", quote(m), where)
}

// origin is the origin to tell the server to allow.
func (c Context) origin() string {
	if c.Origin != "" {
		return c.Origin
	}
	if c.PageOrigin != "" {
		return c.PageOrigin
	}
	return "<page origin>"
}

// statusCause names the usual reason a response without CORS headers or with
// a bad status reached the browser.
func (c Context) statusCause(preflight bool) string {
	switch {
	case preflight && c.Status == 403:
		return fmt.Sprintf(" The status 403 usually means authentication middleware answered the preflight: a preflight never carries cookies or an Authorization header, so let OPTIONS requests through before the auth check. It is also how a CORS layer that does not list the origin %s refuses a preflight (Spring answers `Invalid CORS request`): add the origin to its allowed origins.", quote(c.origin()))
	case preflight && c.Status == 401:
		return fmt.Sprintf(" The status %d usually means authentication middleware answered the preflight: a preflight never carries cookies or an Authorization header, so let OPTIONS requests through before the auth check.", c.Status)
	case preflight && (c.Status == 404 || c.Status == 405 || c.Status == 501):
		return fmt.Sprintf(" The status %d usually means no route handles OPTIONS: add a handler or CORS middleware that answers it.", c.Status)
	case !preflight && isRedirectStatus(c.Status) && c.Location != "":
		next := resolveURL(c.URL, c.Location)
		return fmt.Sprintf(" It is a redirect to %s: the browser runs the CORS check on each redirect before it follows it, so the redirect needs the CORS headers too, or the page calls %s directly.", quote(next), quote(next))
	case c.Status >= 400:
		return fmt.Sprintf(" The status %d is an error response: many frameworks add CORS headers only on success, so errors arrive without them. Make the CORS layer run before error handling, so the real error reaches the page.", c.Status)
	}
	return " If the application sets the header, a proxy, CDN or gateway in front of it may be dropping it."
}

// preflightHeaders lists the headers a working preflight answer carries.
func (c Context) preflightHeaders() string {
	lines := []string{"Access-Control-Allow-Origin: " + plain(c.origin())}
	if c.Method != "" && !IsSafelistedMethod(c.Method) {
		lines = append(lines, "Access-Control-Allow-Methods: "+plain(c.Method))
	}
	if len(c.RequestHeaders) > 0 {
		lines = append(lines, "Access-Control-Allow-Headers: "+plain(strings.Join(c.RequestHeaders, ", ")))
	}
	if c.Credentials {
		lines = append(lines, "Access-Control-Allow-Credentials: true")
	}
	return "`" + strings.Join(lines, "`, `") + "`"
}

// withOthers renders an allow-list with the missing item added.
func withOthers(existing []string, item string) string {
	if len(existing) == 0 || slices.Contains(existing, "*") && len(existing) == 1 {
		return ""
	}
	all := append(slices.Clone(existing), item)
	return fmt.Sprintf(" (or list it with the others already allowed: `%s`)", plain(strings.Join(all, ", ")))
}

// missingHeaders lists the request headers the preflight must still allow,
// the one the browser named first: the fix should name them all, or the
// user fixes one and meets the next.
func missingHeaders(requested, allowed []string, first string) []string {
	out := []string{first}
	for _, h := range requested {
		h = strings.ToLower(h)
		if h == strings.ToLower(first) || slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, h) }) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// mismatchHint says how an Access-Control-Allow-Origin value differs from
// the origin when the difference is a classic one.
func mismatchHint(acao, origin string) string {
	switch {
	case origin == "null":
		return " The request's Origin was \"null\" (an opaque origin, or a redirect across origins tainted it), so only `*` or `null` can match, and allowing `null` is unsafe: every sandboxed page sends it."
	case acao == "null":
		return " `null` only matches pages with an opaque origin, never a normal one."
	case strings.TrimSuffix(acao, "/") == origin:
		return " The only difference is the trailing slash: an origin has no path."
	case strings.EqualFold(acao, origin):
		return " The comparison is case-sensitive: send the origin exactly as the Origin request header shows it."
	case normalizeOrigin(acao) == origin:
		return " The only difference is the default port (or case): send the origin as the browser serializes it, without :80 or :443."
	case afterScheme(acao) != "" && afterScheme(acao) == afterScheme(origin):
		return " The scheme differs (http vs https)."
	}
	return " Browsers compare the value with the request's Origin byte for byte."
}

// Explain returns a plain-language explanation of a Chromium CorsError and
// a fix naming the response, the header and the value to send, filled with
// the case's facts. A legacy name is explained as its current name; unknown
// names get a generic explanation.
func Explain(corsError CorsError, c Context) (summary, fix string) {
	corsError = corsError.Canonical()
	which := c.which(corsError)
	param := c.FailedParameter
	o := plain(c.origin())
	switch corsError {
	case ErrDisallowedByMode:
		return fmt.Sprintf("The page made the request with mode `same-origin`, so the browser refuses the cross-origin URL %s before sending anything.", quote(c.URL)),
			"No server header can allow this: call it with `mode: 'cors'` (the default), or serve the API from the page's origin."
	case ErrInvalidResponse:
		return fmt.Sprintf("The browser got no usable HTTP response%s to run the CORS check on (status 0 or a malformed response).", forURL(c.URL)),
			"Make the server (and any proxy in front of it) return a complete HTTP response; check its logs for aborted connections."
	case ErrWildcardOriginNotAllowed, ErrPreflightWildcardOriginNotAllowed:
		return fmt.Sprintf("%s sends `Access-Control-Allow-Origin: *`, but the request includes credentials (cookies or HTTP authentication), and the wildcard is refused then.", which),
			fmt.Sprintf("On that response echo the allowed origin instead: `Access-Control-Allow-Origin: %s` with `Access-Control-Allow-Credentials: true` and `Vary: Origin`, choosing the origin from an allow-list. Or make the request without credentials (`credentials: 'same-origin'`, `withCredentials = false`).", o)
	case ErrMissingAllowOriginHeader, ErrPreflightMissingAllowOriginHeader:
		consequence := "so the page may not read it"
		if corsError == ErrPreflightMissingAllowOriginHeader {
			consequence = "so the browser does not send the actual request"
		}
		s := fmt.Sprintf("%s%s has no Access-Control-Allow-Origin header, %s.", which, statusSuffix(c.Status), consequence)
		f := fmt.Sprintf("Add `Access-Control-Allow-Origin: %s` to that response (or `*` if it is public).", o)
		if c.Credentials {
			f = fmt.Sprintf("Add `Access-Control-Allow-Origin: %s` and `Access-Control-Allow-Credentials: true` to that response, with `Vary: Origin` when the value comes from an allow-list.", o)
		}
		if corsError == ErrPreflightMissingAllowOriginHeader {
			f = fmt.Sprintf("Answer OPTIONS for %s with status 204 and %s.", quote(c.URL), c.preflightHeaders())
		}
		return s + c.statusCause(corsError == ErrPreflightMissingAllowOriginHeader), f
	case ErrMultipleAllowOriginValues, ErrPreflightMultipleAllowOriginValues:
		return fmt.Sprintf("%s sends several values in Access-Control-Allow-Origin (%s); exactly one origin is allowed. Usually both the application and a proxy add the header, or a list of origins was sent as is.", which, quote(param)),
			fmt.Sprintf("Send exactly one line, `Access-Control-Allow-Origin: %s`, chosen from your allow-list per request (with `Vary: Origin`); remove the duplicate from the app or the proxy.", o)
	case ErrInvalidAllowOriginValue, ErrPreflightInvalidAllowOriginValue:
		return fmt.Sprintf("%s sends Access-Control-Allow-Origin %s, which is not an origin.", which, quote(param)),
			fmt.Sprintf("Send the origin exactly as the Origin request header shows it: `Access-Control-Allow-Origin: %s` (scheme://host[:port], no path, no quotes), or `*`.", o)
	case ErrAllowOriginMismatch, ErrPreflightAllowOriginMismatch:
		return fmt.Sprintf("%s allows the origin %s, but the request came from %s.%s", which, quote(param), quote(c.origin()), mismatchHint(param, c.origin())),
			fmt.Sprintf("Send `Access-Control-Allow-Origin: %s` on that response (picked from your allow-list per request, with `Vary: Origin`).", o)
	case ErrInvalidAllowCredentials, ErrPreflightInvalidAllowCredentials:
		got := "no Access-Control-Allow-Credentials header"
		if param != "" {
			got = "Access-Control-Allow-Credentials " + quote(param)
		}
		if duplicateTrue(param) {
			return fmt.Sprintf("The request includes credentials, but %s sends %s: the header is sent more than once (usually both the application and a proxy add it), and the browser reads the joined value, which is not `true`.", lowerFirst(which), got),
				"Send `Access-Control-Allow-Credentials: true` once: remove the duplicate from the app or the proxy."
		}
		return fmt.Sprintf("The request includes credentials, but %s sends %s; it must be exactly `true` (lower case).", lowerFirst(which), got),
			"Add `Access-Control-Allow-Credentials: true` to that response, or make the request without credentials."
	case ErrCorsDisabledScheme:
		return fmt.Sprintf("The URL %s uses a scheme that does not support CORS requests; only http and https do.", quote(c.URL)),
			"Serve the resource over http or https."
	case ErrPreflightInvalidStatus:
		return fmt.Sprintf("%s has status %d; a preflight must answer with a 2xx status.%s", which, c.Status, c.statusCause(true)),
			fmt.Sprintf("Answer OPTIONS for %s with status 204 (or 200) and %s.", quote(c.URL), c.preflightHeaders())
	case ErrPreflightDisallowedRedirect:
		loc := ""
		if c.Location != "" {
			loc = " to " + quote(c.Location)
		}
		return fmt.Sprintf("%s is a redirect (status %d)%s; browsers never follow a redirect of a preflight.", which, c.Status, loc),
			"Make the page call the final URL directly (common causes: http to https, a missing or extra trailing slash, a login redirect), or answer OPTIONS at this URL with 204 and the CORS headers: " + c.preflightHeaders() + "."
	case ErrPreflightMissingAllowExternal, ErrPreflightInvalidAllowExternal:
		got := "does not send"
		if param != "" {
			got = "sends " + quote(param) + " in"
		}
		return fmt.Sprintf("The request goes from a public page to a private-network address, and %s %s Access-Control-Allow-External (an earlier Private Network Access draft).", lowerFirst(which), got),
			"Add `Access-Control-Allow-External: true` (newer Chromium versions ask for `Access-Control-Allow-Private-Network: true`) to the OPTIONS response, or call the service through a public address."
	case ErrInvalidAllowMethodsPreflightResponse:
		return fmt.Sprintf("%s sends Access-Control-Allow-Methods %s, which does not parse: it must be a comma-separated list of method names.", which, quote(param)),
			fmt.Sprintf("Send e.g. `Access-Control-Allow-Methods: %s` (method tokens separated by commas, no quotes, no other separators).", plain(methodList(c)))
	case ErrInvalidAllowHeadersPreflightResponse:
		return fmt.Sprintf("%s sends Access-Control-Allow-Headers %s, which does not parse: it must be a comma-separated list of header names.", which, quote(param)),
			fmt.Sprintf("Send e.g. `Access-Control-Allow-Headers: %s` (header names separated by commas, no quotes, no other separators).", plain(headerList(c)))
	case ErrMethodDisallowedByPreflightResponse:
		extra := ""
		if c.Credentials && slices.Contains(c.AllowedMethods, "*") {
			extra = " `*` does not act as a wildcard for requests with credentials."
		} else if slices.ContainsFunc(c.AllowedMethods, func(m string) bool { return strings.EqualFold(m, param) }) {
			extra = " Methods are compared case-sensitively."
		}
		return fmt.Sprintf("%s does not allow the method %s.%s", which, quote(param), extra),
			fmt.Sprintf("Add `Access-Control-Allow-Methods: %s`%s.", plain(param), withOthers(c.AllowedMethods, param))
	case ErrHeaderDisallowedByPreflightResponse:
		extra := ""
		if c.Credentials && slices.Contains(c.AllowedHeaders, "*") {
			extra = " `*` does not act as a wildcard for requests with credentials."
		}
		missing := missingHeaders(c.RequestHeaders, c.AllowedHeaders, param)
		if len(missing) > 1 {
			return fmt.Sprintf("%s does not allow the request header %s (nor %s).%s", which, quote(param), quote(strings.Join(missing[1:], ", ")), extra),
				fmt.Sprintf("Add `Access-Control-Allow-Headers: %s`%s.", plain(strings.Join(missing, ", ")), withOthers(c.AllowedHeaders, strings.Join(missing, ", ")))
		}
		return fmt.Sprintf("%s does not allow the request header %s.%s", which, quote(param), extra),
			fmt.Sprintf("Add `Access-Control-Allow-Headers: %s`%s.", plain(param), withOthers(c.AllowedHeaders, param))
	case ErrRedirectContainsCredentials:
		return fmt.Sprintf("%s redirects to a URL with a user name or password in it%s; a CORS request may not follow such a redirect.", which, locSuffix(c.Location)),
			"Redirect to a URL without `user:password@`; send credentials in a header instead."
	case ErrInsecureLocalNetwork:
		return fmt.Sprintf("Local Network Access: the page (%s) is not a secure context, and such pages may not reach a local or loopback address (%s).", quote(c.origin()), quote(c.URL)),
			"Serve the page over https; no response header can allow this. For local testing run Chromium with `--disable-features=LocalNetworkAccessChecks`."
	case ErrInvalidLocalNetworkAccess:
		return fmt.Sprintf("Local Network Access: the request to %s reached a different address space than the page declared (the `targetAddressSpace` fetch option) or expected.", quote(c.URL)),
			"Make the `targetAddressSpace` option match where the server really is (local, loopback), or drop it; check that DNS does not resolve the name to an unexpected address."
	case ErrNoCorsRedirectModeNotFollow:
		return fmt.Sprintf("A no-cors request to %s was redirected but its redirect mode is not `follow`.", quote(c.URL)),
			"Use `redirect: 'follow'` for no-cors requests, or make the request in `cors` mode."
	case ErrLocalNetworkAccessPermissionDenied:
		return fmt.Sprintf("Local Network Access: the page (%s) may not reach the local or loopback address %s without the user's permission, and the permission was not granted.", quote(c.origin()), quote(c.URL)),
			"Grant the page the local network access permission (a prompt in the browser; in automation `Browser.setPermission` with `loopback-network` or `local-network-access`), or run Chromium with `--disable-features=LocalNetworkAccessChecks` for testing. No response header can allow this."
	}
	return fmt.Sprintf("Chromium blocked the request with CorsError %s%s.", quote(string(corsError)), paramSuffix(param)),
		"See the browser console message for this request; the model has no explanation for this error name."
}

// duplicateTrue reports whether an Access-Control-Allow-Credentials value
// is `true` sent on several lines, which the browser joins with commas.
func duplicateTrue(v string) bool {
	parts := strings.Split(v, ",")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if strings.TrimSpace(p) != "true" {
			return false
		}
	}
	return true
}

func forURL(u string) string {
	if u == "" {
		return ""
	}
	return " for " + quote(u)
}

func statusSuffix(status int) string {
	if status == 0 {
		return ""
	}
	return fmt.Sprintf(" (status %d)", status)
}

func locSuffix(loc string) string {
	if loc == "" {
		return ""
	}
	return " (" + quote(loc) + ")"
}

func paramSuffix(p string) string {
	if p == "" {
		return ""
	}
	return " (" + quote(p) + ")"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// methodList and headerList build example allow-lists for the case.
func methodList(c Context) string {
	if c.Method != "" && !IsSafelistedMethod(c.Method) {
		return "GET, POST, " + c.Method
	}
	return "GET, POST, PUT, DELETE"
}

func headerList(c Context) string {
	if len(c.RequestHeaders) > 0 {
		return strings.Join(c.RequestHeaders, ", ")
	}
	return "content-type, authorization"
}

// afterScheme returns what follows "://" in an origin, or "".
func afterScheme(s string) string {
	_, rest, _ := strings.Cut(s, "://")
	return rest
}
