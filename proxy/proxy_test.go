package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
)

const dev = "http://localhost:5173"

// devPolicy is the policy of these tests: the dev origin with cookies on
// /api, anyone without them on /public.
const devPolicy = `version: 1
routes:
  - path: /api
    allow_origins: [http://localhost:5173]
    allow_credentials: true
    allow_methods: [GET, PUT, DELETE]
    allow_headers: [Content-Type, X-Token]
    expose_headers: [X-Request-Id]
    max_age: 600
  - path: /public
    allow_origins: ["*"]
    allow_methods: [GET]
`

// upstream is a loopback server that records what reaches it. Its answers
// carry the wrong CORS headers a careless API sends, so a test can see the
// proxy replace them.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	seen []*http.Request
}

func startUpstream(t testing.TB, cors bool) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, r.Clone(r.Context()))
		u.mu.Unlock()
		if cors {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "*")
			w.Header().Set("Access-Control-Allow-Private-Network", "true")
		}
		w.Header().Set("X-Request-Id", "42")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s2", Path: "/", HttpOnly: true})
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "upstream %s %s host=%s", r.Method, r.URL.RequestURI(), r.Host)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.seen...)
}

func testPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	p, err := policy.Parse("dev.yaml", []byte(devPolicy))
	require.NoError(t, err)
	return p
}

// startProxy serves a proxy of up with the test policy on loopback.
func startProxy(t testing.TB, up string, log io.Writer) *Server {
	t.Helper()
	rules, warn, err := NewPolicyRules(testPolicy(t))
	require.NoError(t, err)
	assert.Empty(t, warn)
	p, err := New(Options{Target: up, Rules: rules, Log: log})
	require.NoError(t, err)
	s, err := Listen("127.0.0.1:0", p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func do(t *testing.T, method, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = v
		}
	}
	return out
}

