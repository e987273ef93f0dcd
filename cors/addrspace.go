package cors

import (
	"net/netip"
	"net/url"
	"strings"
)

// AddressSpace is a Local Network Access address space: where a host sits
// as Chromium sees it, from most to least private loopback, local, public.
type AddressSpace string

// Address spaces. Chromium reports them capitalised (Loopback, Local,
// Public, Unknown) in its LNA issues; these are the classification of a
// host, not the browser's report.
const (
	// SpaceLoopback is this machine: localhost, *.localhost, 127.0.0.0/8, ::1.
	SpaceLoopback AddressSpace = "loopback"
	// SpaceLocal is a private network: 10/8, 172.16/12, 192.168/16,
	// 169.254/16 (link-local), fc00::/7 and fe80::/10.
	SpaceLocal AddressSpace = "local"
	// SpacePublic is any other IP address.
	SpacePublic AddressSpace = "public"
	// SpaceUnknown is a host name other than localhost: where it sits
	// depends on what it resolves to.
	SpaceUnknown AddressSpace = ""
)

// HostAddressSpace classifies a host (a name or an IP literal, with or
// without IPv6 brackets) as Chromium would classify a server at that
// address. Names other than localhost and *.localhost are SpaceUnknown:
// Chromium classifies the address a name resolves to, which the name alone
// does not say.
func HostAddressSpace(host string) AddressSpace {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return SpaceLoopback
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return SpaceUnknown
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return SpaceLoopback
	case ip.IsPrivate(), ip.IsLinkLocalUnicast():
		return SpaceLocal
	}
	return SpacePublic
}

// OriginAddressSpace is HostAddressSpace of a serialized origin's (or a
// URL's) host; SpaceUnknown for "null" and for anything unparsable.
func OriginAddressSpace(origin string) AddressSpace {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return SpaceUnknown
	}
	return HostAddressSpace(u.Hostname())
}

// IsMixedContent reports whether a page at pageOrigin fetching rawURL is
// mixed content, which Chromium blocks before any request exists: the page
// is https and the URL is http (or ws) on a host that is not potentially
// trustworthy. http to localhost, *.localhost, 127.0.0.0/8 and [::1] is
// not mixed content.
func IsMixedContent(pageOrigin, rawURL string) bool {
	p, err := url.Parse(pageOrigin)
	if err != nil || !strings.EqualFold(p.Scheme, "https") {
		return false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "ws" {
		return false
	}
	return HostAddressSpace(u.Hostname()) != SpaceLoopback
}
