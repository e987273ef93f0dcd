package cors

import (
	"fmt"
	"slices"
	"strings"
)

// NormalizeMethod returns the method as fetch and XHR send it. Fetch
// upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT (matched
// case-insensitively); every other method, PATCH included, goes on the wire
// byte for byte as the page wrote it. Chromium 156 sends
// fetch(url, {method: 'patch'}) as "patch", which
// Access-Control-Allow-Methods: PATCH does not cover. An empty method means
// GET, the API's default.
func NormalizeMethod(m string) string {
	if m == "" {
		return "GET"
	}
	switch u := strings.ToUpper(m); u {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return u
	}
	return m
}

// IsSafelistedMethod reports whether a (normalized) method needs no preflight:
// GET, HEAD or POST, case-sensitively.
func IsSafelistedMethod(m string) bool {
	return m == "GET" || m == "HEAD" || m == "POST"
}

// IsForbiddenMethod reports whether the page's API refuses the method
// outright: CONNECT, TRACE and TRACK in any case. fetch and XHR throw before
// anything goes on the wire.
func IsForbiddenMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "CONNECT", "TRACE", "TRACK":
		return true
	}
	return false
}

// forbiddenRequestHeaders are the Fetch standard's forbidden request-header
// names, lower-cased, plus Access-Control-Request-Private-Network, which
// Chromium also keeps for itself since Private Network Access.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                         true,
	"accept-encoding":                        true,
	"access-control-request-headers":         true,
	"access-control-request-method":          true,
	"access-control-request-private-network": true,
	"connection":                             true,
	"content-length":                         true,
	"cookie":                                 true,
	"cookie2":                                true,
	"date":                                   true,
	"dnt":                                    true,
	"expect":                                 true,
	"host":                                   true,
	"keep-alive":                             true,
	"origin":                                 true,
	"referer":                                true,
	"set-cookie":                             true,
	"te":                                     true,
	"trailer":                                true,
	"transfer-encoding":                      true,
	"upgrade":                                true,
	"via":                                    true,
}

// IsForbiddenRequestHeader reports whether script may not set the header,
// matched case-insensitively: the browser owns it (Cookie, Host, Origin,
// every Sec-* and Proxy-* name …). fetch drops such headers silently and
// XHR ignores them with a console message, so they never reach the server
// from the page and never trigger a preflight.
//
// X-HTTP-Method, X-HTTP-Method-Override and X-Method-Override are forbidden
// only when their value names a forbidden method, which a name alone cannot
// tell; they are not reported here.
func IsForbiddenRequestHeader(name string) bool {
	n := strings.ToLower(name)
	return forbiddenRequestHeaders[n] || strings.HasPrefix(n, "proxy-") || strings.HasPrefix(n, "sec-")
}

// isCorsUnsafeByte is Fetch's CORS-unsafe request-header byte.
func isCorsUnsafeByte(c byte) bool {
	if c < 0x20 && c != '\t' || c == 0x7f {
		return true
	}
	return strings.IndexByte(`"():<>?@[\]{}`, c) >= 0
}

// maxSafelistedValue and maxSafelistedTotal are Fetch's limits on the values
// of CORS-safelisted request headers, in bytes.
const (
	maxSafelistedValue = 128
	maxSafelistedTotal = 1024
)

// safelistVerdict says whether one header is CORS-safelisted and, if not, why.
// kind is empty when the header is safelisted.
func safelistVerdict(name, value string) (kind, detail string) {
	n := strings.ToLower(name)
	switch n {
	case "accept", "accept-language", "content-language", "content-type", "range",
		// Chromium also safelists these client hints.
		"device-memory", "dpr", "width", "viewport-width", "save-data":
	default:
		return ReasonHeader, fmt.Sprintf("%s is not a CORS-safelisted request header", n)
	}
	if len(value) > maxSafelistedValue {
		return ReasonValueLength, fmt.Sprintf("the %s value is %d bytes, over the %d-byte limit for safelisted headers", n, len(value), maxSafelistedValue)
	}
	switch n {
	case "accept":
		if i := strings.IndexFunc(value, func(r rune) bool { return r > 0x7f || isCorsUnsafeByte(byte(r)) }); i >= 0 {
			return ReasonValue, fmt.Sprintf("the accept value contains the byte %q, which is not safelisted", value[i])
		}
	case "accept-language", "content-language":
		for i := 0; i < len(value); i++ {
			c := value[i]
			ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" *,-.;=", c) >= 0
			if !ok {
				return ReasonValue, fmt.Sprintf("the %s value contains the byte %q; only letters, digits, space and *,-.;= are safelisted", n, c)
			}
		}
	case "content-type":
		if !IsSafelistedContentType(value) {
			return ReasonContentType, fmt.Sprintf("Content-Type %q is not application/x-www-form-urlencoded, multipart/form-data or text/plain", value)
		}
	case "range":
		if !isSimpleRange(value) {
			return ReasonValue, fmt.Sprintf("Range %q is not a single bytes=start-[end] range", value)
		}
	case "save-data":
		if !strings.EqualFold(value, "on") {
			return ReasonValue, "the save-data value is not \"on\""
		}
	case "device-memory", "dpr", "width", "viewport-width":
		if strings.Trim(value, "0123456789.") != "" || value == "" {
			return ReasonValue, fmt.Sprintf("the %s value is not a number", n)
		}
	}
	return "", ""
}

