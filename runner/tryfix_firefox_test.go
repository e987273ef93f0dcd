package runner

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// needFirefox skips a test without Firefox, unless
// $CORSPROOF_REQUIRE_FIREFOX is set (CI sets it).

// testLaunchTimeout bounds a test's Firefox start, which takes far longer
// on a CI machine busy with every other package's tests than the user's
// default (harness.DefaultLaunchTimeout) allows.
const testLaunchTimeout = time.Minute

func needFirefox(t *testing.T) {
	t.Helper()
	if _, err := harness.FindEngineBrowser(harness.EngineFirefox, ""); err != nil {
		if os.Getenv("CORSPROOF_REQUIRE_FIREFOX") != "" {
			t.Fatalf("CORSPROOF_REQUIRE_FIREFOX is set but: %v", err)
		}
		t.Skipf("no Firefox here (apt-get install firefox-esr): %v", err)
	}
}

// firefoxTakesContextProxy says whether a Firefox of this version sends a
// user context through the proxy browser.createUserContext gives it:
// measured yes on ESR 153.8, no on ESR 140.12 (it accepts the parameter
// and ignores it). ok is false for versions between, not measured.
func firefoxTakesContextProxy(version string) (takes, ok bool) {
	v := strings.TrimPrefix(version, "Firefox ")
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	switch {
	case err != nil:
		return false, false
	case n >= 153:
		return true, true
	case n <= 140:
		return false, true
	}
	return false, false
}

// TestTryFixOnFirefox proves fixes of http targets on loopback in the
// run's own Firefox: a user context whose proxy is the mirrors' Front
// (network.proxy.allow_hijacking_localhost lets it take 127.0.0.1), no
// second browser. The real server sees each request of the first run again
// from the proof, header for header: the page builds the request as
// before. On a Firefox that ignores the context's proxy (ESR 140) the
// proofs fall back to a second Firefox.
func TestTryFixOnFirefox(t *testing.T) {
	needFirefox(t)
	const dev = "http://localhost:5173"
	log := &wireLog{}
	record := log.record
	other := otherHost(t, log)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		switch r.URL.Path {
		case "/patch":
			w.Header().Set("Access-Control-Allow-Origin", dev)
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		case "/credentials":
			w.Header().Set("Access-Control-Allow-Origin", "*")
		case "/away":
			http.Redirect(w, r, other.URL+"/final", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	cookies := map[string]string{"session": "s1"}
	suite := &scenarios.Suite{Name: "firefox try-fix", Cases: []scenarios.Case{
		{Name: "PATCH, server allows GET and POST", Origin: dev, Cookies: cookies,
			Request: scenarios.Request{URL: srv.URL + "/patch", Method: "PATCH", Headers: map[string]string{"Content-Type": "application/json", "X-Token": "t"}, Body: `{"a":1}`}},
		{Name: "credentials against a wildcard", Origin: dev, Cookies: cookies,
			Request: scenarios.Request{URL: srv.URL + "/credentials", Credentials: "include"}},
		{Name: "redirect to another host", Origin: dev,
			Request: scenarios.Request{URL: srv.URL + "/away"}},
	}}
	var browsers []*harness.Browser
	run, err := Run(context.Background(), Config{Browser: harness.Options{Engine: harness.EngineFirefox, Timeout: 10 * time.Second, LaunchTimeout: testLaunchTimeout},
		TryFix: true, Jobs: 1}, []*scenarios.Suite{suite}, Hooks{Launched: func(b *harness.Browser) { browsers = append(browsers, b) }})
	require.NoError(t, err)
	require.NotEmpty(t, browsers)
	assert.Equal(t, harness.EngineFirefox, run.Settings.Engine)
	launch := strings.Join(run.Settings.Launch, "\n")
	assert.NotContains(t, launch, "forcePort", "the first browser moves no port")
	takes, known := firefoxTakesContextProxy(browsers[0].Version())
	want := cors.FixViaSecondBrowser
	switch {
	case !known:
		t.Logf("%s not measured: either way is right", browsers[0].Version())
	case takes:
		want = cors.FixViaContextProxy
		assert.Len(t, browsers, 1, "the fixes are proved in the run's Firefox")
		assert.Contains(t, launch, "network.proxy.allow_hijacking_localhost=true")
	default:
		assert.Len(t, browsers, 2, "%s ignores a user context's proxy: a second Firefox proves the fixes", browsers[0].Version())
		assert.NotContains(t, launch, "allow_hijacking_localhost", "on ESR 140 it would change the page's secure context")
	}
	require.Len(t, run.Records, 3)
	for _, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, "%s page: %+v", rec.Name, rec.Page)
		d := rec.Diagnosis
		require.NotNil(t, d)
		require.True(t, d.FixHeaders.HasChanges(), "%s fix: %s", rec.Name, d.Fix)
		require.NotNil(t, d.FixCheck, "%s: the fix was tried", rec.Name)
		assert.True(t, d.FixCheck.Verified, "%s: %s\nfix: %s", rec.Name, d.FixCheck.Summary, d.Fix)
		assert.Contains(t, d.FixCheck.Summary, "Firefox")
		if known {
			assert.Equal(t, want, d.FixCheck.Via, rec.Name)
		}
		t.Logf("%s: %s: %s -> %s", rec.Name, rec.EngineReason, d.Fix, d.FixCheck.Summary)
	}
	if want != cors.FixViaContextProxy {
		return
	}
	log.assertProofRepeats(t, dev, []string{"OPTIONS /patch", "GET /credentials", "GET /away"})
	log.mu.Lock()
	defer log.mu.Unlock()
	assert.Equal(t, "session=s1", log.got["/credentials"][1].header.Get("Cookie"), "the proof's context has the case's cookies")
}

