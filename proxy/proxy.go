// Package proxy is corsproof's reverse proxy to one upstream that decides
// the CORS headers of the answers itself. It is `corsproof proxy`, a
// development CORS proxy whose answers follow a policy file (PolicyRules),
// and the --try-fix mirror, which applies one request's fix to the real
// server's responses (FixRules): one forwarding implementation for both.
//
// Safe by construction: requests go to the configured upstream and nowhere
// else, whatever their URL or Host header says; absolute-form and CONNECT
// requests are refused; hop-by-hop headers are handled by
// httputil.ReverseProxy; Cookie and Set-Cookie pass through untouched;
// every response says X-Corsproof-Proxy: dev.
package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/httpstatus"
)

// Header and HeaderValue mark every response of the proxy, so nobody
// mistakes it for the production API.
const (
	Header      = "X-Corsproof-Proxy"
	HeaderValue = "dev"
)

// Rules decide the CORS part of the proxy's answers.
type Rules interface {
	// Answer returns the proxy's own answer to r, which then never
	// reaches the upstream (a policy answers preflights itself); ok is
	// false to forward r.
	Answer(r *http.Request) (status int, c Change, ok bool)
	// Respond returns the change to the upstream's response to r, which
	// came with status.
	Respond(r *http.Request, status int) Change
}

// Change is what the proxy does to the headers of one answer.
type Change struct {
	// Route names the policy route that decided, for the log.
	Route string
	// Strip drops every Access-Control-* header the upstream sent.
	Strip bool
	// Headers is applied after Strip; nil changes nothing.
	Headers *cors.HeaderChange
	// VaryOrigin adds Origin to Vary unless it is already covered.
	VaryOrigin bool
	// Why says in a few words why no CORS headers were added, for the
	// log (origin not in the policy, no route).
	Why string
	// Refused says what the browser will refuse of an answer that lets the
	// origin in (a preflight's method or request headers the route does
	// not allow, a response to a request with cookies on a route without
	// credentials) and what to change, for the log: the answer itself
	// looks like a success.
	Refused string
}

// Options configure a proxy.
type Options struct {
	// Target is the upstream's origin: http(s)://host[:port], no path.
	Target string
	// Rules decide the CORS headers; required.
	Rules Rules
	// Log gets one line per request; nil logs nothing.
	Log io.Writer
	// LogJSON writes each line as one JSON object (JSON Lines), for
	// tools, instead of the terminal's text.
	LogJSON bool
	// Now is the clock of the log; nil is time.Now.
	Now func() time.Time
	// RootCAs are the only authorities an https upstream's certificate
	// may chain to; nil means the system's roots. The host name is
	// verified either way.
	RootCAs *x509.CertPool
	// RewriteRedirects points a Location that names the target (an
	// upstream redirecting to its own absolute URL, built from the Host
	// header the proxy sets to the upstream's) at the proxy as the browser
	// reached it, so the browser's next request goes through the proxy
	// too rather than around it to the API. Redirects elsewhere are left
	// alone.
	RewriteRedirects bool
	// UpstreamError, when set, hears every failure to forward a request:
	// an upstream that cannot be reached or whose certificate does not
	// verify. The browser only sees a 502 without CORS headers, which
	// looks like a CORS problem; the caller can say what it really was.
	UpstreamError func(error)
	// Address, when set, is the host:port every connection to the
	// upstream goes to instead of the one the target's host resolves
	// to: a network path's address (--via NAME=URL@HOST:PORT). The Host
	// header, SNI and the name the certificate is verified for stay the
	// target's, and the target's host is never looked up.
	Address string
}

// Proxy is the handler: it forwards to one upstream.
type Proxy struct {
	target *url.URL
	rules  Rules
	rp     *httputil.ReverseProxy
	// transport is the upstream's, closed with the server (keep-alive
	// connections to the real server would outlive a mirror).
	transport *http.Transport
	now       func() time.Time
	onErr     func(error)
	logMu     sync.Mutex
	log       io.Writer
	logJSON   bool
	rewrite   bool
}

