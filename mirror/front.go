package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/corsproof/corsproof/cors"
)

// Front is the HTTP proxy of a browser context (a Chromium browser context,
// a Firefox user context) that runs cases
// again against mirrors (harness.TabOptions.Proxy), on loopback. The page
// requests the same URL as before; the browser hands the request to the
// Front instead of connecting, and the Front sends it on:
//
//   - to a target's Mirror: an https target's CONNECT is tunnelled to the
//     mirror's TLS port (the browser checks the mirror's certificate, whose
//     key it was launched to accept), a plain-http target's absolute-form
//     request is answered by the mirror as if it had come in origin-form;
//   - for any other host the case reaches (a redirect elsewhere, another
//     step): straight to that host, CONNECT as a byte tunnel (the browser
//     checks the real certificate as it would without a proxy) and plain
//     http forwarded, so only the mirrored targets answer differently;
//   - never to a sink (a page origin corsproof answers itself, a browser
//     service): refused, as the browser's host resolver refuses them when
//     it connects directly.
//
// Hop-by-hop headers (Proxy-Connection, which Chromium sends on plain-http
// proxied requests, among them) never go on: httputil.ReverseProxy drops
// them, and the Front deletes the proxy ones before a mirror sees them.
type Front struct {
	ln  net.Listener
	srv *http.Server

	mu      sync.Mutex
	mirrors map[string]*Mirror // by host:port as Origin spells it
	sinks   map[string]bool    // host or host:port, lower case
	conns   map[net.Conn]bool  // tunnels, closed with the Front

	direct *httputil.ReverseProxy
	dialer net.Dialer
	// refused are the addresses refuseLocal kept it from (TakeRefused).
	refused []string
	// requests counts what the Front was asked, CONNECTs included.
	requests atomic.Int64
}

// TakeRefused returns the addresses the Front refused to connect to since
// the last call (StartFront's refuseLocal), and forgets them.
func (f *Front) TakeRefused() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.refused
	f.refused = nil
	return out
}

// StartFront listens on a loopback port. sinks are hosts or host:port
// pairs the Front must never connect to. With refuseLocal, the Front
// connects to no host but a public one by itself (a mirror's target, which
// its mirror reaches, is not its to refuse): under --lna enforce the first
// run's browser checked those requests before sending them, and Chromium
// checks nothing sent through a proxy.
func StartFront(sinks []string, refuseLocal bool) (*Front, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the try-fix proxy: %w", err)
	}
	f := &Front{ln: ln, mirrors: map[string]*Mirror{}, sinks: map[string]bool{}, conns: map[net.Conn]bool{}, dialer: net.Dialer{Timeout: 10 * time.Second}}
	for _, s := range sinks {
		f.sinks[strings.ToLower(s)] = true
	}
	if refuseLocal {
		// The address dialled, after name resolution: a name that
		// resolves to a private address is refused too.
		f.dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, _ := net.SplitHostPort(address)
			if space := cors.HostAddressSpace(host); space != cors.SpacePublic {
				f.mu.Lock()
				if !slices.Contains(f.refused, address) {
					f.refused = append(f.refused, address)
				}
				f.mu.Unlock()
				return fmt.Errorf("%s is in the %s address space: not connected to under --lna enforce", address, space)
			}
			return nil
		}
	}
	f.direct = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: pr.In.URL.Scheme, Host: pr.In.URL.Host})
		},
		// Straight to the host, never through a proxy of the environment
		// (the browser itself runs with --no-proxy-server).
		Transport: &http.Transport{Proxy: nil, DialContext: f.dialer.DialContext, DisableCompression: true, ResponseHeaderTimeout: 60 * time.Second},
		ErrorLog:  log.New(io.Discard, "", 0),
		// A host that does not answer is a network error, as without
		// the Front.
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { refuse(w) },
	}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// Add sends the requests for hostport (Origin's form) to m.
func (f *Front) Add(hostport string, m *Mirror) {
	f.mu.Lock()
	f.mirrors[strings.ToLower(hostport)] = m
	f.mu.Unlock()
}

// Addr is the Front's address, host:port: the proxy a browser context is
// given.
func (f *Front) Addr() string { return f.ln.Addr().String() }

