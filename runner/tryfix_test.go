package runner

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/mirror"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// TestTryFixVerifiesEveryFirstFix runs realistic servers with several
// problems at once (the built-in target's query overrides make each one)
// and proves, in Chromium, that corsproof's first fix makes each request
// pass: the case runs again against a loopback mirror of the server that
// applies the structured fix.
func TestTryFixVerifiesEveryFirstFix(t *testing.T) {
	h := testapi.NewHandler(&policy.Policy{Version: 1})
	srv, err := testapi.Start("127.0.0.1:0", h)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	base := srv.URL + "/x"
	const dev = "http://localhost:5173"
	q := func(v url.Values) string { return base + "?" + v.Encode() }
	type tc struct {
		name      string
		origin    string
		req       scenarios.Request
		cookies   map[string]string
		corsError cors.CorsError
	}
	cases := []tc{
		{name: "credentials, Authorization and a cookie against a wildcard", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"*"}}), Credentials: "include", Headers: map[string]string{"Authorization": "Bearer t"}},
			cookies:   map[string]string{"session": "s1"},
			corsError: cors.ErrPreflightWildcardOriginNotAllowed},
		{name: "PATCH with a JSON body, server allows GET and POST", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acam": {"GET,POST"}}), Method: "PATCH", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "lower-case patch is not covered by PATCH", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"*"}, "acam": {"PATCH"}}), Method: "patch"},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "several custom headers, one allowed", origin: "https://app.example.test",
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acah": {"x-a"}}), Headers: map[string]string{"X-A": "1", "X-B": "2", "X-Request-Id": "3"}},
			corsError: cors.ErrHeaderDisallowedByPreflightResponse},
		{name: "redirect hop without CORS headers", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"redirect": {"/x/final?acao=reflect"}, "cors_on_errors": {"0"}})},
			corsError: cors.ErrMissingAllowOriginHeader},
		{name: "error status without CORS headers", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "status": {"500"}, "cors_on_errors": {"0"}})},
			corsError: cors.ErrMissingAllowOriginHeader},
		{name: "auth layer answers the preflight 401", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acah": {"x-token"}, "preflight_status": {"401"}, "cors_on_errors": {"0"}}), Headers: map[string]string{"X-Token": "t"}},
			corsError: cors.ErrPreflightMissingAllowOriginHeader},
		{name: "preflight redirected", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acam": {"DELETE"}, "preflight_redirect": {"/elsewhere"}}), Method: "DELETE"},
			corsError: cors.ErrPreflightDisallowedRedirect},
		{name: "trailing slash in the allowed origin", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {dev + "/"}})},
			corsError: cors.ErrAllowOriginMismatch},
		{name: "app and proxy both add the origin", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect", "*"}})},
			corsError: cors.ErrMultipleAllowOriginValues},
		{name: "credentials without Allow-Credentials", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}}), Credentials: "include"},
			corsError: cors.ErrInvalidAllowCredentials},
		{name: "wildcard methods with credentials", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acac": {"true"}, "acam": {"*"}}), Method: "PUT", Credentials: "include"},
			corsError: cors.ErrMethodDisallowedByPreflightResponse},
		{name: "wildcard headers with credentials and JSON", origin: dev,
			req:       scenarios.Request{URL: q(url.Values{"acao": {"reflect"}, "acac": {"true"}, "acam": {"PUT"}, "acah": {"*"}}), Method: "PUT", Credentials: "include", Headers: map[string]string{"Content-Type": "application/json", "X-Token": "t"}, Body: "{}"},
			corsError: cors.ErrHeaderDisallowedByPreflightResponse},
	}
	suite := &scenarios.Suite{Name: "multi-problem"}
	for _, c := range cases {
		suite.Cases = append(suite.Cases, scenarios.Case{Name: c.name, Origin: c.origin, Request: c.req, Cookies: c.cookies})
	}
	var streamed []string
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), TryFix: true}, []*scenarios.Suite{suite},
		Hooks{Record: func(rec *result.Record) { streamed = append(streamed, rec.Name) }})
	require.NoError(t, err)
	require.Len(t, run.Records, len(cases))
	assert.Len(t, streamed, len(cases), "every record is streamed once, the proved ones after their proof")
	for i, rec := range run.Records {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, cors.VerdictBlocked, rec.Verdict, "page: %+v", rec.Page)
			assert.Equal(t, c.corsError, rec.CorsError.Canonical())
			d := rec.Diagnosis
			require.NotNil(t, d)
			assert.True(t, d.AgreesWithBrowser, "model: %s", d.Summary)
			require.True(t, d.FixHeaders.HasChanges(), "fix: %s", d.Fix)
			require.NotNil(t, d.FixCheck, "the fix was tried")
			assert.True(t, d.FixCheck.Verified, "%s\nfix: %s", d.FixCheck.Summary, d.Fix)
			t.Logf("fix: %s\ncheck: %s", d.Fix, d.FixCheck.Summary)
		})
	}
}

