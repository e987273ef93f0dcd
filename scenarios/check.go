package scenarios

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
)

// issue is what a single-value check found wrong; the caller knows the
// position and the field and turns it into a typed error.
type issue struct{ reason, hint string }

// originIssue checks that s is a serialized origin exactly as self.origin
// would print it: the page checks self.origin against the case's origin, so
// anything the browser would normalise (case, default port, trailing slash)
// must be written normalised already.
func originIssue(s string) *issue {
	if s == "null" {
		return nil
	}
	example := "write scheme://host[:port], e.g. https://app.example.test"
	if scheme, rest, ok := strings.Cut(s, ":"); ok && !strings.Contains(s, "://") && scheme != "" && !strings.Contains(scheme, ".") && strings.Trim(rest, "0123456789/") != "" {
		if u, err := url.Parse(s); err == nil && u.Scheme != "" {
			// javascript:…, data:…, about:blank: a scheme, and not one a
			// page origin has ("it has no scheme" misled). host:port
			// (localhost:3000) parses as a scheme too, and is kept for
			// the hint below.
			return &issue{"has scheme " + strconv.Quote(u.Scheme) + "; a page origin is http or https (or null)", example}
		}
	}
	if !strings.Contains(s, "://") {
		return &issue{"is not an origin: it has no scheme", "write http://" + strings.TrimRight(s, "/") + " or https://" + strings.TrimRight(s, "/")}
	}
	u, err := url.Parse(s)
	if err != nil {
		return &issue{"is not an origin", example}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return &issue{"has scheme " + strconv.Quote(u.Scheme) + "; a page origin is http or https (or null)", example}
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return &issue{"is not an origin: it has no host", example}
	}
	for _, r := range host {
		if r >= utf8.RuneSelf {
			return &issue{"has a non-ASCII host", "write the host in its punycode form (xn--…)"}
		}
	}
	if strings.Contains(u.Host, "[") {
		host = "[" + host + "]"
	} else if !validHostname(host) {
		return &issue{"has an invalid host name", example}
	} else if is := hostLengthIssue(host); is != nil {
		return is
	}
	port := u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return &issue{"has an empty port", "write " + scheme + "://" + host}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return &issue{"has port " + port + " outside 1-65535", example}
		}
		if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
			port = ""
		} else {
			port = strconv.Itoa(n)
		}
	}
	canonical := scheme + "://" + host
	if port != "" {
		canonical += ":" + port
	}
	use := "write " + canonical
	switch {
	case u.User != nil:
		return &issue{"includes userinfo; an origin is scheme://host[:port]", use}
	case u.Path == "/" && u.RawQuery == "" && u.Fragment == "":
		return &issue{"ends with a slash; an origin has no path", use}
	case u.Path != "" || u.RawPath != "":
		return &issue{"has a path; an origin is scheme://host[:port]", use}
	case u.RawQuery != "" || u.ForceQuery:
		return &issue{"has a query; an origin is scheme://host[:port]", use}
	case u.Fragment != "" || strings.Contains(s, "#"):
		return &issue{"has a fragment; an origin is scheme://host[:port]", use}
	case u.Port() != "" && port == "":
		return &issue{"names the default port, which self.origin leaves out", use}
	case s != canonical:
		return &issue{"is not written as the browser serialises it", use}
	}
	return nil
}

// validHostname accepts the characters a browser keeps in a host name; it
// rejects the rest rather than guess how the URL parser would rewrite them.
func validHostname(h string) bool {
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return false
		}
	}
	return !strings.HasPrefix(h, ".") && !strings.Contains(h, "..")
}

// targetIssue checks the suite's target: an absolute http(s) URL that
// relative request URLs can resolve against.
func targetIssue(s string) *issue {
	u, err := url.Parse(s)
	example := "write an absolute URL such as http://127.0.0.1:8080"
	switch {
	case err != nil:
		return &issue{"is not a URL", example}
	case u.Scheme == "":
		return &issue{"is not an absolute URL", example}
	case u.Scheme != "http" && u.Scheme != "https":
		return &issue{"has scheme " + strconv.Quote(u.Scheme) + "; the target must be http or https", example}
	case u.Hostname() == "":
		return &issue{"has no host", example}
	case u.User != nil:
		return &issue{"includes userinfo", "remove user:password@ from the target"}
	case u.RawQuery != "" || u.ForceQuery:
		return &issue{"has a query, which relative URLs would drop", "put the query in each case's url"}
	case u.Fragment != "" || strings.Contains(s, "#"):
		return &issue{"has a fragment", "remove the #fragment"}
	}
	if is := portIssue(u); is != nil {
		return is
	}
	return nil
}

// portIssue rejects ports outside 1-65535, which url.Parse lets through.
func portIssue(u *url.URL) *issue {
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return &issue{"has port " + p + " outside 1-65535", "use a port between 1 and 65535"}
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return &issue{"has an empty port", "remove the colon or add a port"}
	}
	return nil
}