// New returns the proxy of opts.Target.
func New(opts Options) (*Proxy, error) {
	target, err := ParseTarget(opts.Target)
	if err != nil {
		return nil, err
	}
	if opts.Rules == nil {
		return nil, errors.New("proxy: no rules")
	}
	p := &Proxy{target: target, rules: opts.Rules, log: opts.Log, logJSON: opts.LogJSON, now: opts.Now, onErr: opts.UpstreamError, rewrite: opts.RewriteRedirects}
	if p.now == nil {
		p.now = time.Now
	}
	p.transport = &http.Transport{
		// Straight to the upstream, never through a proxy from the
		// environment.
		Proxy:                 nil,
		DialContext:           dialUpstream(opts.Address),
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		// Accept-Encoding goes as the browser sent it and the body
		// comes back as the upstream encoded it.
		DisableCompression: true,
		ForceAttemptHTTP2:  true,
		// SNI and the verified name are the target's own host, taken
		// from the URL: the upstream sees the connection the browser
		// would have made.
		TLSClientConfig: &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Scheme and host come from the target and never from the
			// request; only the path and query are the browser's. The Host
			// header is the upstream's (SetURL clears Out.Host), and no
			// X-Forwarded-* is added: the request goes on as the page made it.
			pr.SetURL(p.target)
		},
		Transport:      p.transport,
		ModifyResponse: p.modify,
		ErrorHandler:   p.upstreamError,
	}
	return p, nil
}

// dialUpstream dials where the upstream is: the address asked for, or
// with none the address of the request's own host:port.
func dialUpstream(address string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if address == "" {
		return d.DialContext
	}
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, address)
	}
}

// ParseTarget checks an upstream origin and returns it with a default
// port left out, so the Host header the upstream sees is the one a
// browser would send it.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("target %q: want the upstream's origin, such as https://api.staging.example.com", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("target %q: give the origin only (scheme://host[:port]); paths of requests are forwarded as they come", raw)
	}
	host := strings.ToLower(u.Host)
	if h, port, err := net.SplitHostPort(host); err == nil && (u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: host}, nil
}

// Target is the upstream's origin.
func (p *Proxy) Target() string { return p.target.String() }

// ServeHTTP answers one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(Header, HeaderValue)
	entry := logEntry{time: p.now(), method: r.Method, path: r.URL.RequestURI(), origin: r.Header.Get("Origin"), preflight: IsPreflight(r),
		acrm: r.Header.Get("Access-Control-Request-Method"), acrh: r.Header.Get("Access-Control-Request-Headers")}
	switch {
	case r.Method == http.MethodConnect:
		entry.status, entry.why = http.StatusMethodNotAllowed, "CONNECT refused: not a forward proxy"
		http.Error(w, "corsproof proxy: CONNECT refused; this proxy forwards to "+p.target.String()+" only", entry.status)
		p.write(entry)
		return
	case r.URL.IsAbs() || r.URL.Host != "":
		// An absolute-form request asks for a forward proxy. Going to the
		// upstream instead would surprise; going to the URL's host is the
		// open relay this proxy must never be.
		entry.path = "/"
		entry.status, entry.why = http.StatusBadRequest, "absolute-form request refused: not a forward proxy"
		http.Error(w, "corsproof proxy: absolute-form request refused; this proxy forwards to "+p.target.String()+" only", entry.status)
		p.write(entry)
		return
	}
	if status, c, ok := p.rules.Answer(r); ok {
		apply(w.Header(), c)
		entry.status, entry.change, entry.answered = status, c, true
		w.WriteHeader(status)
		p.write(entry)
		return
	}
	rec := &httpstatus.Writer{ResponseWriter: w}
	ctx := context.WithValue(r.Context(), entryKey{}, &entry)
	self := &url.URL{Scheme: "http", Host: r.Host}
	if r.TLS != nil {
		self.Scheme = "https"
	}
	ctx = context.WithValue(ctx, selfKey{}, self)
	p.rp.ServeHTTP(rec, r.WithContext(ctx))
	if entry.status == 0 {
		entry.status = rec.Status
	}
	p.write(entry)
}

type entryKey struct{}

// selfKey holds the proxy's own origin as the browser addressed it.
type selfKey struct{}

// rewriteLocation points h's Location at self when it names target, and
// returns the Location it replaced.
func rewriteLocation(h http.Header, target, self *url.URL) (string, bool) {
	loc := h.Get("Location")
	u, err := url.Parse(loc)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return "", false
	}
	at, err := ParseTarget(u.Scheme + "://" + u.Host)
	if err != nil || at.Scheme != target.Scheme || at.Host != target.Host {
		return "", false
	}
	u.Scheme, u.Host = self.Scheme, self.Host
	h.Set("Location", u.String())
	return loc, true
}

