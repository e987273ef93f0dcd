package cors

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Site is the schemeful site of an origin (HTML's "obtain a site"): the
// scheme and the registrable domain of the host, so that
// https://app.example.com and https://api.example.com:8443 are one site
// and http://example.com is another. A host with no registrable domain (an
// IP address, localhost, a bare TLD) is its own site; an opaque origin
// ("null") or one that does not parse is returned as it is.
//
// Chromium gives each site its own renderer process (site isolation) and
// keys the cookies' SameSite rules and the Sec-Fetch-Site header by it, so
// the site, not the origin, says whether two pages can share a process.
// The public suffix list used includes the private registries (github.io,
// …), as Chromium's site computation does.
func Site(origin string) string {
	if origin == "" || origin == "null" {
		return origin
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return origin
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if net.ParseIP(host) == nil {
		if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			host = d
		}
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return strings.ToLower(u.Scheme) + "://" + host
}
