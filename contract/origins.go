package contract

import (
	"fmt"
	"net"
	"strings"

	"github.com/corsproof/corsproof/policy"
)

// Origin kinds a look-alike can be. Each is part of a stable rule id
// (origin-denied/KIND), so reports and CI filters can rely on the names.
const (
	KindSuffix     = "suffix-lookalike"  // https://example.com.evil.test
	KindPrefix     = "prefix-lookalike"  // https://evilexample.com
	KindSubdomain  = "other-subdomain"   // https://evil.example.com
	KindBareDomain = "bare-domain"       // https://example.com for https://*.example.com
	KindScheme     = "other-scheme"      // http:// for https:// and back
	KindPort       = "other-port"        // another port, or none
	KindNull       = "null-origin"       // the opaque origin "null"
	KindIP         = "ip-origin"         // http://127.0.0.1, http://[::1]
	KindAnyOrigin  = "cross-origin-page" // any page, on a route closed to all
)

// kindOrder is the order look-alikes are generated and capped in: the
// mistakes real origin checks make most often come first.
var kindOrder = []string{KindSuffix, KindPrefix, KindSubdomain, KindBareDomain, KindScheme, KindPort}

// evilLabel is what look-alikes add to a host; evil.test is reserved (RFC
// 2606), so a look-alike can never be somebody's real site.
const (
	evilLabel  = "evil"
	evilSuffix = ".evil.test"
	// patternLabel is the label that stands for "*" in a pattern's
	// concrete host: https://*.example.com is tested as https://app.example.com.
	patternLabel = "app"
)

// ipOrigins are origins every restricted route is tested against: pages
// served from a bare IP address are a classic hole in allow-lists built
// with "localhost" in mind.
var ipOrigins = []string{"http://127.0.0.1", "http://[::1]"}

// Variant is an origin derived from an allow_origins entry that the entry
// does not allow.
type Variant struct {
	// Kind is one of the Kind constants.
	Kind string
	// Origin is the serialized origin a page would send.
	Origin string
	// From is the allow_origins entry the variant was built from.
	From string
}

// originParts is a serialized origin split up; Host keeps IPv6 brackets.
type originParts struct {
	Scheme, Host, Port string
}

// splitOrigin splits scheme://host[:port]. It expects an entry policy.Parse
// has already validated and only reports whether the shape is right.
func splitOrigin(s string) (originParts, bool) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#@") {
		return originParts{}, false
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return originParts{}, false
		}
		host = rest[:end+1]
		if after := rest[end+1:]; after != "" {
			if !strings.HasPrefix(after, ":") {
				return originParts{}, false
			}
			port = after[1:]
		}
	} else if h, p, ok := strings.Cut(rest, ":"); ok {
		host, port = h, p
	}
	if host == "" {
		return originParts{}, false
	}
	return originParts{Scheme: scheme, Host: host, Port: port}, true
}

// String serializes the origin as a browser would.
func (o originParts) String() string {
	s := o.Scheme + "://" + o.Host
	if o.Port != "" {
		s += ":" + o.Port
	}
	return s
}

// isIP reports whether the host is an IP address, where look-alike host
// names make no sense (evil127.0.0.1 is not a host a URL parser accepts).
func (o originParts) isIP() bool {
	return strings.HasPrefix(o.Host, "[") || net.ParseIP(o.Host) != nil
}

// withHost returns o on another host.
func (o originParts) withHost(h string) originParts {
	o.Host = h
	return o
}

// patternParts splits a pattern such as https://*.example.com:8443 into the
// origin of its suffix domain (https://example.com:8443).
func patternParts(p string) (originParts, bool) {
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok || !strings.HasPrefix(rest, "*.") {
		return originParts{}, false
	}
	return splitOrigin(scheme + "://" + strings.TrimPrefix(rest, "*."))
}

// isPattern reports whether an allow_origins entry is a wildcard pattern.
func isPattern(entry string) bool {
	return strings.Contains(entry, "://*.")
}