func TestProxyAnswersWithThePolicy(t *testing.T) {
	up := startUpstream(t, true)
	var log bytes.Buffer
	s := startProxy(t, up.URL, &log)
	for _, tc := range []struct {
		desc      string
		method    string
		path      string
		hdr       map[string]string
		status    int
		cors      http.Header
		vary      bool
		forwarded bool
	}{
		{desc: "the dev origin with cookies", method: "GET", path: "/api/users?page=2",
			hdr: map[string]string{"Origin": dev, "Cookie": "session=s1"}, status: 200, vary: true, forwarded: true,
			cors: http.Header{"Access-Control-Allow-Origin": {dev}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"X-Request-Id"}}},
		{desc: "another origin gets no CORS headers", method: "GET", path: "/api/users",
			hdr: map[string]string{"Origin": "https://evil.example.test"}, status: 200, vary: true, forwarded: true, cors: http.Header{}},
		{desc: "a look-alike of the dev origin", method: "GET", path: "/api",
			hdr: map[string]string{"Origin": dev + ".evil.test"}, status: 200, vary: true, forwarded: true, cors: http.Header{}},
		{desc: "the preflight is the proxy's", method: "OPTIONS", path: "/api/users/7",
			hdr:    map[string]string{"Origin": dev, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-token"},
			status: 204, vary: true,
			cors: http.Header{"Access-Control-Allow-Origin": {dev}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Allow-Methods": {"GET, PUT, DELETE"}, "Access-Control-Allow-Headers": {"Content-Type, X-Token"},
				"Access-Control-Max-Age": {"600"}}},
		{desc: "a preflight from another origin", method: "OPTIONS", path: "/api/users/7",
			hdr: map[string]string{"Origin": "https://evil.example.test", "Access-Control-Request-Method": "PUT"}, status: 204, vary: true, cors: http.Header{}},
		{desc: "a public route", method: "GET", path: "/public/x",
			hdr: map[string]string{"Origin": "https://anyone.example.test"}, status: 200, forwarded: true,
			cors: http.Header{"Access-Control-Allow-Origin": {"*"}}},
		{desc: "a path the policy does not name", method: "GET", path: "/admin",
			hdr: map[string]string{"Origin": dev}, status: 200, forwarded: true, cors: http.Header{}},
		{desc: "dot segments never borrow a route", method: "GET", path: "/public/../admin",
			hdr: map[string]string{"Origin": dev}, status: 200, forwarded: true, cors: http.Header{}},
		{desc: "a plain OPTIONS goes upstream", method: "OPTIONS", path: "/api",
			hdr: map[string]string{"Origin": dev}, status: 200, vary: true, forwarded: true,
			cors: http.Header{"Access-Control-Allow-Origin": {dev}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"X-Request-Id"}}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			before := len(up.requests())
			resp := do(t, tc.method, s.URL()+tc.path, tc.hdr)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.cors, corsHeaders(resp.Header))
			assert.Equal(t, []string{HeaderValue}, resp.Header.Values(Header))
			if tc.vary {
				assert.Equal(t, []string{"Origin"}, resp.Header.Values("Vary"))
			} else {
				assert.Empty(t, resp.Header.Values("Vary"))
			}
			got := up.requests()[before:]
			if !tc.forwarded {
				assert.Empty(t, got, "the proxy answers preflights itself")
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tc.path, got[0].URL.RequestURI())
			assert.Equal(t, up.Listener.Addr().String(), got[0].Host)
			assert.Equal(t, tc.hdr["Cookie"], got[0].Header.Get("Cookie"), "Cookie passes untouched")
			assert.Equal(t, tc.hdr["Origin"], got[0].Header.Get("Origin"))
			assert.Empty(t, got[0].Header.Values("X-Forwarded-For"))
			assert.Equal(t, "session=s2; Path=/; HttpOnly", resp.Header.Get("Set-Cookie"), "Set-Cookie passes untouched")
		})
	}
	out := log.String()
	t.Log(out)
	assert.Contains(t, out, ` GET /api/users?page=2 origin=http://localhost:5173 -> 200 route /api | added Access-Control-Allow-Origin: http://localhost:5173; Access-Control-Allow-Credentials: true; Access-Control-Expose-Headers: X-Request-Id; Vary: Origin`)
	assert.Contains(t, out, ` OPTIONS /api/users/7 origin=http://localhost:5173 preflight PUT [content-type,x-token] -> 204 answered by the proxy route /api | added Access-Control-Allow-Origin: http://localhost:5173; Access-Control-Allow-Credentials: true; Access-Control-Allow-Methods: "GET, PUT, DELETE"; Access-Control-Allow-Headers: "Content-Type, X-Token"; Access-Control-Max-Age: 600; Vary: Origin`)
	assert.Contains(t, out, ` GET /api/users origin=https://evil.example.test -> 200 route /api | no CORS headers: `+WhyOrigin+` (Vary: Origin added)`)
	assert.Contains(t, out, ` GET /admin origin=http://localhost:5173 -> 200 | no CORS headers: `+WhyNoRoute)
	assert.Contains(t, out, ` GET /public/../admin origin=http://localhost:5173 -> 200 | no CORS headers: `+WhyNotCanonical)
	assert.Equal(t, 9, strings.Count(out, "\n"), "one line per request:\n%s", out)
}