// TestTryFixHTTPS proves fixes for https targets behind the run's own CA
// (--ca): the mirror serves a certificate made with a key only this
// process holds, which the run's browser accepts, and verifies the real
// server against the --ca CA alone.
// The first browser is this test's own, not the binary's shared one: --ca
// is a launch setting. The last server changes its certificate to another
// CA's after its first answer, as a rotation to the wrong chain would: the
// mirror then refuses to forward, and the check says so rather than blame
// the fix.
func TestTryFixHTTPS(t *testing.T) {
	ca, other := testca.New(t, "try-fix test CA"), testca.New(t, "rotated-to CA")
	api := testapi.NewHandler(&policy.Policy{Version: 1})
	srv := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), api)

	good, rotated := ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), other.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}})
	var answered atomic.Bool
	rotating := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered.Store(true)
		api.ServeHTTP(w, r)
	}))
	// GetConfigForClient, not GetCertificate: without SNI (an IP
	// address) crypto/tls would serve the first of Certificates, which
	// httptest fills with its own.
	rotating.TLS = &tls.Config{MinVersion: tls.VersionTLS12, GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		cert := good
		if answered.Load() {
			cert = rotated
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
	}}
	rotating.Config.ErrorLog = log.New(io.Discard, "", 0)
	rotating.StartTLS()
	t.Cleanup(rotating.Close)

	const dev = "http://localhost:5173"
	q := func(base string, v url.Values) string { return base + "/x?" + v.Encode() }
	type tc struct {
		name      string
		req       scenarios.Request
		corsError cors.CorsError
		// fix is the header the diagnosis must propose on the actual
		// (or, for a preflight problem, the preflight) response.
		fix      map[string]string
		verified bool
		check    string
	}
	cases := []tc{
		{name: "trailing slash in the allowed origin",
			req:       scenarios.Request{URL: q(srv.URL, url.Values{"acao": {dev + "/"}})},
			corsError: cors.ErrAllowOriginMismatch, fix: map[string]string{"Access-Control-Allow-Origin": dev},
			verified: true, check: "Verified: with these headers"},
		{name: "PATCH with a JSON body, server allows GET and POST",
			req:       scenarios.Request{URL: q(srv.URL, url.Values{"acao": {"reflect"}, "acam": {"GET,POST"}}), Method: "PATCH", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`},
			corsError: cors.ErrMethodDisallowedByPreflightResponse, fix: map[string]string{"Access-Control-Allow-Methods": "GET, POST, PATCH"},
			verified: true, check: "Verified: with these headers"},
		{name: "credentials and a cookie against a wildcard",
			req:       scenarios.Request{URL: q(srv.URL, url.Values{"acao": {"*"}}), Credentials: "include"},
			corsError: cors.ErrWildcardOriginNotAllowed, fix: map[string]string{"Access-Control-Allow-Origin": dev, "Access-Control-Allow-Credentials": "true"},
			verified: true, check: "Verified: with these headers"},
		{name: "the server's certificate changed to another CA's",
			req:       scenarios.Request{URL: q(rotating.URL, url.Values{"acao": {dev + "/"}})},
			corsError: cors.ErrAllowOriginMismatch, fix: map[string]string{"Access-Control-Allow-Origin": dev},
			check: "Not verified: the mirror could not reach the real server (forwarding to " + rotating.URL + ": tls: failed to verify certificate: x509: certificate signed by unknown authority)"},
	}
	suite := &scenarios.Suite{Name: "https"}
	for _, c := range cases {
		suite.Cases = append(suite.Cases, scenarios.Case{Name: c.name, Origin: dev, Request: c.req, Cookies: map[string]string{"session": "s1"}})
	}
	launches := 0
	run, err := Run(context.Background(), Config{Browser: harness.Options{CAFile: ca.WriteFile(t), Timeout: 10 * time.Second}, TryFix: true, Jobs: 1}, []*scenarios.Suite{suite},
		Hooks{Launched: func(*harness.Browser) { launches++ }})
	require.NoError(t, err)
	assert.Equal(t, 1, launches, "one browser: the fixes are proved in the run's own")
	require.Len(t, run.Records, len(cases))
	// The one browser accepts the mirrors' key from launch: a key made in
	// this process's memory, which no server but its mirrors has.
	pin, err := mirror.KeyPin()
	require.NoError(t, err)
	launch := strings.Join(run.Settings.Launch, "\n")
	assert.Contains(t, launch, pin)
	assert.Contains(t, launch, "--try-fix: the key of this process's loopback mirrors")
	for i, rec := range run.Records {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			require.NotNil(t, rec.CertCheck)
			require.True(t, rec.CertCheck.Trusted, "the first run trusted the target through --ca: %s", rec.CertCheck.Detail)
			require.Equal(t, cors.VerdictBlocked, rec.Verdict, "page: %+v", rec.Page)
			assert.Equal(t, c.corsError, rec.CorsError.Canonical())
			d := rec.Diagnosis
			require.NotNil(t, d)
			require.True(t, d.FixHeaders.HasChanges(), "fix: %s", d.Fix)
			change := d.FixHeaders.Actual
			if d.FixHeaders.Preflight != nil {
				change = d.FixHeaders.Preflight
			}
			require.NotNil(t, change, "fix: %s", d.Fix)
			for name, value := range c.fix {
				assert.Equal(t, value, change.Set[name], "the proposed fix sets %s; fix: %s", name, d.Fix)
			}
			require.NotNil(t, d.FixCheck, "an https target's fix is tried")
			assert.NotContains(t, d.FixCheck.Summary, "Not tried")
			assert.NotContains(t, d.FixCheck.Summary, "http targets only")
			assert.Equal(t, c.verified, d.FixCheck.Verified, "%s\nfix: %s", d.FixCheck.Summary, d.Fix)
			assert.Equal(t, cors.FixViaContextProxy, d.FixCheck.Via)
			assert.Contains(t, d.FixCheck.Summary, c.check)
			t.Logf("fix: %s\ncheck: %s", d.Fix, d.FixCheck.Summary)
		})
	}
}

// TestSharesMovedPort: on Firefox a moved port is moved for every host, so
// a case that also reaches another host on it is not tried.
func TestSharesMovedPort(t *testing.T) {
	moved := map[string]string{"8080": "api.test:8080"}
	c := scenarios.Case{Origin: "http://app.test:8080", Request: scenarios.Request{URL: "http://api.test:8080/x"}}
	assert.Empty(t, sharesMovedPort(c, &result.Record{Contacted: []string{"http://api.test:8080"}}, moved), "the page origin is answered over BiDi")
	assert.Equal(t, "other.test:8080", sharesMovedPort(c, &result.Record{Redirects: []result.Exchange{{URL: "http://other.test:8080/y"}}}, moved))
	step := c
	step.Steps = []scenarios.Step{{Request: scenarios.Request{URL: "https://b.test/z"}}}
	assert.Empty(t, sharesMovedPort(step, &result.Record{}, moved), "443 is not moved")
	assert.Equal(t, "b.test:443", sharesMovedPort(step, &result.Record{}, map[string]string{"443": "api.test:443"}))
}

// TestTryFixInTheSameBrowser proves fixes in the run's own Chromium: no
// browser is launched for the proof (the run lends its browser, and the
// Launched hook hears of every browser a run starts), each fix verifies,
// and the real server receives the same request from the proof as from
// the first run — the browser context's proxy changes where the request
// is sent, not what it says. A redirect to another host goes through the
// proxy to that host unchanged.
func TestTryFixInTheSameBrowser(t *testing.T) {
	const origin = "https://app.example.test"
	log := &wireLog{}
	record := log.record
	other := otherHost(t, log)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		switch r.URL.Path {
		case "/preflight":
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
		case "/simple":
			w.Header().Set("Access-Control-Allow-Origin", origin+"/")
		case "/away":
			http.Redirect(w, r, other.URL+"/final", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	cookies := map[string]string{"session": "s1"}
	suite := &scenarios.Suite{Name: "same-browser", Cases: []scenarios.Case{
		{Name: "preflight without the custom header", Origin: origin, Cookies: cookies,
			Request: scenarios.Request{URL: srv.URL + "/preflight", Method: "PUT", Credentials: "include", Headers: map[string]string{"X-Token": "t", "Content-Type": "application/json"}, Body: "{}"}},
		{Name: "simple GET, trailing slash", Origin: origin, Cookies: cookies,
			Request: scenarios.Request{URL: srv.URL + "/simple", Credentials: "include"}},
		{Name: "redirect to another host", Origin: origin,
			Request: scenarios.Request{URL: srv.URL + "/away"}},
	}}
	launches := 0
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), TryFix: true, Jobs: 1}, []*scenarios.Suite{suite},
		Hooks{Launched: func(*harness.Browser) { launches++ }})
	require.NoError(t, err)
	assert.Zero(t, launches, "the fixes are proved in the run's browser")
	require.Len(t, run.Records, 3)
	for _, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		require.NotNil(t, rec.Diagnosis.FixCheck, rec.Name)
		assert.True(t, rec.Diagnosis.FixCheck.Verified, "%s: %s\nfix: %s", rec.Name, rec.Diagnosis.FixCheck.Summary, rec.Diagnosis.Fix)
		assert.Equal(t, cors.FixViaContextProxy, rec.Diagnosis.FixCheck.Via, rec.Name)
	}
	log.assertProofRepeats(t, origin, []string{"OPTIONS /preflight", "GET /simple", "GET /away"})
}

// TestTryFixUnderLNAEnforce: Chromium applies no Local Network Access
// check to a request sent through a browser context's proxy (the direct
// request from a public page to loopback is blocked, the same request
// through the mirrors' Front is not), so under --lna enforce a proof that
// reached a host besides its mirrored target is not called verified; one
// that reached only the target (which passed the check in the first run)
// is.
func TestTryFixUnderLNAEnforce(t *testing.T) {
	other := otherHost(t, &wireLog{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/final", http.StatusFound)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin")+"/")
	}))
	t.Cleanup(srv.Close)
	public := scenarios.Case{Name: "public page to loopback", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/x"}}
	suite := &scenarios.Suite{Name: "lna", Cases: []scenarios.Case{
		{Name: "localhost page, trailing slash", Origin: "http://localhost:5173", Request: scenarios.Request{URL: srv.URL + "/x"}},
		{Name: "localhost page, redirect to another host", Origin: "http://localhost:5173", Request: scenarios.Request{URL: srv.URL + "/away"}},
	}}
	b, err := harness.Launch(context.Background(), harness.Options{LNA: harness.LNAEnforce, Timeout: 10 * time.Second, Sinks: harness.CaseSinks(append(suite.Cases, public))})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })

	front, err := mirror.StartFront(nil, false)
	require.NoError(t, err)
	direct := b.RunCases(context.Background(), []scenarios.Case{public}, 1, harness.IsolationClean, nil)
	proxied := b.RunCasesThrough(context.Background(), []scenarios.Case{public}, 1, harness.IsolationClean, front.Addr(), nil)
	require.NoError(t, front.Close())
	require.Len(t, direct, 1)
	require.Len(t, proxied, 1)
	assert.Equal(t, cors.ErrLocalNetworkAccessPermissionDenied, direct[0].CorsError.Canonical(), "direct: %s", direct[0].Verdict)
	assert.Equal(t, cors.ErrAllowOriginMismatch, proxied[0].CorsError.Canonical(), "through a proxy Chromium makes no Local Network Access check: the request reaches the server, whose answer fails CORS")

	run, err := Run(context.Background(), Config{Reuse: b, TryFix: true, Jobs: 1}, []*scenarios.Suite{suite}, Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, 2)
	for _, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		require.NotNil(t, rec.Diagnosis.FixCheck, rec.Name)
		t.Logf("%s: %s", rec.Name, rec.Diagnosis.FixCheck.Summary)
	}
	assert.True(t, run.Records[0].Diagnosis.FixCheck.Verified, "only the target, which passed the check in the first run")
	c := run.Records[1].Diagnosis.FixCheck
	assert.False(t, c.Verified)
	assert.Contains(t, c.Summary, "also reaches "+strings.TrimPrefix(other.URL, "http://"), "the other host, local, is not connected to by the proof")
	assert.Contains(t, c.Summary, "no Local Network Access check")
}

// wireLog is what a real server received, by path: the proofs' tests
// compare the first run's requests with the proof's.
type wireLog struct {
	mu  sync.Mutex
	got map[string][]seenRequest
}

type seenRequest struct {
	method string
	header http.Header
}

func (l *wireLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.got == nil {
		l.got = map[string][]seenRequest{}
	}
	l.got[r.URL.Path] = append(l.got[r.URL.Path], seenRequest{r.Method, r.Header.Clone()})
}

// otherHost is a second server, on 127.0.0.2, that a case redirects to:
// the redirect across origins makes the Origin null, so it allows *.
func otherHost(t *testing.T, log *wireLog) *httptest.Server {
	t.Helper()
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.record(r)
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	require.NoError(t, err)
	other.Listener = ln
	other.Start()
	t.Cleanup(other.Close)
	return other
}

// assertProofRepeats checks that the real server saw each request ("METHOD
// /path") of the first run again from the proof, header for header, from
// origin, and that the redirect's other host was reached once, by the
// proof, through the proxy. Connection is hop-by-hop: the mirror's own
// connection to the server does not repeat the browser's keep-alive
// (HTTP/1.1's default).
func (l *wireLog) assertProofRepeats(t *testing.T, origin string, requests []string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, req := range requests {
		method, path, _ := strings.Cut(req, " ")
		var first []http.Header
		for _, r := range l.got[path] {
			assert.NotContains(t, r.header, "Proxy-Connection", "a hop-by-hop header of the proxy")
			if r.method == method {
				h := r.header.Clone()
				h.Del("Connection")
				first = append(first, h)
			}
		}
		require.Len(t, first, 2, "%s: the first run's and the proof's", req)
		assert.Equal(t, first[0], first[1], req)
		assert.Equal(t, origin, first[1].Get("Origin"))
		assert.Equal(t, "cross-site", first[1].Get("Sec-Fetch-Site"))
	}
	require.Len(t, l.got["/final"], 1, "the other host is reached once, by the proof, through the proxy")
	assert.Equal(t, "null", l.got["/final"][0].header.Get("Origin"))
}

// TestTryFixInterrupted: a signal while a proof runs leaves that proof and
// the ones after it "not tried: the run was interrupted", instead of "the
// case did not run again" (which reads as a fault) and nothing.
func TestTryFixInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		if r.URL.Path == "/a" && seen["/a"] == 2 {
			// The first proof's request: the user presses Ctrl-C.
			cancel()
		}
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	suite := &scenarios.Suite{Name: "interrupted", Cases: []scenarios.Case{
		{Name: "a", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/a"}},
		{Name: "b", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/b"}},
	}}
	run, err := Run(ctx, Config{Reuse: testbrowser.Get(t), TryFix: true, Jobs: 1}, []*scenarios.Suite{suite}, Hooks{})
	require.ErrorContains(t, err, "interrupted")
	require.Len(t, run.Records, 2)
	for _, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		require.NotNil(t, rec.Diagnosis.FixCheck, rec.Name)
		assert.Equal(t, "Not tried: the run was interrupted before this proof finished", rec.Diagnosis.FixCheck.Summary, rec.Name)
	}
}
