package runner

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// needFirefox skips a test without Firefox, unless
// $CORSPROOF_REQUIRE_FIREFOX is set (CI sets it).
func needFirefox(t *testing.T) {
	t.Helper()
	if _, err := harness.FindEngineBrowser(harness.EngineFirefox, ""); err != nil {
		if os.Getenv("CORSPROOF_REQUIRE_FIREFOX") != "" {
			t.Fatalf("CORSPROOF_REQUIRE_FIREFOX is set but: %v", err)
		}
		t.Skipf("no Firefox here (apt-get install firefox-esr): %v", err)
	}
}

// TestTryFixOnFirefox proves fixes in Firefox: the try-fix Firefox sends
// each target's port to its loopback mirror (network.socket.forcePort)
// and accepts the certificate of an https target's mirror for that target
// only (cert_override.txt); the https target itself is trusted through
// --ca in the first run, and the mirror verifies it against --ca alone.
func TestTryFixOnFirefox(t *testing.T) {
	needFirefox(t)
	api := testapi.NewHandler(&policy.Policy{Version: 1})
	plain, err := testapi.Start("127.0.0.1:0", api)
	require.NoError(t, err)
	t.Cleanup(func() { _ = plain.Close() })
	ca := testca.New(t, "firefox try-fix test CA")
	secure := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), api)

	const dev = "http://localhost:5173"
	q := func(base string, v url.Values) string { return base + "/x?" + v.Encode() }
	cases := []struct {
		name      string
		req       scenarios.Request
		corsError cors.CorsError
	}{
		{"http: PATCH, server allows GET and POST", scenarios.Request{URL: q(plain.URL, url.Values{"acao": {"reflect"}, "acam": {"GET,POST"}}), Method: "PATCH", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`},
			cors.ErrMethodDisallowedByPreflightResponse},
		{"https: credentials against a wildcard", scenarios.Request{URL: q(secure.URL, url.Values{"acao": {"*"}}), Credentials: "include"}, cors.ErrWildcardOriginNotAllowed},
	}
	suite := &scenarios.Suite{Name: "firefox try-fix"}
	for _, c := range cases {
		suite.Cases = append(suite.Cases, scenarios.Case{Name: c.name, Origin: dev, Request: c.req, Cookies: map[string]string{"session": "s1"}})
	}
	launches := 0
	run, err := Run(context.Background(), Config{Browser: harness.Options{Engine: harness.EngineFirefox, CAFile: ca.WriteFile(t), Timeout: 10 * time.Second},
		TryFix: true, Jobs: 1}, []*scenarios.Suite{suite}, Hooks{Launched: func(*harness.Browser) { launches++ }})
	require.NoError(t, err)
	require.Len(t, run.Records, len(cases))
	assert.Equal(t, 2, launches, "the run's Firefox and the try-fix one")
	assert.Equal(t, harness.EngineFirefox, run.Settings.Engine)
	assert.NotContains(t, strings.Join(run.Settings.Launch, "\n"), "forcePort", "the first browser moves no port")
	for i, rec := range run.Records {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, cors.VerdictBlocked, rec.Verdict, "page: %+v", rec.Page)
			assert.Equal(t, c.corsError, rec.CorsError.Canonical())
			d := rec.Diagnosis
			require.NotNil(t, d)
			require.True(t, d.FixHeaders.HasChanges(), "fix: %s", d.Fix)
			require.NotNil(t, d.FixCheck, "the fix was tried")
			assert.True(t, d.FixCheck.Verified, "%s\nfix: %s", d.FixCheck.Summary, d.Fix)
			assert.Contains(t, d.FixCheck.Summary, "Firefox")
			assert.Equal(t, cors.FixViaSecondBrowser, d.FixCheck.Via, "Firefox takes no proxy per user context here")
			t.Logf("%s: %s -> %s", rec.EngineReason, d.Fix, d.FixCheck.Summary)
		})
	}
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