// TestProxyGoesNowhereElse sends requests that name another host, in the
// URL or the Host header: they reach the upstream or nothing, never the
// other server.
func TestProxyGoesNowhereElse(t *testing.T) {
	up := startUpstream(t, false)
	other := startUpstream(t, false)
	var log bytes.Buffer
	s := startProxy(t, up.URL, &log)
	otherHost := other.Listener.Addr().String()
	raw := func(t *testing.T, req string) *http.Response {
		t.Helper()
		c, err := net.Dial("tcp", s.Addr())
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = io.WriteString(c, req)
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Logf("%d %s", resp.StatusCode, body)
		return resp
	}
	for _, tc := range []struct {
		desc      string
		req       string
		status    int
		forwarded bool
	}{
		{desc: "absolute-form URL of another host", req: "GET http://" + otherHost + "/api HTTP/1.1\r\nHost: " + otherHost + "\r\nOrigin: " + dev + "\r\n\r\n", status: 400},
		{desc: "absolute-form URL of the upstream", req: "GET " + up.URL + "/api HTTP/1.1\r\nHost: " + s.Addr() + "\r\n\r\n", status: 400},
		{desc: "CONNECT to another host", req: "CONNECT " + otherHost + " HTTP/1.1\r\nHost: " + otherHost + "\r\n\r\n", status: 405},
		{desc: "Host header of another host", req: "GET /api HTTP/1.1\r\nHost: " + otherHost + "\r\nOrigin: " + dev + "\r\n\r\n", status: 200, forwarded: true},
		{desc: "X-Forwarded-Host of another host", req: "GET /api HTTP/1.1\r\nHost: " + s.Addr() + "\r\nX-Forwarded-Host: " + otherHost + "\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n", status: 200, forwarded: true},
		{desc: "a path that looks like a URL", req: "GET //" + otherHost + "/api HTTP/1.1\r\nHost: " + s.Addr() + "\r\n\r\n", status: 200, forwarded: true},
		{desc: "hop-by-hop header naming Host", req: "GET /api HTTP/1.1\r\nHost: " + s.Addr() + "\r\nConnection: Host, X-Secret\r\nX-Secret: 1\r\n\r\n", status: 200, forwarded: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			before := len(up.requests())
			resp := raw(t, tc.req)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, HeaderValue, resp.Header.Get(Header))
			got := up.requests()[before:]
			if !tc.forwarded {
				assert.Empty(t, got)
			} else {
				require.Len(t, got, 1)
				assert.Equal(t, up.Listener.Addr().String(), got[0].Host, "the upstream's own Host")
				assert.Empty(t, got[0].Header.Values("X-Forwarded-Host"))
				assert.Empty(t, got[0].Header.Values("X-Forwarded-For"))
				assert.Empty(t, got[0].Header.Values("X-Secret"), "named in Connection, so hop-by-hop")
			}
			assert.Empty(t, other.requests(), "nothing reaches another host")
		})
	}
	assert.Contains(t, log.String(), "absolute-form request refused")
}

func TestProxyRefusesUnsafePolicies(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, want string
		// line is where the problem points: at the entry that breaks the
		// rule, or at the route.
		line int
	}{
		{desc: "* with credentials", want: "wildcard-origin-with-credentials", line: 4,
			yaml: "version: 1\nroutes:\n  - path: /api\n    allow_origins: [\"*\"]\n    allow_credentials: true\n"},
		{desc: "reflect", want: "never reflects an origin", line: 4,
			yaml: "version: 1\nroutes:\n  - path: /api\n    allow_origins: [reflect]\n"},
		{desc: "wildcard headers with credentials", want: "wildcard-list-with-credentials", line: 6,
			yaml: "version: 1\nroutes:\n  - path: /api\n    allow_origins: [http://localhost:5173]\n    allow_credentials: true\n    allow_headers: [\"*\"]\n"},
		{desc: "a fixed Access-Control-Allow-Origin", want: "acao_override", line: 3,
			yaml: "version: 1\nroutes:\n  - path: /api\n    allow_origins: [\"*\"]\n    acao_override: [\"*\"]\n"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			p, err := policy.Parse("bad.yaml", []byte(tc.yaml))
			require.NoError(t, err)
			_, _, err = NewPolicyRules(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			probs := fileerr.Problems(err)
			require.NotEmpty(t, probs)
			assert.Equal(t, "bad.yaml", probs[0].File)
			assert.Equal(t, tc.line, probs[0].Line, probs[0].Error())
		})
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "https://api.staging.example.com", want: "https://api.staging.example.com"},
		{in: "https://API.example.com:443/", want: "https://api.example.com"},
		{in: "http://127.0.0.1:80", want: "http://127.0.0.1"},
		{in: "http://[::1]:80", want: "http://[::1]"},
		{in: "http://[::1]:8080", want: "http://[::1]:8080"},
		{in: "http://127.0.0.1:8080/api", err: "origin only"},
		{in: "ftp://example.com", err: "want the upstream's origin"},
		{in: "example.com", err: "want the upstream's origin"},
		{in: "http://user@example.com", err: "origin only"},
	} {
		u, err := ParseTarget(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, u.String(), tc.in)
	}
}

func TestProxyUpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var log bytes.Buffer
	s := startProxy(t, "http://"+addr, &log)
	resp := do(t, "GET", s.URL()+"/api", map[string]string{"Origin": dev})
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, HeaderValue, resp.Header.Get(Header))
	assert.Empty(t, corsHeaders(resp.Header), "the browser sees the API down, as it would be")
	assert.Contains(t, log.String(), "-> 502")
	assert.Contains(t, log.String(), "upstream error")
}

func TestListenDefaultsToWhatItIsGiven(t *testing.T) {
	s := startProxy(t, "http://127.0.0.1:1", nil)
	host, _, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	assert.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))
}

// FuzzProxy feeds the proxy hostile request lines and headers: it must not
// crash, must mark every answer, must add CORS headers only for the
// policy's origins, and must send whatever it forwards to the upstream only.
func FuzzProxy(f *testing.F) {
	for _, s := range [][4]string{
		{"GET", "/api/users", "Origin", dev},
		{"OPTIONS", "/api", "Access-Control-Request-Method", "PUT"},
		{"GET", "http://evil.test/api", "Host", "evil.test"},
		{"GET", "/public/../api", "Origin", "null"},
		{"GET", "/api/%2e%2e/admin", "Origin", dev + "/"},
		{"PUT", "//evil.test/x?y=\x00", "Connection", "Host"},
		{"CONNECT", "evil.test:443", "Origin", dev},
		{"GET", "*", "Cookie", "a=b"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	up := startUpstream(f, true)
	rules, _, err := NewPolicyRules(testPolicy(f))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, method, target, name, value string) {
		var log bytes.Buffer
		p, err := New(Options{Target: up.URL, Rules: rules, Log: &log})
		require.NoError(t, err)
		raw := method + " " + target + " HTTP/1.1\r\nHost: proxy.test\r\n" + name + ": " + value + "\r\nOrigin: https://other.test\r\n\r\n"
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return // the server would refuse it before the proxy sees it
		}
		req.RemoteAddr = "127.0.0.1:1"
		before := len(up.requests())
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		if w.Header().Get(Header) != HeaderValue {
			t.Fatalf("answer not marked: %q", raw)
		}
		if acao := w.Header().Values("Access-Control-Allow-Origin"); len(acao) > 0 && !(len(acao) == 1 && (acao[0] == dev || acao[0] == "*")) {
			t.Fatalf("Access-Control-Allow-Origin %q for %q", acao, raw)
		}
		for _, r := range up.requests()[before:] {
			if r.Host != up.Listener.Addr().String() {
				t.Fatalf("upstream saw Host %q for %q", r.Host, raw)
			}
		}
		line := log.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("not one log line: %q for %q", line, raw)
		}
		for _, c := range []byte(strings.TrimSuffix(line, "\n")) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("raw byte %#x in the log line %q", c, line)
			}
		}
	})
}

