package testapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/httpstatus"
	"github.com/corsproof/corsproof/policy"
)

// DefaultLogLimit is how many requests a Handler keeps unless told otherwise.
const DefaultLogLimit = 10000

// Handler serves a policy. It is safe for concurrent use.
type Handler struct {
	policy   *policy.Policy
	out      io.Writer
	outMu    sync.Mutex
	now      func() time.Time
	limit    int
	nextID   atomic.Int64
	mu       sync.Mutex
	log      []LoggedRequest
	conns    sync.Map // remote address → *rawConn, for wire-order headers
	rawLimit int
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogWriter writes one line per request to w, after the answer is sent.
func WithLogWriter(w io.Writer) Option {
	return func(h *Handler) { h.out = w }
}

// WithClock sets the clock that stamps logged requests, for tests.
func WithClock(now func() time.Time) Option {
	return func(h *Handler) { h.now = now }
}

// WithLogLimit keeps at most n requests in the log, dropping the oldest, so
// a long-running serve does not grow without bound. n <= 0 keeps none.
func WithLogLimit(n int) Option {
	return func(h *Handler) { h.limit = n }
}

// HeaderLine is one request header as received.
type HeaderLine struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// LoggedRequest is one request the handler received and what it answered.
type LoggedRequest struct {
	// ID is the X-Request-Id the response carried.
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	// Query is the raw query string, without "?".
	Query string `json:"query,omitempty"`
	Proto string `json:"proto"`
	// Headers are the request's header lines, Host included. With
	// WireOrder true they are exactly as sent, in order and spelling;
	// otherwise Go's canonical names sorted, one line per value.
	Headers   []HeaderLine `json:"headers"`
	WireOrder bool         `json:"wire_order"`
	// Route is the path of the route that answered; empty for built-in
	// endpoints and unknown paths.
	Route     string `json:"route,omitempty"`
	Preflight bool   `json:"preflight"`
	Status    int    `json:"status"`
}

// Header returns the values of the named header, case-insensitively, in order.
func (l LoggedRequest) Header(name string) []string {
	var out []string
	for _, hl := range l.Headers {
		if strings.EqualFold(hl.Name, name) {
			out = append(out, hl.Value)
		}
	}
	return out
}

// NewHandler returns a handler serving p. The result is an http.Handler;
// it is returned as *Handler so callers can read its request log.
func NewHandler(p *policy.Policy, opts ...Option) *Handler {
	h := &Handler{policy: p, now: time.Now, limit: DefaultLogLimit, rawLimit: 1 << 20}
	if h.policy == nil {
		h.policy = &policy.Policy{Version: policy.FormatVersion}
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Log returns a copy of the requests received so far, oldest first.
func (h *Handler) Log() []LoggedRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]LoggedRequest, len(h.log))
	copy(out, h.log)
	return out
}

// ResetLog forgets the requests received so far; request ids keep counting.
func (h *Handler) ResetLog() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = nil
}

// ServeHTTP answers one request and logs it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	entry := LoggedRequest{
		ID:     h.nextID.Add(1),
		Time:   h.now(),
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.RawQuery,
		Proto:  r.Proto,
	}
	entry.Headers, entry.WireOrder = h.headerLines(r)
	entry.Preflight = isPreflight(r)
	sw := &httpstatus.Writer{ResponseWriter: w}
	sw.Header().Set("X-Request-Id", strconv.FormatInt(entry.ID, 10))
	sw.Header().Set("Cache-Control", "no-store")
	entry.Route = h.serve(sw, r, entry.ID)
	if sw.Status == 0 {
		sw.Status = http.StatusOK
	}
	entry.Status = sw.Status
	h.record(entry)
}

func (h *Handler) record(e LoggedRequest) {
	if h.limit > 0 {
		h.mu.Lock()
		h.log = append(h.log, e)
		if over := len(h.log) - h.limit; over > 0 {
			h.log = append([]LoggedRequest(nil), h.log[over:]...)
		}
		h.mu.Unlock()
	}
	if h.out != nil {
		line := FormatLogLine(e)
		h.outMu.Lock()
		_, _ = io.WriteString(h.out, line+"\n")
		h.outMu.Unlock()
	}
}

// redactedByTarget stands for a credential's value wherever the target
// would repeat it: the echo and the printed log.
const redactedByTarget = "[redacted by the target]"

// FormatLogLine renders a logged request on one line. Header values are
// quoted, so a hostile request cannot forge lines in the log, and values
// of credential headers (cors.IsSecretHeader) are not printed.
func FormatLogLine(e LoggedRequest) string {
	var b strings.Builder
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	fmt.Fprintf(&b, "%s #%d %s %s -> %d", e.Time.Format("15:04:05.000"), e.ID, e.Method, strconv.Quote(target), e.Status)
	if e.Route != "" {
		fmt.Fprintf(&b, " route=%s", strconv.Quote(e.Route))
	}
	if e.Preflight {
		b.WriteString(" preflight")
	}
	b.WriteString(" |")
	for _, hl := range e.Headers {
		v := hl.Value
		if cors.IsSecretHeader(hl.Name) {
			// serve prints this on a terminal that others may read or
			// record; Log() keeps the value for tests of the wire.
			v = redactedByTarget
		}
		fmt.Fprintf(&b, " %s: %s;", strconv.QuoteToASCII(hl.Name), strconv.QuoteToASCII(v))
	}
	return strings.TrimSuffix(b.String(), ";")
}

