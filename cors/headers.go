package cors

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Header names the model reads.
const (
	hACAO     = "Access-Control-Allow-Origin"
	hACAC     = "Access-Control-Allow-Credentials"
	hACAM     = "Access-Control-Allow-Methods"
	hACAH     = "Access-Control-Allow-Headers"
	hACEH     = "Access-Control-Expose-Headers"
	hMaxAge   = "Access-Control-Max-Age"
	hVary     = "Vary"
	hLocation = "Location"
)

// httpWhitespace is what HTTP trims around header values (Fetch's HTTP
// whitespace minus CR and LF, which cannot occur inside a line).
const httpWhitespace = " \t"

// headerLines returns every line of a header in h, matching the name
// case-insensitively. Each map value may hold several lines joined with
// "\n" (Chromium's CDP form); each line is trimmed of HTTP whitespace.
// Keys differing only in case are visited in sorted order so the result
// does not depend on map iteration.
func headerLines(h map[string]string, name string) ([]string, bool) {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, false
	}
	slices.Sort(keys)
	var lines []string
	for _, k := range keys {
		for _, l := range strings.Split(h[k], "\n") {
			// The checks compare bytes; CDP hands them over as windows-1252.
			lines = append(lines, strings.Trim(strings.TrimSuffix(WireBytes(l), "\r"), httpWhitespace))
		}
	}
	return lines, true
}

// headerValue returns a header's combined value the way Chromium's network
// stack hands it to the CORS checks: the lines, trimmed, joined with ", ".
// Two Access-Control-Allow-Origin lines therefore read "a, b".
func headerValue(h map[string]string, name string) (string, bool) {
	lines, ok := headerLines(h, name)
	if !ok {
		return "", false
	}
	return strings.Join(lines, ", "), true
}

// headerNames returns the lower-cased, de-duplicated, sorted names in h.
func headerNames(h map[string]string) []string {
	var names []string
	for k := range h {
		names = append(names, strings.ToLower(k))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 tchar).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is a non-empty HTTP token, the syntax of header
// names, methods and the items of Access-Control-Allow-* lists.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// ParseHeaderList parses an Access-Control-Allow-Methods or
// Access-Control-Allow-Headers value the way Chromium does: items are
// separated by commas, trimmed of spaces and tabs, empty items are skipped,
// and every remaining item must be an HTTP token. ok is false, and items nil,
// when an item is not a token; Chromium then fails the preflight with
// Invalid{AllowMethods,AllowHeaders}PreflightResponse. Items keep their case
// and duplicates; callers decide about case. Several header lines joined
// with "\n" or ", " parse as one list.
func ParseHeaderList(value string) (items []string, ok bool) {
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '\n' }) {
		item := strings.Trim(part, httpWhitespace+"\r")
		if item == "" {
			continue
		}
		if !IsToken(item) {
			return nil, false
		}
		items = append(items, item)
	}
	return items, true
}

// HasToken reports whether a comma-separated header value (several lines
// joined with "\n", as records keep a repeated header) holds tok, in any
// case, alone or as tok=value: Vary: Origin, Cache-Control: no-store or
// max-age=60.
func HasToken(value, tok string) bool {
	tok = strings.ToLower(tok)
	for _, line := range strings.Split(value, "\n") {
		for _, t := range strings.Split(line, ",") {
			t = strings.ToLower(strings.TrimSpace(t))
			if t == tok || strings.HasPrefix(t, tok+"=") {
				return true
			}
		}
	}
	return false
}

// ParseExposeHeaders parses an Access-Control-Expose-Headers value the
// lenient way Blink does: comma-separated, trimmed, empty items skipped,
// lower-cased, de-duplicated and sorted. Items that are not tokens are kept;
// they simply never match a header name.
func ParseExposeHeaders(value string) []string {
	var names []string
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '\n' }) {
		item := strings.ToLower(strings.Trim(part, httpWhitespace+"\r"))
		if item != "" {
			names = append(names, item)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Chromium's preflight cache limits.
const (
	// DefaultMaxAge is how long Chromium caches a preflight result that has
	// no usable Access-Control-Max-Age, in seconds.
	DefaultMaxAge = 5
	// MaxMaxAge is Chromium's cap on Access-Control-Max-Age, in seconds.
	MaxMaxAge = 7200
)

// ParseMaxAge returns how many seconds Chromium caches a preflight result
// given its Access-Control-Max-Age value: the default when absent or not an
// integer, 0 when negative, at most MaxMaxAge.
func ParseMaxAge(value string, present bool) int64 {
	if !present {
		return DefaultMaxAge
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return DefaultMaxAge
	}
	return min(max(n, 0), MaxMaxAge)
}

// defaultPorts are the ports an origin serialization omits.
var defaultPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

// SerializeOrigin returns the ASCII serialization of rawURL's origin:
// scheme://host[:port] with the scheme and host lower-cased and the default
// port left out, or "null" for schemes whose origins are opaque (data:,
// file:, about: …). An error means rawURL cannot be parsed.
func SerializeOrigin(rawURL string) (string, error) {
	if strings.TrimSpace(rawURL) == "null" {
		return "null", nil
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "", err
	}
	scheme := strings.ToLower(u.Scheme)
	if _, ok := defaultPorts[scheme]; !ok || u.Host == "" {
		return "null", nil
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if port == "" || port == defaultPorts[scheme] {
		return scheme + "://" + host, nil
	}
	return scheme + "://" + host + ":" + port, nil
}

// sameOrigin reports whether two serialized origins are the same origin.
// An opaque origin ("null") is never the same as another one.
func sameOrigin(a, b string) bool {
	return a != "null" && b != "null" && a == b
}

// originOf serializes rawURL's origin, treating a parse failure as opaque.
func originOf(rawURL string) string {
	o, err := SerializeOrigin(rawURL)
	if err != nil {
		return "null"
	}
	return o
}

// urlSchemeRe is what GURL needs to see to take a string for a URL.
var urlSchemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

// looksLikeURL approximates GURL's validity test, which Chromium uses to
// tell InvalidAllowOriginValue from AllowOriginMismatch: a scheme, and a
// host for the schemes that need one.
func looksLikeURL(s string) bool {
	if !urlSchemeRe.MatchString(s) || strings.ContainsAny(s, " \t\"<>\\^`{|}") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if _, special := defaultPorts[strings.ToLower(u.Scheme)]; special {
		return u.Host != "" && validHostBytes(u.Host)
	}
	return true
}

// hasUserinfo reports whether a URL carries a user name or password.
func hasUserinfo(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.User != nil
}

// resolveURL resolves ref against base; it returns ref unchanged when either
// does not parse.
func resolveURL(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// normalizeOrigin canonicalizes a page origin given by a user: case, default
// port and a trailing slash do not matter for the page's own origin.
func normalizeOrigin(o string) string {
	o = strings.TrimSpace(o)
	if o == "" || o == "null" {
		return "null"
	}
	s, err := SerializeOrigin(o)
	if err != nil {
		return o
	}
	return s
}