// Close stops the Front and every tunnel through it.
func (f *Front) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f.mu.Lock()
	for c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	err := f.srv.Shutdown(ctx)
	if t, ok := f.direct.Transport.(*http.Transport); ok {
		// Keep-alive connections to the hosts reached directly.
		t.CloseIdleConnections()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = f.srv.Close()
		return fmt.Errorf("stopping the try-fix proxy: %w", err)
	}
	return nil
}

func (f *Front) lookup(hostport string) (m *Mirror, sink bool) {
	host, port, _ := net.SplitHostPort(hostport)
	if h := strings.TrimSuffix(host, "."); h != host {
		// app.example.com. is app.example.com.
		host, hostport = h, net.JoinHostPort(h, port)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mirrors[hostport], f.sinks[hostport] || f.sinks[host] || f.sinks[strings.Trim(host, "[]")]
}

// Requests is how many requests (CONNECTs included) the Front has been
// asked so far: a proof whose page made requests while this stayed put
// never went through the Front (a browser that ignored the context's
// proxy, as Firefox ESR 140 does).
func (f *Front) Requests() int64 { return f.requests.Load() }

// ServeHTTP implements the proxy.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if r.Method == http.MethodConnect {
		f.connect(w, r)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "corsproof try-fix proxy: want an absolute-form request", http.StatusBadRequest)
		return
	}
	_, hostport, err := Origin(r.URL.String())
	if err != nil {
		http.Error(w, "corsproof try-fix proxy: "+err.Error(), http.StatusBadRequest)
		return
	}
	// Proxy-Connection and Proxy-Authorization are for this hop only.
	r.Header.Del("Proxy-Connection")
	r.Header.Del("Proxy-Authorization")
	m, sink := f.lookup(hostport)
	switch {
	case m != nil:
		// The mirror takes origin-form requests: what the browser sends
		// a server it connects to directly.
		in := r.Clone(r.Context())
		in.URL = &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
		in.RequestURI = in.URL.RequestURI()
		m.srv.ServeHTTP(w, in)
	case sink:
		refuse(w)
	default:
		f.direct.ServeHTTP(w, r)
	}
}

// refuse ends a request the Front does not forward, or could not, by
// closing its connection: the browser then meets a network error, as it
// does in the first run when the host does not resolve or answer, not a
// response without CORS headers, which it would call a CORS failure.
func refuse(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
			return
		}
	}
	http.Error(w, "corsproof try-fix proxy: not forwarded", http.StatusBadGateway)
}

// connect tunnels a CONNECT to the target's mirror, or to the host itself.
func (f *Front) connect(w http.ResponseWriter, r *http.Request) {
	hostport := strings.ToLower(r.Host)
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		http.Error(w, "corsproof try-fix proxy: CONNECT wants host:port", http.StatusBadRequest)
		return
	}
	m, sink := f.lookup(hostport)
	to := hostport
	switch {
	case m != nil:
		to = m.Addr()
	case sink:
		http.Error(w, "corsproof try-fix proxy: "+hostport+" is never connected to", http.StatusBadGateway)
		return
	}
	up, err := f.dialer.DialContext(r.Context(), "tcp", to)
	if err != nil {
		http.Error(w, "corsproof try-fix proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		_ = up.Close()
		http.Error(w, "corsproof try-fix proxy: cannot tunnel", http.StatusInternalServerError)
		return
	}
	down, buf, err := hj.Hijack()
	if err != nil {
		_ = up.Close()
		return
	}
	if !f.track(down, up) {
		return
	}
	defer f.untrack(down, up)
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// Bytes the browser sent after the CONNECT's head (a TLS hello
		// sent early) are in buf already.
		_, _ = io.Copy(up, buf)
		closeWrite(up)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(down, up)
		closeWrite(down)
		done <- struct{}{}
	}()
	<-done
	<-done
}

// track registers a tunnel's two ends, or closes them when the Front is
// closing.
func (f *Front) track(a, b net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		_, _ = a.Close(), b.Close()
		return false
	}
	f.conns[a], f.conns[b] = true, true
	return true
}

func (f *Front) untrack(a, b net.Conn) {
	_, _ = a.Close(), b.Close()
	f.mu.Lock()
	delete(f.conns, a)
	delete(f.conns, b)
	f.mu.Unlock()
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}