// headerLines returns the request's headers in wire order when the
// connection came through WrapListener, else canonical and sorted.
func (h *Handler) headerLines(r *http.Request) ([]HeaderLine, bool) {
	if c, ok := h.conns.Load(r.RemoteAddr); ok {
		if lines, ok := c.(*rawConn).takeHead(r); ok {
			return lines, true
		}
	}
	lines := []HeaderLine{{Name: "Host", Value: r.Host}}
	names := make([]string, 0, len(r.Header))
	for n := range r.Header {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, v := range r.Header[n] {
			lines = append(lines, HeaderLine{Name: n, Value: v})
		}
	}
	return lines, false
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// serve answers r and returns the path of the route that did.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, id int64) string {
	switch r.URL.Path {
	case policy.SetCookiePath:
		h.setCookie(w, r)
		return ""
	case policy.CookiesPath:
		h.cookies(w, r)
		return ""
	}
	route, found := h.policy.Match(r.URL.Path)
	ov, present, err := parseOverrides(r.URL.Query())
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad query override: %v\n", err)
		return route.Path
	}
	if !found && !present {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "no route for this path\n")
		return ""
	}
	if !found {
		route = policy.Route{Vary: true, CORSOnErrors: true}
	}
	ov.apply(&route)
	if route.DelayMS > 0 && !sleep(r.Context(), time.Duration(route.DelayMS)*time.Millisecond) {
		// The client gave up; there is nobody left to answer.
		return route.Path
	}
	if isPreflight(r) {
		h.preflight(w, r, route)
	} else {
		h.actual(w, r, route, id)
	}
	return route.Path
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// corsAllowed decides whether CORS headers go on an answer with status.
func corsAllowed(route policy.Route, status int) bool {
	return status < 400 || route.CORSOnErrors
}

// setOrigin writes Access-Control-Allow-Origin, Allow-Credentials and Vary
// for r, the headers shared by preflights and actual responses.
func setOrigin(hdr http.Header, r *http.Request, route policy.Route) bool {
	o := r.Header.Get("Origin")
	if route.Vary && route.OriginDependent() {
		hdr.Add("Vary", "Origin")
	}
	var acao []string
	switch entry, ok := route.MatchOrigin(o); {
	case len(route.ACAOOverride) > 0 && ok:
		for _, v := range route.ACAOOverride {
			if v == policy.OriginReflect {
				v = o
			}
			acao = append(acao, v)
		}
	case ok && entry == policy.OriginAny:
		acao = []string{"*"}
	case ok:
		acao = []string{o}
	case o == "" && len(route.ACAOOverride) == 0 && contains(route.AllowOrigins, policy.OriginAny):
		// Static "*" configurations send it whether or not there is an Origin.
		acao = []string{"*"}
	default:
		return false
	}
	hdr["Access-Control-Allow-Origin"] = acao
	if route.AllowCredentials {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	return true
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request, route policy.Route) {
	status := route.PreflightStatus
	if status == 0 {
		status = policy.DefaultPreflightStatus
	}
	if route.PreflightRedirect != "" {
		status = http.StatusTemporaryRedirect
		w.Header().Set("Location", route.PreflightRedirect)
	}
	hdr := w.Header()
	if corsAllowed(route, status) && setOrigin(hdr, r, route) {
		if len(route.AllowMethods) > 0 {
			hdr.Set("Access-Control-Allow-Methods", strings.Join(route.AllowMethods, ", "))
		}
		switch {
		case len(route.AllowHeaders) == 1 && route.AllowHeaders[0] == reflectHeaders:
			if acrh := r.Header.Get("Access-Control-Request-Headers"); acrh != "" {
				hdr.Set("Access-Control-Allow-Headers", acrh)
			}
		case len(route.AllowHeaders) > 0:
			hdr.Set("Access-Control-Allow-Headers", strings.Join(route.AllowHeaders, ", "))
		}
		if route.MaxAge != nil {
			hdr.Set("Access-Control-Max-Age", strconv.Itoa(*route.MaxAge))
		}
	}
	w.WriteHeader(status)
}

// echo is the JSON body of an actual response: what the server saw.
type echo struct {
	ID       int64             `json:"id"`
	Route    string            `json:"route"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Origin   string            `json:"origin"`
	Cookies  []string          `json:"cookies"`
	Headers  map[string]string `json:"headers"`
	Redirect string            `json:"redirect,omitempty"`
}

func (h *Handler) actual(w http.ResponseWriter, r *http.Request, route policy.Route, id int64) {
	status := route.Status
	if status == 0 {
		status = policy.DefaultStatus
	}
	if route.Redirect != "" {
		status = http.StatusTemporaryRedirect
		w.Header().Set("Location", route.Redirect)
	}
	hdr := w.Header()
	if corsAllowed(route, status) && setOrigin(hdr, r, route) && len(route.ExposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(route.ExposeHeaders, ", "))
	}
	body := echo{ID: id, Route: route.Path, Method: r.Method, Path: r.URL.Path,
		Origin: r.Header.Get("Origin"), Cookies: []string{}, Headers: map[string]string{},
		Redirect: route.Redirect}
	for _, c := range r.Cookies() {
		body.Cookies = append(body.Cookies, c.Name)
	}
	for n, vs := range r.Header {
		if cors.IsSecretHeader(n) {
			// The echo ends up in records and reports (the page reads
			// it): name the credential, never repeat it.
			body.Headers[n] = redactedByTarget
		} else {
			body.Headers[n] = strings.Join(vs, ", ")
		}
	}
	hdr.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(body)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
