package policy

import (
	"net"
	"strconv"
	"strings"
)

// Special allow_origins entries.
const (
	OriginAny     = "*"
	OriginReflect = "reflect"
	OriginNull    = "null"
)

// origin is a serialized origin split into its parts.
type origin struct {
	scheme, host, port string
}

// parseOrigin splits a serialized origin (scheme://host[:port]) and rejects
// anything a browser would not send in an Origin header: paths, a trailing
// slash, userinfo, upper case, default ports.
func parseOrigin(s string) (origin, string, string) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return origin{}, "not an origin", "write scheme://host[:port], such as https://app.example.com"
	}
	if scheme != "http" && scheme != "https" {
		return origin{}, "origin scheme must be http or https", "write scheme://host[:port]"
	}
	if rest == "" {
		return origin{}, "origin has no host", "write scheme://host[:port]"
	}
	if strings.ContainsAny(rest, "/?#") {
		return origin{}, "an origin has no path, query or trailing slash", "drop everything after the host and port; browsers never send it"
	}
	if strings.Contains(rest, "@") {
		return origin{}, "an origin has no userinfo", "drop the user@ part"
	}
	if hasControl(rest) || strings.ContainsAny(rest, " \\") {
		return origin{}, "origin contains spaces or control characters", ""
	}
	if rest != strings.ToLower(rest) {
		return origin{}, "origin must be lower case", "browsers send the host in lower case, so an upper-case entry never matches"
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return origin{}, "unterminated IPv6 address", "write http://[::1]:8080"
		}
		host = rest[:end+1]
		if ip := net.ParseIP(rest[1:end]); ip == nil || ip.To4() != nil {
			return origin{}, "invalid IPv6 address", "write http://[::1]:8080"
		}
		after := rest[end+1:]
		if after != "" {
			if !strings.HasPrefix(after, ":") {
				return origin{}, "junk after IPv6 address", ""
			}
			port = after[1:]
		}
	} else if h, p, ok := strings.Cut(rest, ":"); ok {
		host, port = h, p
	}
	if host == "" {
		return origin{}, "origin has no host", "write scheme://host[:port]"
	}
	if port != "" || strings.HasSuffix(rest, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return origin{}, "invalid port", "write a port between 1 and 65535 without leading zeros"
		}
		if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
			return origin{}, "default port in origin", "browsers leave out the default port, so drop :" + port
		}
	}
	if !strings.HasPrefix(host, "[") && !validHostname(host) {
		return origin{}, "invalid host name", "host names are dot-separated labels of letters, digits and hyphens"
	}
	return origin{scheme: scheme, host: host, port: port}, "", ""
}

