package audit

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/policy"
)

// Origin kinds an attacker page can have, besides the look-alike kinds of
// package contract (contract.KindSuffix, KindPrefix, KindSubdomain,
// KindScheme, KindPort), which verify uses for the same purpose.
const (
	// KindArbitrary is a site unrelated to the API: a server that lets it
	// read reflects any origin (or answers *).
	KindArbitrary = "arbitrary-origin"
	// KindNull is the opaque origin "null" of a sandboxed iframe, a data:
	// or file: page.
	KindNull = "null-origin"
	// KindUnescapedDot replaces a dot of the host with a letter
	// (api.example.com → apixexample.com): a regular expression that does
	// not escape its dots lets it through.
	KindUnescapedDot = "unescaped-dot"
	// KindSpecialChar appends a character a host may hold but a lenient
	// origin parser takes for the end of the host
	// (example.com_.evil.test).
	KindSpecialChar = "special-char"
	// KindLegitimate is not an attacker: a legitimate origin (--origin)
	// other than the URL's own, making the same request as the attacker
	// pages, so that the audit sees what the API answers its own front end
	// — the only way to tell that an allow-list's answer depends on the
	// Origin when it refuses every attacker origin alike.
	KindLegitimate = "legitimate-origin"
)

// arbitraryHost is the unrelated site; evil.test is reserved (RFC 2606), as
// are the look-alikes package contract builds.
const arbitraryHost = "evil.test"

// evilLabel is what the registrable-domain look-alike puts in front of the
// domain, as package contract does for its prefix look-alikes.
const evilLabel = "evil"

// specialChars are the characters tried after the host. Chromium 156 kept
// "_", "!", "`", "$", "&", "'", "(", "+", ",", ";", "=", "{", "}" and "~"
// in a page's host and sent them in Origin unchanged (measured with pages
// answered over CDP; "*" became %2A). "_" is a valid label character for
// corsproof; "!" is tried as the special character regular expressions
// such as [^.]+ and \w mishandle most; "`" is not, because Go's URL parser,
// which serves the page, refuses it.
var specialChars = []string{"_", "!"}

// AttackerOrigin is a page origin the audit makes requests from.
type AttackerOrigin struct {
	// Kind is one of the Kind constants here or in package contract.
	Kind string `json:"kind"`
	// Origin is the serialized origin the page sends.
	Origin string `json:"origin"`
	// From is the legitimate origin it was derived from; empty for the
	// arbitrary and null origins.
	From string `json:"from,omitempty"`
}

// AttackerOrigins derives the attacker origins of a target for its
// legitimate origins (already normalised): one arbitrary site, null, and
// for each legitimate origin its look-alikes (contract.LookAlikes), the
// unescaped-dot and the special-character ones. The arbitrary site has the
// target's scheme: an https page cannot call an http API (mixed content),
// an http page can, and an attacker picks the page that works. Origins that
// are themselves legitimate are left out, and each origin appears once,
// with the first kind that produced it.
func AttackerOrigins(targetScheme string, legit []string) []AttackerOrigin {
	if len(legit) == 0 {
		return nil
	}
	isLegit := map[string]bool{}
	for _, l := range legit {
		isLegit[l] = true
	}
	seen := map[string]bool{}
	var out []AttackerOrigin
	add := func(o AttackerOrigin) {
		if norm, err := pages.Normalize(o.Origin); err == nil {
			o.Origin = norm
		} else if o.Origin != "null" {
			return
		}
		if isLegit[o.Origin] || seen[o.Origin] {
			return
		}
		seen[o.Origin] = true
		out = append(out, o)
	}
	scheme := "https"
	if targetScheme == "http" {
		scheme = "http"
	}
	add(AttackerOrigin{Kind: KindArbitrary, Origin: scheme + "://" + arbitraryHost})
	add(AttackerOrigin{Kind: KindNull, Origin: "null"})
	for _, l := range legit {
		u, err := url.Parse(l)
		named := err == nil && net.ParseIP(u.Hostname()) == nil && !strings.HasPrefix(u.Host, "[")
		for _, v := range contract.LookAlikes(l) {
			if v.Kind == contract.KindPrefix && named {
				// evilapi.example.com and evil.example.com take a subdomain
				// of the API's own domain; evilexample.com is the look-alike
				// a stranger can register, and what endsWith("example.com")
				// lets in, so it tells that mistake from trusting one's own
				// subdomains. It comes first, to be the finding's witness.
				if reg, err := publicsuffix.EffectiveTLDPlusOne(u.Hostname()); err == nil && validHost(evilLabel+reg) {
					add(AttackerOrigin{Kind: contract.KindPrefix, Origin: withHost(u, evilLabel+reg), From: l})
				}
			}
			add(AttackerOrigin{Kind: v.Kind, Origin: v.Origin, From: l})
		}
		if !named {
			continue
		}
		host := u.Hostname()
		if i := strings.Index(host, "."); i > 0 {
			if h := host[:i] + "x" + host[i+1:]; validHost(h) {
				add(AttackerOrigin{Kind: KindUnescapedDot, Origin: withHost(u, h), From: l})
			}
		}
		for _, c := range specialChars {
			if h := host + c + "." + arbitraryHost; validHost(host) {
				add(AttackerOrigin{Kind: KindSpecialChar, Origin: withHost(u, h), From: l})
			}
		}
	}
	return out
}

// withHost serializes u's origin on another host.
func withHost(u *url.URL, host string) string {
	s := u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		s += ":" + p
	}
	return s
}

// validHost reports whether every label of h is one policy accepts, so
// that no derived origin is refused later as malformed.
func validHost(h string) bool {
	for _, l := range strings.Split(h, ".") {
		if !policy.ValidHostLabel(l) {
			return false
		}
	}
	return true
}