// resolveURL checks a request URL and returns it absolute. A relative URL
// resolves against target as a browser resolves a link (RFC 3986), so a
// target path prefix is kept only when the target ends with a slash and the
// URL does not start with one.
func resolveURL(raw, target string, api API) (string, *issue) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", &issue{"is not a URL", "write an absolute http(s) URL, or a path relative to target"}
	}
	abs := raw
	if u.Scheme == "" {
		if target == "" {
			return "", &issue{"is relative but the suite has no target", "add target: http://host:port at the top of the file, or write an absolute URL"}
		}
		base, err := url.Parse(target)
		if err != nil {
			// The target's own error is reported where it is written.
			return "", nil
		}
		u = base.ResolveReference(u)
		abs = u.String()
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", &issue{"has scheme " + strconv.Quote(u.Scheme) + "; corsproof makes http and https requests", "write an http:// or https:// URL"}
	case u.Hostname() == "":
		return "", &issue{"has no host", "write an absolute http(s) URL, or a path relative to target"}
	case u.User != nil && api != APIXHR:
		return "", &issue{"includes credentials, which fetch refuses to send", "remove user:password@ and set an Authorization header"}
	}
	if is := hostLengthIssue(u.Hostname()); is != nil {
		return "", is
	}
	if is := portIssue(u); is != nil {
		return "", is
	}
	return abs, nil
}

// hostLengthIssue refuses a host name longer than DNS allows (253
// characters, 63 between dots). Nothing resolves one, and each host goes
// on the browser's command line (--host-resolver-rules): a host of 200 KB
// failed the launch with "argument list too long" and a hint to check
// --browser.
func hostLengthIssue(host string) *issue {
	hint := "a host name is at most 253 characters, and 63 between two dots"
	if len(host) > 253 {
		return &issue{fmt.Sprintf("has a host name of %d characters, longer than DNS allows", len(host)), hint}
	}
	for _, label := range strings.Split(host, ".") {
		if len(label) > 63 {
			return &issue{fmt.Sprintf("has a host name label of %d characters, longer than DNS allows", len(label)), hint}
		}
	}
	return nil
}

// methodIssue checks a request method.
func methodIssue(m string) *issue {
	if !cors.IsToken(m) {
		return &issue{"is not a valid HTTP method", "a method is a token such as GET, POST or PATCH, without spaces"}
	}
	if cors.IsForbiddenMethod(m) {
		return &issue{"is a forbidden method: fetch and xhr throw on it", "browsers cannot send it; use another method"}
	}
	return nil
}

// forbiddenHeaderHints say what to write instead of a forbidden request
// header (cors.IsForbiddenRequestHeader decides which are), where there is
// something better to say than to remove it: a page's fetch or xhr silently
// drops them, so a case that sets one would test something other than what
// it says.
var forbiddenHeaderHints = map[string]string{
	"access-control-request-headers": "the browser sends it on the preflight by itself",
	"access-control-request-method":  "the browser sends it on the preflight by itself",
	"content-length":                 "the browser computes it from body",
	"cookie":                         "use credentials: include and let the target set the cookie",
	"host":                           "set the host in url",
	"origin":                         "set the case's origin instead",
}

// headerNameIssue checks a request header name.
func headerNameIssue(name string) *issue {
	if !cors.IsToken(name) {
		return &issue{"is not a valid header name", "a header name is a token such as X-Request-Id, without spaces or colons"}
	}
	if cors.IsForbiddenRequestHeader(name) {
		hint := forbiddenHeaderHints[strings.ToLower(name)]
		if hint == "" {
			hint = "remove it: the browser sets or drops it itself"
		}
		return &issue{"is a forbidden request header, which the browser drops", hint}
	}
	return nil
}

// headerValueIssue checks a request header value.
func headerValueIssue(v string) *issue {
	if strings.ContainsAny(v, "\r\n\x00") {
		return &issue{"contains CR, LF or NUL, which the browser refuses in a header value", "put the value on one line"}
	}
	if t := strings.Trim(v, " \t"); t != v {
		return &issue{"has leading or trailing whitespace, which the browser strips", "write " + strconv.Quote(t)}
	}
	for _, r := range v {
		if r > 0xff {
			// fetch and XHR take header values as ByteStrings and throw a
			// TypeError for anything beyond Latin-1: no request would exist.
			return &issue{fmt.Sprintf("contains %q, which is outside Latin-1: the browser throws instead of sending it", r), "percent-encode or base64 the value, as a page would have to"}
		}
	}
	return nil
}

// noCORSSafelisted reports whether a no-cors request keeps the header: the
// browser silently drops every other one in that mode.
func noCORSSafelisted(name, value string) bool {
	switch strings.ToLower(name) {
	case "accept", "accept-language", "content-language":
		return true
	case "content-type":
		essence, _, _ := strings.Cut(value, ";")
		switch strings.ToLower(strings.TrimSpace(essence)) {
		case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
			return true
		}
	}
	return false
}

// cookieIssues checks a cookie to seed: a token name, and a value a
// Set-Cookie line can carry unquoted.
func cookieIssues(name, value string) (nameIssue, valueIssue *issue) {
	if !cors.IsToken(name) {
		nameIssue = &issue{"is not a valid cookie name", "a cookie name is a token such as session_id, without spaces, = or ;"}
	}
	for _, r := range value {
		if r < 0x21 || r > 0x7e || r == ';' || r == ',' || r == '"' || r == '\\' {
			valueIssue = &issue{"is not a valid cookie value", "use printable ASCII without spaces, quotes, commas, semicolons or backslashes"}
			break
		}
	}
	return nameIssue, valueIssue
}
