// Package mirror is the loopback stand-in for a target server that
// --try-fix uses to prove a fix before it is deployed: the development
// proxy (package proxy) with one request's fix as its rules. It forwards
// every request to the real server and applies a cors.FixHeaders to the
// responses. The browser reaches it through its host resolver, so the URL,
// the Origin and the cookies of the request stay exactly as the page makes
// them; only the answer changes, the way the fixed server would answer.
package mirror

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/proxy"
)

// Mirror forwards to one target origin and applies the current fix.
type Mirror struct {
	srv   *proxy.Server
	rules *proxy.FixRules
}

// Start listens on a loopback port and forwards to target, an http origin
// (scheme://host[:port]).
func Start(target string) (*Mirror, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mirror target %q is not an origin", target)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("mirror target %q: only http targets can be mirrored", target)
	}
	rules := &proxy.FixRules{}
	p, err := proxy.New(proxy.Options{Target: target, Rules: rules})
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	srv, err := proxy.Listen("127.0.0.1:0", p)
	if err != nil {
		return nil, err
	}
	return &Mirror{srv: srv, rules: rules}, nil
}

// Addr is the mirror's loopback address, host:port.
func (m *Mirror) Addr() string { return m.srv.Addr() }

// Target is the origin the mirror forwards to.
func (m *Mirror) Target() string { return m.srv.Target() }

// SetFix sets the fix applied to the responses from now on; nil applies
// nothing.
func (m *Mirror) SetFix(f *cors.FixHeaders) { m.rules.Set(f) }

// Close stops the mirror.
func (m *Mirror) Close() error { return m.srv.Close() }

// Origin returns the scheme://host:port a URL's requests go to, with the
// default port spelled out, as the browser's host resolver matches it.
func Origin(rawURL string) (scheme, hostport string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("%q is not an absolute URL", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme), net.JoinHostPort(strings.ToLower(u.Hostname()), port), nil
}