// ConcreteOrigin returns the origin that stands for a pattern in positive
// cases: the pattern's "*" replaced by one label, so https://*.example.com
// becomes https://app.example.com. ok is false for anything but a pattern.
func ConcreteOrigin(pattern string) (string, bool) {
	return concreteOrigin(pattern, nil)
}

// concreteOrigin is ConcreteOrigin avoiding the origins taken reports: a
// route that lists https://app.example.com next to https://*.example.com
// must test the pattern from another host, or an API that only knows the
// exact entry would pass the pattern's cases too.
func concreteOrigin(pattern string, taken func(string) bool) (string, bool) {
	o, ok := patternParts(pattern)
	if !ok || !validHost(patternLabel+"."+o.Host) {
		return "", false
	}
	for i := 1; ; i++ {
		label := patternLabel
		if i > 1 {
			label = fmt.Sprintf("%s%d", patternLabel, i)
		}
		c := o.withHost(label + "." + o.Host).String()
		if taken == nil || !taken(c) {
			return c, true
		}
	}
}

// deeperOrigin returns origin with one more label in front of its host
// (https://app.example.com → https://www.app.example.com).
func deeperOrigin(origin string) (string, bool) {
	o, ok := splitOrigin(origin)
	if !ok || o.isIP() || !validHost("www."+o.Host) {
		return "", false
	}
	return o.withHost("www." + o.Host).String(), true
}

// LookAlikes returns the origins derived from one allow_origins entry (an
// exact origin or a pattern) that a correct origin check must refuse, in
// kindOrder. They are candidates: the caller drops those the route allows
// through another entry. Special entries ("*", "reflect", "null") have none.
func LookAlikes(entry string) []Variant {
	var out []Variant
	add := func(kind string, o originParts) {
		if strings.HasPrefix(o.Host, "[") || validHost(o.Host) {
			out = append(out, Variant{Kind: kind, Origin: o.String(), From: entry})
		}
	}
	if isPattern(entry) {
		base, ok := patternParts(entry)
		if !ok {
			return nil
		}
		concrete := base.withHost(patternLabel + "." + base.Host)
		add(KindSuffix, concrete.withHost(concrete.Host+evilSuffix))
		add(KindPrefix, base.withHost(evilLabel+base.Host))
		add(KindBareDomain, base)
		add(KindScheme, otherScheme(concrete))
		add(KindPort, otherPort(concrete))
		return out
	}
	o, ok := splitOrigin(entry)
	if !ok {
		return nil
	}
	if !o.isIP() {
		add(KindSuffix, o.withHost(o.Host+evilSuffix))
		add(KindPrefix, o.withHost(evilLabel+o.Host))
		add(KindSubdomain, o.withHost(sibling(o.Host)))
	}
	add(KindScheme, otherScheme(o))
	add(KindPort, otherPort(o))
	return out
}

// sibling returns a host next to h under the same parent domain
// (app.example.com → evil.example.com), or a subdomain of h when h has no
// parent worth keeping (example.com → evil.example.com, localhost →
// evil.localhost).
func sibling(h string) string {
	labels := strings.Split(h, ".")
	if len(labels) >= 3 {
		return evilLabel + "." + strings.Join(labels[1:], ".")
	}
	return evilLabel + "." + h
}

func otherScheme(o originParts) originParts {
	if o.Scheme == "https" {
		o.Scheme = "http"
	} else {
		o.Scheme = "https"
	}
	return o
}

// otherPort drops an explicit port, or adds the usual alternative one:
// servers that compare host names only let both through.
func otherPort(o originParts) originParts {
	switch {
	case o.Port != "":
		o.Port = ""
	case o.Scheme == "https":
		o.Port = "8443"
	default:
		o.Port = "8080"
	}
	return o
}

// validHost reports whether h is a host name a URL parser keeps as is:
// lower-case labels of letters, digits, hyphens and underscores, each at
// most 63 bytes, 253 in all, and no numeric last label unless h is an IPv4
// address. Variants that fail it are dropped rather than sent mangled.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return true
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if !policy.ValidHostLabel(l) {
			return false
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}