// modify applies the rules to the upstream's response.
func (p *Proxy) modify(resp *http.Response) error {
	req := resp.Request
	c := p.rules.Respond(req, resp.StatusCode)
	status := applyStatus(resp.StatusCode, resp.Header, c)
	if status != resp.StatusCode {
		resp.StatusCode = status
		resp.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
		if status == http.StatusNoContent || status == http.StatusNotModified {
			// Such a response has no body; send none.
			_ = resp.Body.Close()
			resp.Body = http.NoBody
			resp.ContentLength = 0
			resp.Header.Del("Content-Length")
			resp.Header.Del("Transfer-Encoding")
		}
	}
	rewritten := ""
	if self, ok := req.Context().Value(selfKey{}).(*url.URL); ok && p.rewrite && self.Host != "" {
		if old, ok := rewriteLocation(resp.Header, p.target, self); ok {
			rewritten = "Location " + old + " pointed at the proxy"
		}
	}
	// ServeHTTP has marked the answer already; the upstream's own mark,
	// if any, would make two.
	resp.Header.Del(Header)
	if e, ok := req.Context().Value(entryKey{}).(*logEntry); ok {
		e.status, e.change = status, c
		if rewritten != "" {
			e.why = rewritten
		}
	}
	return nil
}

// upstreamError answers when the upstream cannot be reached. The answer
// has no CORS headers: the browser reports it as it would the real API
// being down, and the log line says why.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := r.Context().Value(entryKey{}).(*logEntry); ok {
		e.status, e.why = http.StatusBadGateway, "upstream error: "+err.Error()
	}
	if p.onErr != nil {
		p.onErr(err)
	}
	w.Header().Set(Header, HeaderValue)
	http.Error(w, "corsproof proxy: "+err.Error(), http.StatusBadGateway)
}

// apply changes headers as c says.
func apply(h http.Header, c Change) { applyStatus(0, h, c) }

func applyStatus(status int, h http.Header, c Change) int {
	if c.Strip {
		for name := range h {
			if strings.HasPrefix(name, "Access-Control-") {
				h.Del(name)
			}
		}
	}
	status = c.Headers.Apply(status, h)
	if c.VaryOrigin && !varyCoversOrigin(h.Values("Vary")) {
		h.Add("Vary", "Origin")
	}
	return status
}

// varyCoversOrigin reports whether Vary lines name Origin or "*".
func varyCoversOrigin(lines []string) bool {
	for _, l := range lines {
		for _, f := range strings.Split(l, ",") {
			f = strings.TrimSpace(f)
			if strings.EqualFold(f, "origin") || f == "*" {
				return true
			}
		}
	}
	return false
}

// IsPreflight reports whether r is a CORS preflight: an OPTIONS request
// with an Origin and an Access-Control-Request-Method.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// logEntry is one request as the log line tells it.
type logEntry struct {
	time      time.Time
	method    string
	path      string
	origin    string
	preflight bool
	acrm      string
	acrh      string
	answered  bool
	status    int
	change    Change
	why       string
}

func (p *Proxy) write(e logEntry) {
	if p.log == nil {
		return
	}
	line := e.format()
	if p.logJSON {
		line = e.json()
	}
	p.logMu.Lock()
	_, _ = io.WriteString(p.log, line+"\n")
	p.logMu.Unlock()
}

// headerOrder is the order the log names the headers added in.
var headerOrder = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers"}