// IsSafelistedContentType reports whether a Content-Type value keeps a
// request simple: no CORS-unsafe byte, and a MIME type essence (the part
// before ";", trimmed, case-insensitive) that is
// application/x-www-form-urlencoded, multipart/form-data or text/plain.
// "text /plain" is therefore not safelisted, "Text/Plain;charset=utf-8" is.
func IsSafelistedContentType(value string) bool {
	for i := 0; i < len(value); i++ {
		if isCorsUnsafeByte(value[i]) {
			return false
		}
	}
	essence, _, _ := strings.Cut(strings.ToLower(value), ";")
	switch strings.Trim(essence, httpWhitespace) {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

// isSimpleRange reports whether a Range value is Fetch's safelisted form:
// bytes=start-[end] with a start, one range, no whitespace, start <= end.
func isSimpleRange(v string) bool {
	rest, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return false
	}
	start, end, ok := strings.Cut(rest, "-")
	if !ok || !isDigits(start) || (end != "" && !isDigits(end)) {
		return false
	}
	if end == "" {
		return true
	}
	// Compare as decimal strings so huge values cannot overflow.
	s, e := strings.TrimLeft(start, "0"), strings.TrimLeft(end, "0")
	return len(s) < len(e) || len(s) == len(e) && s <= e
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// unsafeHeaders computes the CORS-unsafe request-header names of a header
// set: each non-safelisted name, plus every safelisted name when their values
// together exceed 1024 bytes. Names are lower-cased, de-duplicated and sorted,
// as Chromium puts them in Access-Control-Request-Headers. Forbidden headers
// must already be removed.
func unsafeHeaders(headers map[string]string) (names []string, reasons []PreflightReason) {
	var safelisted []string
	total := 0
	for _, n := range sortedKeys(headers) {
		v := headers[n]
		if kind, detail := safelistVerdict(n, v); kind != "" {
			names = append(names, strings.ToLower(n))
			reasons = append(reasons, PreflightReason{Kind: kind, Name: strings.ToLower(n), Detail: detail})
			continue
		}
		safelisted = append(safelisted, strings.ToLower(n))
		total += len(v)
	}
	if total > maxSafelistedTotal {
		for _, n := range safelisted {
			names = append(names, n)
			reasons = append(reasons, PreflightReason{Kind: ReasonTotalLength, Name: n,
				Detail: fmt.Sprintf("safelisted header values total %d bytes, over the %d-byte limit, so every one of them needs the preflight", total, maxSafelistedTotal)})
		}
	}
	slices.Sort(names)
	return slices.Compact(names), reasons
}

// isNoCorsSafelistedName reports whether a no-cors request keeps the header.
func isNoCorsSafelistedName(n string) bool {
	switch strings.ToLower(n) {
	case "accept", "accept-language", "content-language", "content-type":
		return true
	}
	return false
}

// safelistedResponseHeaders are readable by script on every CORS response.
var safelistedResponseHeaders = []string{
	"cache-control", "content-language", "content-length", "content-type",
	"expires", "last-modified", "pragma",
}

// readableHeaders splits the names of a CORS response's headers into those
// script can read and those it cannot. "*" in Access-Control-Expose-Headers
// exposes everything only when the request carries no credentials; with
// credentials it names a header called "*". Set-Cookie never crosses.
func readableHeaders(h map[string]string, credentials bool) (readable, unreadable []string) {
	exposed := map[string]bool{}
	if v, ok := headerValue(h, hACEH); ok {
		for _, n := range ParseExposeHeaders(v) {
			exposed[n] = true
		}
	}
	all := exposed["*"] && !credentials
	for _, n := range headerNames(h) {
		switch {
		case n == "set-cookie" || n == "set-cookie2":
			unreadable = append(unreadable, n)
		case all || exposed[n] || slices.Contains(safelistedResponseHeaders, n):
			readable = append(readable, n)
		default:
			unreadable = append(unreadable, n)
		}
	}
	return readable, unreadable
}

// sortedKeys returns the keys of a map in sorted order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// IsForbiddenResponseHeader reports whether script can never read a
// response header, whatever Access-Control-Expose-Headers says: Set-Cookie
// and Set-Cookie2 in any case (the browser keeps cookies to itself).
func IsForbiddenResponseHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return n == "set-cookie" || n == "set-cookie2"
}