// validHostname accepts DNS names and IPv4 addresses in lower case; "*" is
// not a label, so patterns are checked separately.
func validHostname(h string) bool {
	if len(h) > 253 || strings.HasSuffix(h, ".") {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if !ValidHostLabel(l) {
			return false
		}
	}
	if allDigits(labels[len(labels)-1]) {
		// No top-level domain is numeric: this must be a dotted-quad IPv4
		// address, the only form browsers serialize (never 127.1).
		ip := net.ParseIP(h)
		return ip != nil && ip.To4() != nil && len(labels) == 4
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidHostLabel reports whether l is one label of a host name as corsproof
// accepts it: lower-case letters, digits, hyphens and underscores, at most
// 63 bytes, not starting or ending with a hyphen.
func ValidHostLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// pattern is an allow_origins entry such as https://*.example.com: any host
// of one or more labels in front of the suffix, same scheme, same port.
type pattern struct {
	scheme, suffix, port string
}

// parsePattern recognises and checks an entry with a wildcard. ok is false
// when s has no "*" (it is not a pattern at all).
func parsePattern(s string) (p pattern, isPattern bool, msg, hint string) {
	if !strings.Contains(s, "*") {
		return pattern{}, false, "", ""
	}
	scheme, rest, _ := strings.Cut(s, "://")
	if !strings.HasPrefix(rest, "*.") || strings.Count(s, "*") != 1 {
		return pattern{}, true, "a wildcard may only stand for the leftmost labels of the host",
			"write https://*.example.com, or \"*\" alone for any origin"
	}
	suffix := strings.TrimPrefix(rest, "*.")
	if h, _, _ := strings.Cut(suffix, ":"); allDigits(h[strings.LastIndex(h, ".")+1:]) {
		return pattern{}, true, "a wildcard cannot stand in an IP address", "list the IP origins one by one"
	}
	o, msg, hint := parseOrigin(scheme + "://" + suffix)
	if msg != "" {
		return pattern{}, true, msg, hint
	}
	labels := strings.Split(o.host, ".")
	if strings.HasPrefix(o.host, "[") || allDigits(labels[len(labels)-1]) {
		return pattern{}, true, "a wildcard cannot stand in an IP address", "list the IP origins one by one"
	}
	return pattern{scheme: o.scheme, suffix: o.host, port: o.port}, true, "", ""
}

func (p pattern) matches(o origin) bool {
	if o.scheme != p.scheme || o.port != p.port {
		return false
	}
	prefix, ok := strings.CutSuffix(o.host, "."+p.suffix)
	if !ok || prefix == "" {
		return false
	}
	for _, l := range strings.Split(prefix, ".") {
		if !ValidHostLabel(l) {
			return false
		}
	}
	return true
}

// checkOriginEntry validates one allow_origins entry.
func checkOriginEntry(s string) (string, string) {
	switch s {
	case OriginAny, OriginReflect, OriginNull:
		return "", ""
	case "":
		return "empty origin", "write scheme://host[:port], \"*\", \"reflect\" or \"null\""
	}
	if lower := strings.ToLower(s); lower != s {
		// HTTPS://Shop.Example.com is only a matter of case: say so and
		// give the entry to write, rather than call the scheme unknown.
		if msg, _ := checkOriginEntry(lower); msg == "" {
			return "origin must be lower case", "browsers send the scheme and host in lower case, so this entry never matches; write " + lower
		}
	}
	if _, isPattern, msg, hint := parsePattern(s); isPattern {
		return msg, hint
	}
	_, msg, hint := parseOrigin(s)
	return msg, hint
}

// AllowsOrigin reports whether the route lets a page at origin read its
// answers: origin equals an exact entry, or the route has "*" or "reflect",
// or origin is "null" and the route lists "null", or origin's host is one or
// more labels in front of a pattern's domain with the same scheme and port.
// Matching is strict and case-sensitive, as the browser's own check is:
// https://example.com.evil.test and https://evilexample.com do not match
// https://*.example.com, and neither does https://example.com itself.
func (r Route) AllowsOrigin(o string) bool {
	_, ok := r.MatchOrigin(o)
	return ok
}

// MatchOrigin returns the allow_origins entry that lets o in, as
// AllowsOrigin decides. It prefers entries that name the origin over "*",
// so a server answering a route that lists both echoes the origin.
func (r Route) MatchOrigin(o string) (string, bool) {
	if o == "" {
		return "", false
	}
	wildcard := false
	var parsed *origin
	for _, e := range r.AllowOrigins {
		switch e {
		case OriginAny:
			wildcard = true
			continue
		case OriginReflect:
			return e, true
		case o:
			return e, true
		}
		p, isPattern, msg, _ := parsePattern(e)
		if !isPattern || msg != "" {
			continue
		}
		if parsed == nil {
			po, msg, _ := parseOrigin(o)
			if msg != "" {
				// A malformed Origin can match only exact entries and "*".
				po = origin{}
			}
			parsed = &po
		}
		if parsed.scheme != "" && p.matches(*parsed) {
			return e, true
		}
	}
	if wildcard {
		return OriginAny, true
	}
	return "", false
}

// OriginDependent reports whether the route's answer varies with the
// Origin, which is when caches must be told with Vary: Origin.
func (r Route) OriginDependent() bool {
	for _, e := range r.AllowOrigins {
		if e != OriginAny {
			return true
		}
	}
	return false
}