// TestProxyLogJSON: with LogJSON every request is one JSON object on its
// own line, hostile values included, carrying what the text line says.
// TestProxyLogsWhatTheBrowserWillRefuse: a preflight from the dev origin
// that asks for a method or a header the route does not allow gets the
// route's lists, which the browser then refuses. The answer stays what the
// policy says; the log line says what will fail and what to change, since
// the proxy's answer otherwise looks like a success.
func TestProxyLogsWhatTheBrowserWillRefuse(t *testing.T) {
	up := startUpstream(t, false)
	var log syncWriter
	s := startProxy(t, up.URL, &log)
	do(t, "OPTIONS", s.URL()+"/api/users/7", map[string]string{"Origin": dev, "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "content-type,x-csrf,x-token"})
	do(t, "OPTIONS", s.URL()+"/api/users/7", map[string]string{"Origin": dev, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-token"})
	do(t, "OPTIONS", s.URL()+"/api/users/7", map[string]string{"Origin": "https://evil.example.test", "Access-Control-Request-Method": "PATCH"})
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	require.Len(t, lines, 3, log.String())
	assert.Contains(t, lines[0], `| the browser will refuse this preflight: method PATCH is not in allow_methods of route /api; request header x-csrf is not in its allow_headers (add them to the policy if the API is to allow them)`)
	assert.NotContains(t, lines[1], "refuse", "a preflight the route covers")
	assert.NotContains(t, lines[2], "will refuse", "an origin the policy refuses is already said")

	rules, _, err := NewPolicyRules(testPolicy(t))
	require.NoError(t, err)
	var jlog syncWriter
	p, err := New(Options{Target: up.URL, Rules: rules, Log: &jlog, LogJSON: true})
	require.NoError(t, err)
	js, err := Listen("127.0.0.1:0", p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = js.Close() })
	do(t, "OPTIONS", js.URL()+"/api/users/7", map[string]string{"Origin": dev, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-csrf"})
	var l logLine
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(jlog.String())), &l))
	assert.Equal(t, "request header x-csrf is not in allow_headers of route /api (add it to the policy if the API is to allow it)", l.BrowserRefuses)
}

// TestProxyKeepsRedirectsOnItself: an upstream that redirects to its own
// absolute URL (a trailing-slash redirect built from the Host header, which
// is the upstream's) would send the browser straight to the API, around
// the proxy and its CORS headers. Such a Location points at the proxy
// instead; one to another site, or a relative one, is left alone.
func TestProxyKeepsRedirectsOnItself(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/orders":
			http.Redirect(w, r, "http://"+r.Host+"/api/orders/?page=2", http.StatusTemporaryRedirect)
		case "/api/login":
			http.Redirect(w, r, "https://sso.example.test/login", http.StatusFound)
		case "/api/rel":
			w.Header().Set("Location", "/api/other")
			w.WriteHeader(http.StatusSeeOther)
		case "/api/https":
			http.Redirect(w, r, "https://"+r.Host+"/api/orders/", http.StatusFound)
		}
	}))
	t.Cleanup(up.Close)
	rules, _, err := NewPolicyRules(testPolicy(t))
	require.NoError(t, err)
	var log syncWriter
	p, err := New(Options{Target: up.URL, Rules: rules, RewriteRedirects: true, Log: &log})
	require.NoError(t, err)
	s, err := Listen("127.0.0.1:0", p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	defer func() {
		assert.Contains(t, log.String(), " GET /api/orders origin=http://localhost:5173 -> 307 route /api | added Access-Control-Allow-Origin: http://localhost:5173; Access-Control-Allow-Credentials: true; Access-Control-Expose-Headers: X-Request-Id; Vary: Origin | Location "+up.URL+"/api/orders/?page=2 pointed at the proxy")
		assert.Equal(t, 1, strings.Count(log.String(), "pointed at the proxy"), "the others are left alone:\n%s", log.String())
	}()
	for path, want := range map[string]string{
		"/api/orders": s.URL() + "/api/orders/?page=2",
		"/api/login":  "https://sso.example.test/login",
		"/api/rel":    "/api/other",
		"/api/https":  "https://" + up.Listener.Addr().String() + "/api/orders/",
	} {
		resp := do(t, "GET", s.URL()+path, map[string]string{"Origin": dev})
		assert.Equal(t, want, resp.Header.Get("Location"), path)
		assert.Equal(t, dev, resp.Header.Get("Access-Control-Allow-Origin"), path)
	}
}

