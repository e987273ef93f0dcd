package cors

import (
	"net"
	"net/url"
	"strings"
)

// Blockers are the non-CORS reasons the model predicts a browser blocks a
// request for, for Prediction.Blocker. The values are Chromium's own
// blockedReason spellings, so a prediction compares with a record's
// BlockedReason as is.
const (
	// BlockerMixedContent: a secure (https) page asked for a plain http URL
	// on a host that is not potentially trustworthy.
	BlockerMixedContent = "mixed-content"
)

// mixedContent reports whether a page at pageOrigin may not fetch rawURL
// because it is mixed content. Only https pages restrict mixed content
// (an http://localhost page is a secure context but restricts nothing), and
// loopback hosts are potentially trustworthy, so an https page may call
// http://127.0.0.1 or http://localhost — which is how local development
// works and what Chromium 156 does.
func mixedContent(pageOrigin, rawURL string) bool {
	if !strings.HasPrefix(pageOrigin, "https://") {
		return false
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "ws") {
		return false
	}
	return !IsLoopbackHost(u.Hostname())
}

// IsLoopbackHost reports whether a URL host (without brackets or port) is
// potentially trustworthy as loopback: localhost, a name under .localhost,
// 127.0.0.0/8 or ::1. Chromium never resolves these through DNS.
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}
