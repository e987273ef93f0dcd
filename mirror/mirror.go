// Package mirror is the loopback stand-in for a target server that
// --try-fix uses to prove a fix before it is deployed: it forwards every
// request to the real server unchanged and applies a cors.FixHeaders to
// the responses. The browser reaches it through its host resolver, so the
// URL, the Origin and the cookies of the request stay exactly as the page
// makes them; only the answer changes, the way the fixed server would
// answer.
package mirror

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/corsproof/corsproof/cors"
)

// Mirror forwards to one target origin and applies the current fix.
type Mirror struct {
	target *url.URL
	ln     net.Listener
	srv    *http.Server

	mu  sync.Mutex
	fix *cors.FixHeaders
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the mirror of %s: %w", target, err)
	}
	m := &Mirror{target: &url.URL{Scheme: u.Scheme, Host: u.Host}, ln: ln}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(m.target)
			// The request goes on exactly as the browser sent it: same
			// Host, no X-Forwarded-* added.
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{
			// The mirror talks to the target directly, never through a
			// proxy from the environment.
			Proxy:                 nil,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			ResponseHeaderTimeout: 30 * time.Second,
			DisableCompression:    true,
		},
		ModifyResponse: m.apply,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// No CORS headers: the browser then reports the failure the
			// way it would for the real server being down.
			http.Error(w, "corsproof mirror: "+err.Error(), http.StatusBadGateway)
		},
	}
	m.srv = &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = m.srv.Serve(ln) }()
	return m, nil
}

// Addr is the mirror's loopback address, host:port.
func (m *Mirror) Addr() string { return m.ln.Addr().String() }

// Target is the origin the mirror forwards to.
func (m *Mirror) Target() string { return m.target.String() }

// SetFix sets the fix applied to the responses from now on; nil applies
// nothing.
func (m *Mirror) SetFix(f *cors.FixHeaders) {
	m.mu.Lock()
	m.fix = f
	m.mu.Unlock()
}

// Close stops the mirror.
func (m *Mirror) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := m.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping the mirror of %s: %w", m.target, err)
	}
	return nil
}

// apply changes a response the way the fix says: a preflight (an OPTIONS
// request carrying Access-Control-Request-Method) gets the preflight's
// change, every other response the actual request's.
func (m *Mirror) apply(resp *http.Response) error {
	m.mu.Lock()
	f := m.fix
	m.mu.Unlock()
	if f == nil {
		return nil
	}
	change := f.Actual
	if req := resp.Request; req != nil && req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		change = f.Preflight
	}
	if change.Empty() {
		return nil
	}
	before := resp.StatusCode
	resp.StatusCode = change.Apply(resp.StatusCode, resp.Header)
	if resp.StatusCode != before {
		resp.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
			// Such a response has no body; send none.
			_ = resp.Body.Close()
			resp.Body = http.NoBody
			resp.ContentLength = 0
			resp.Header.Del("Content-Length")
			resp.Header.Del("Transfer-Encoding")
		}
	}
	return nil
}

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