// format renders one request on one line: time, method, path, origin,
// what a preflight asks for, status, who answered, the route and the CORS
// headers added, or why none were. Values from the network are quoted when
// they hold anything but printable ASCII, so a hostile request cannot forge
// lines or send escape codes to the terminal.
func (e logEntry) format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.time.Format("15:04:05.000"), shown(e.method), shown(e.path))
	if e.origin != "" {
		fmt.Fprintf(&b, " origin=%s", shown(e.origin))
	}
	if e.preflight {
		b.WriteString(" preflight " + shown(e.acrm))
		if e.acrh != "" {
			b.WriteString(" [" + shown(e.acrh) + "]")
		}
	}
	fmt.Fprintf(&b, " -> %d", e.status)
	if e.answered {
		b.WriteString(" answered by the proxy")
	}
	c := e.change
	if c.Route != "" {
		fmt.Fprintf(&b, " route %s", shown(c.Route))
	}
	var added []string
	if c.Headers != nil {
		names := slices.SortedFunc(maps.Keys(c.Headers.Set), func(a, b string) int {
			ia, ib := slices.Index(headerOrder, a), slices.Index(headerOrder, b)
			if ia < 0 {
				ia = len(headerOrder)
			}
			if ib < 0 {
				ib = len(headerOrder)
			}
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		for _, name := range names {
			added = append(added, name+": "+shown(c.Headers.Set[name]))
		}
	}
	switch {
	case len(added) > 0:
		if c.VaryOrigin {
			added = append(added, "Vary: Origin")
		}
		b.WriteString(" | added " + strings.Join(added, "; "))
	case c.Why != "":
		b.WriteString(" | no CORS headers: " + c.Why)
		if c.VaryOrigin {
			b.WriteString(" (Vary: Origin added)")
		}
	}
	if c.Refused != "" {
		what := "response"
		if e.answered {
			what = "preflight"
		}
		b.WriteString(" | the browser will refuse this " + what + ": " + shownText(c.Refused))
	}
	if e.why != "" {
		b.WriteString(" | " + shownText(e.why))
	}
	return b.String()
}

// logLine is one request of the JSON log. Every value from the network
// is a JSON string, which escapes what a terminal would act on.
type logLine struct {
	Time             string            `json:"time"`
	Method           string            `json:"method"`
	Path             string            `json:"path"`
	Origin           string            `json:"origin,omitempty"`
	Preflight        *logPreflight     `json:"preflight,omitempty"`
	Status           int               `json:"status"`
	AnsweredByProxy  bool              `json:"answered_by_proxy"`
	Route            string            `json:"route,omitempty"`
	Added            map[string]string `json:"added,omitempty"`
	VaryOrigin       bool              `json:"vary_origin,omitempty"`
	NoCORSHeadersWhy string            `json:"no_cors_headers_why,omitempty"`
	BrowserRefuses   string            `json:"browser_refuses,omitempty"`
	Note             string            `json:"note,omitempty"`
}

// logPreflight is what a preflight asked for.
type logPreflight struct {
	Method  string `json:"method"`
	Headers string `json:"headers,omitempty"`
}

// json renders the entry as one JSON object on one line.
func (e logEntry) json() string {
	l := logLine{Time: e.time.Format(time.RFC3339Nano), Method: e.method, Path: e.path, Origin: e.origin, Status: e.status,
		AnsweredByProxy: e.answered, Route: e.change.Route, VaryOrigin: e.change.VaryOrigin, BrowserRefuses: e.change.Refused, Note: e.why}
	if e.preflight {
		l.Preflight = &logPreflight{Method: e.acrm, Headers: e.acrh}
	}
	if e.change.Headers != nil && len(e.change.Headers.Set) > 0 {
		l.Added = maps.Clone(e.change.Headers.Set)
	} else {
		l.NoCORSHeadersWhy = e.change.Why
	}
	// Invalid UTF-8 from the network becomes U+FFFD rather than failing.
	b, err := json.Marshal(l)
	if err != nil {
		return `{"error":"the log line could not be written"}`
	}
	return asciiJSON(b)
}

// asciiJSON writes every non-ASCII character of a JSON text as a \u
// escape, DEL too, so a log followed on a terminal shows a bidi override
// or a C1 control as text instead of obeying it; JSON's own escaping
// already covers the C0 controls.
func asciiJSON(b []byte) string {
	var out strings.Builder
	for _, r := range string(b) {
		switch {
		case r < 0x7f:
			out.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&out, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.String()
}

// shownText returns s as is when it is printable ASCII, and quoted
// otherwise.
func shownText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// shown returns s as is when it is printable ASCII without spaces, and
// quoted otherwise.
func shown(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// Server is a running proxy.
type Server struct {
	*Proxy
	ln  net.Listener
	srv *http.Server
	// scheme is https when it serves TLS (http.Server sets a TLSConfig
	// of its own for HTTP/2, so that field cannot say).
	scheme string
}

// Listen starts serving the proxy on addr (host:port; port 0 picks a free
// one). The caller decides the address; `corsproof proxy` defaults to
// loopback.
func Listen(addr string, p *Proxy) (*Server, error) { return serve(addr, p, nil) }

// ListenTLS is Listen serving https with cert (HTTP/2 and HTTP/1.1), as
// the --try-fix mirror of an https target does.
func ListenTLS(addr string, p *Proxy, cert tls.Certificate) (*Server, error) {
	return serve(addr, p, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}

// serve starts the proxy on addr, over TLS when tc is set.
func serve(addr string, p *Proxy, tc *tls.Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting the proxy of %s: %w", p.target, err)
	}
	// Idle keep-alive connections end after five minutes, as a browser
	// keeps its own: without a limit each one a client leaves open is
	// held for good (3,000 cost 160 MB).
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute, TLSConfig: tc}
	s := &Server{Proxy: p, ln: ln, srv: srv, scheme: "http"}
	if tc == nil {
		go func() { _ = srv.Serve(ln) }()
		return s, nil
	}
	// A client that gives up on the handshake is no news to the user.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.scheme = "https"
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// Addr is the address the proxy listens on, host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the proxy's base URL, reachable from this machine.
func (s *Server) URL() string {
	a := s.ln.Addr().(*net.TCPAddr)
	if a.IP.IsUnspecified() {
		return s.scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	}
	return s.scheme + "://" + a.String()
}

// Shutdown stops the proxy, waiting for requests in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.transport.CloseIdleConnections()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = s.srv.Close()
		return fmt.Errorf("stopping the proxy of %s: %w", s.target, err)
	}
	return nil
}

// Close stops the proxy within 2 s.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}