// TestFirefoxMapIssue: what Firefox can and cannot send to a loopback
// mirror.
func TestFirefoxMapIssue(t *testing.T) {
	t.Parallel()
	taken := map[string]string{"8443": "api.example.test:8443"}
	for _, tc := range []struct{ from, to, want string }{
		{"api.example.test:443", "127.0.0.1:40001", ""},
		{"127.0.0.1:8080", "127.0.0.1:40001", ""},
		{"api.example.test:8443", "127.0.0.1:40002", ""},
		{"other.example.test:8443", "127.0.0.1:40002", "port 8443 is already moved for api.example.test:8443"},
		{"10.0.0.5:443", "127.0.0.1:40001", "IP address other than 127.0.0.1"},
		{"[::1]:443", "127.0.0.1:40001", "IP address other than 127.0.0.1"},
		{"api.example.test:443", "10.0.0.9:443", "another port of 127.0.0.1 only"},
	} {
		got := harness.FirefoxMapIssue(tc.from, tc.to, taken)
		if tc.want == "" {
			assert.Empty(t, got, tc.from)
		} else {
			assert.Contains(t, got, tc.want, tc.from)
		}
	}
}

// TestTryFixOnFirefoxHTTPS: an https target's fix is proved in the run's
// Firefox too. The mirror's certificate, made before launch with the
// process's key, is accepted at the target's host:port (cert_override.txt)
// and only there: the target's real certificate, of a CA the browser does
// not know, is still refused. Where --ca accepts the real leaf at the same
// host:port, Firefox keeps that one exception and the proof goes to a
// second Firefox.
func TestTryFixOnFirefoxHTTPS(t *testing.T) {
	needFirefox(t)
	const dev = "http://localhost:5173"
	api := testapi.NewHandler(&policy.Policy{Version: 1})
	ca := testca.New(t, "firefox https try-fix test CA")
	leaf := testca.Leaf{Hosts: []string{"127.0.0.1"}}
	plain := testca.Serve(t, ca.Issue(t, leaf), api)   // not trusted by the browser
	trusted := testca.Serve(t, ca.Issue(t, leaf), api) // trusted through --ca
	wildcard := "/x?" + url.Values{"acao": {"*"}}.Encode()
	cases := []scenarios.Case{
		{Name: "mirror certificate only", Origin: dev, Cookies: map[string]string{"session": "s1"}, Request: scenarios.Request{URL: plain.URL + wildcard, Credentials: "include"}},
		{Name: "--ca on the same host:port", Origin: dev, Cookies: map[string]string{"session": "s1"}, Request: scenarios.Request{URL: trusted.URL + wildcard, Credentials: "include"}},
	}
	certs, err := firefoxMirrorCerts(cases, nil)
	require.NoError(t, err)
	require.Len(t, certs, 2)
	ctx := context.Background()
	b, err := harness.LaunchWith(ctx, harness.Firefox{}, harness.Options{Engine: harness.EngineFirefox, Timeout: 10 * time.Second, LaunchTimeout: testLaunchTimeout,
		Sinks: harness.CaseSinks(cases), CAFile: ca.WriteFile(t), CATargets: []string{cases[1].Request.URL},
		MirrorCerts: certs, ContextProxies: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	takes, known := firefoxTakesContextProxy(b.Version())
	launch := strings.Join(b.LaunchSettings(), "\n")
	_, plainPort, _ := net.SplitHostPort(strings.TrimPrefix(plain.URL, "https://"))
	_, trustedPort, _ := net.SplitHostPort(strings.TrimPrefix(trusted.URL, "https://"))
	if takes {
		assert.Contains(t, launch, "cert_override 127.0.0.1:"+plainPort+" ", "the mirror's certificate at the target's host:port")
	}
	assert.Equal(t, 1, strings.Count(launch, "cert_override 127.0.0.1:"+trustedPort+" "), "--ca's exception alone at its host:port")

	first := b.RunCases(ctx, cases, 1, harness.IsolationFresh, nil)
	require.Len(t, first, 2)
	for i := range first {
		Conclude(&first[i], nil, cases[i])
	}
	assert.Equal(t, cors.VerdictNetworkError, first[0].Verdict, "the mirror's exception trusts no other certificate: %s", first[0].NetError)
	assert.Contains(t, first[0].NetError, "SEC_ERROR_UNKNOWN_ISSUER")
	require.Equal(t, cors.VerdictBlocked, first[1].Verdict, "page: %+v", first[1].Page)
	require.Equal(t, cors.ErrWildcardOriginNotAllowed, first[1].CorsError.Canonical())
	require.True(t, needsTry(&first[1]))
	// The first target answers as the second does: its record, as the
	// first run would have made it had --ca trusted it.
	again := first[1]
	d := *first[1].Diagnosis
	again.Diagnosis, again.Name = &d, cases[0].Name
	recs := map[int]*result.Record{0: &again, 1: &first[1]}
	launches := 0
	require.NoError(t, tryFixes(ctx, b, harness.IsolationFresh, cases, recs, func(*harness.Browser) { launches++ }))
	for i, rec := range []*result.Record{&again, &first[1]} {
		c := rec.Diagnosis.FixCheck
		require.NotNil(t, c, cases[i].Name)
		assert.True(t, c.Verified, "%s: %s\nfix: %s", cases[i].Name, c.Summary, rec.Diagnosis.Fix)
		t.Logf("%s: %s", cases[i].Name, c.Summary)
	}
	if known {
		want := cors.FixViaSecondBrowser
		if takes {
			want = cors.FixViaContextProxy
		}
		assert.Equal(t, want, again.Diagnosis.FixCheck.Via, cases[0].Name)
	}
	assert.Equal(t, cors.FixViaSecondBrowser, first[1].Diagnosis.FixCheck.Via, "one certificate exception per host:port: --ca's")
	assert.Equal(t, 1, launches, "the second Firefox")
}