// TestProxyLogsCookiesWithoutCredentials: a request that carries cookies
// was made with credentials: include, which a route that does not allow
// credentials answers without Access-Control-Allow-Credentials (or with
// "*"): the browser refuses the response, and the log says why and what to
// change, since the headers added look like a success.
func TestProxyLogsCookiesWithoutCredentials(t *testing.T) {
	up := startUpstream(t, false)
	var log syncWriter
	s := startProxy(t, up.URL, &log)
	do(t, "GET", s.URL()+"/public/list", map[string]string{"Origin": dev, "Cookie": "session=s1"})
	do(t, "GET", s.URL()+"/public/list", map[string]string{"Origin": dev})
	do(t, "GET", s.URL()+"/api/me", map[string]string{"Origin": dev, "Cookie": "session=s1"})
	do(t, "GET", s.URL()+"/public/list", map[string]string{"Cookie": "session=s1"})
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	require.Len(t, lines, 4, log.String())
	assert.NotContains(t, lines[3], "refuse", "no Origin: not a CORS request")
	assert.Contains(t, lines[0], `| the browser will refuse this response: the request carried cookies (credentials: include), but route /public does not allow credentials (set allow_credentials: true with the origins listed, or send it with credentials: 'omit')`)
	assert.NotContains(t, lines[1], "refuse", "no cookies, no credentials")
	assert.NotContains(t, lines[2], "refuse", "a route that allows credentials")
}

func TestProxyLogJSON(t *testing.T) {
	up := startUpstream(t, true)
	rules, _, err := NewPolicyRules(testPolicy(t))
	require.NoError(t, err)
	var log syncWriter
	p, err := New(Options{Target: up.URL, Rules: rules, Log: &log, LogJSON: true})
	require.NoError(t, err)
	s, err := Listen("127.0.0.1:0", p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	do(t, "OPTIONS", s.URL()+"/api/users/7", map[string]string{"Origin": dev, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-token"})
	do(t, "GET", s.URL()+"/api/users", map[string]string{"Origin": "https://evil.example.test\u202e\U0001F600"})
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	require.Len(t, lines, 2, log.String())
	var pre, other logLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &pre))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &other))
	assert.Equal(t, "OPTIONS", pre.Method)
	assert.Equal(t, &logPreflight{Method: "PUT", Headers: "x-token"}, pre.Preflight)
	assert.True(t, pre.AnsweredByProxy)
	assert.Equal(t, 204, pre.Status)
	assert.Equal(t, dev, pre.Added["Access-Control-Allow-Origin"])
	assert.Equal(t, "/api", pre.Route)
	assert.False(t, other.AnsweredByProxy)
	assert.Empty(t, other.Added)
	assert.NotEmpty(t, other.NoCORSHeadersWhy)
	assert.Contains(t, lines[1], `https://evil.example.test\u202e\ud83d\ude00`, "non-ASCII is escaped: a bidi override cannot reorder a terminal")
	assert.Equal(t, "https://evil.example.test\u202e\U0001F600", other.Origin, "and decodes back as it came")
	_, err = time.Parse(time.RFC3339Nano, pre.Time)
	assert.NoError(t, err)
}

// syncWriter is a buffer the proxy's handler goroutines write to.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// FuzzLogJSON: whatever a request holds, its JSON log line is one line of
// printable ASCII that decodes, with valid UTF-8 values back as they came.
func FuzzLogJSON(f *testing.F) {
	f.Add("GET", "/api", "http://localhost:5173", "x-token", "note")
	f.Add("OPT\x00IONS", "/\u202e\xff", "\x1b[31m", "\U0001F600", "\n")
	f.Fuzz(func(t *testing.T, method, path, origin, acrh, why string) {
		e := logEntry{time: time.Unix(0, 0).UTC(), method: method, path: path, origin: origin, preflight: acrh != "", acrm: "PUT", acrh: acrh, status: 204, why: why}
		line := e.json()
		for _, c := range []byte(line) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("raw byte %#x in %q", c, line)
			}
		}
		var l logLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if utf8.ValidString(path) && l.Path != path {
			t.Fatalf("path %q came back %q", path, l.Path)
		}
	})
}
