package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/audit"
	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// TestMain closes the test binary's one browser (internal/testbrowser),
// launched by the first test that needs it.
func TestMain(m *testing.M) { testbrowser.Main(m) }

// The legitimate front end and the victim's session cookie of every
// mistake server.
const (
	legit   = "https://app.example.com"
	session = "s3cret-session-value"
)

// suffixRegexp is the classic broken pattern: unescaped start, no end
// anchor.
var suffixRegexp = regexp.MustCompile(`^https://.*example\.com`)

// mistakes models the origin checks real servers ship, one path each. A
// request carrying the session cookie gets the account; one without gets
// nothing of the user's. Every origin-dependent answer says Vary: Origin
// but on the -novary paths (and -private, which says Cache-Control:
// private instead).
func mistakes(t *testing.T) string {
	t.Helper()
	allow := map[string]func(origin string) bool{
		"/reflect":  func(string) bool { return true },
		"/regex":    suffixRegexp.MatchString,
		"/endswith": func(o string) bool { return strings.HasSuffix(o, "example.com") },
		"/subdomains": func(o string) bool {
			h, ok := strings.CutPrefix(o, "https://")
			return ok && strings.HasSuffix(h, ".example.com")
		},
		"/null":              func(o string) bool { return o == "null" },
		"/allowlist":         func(o string) bool { return o == legit },
		"/reflect-novary":    func(string) bool { return true },
		"/allowlist-novary":  func(o string) bool { return o == legit },
		"/allowlist-private": func(o string) bool { return o == legit },
		"/public":            nil,
		"/wildcard-creds":    nil,
		"/reflect-nocreds":   func(string) bool { return true },
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		check, ok := allow[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case r.URL.Path == "/public":
			w.Header().Set("Access-Control-Allow-Origin", "*")
		case r.URL.Path == "/wildcard-creds":
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		default:
			switch {
			case strings.HasSuffix(r.URL.Path, "-private"):
				w.Header().Set("Cache-Control", "private, max-age=60")
			case !strings.HasSuffix(r.URL.Path, "-novary"):
				w.Header().Set("Vary", "Origin")
			}
			if origin != "" && check(origin) {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				if r.URL.Path != "/reflect-nocreds" {
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if c, err := r.Cookie("session"); err == nil && c.Value == session {
			fmt.Fprintf(w, `{"account":"alice@example.com","session":%q}`, c.Value)
			return
		}
		fmt.Fprint(w, `{"account":null}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAuditMistakes audits every mistake server in one run: each gives
// exactly its finding with its severity, the correct allow-list none, and
// each PoC page, opened at its origin, reads what the finding claims. An
// answer that depends on the Origin without Vary: Origin gives a Vary
// finding besides, whether the origin is reflected or the allow-list
// answers the legitimate origin only; a static "*" does not vary.
func TestAuditMistakes(t *testing.T) {
	base := mistakes(t)
	paths := []string{"/reflect", "/regex", "/endswith", "/subdomains", "/null", "/public", "/wildcard-creds", "/allowlist",
		"/reflect-novary", "/allowlist-novary", "/allowlist-private", "/reflect-nocreds"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, base+p)
	}
	plan, err := audit.NewPlan(audit.Options{URLs: urls, Origins: []string{legit}, Cookies: map[string]string{"session": session}})
	require.NoError(t, err)
	run, err := runner.Run(context.Background(), runner.Config{Reuse: testbrowser.Get(t), Jobs: 2}, []*scenarios.Suite{plan.Suite}, runner.Hooks{})
	require.NoError(t, err)
	rep := audit.Classify(plan, run)
	require.Empty(t, rep.Incomplete, "every check has a verdict")

	type want struct {
		rule     string
		severity audit.Severity
		kinds    []string
	}
	byURL, varyByURL := map[string][]audit.Finding{}, map[string][]audit.Finding{}
	for _, f := range rep.Findings {
		if f.Rule == audit.RuleVaryMissing || f.Rule == audit.RulePreflightVaryMissing {
			varyByURL[f.URL] = append(varyByURL[f.URL], f)
			continue
		}
		byURL[f.URL] = append(byURL[f.URL], f)
	}
	for _, tc := range []struct {
		desc, path string
		want       *want
		// vary is the severity of the Vary finding; empty: none expected.
		vary audit.Severity
	}{
		{"reflect any origin with credentials", "/reflect", &want{audit.RuleOriginReflected, audit.SeverityHigh, nil}, ""},
		{"regex accepting suffixes", "/regex", &want{audit.RuleLookalikeOrigin, audit.SeverityHigh,
			[]string{contract.KindSuffix, contract.KindPrefix, contract.KindSubdomain, contract.KindPort, audit.KindUnescapedDot, audit.KindSpecialChar}}, ""},
		{"endsWith example.com", "/endswith", &want{audit.RuleLookalikeOrigin, audit.SeverityHigh,
			[]string{contract.KindPrefix, contract.KindSubdomain, contract.KindScheme, audit.KindUnescapedDot}}, ""},
		{"every https subdomain of example.com", "/subdomains", &want{audit.RuleLookalikeOrigin, audit.SeverityHigh,
			[]string{contract.KindPrefix, contract.KindSubdomain}}, ""},
		{"null allowed with credentials", "/null", &want{audit.RuleNullOrigin, audit.SeverityHigh, []string{audit.KindNull}}, ""},
		{"* without credentials on a public route", "/public", &want{audit.RuleWildcardOrigin, audit.SeverityInfo, nil}, ""},
		{"* with credentials: the browser refuses the credentialed read", "/wildcard-creds", &want{audit.RuleWildcardOrigin, audit.SeverityInfo, nil}, ""},
		{"correct allow-list", "/allowlist", nil, ""},
		{"reflect any origin, without Vary", "/reflect-novary", &want{audit.RuleOriginReflected, audit.SeverityHigh, nil}, audit.SeverityInfo},
		{"allow-list without Vary", "/allowlist-novary", nil, audit.SeverityInfo},
		{"allow-list without Vary, but Cache-Control: private", "/allowlist-private", nil, audit.SeverityNone},
		// No credentials allowed: the credentialed read is refused, the
		// uncredentialed one is not, from any origin the server trusts.
		{"reflect any origin without credentials", "/reflect-nocreds", &want{audit.RuleOriginReflected, audit.SeverityMedium, nil}, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			vary := varyByURL[base+tc.path]
			if tc.vary == "" {
				assert.Empty(t, vary)
			} else {
				require.Len(t, vary, 1, "one Vary finding: %+v", vary)
				v := vary[0]
				assert.Equal(t, audit.RuleVaryMissing, v.Rule)
				assert.Equal(t, tc.vary, v.Severity, v.Why)
				assert.Nil(t, v.Read, "a Vary finding reads nothing")
				assert.Contains(t, v.Why, "`corsproof probe "+v.URL+" --origin ")
				assert.Contains(t, v.Why, " --via edge=https://YOUR-CDN --cache-check`")
				require.NotNil(t, v.Actual)
				assert.Empty(t, v.Actual.ResponseHeaders["Vary"], "the evidence is a response the browser saw without Vary")
				if tc.path == "/reflect-novary" {
					assert.Contains(t, v.Why, "got \"http://evil.test\", its own origin, back", "reflection proves it")
				} else {
					assert.Contains(t, v.Why, legit+` got "`+legit+`"`, "the legitimate origin's own answer proves it")
					assert.Equal(t, legit, v.Answers[0].AllowOrigin)
					assert.Equal(t, []string{legit}, v.Answers[0].Origins)
				}
			}
			got := byURL[base+tc.path]
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1, "exactly one finding: %+v", got)
			f := got[0]
			assert.Equal(t, tc.want.rule, f.Rule)
			assert.Equal(t, tc.want.severity, f.Severity, f.Why)
			if tc.want.kinds != nil {
				assert.ElementsMatch(t, tc.want.kinds, f.Kinds)
			}
			require.NotNil(t, f.Read)
			assert.NotContains(t, f.Read.Excerpt, session, "the excerpt is redacted")
			if f.Severity == audit.SeverityHigh {
				assert.Contains(t, f.Read.Excerpt, "alice@example.com", "a high finding read the account")
				assert.Equal(t, []string{"session"}, f.CookiesSent)
			}
		})
	}
	// endsWith("example.com") lets in a domain anyone can register; trusting
	// one's own subdomains does not, and the findings must tell them apart.
	assert.Contains(t, byURL[base+"/endswith"][0].Origins, "https://evilexample.com")
	assert.Equal(t, "https://evilexample.com", byURL[base+"/endswith"][0].Origin, "the registrable look-alike is the witness")
	assert.Contains(t, byURL[base+"/regex"][0].Origins, "https://evilexample.com")
	assert.NotContains(t, byURL[base+"/subdomains"][0].Origins, "https://evilexample.com")
	assert.Contains(t, byURL[base+"/subdomains"][0].Why, "every origin that read is a host under example.com")
	assert.NotContains(t, byURL[base+"/endswith"][0].Why, "every origin that read is a host under")

	// Refused although a scanner would flag it: * with credentials.
	wc := byURL[base+"/wildcard-creds"]
	require.Len(t, wc, 1)
	require.NotEmpty(t, wc[0].Refused)
	assert.Contains(t, wc[0].Refused[0].Why, "refused by every browser")

	dir := t.TempDir()
	require.NoError(t, audit.WritePoCs(dir, rep))
	for _, f := range rep.Findings {
		if f.Read == nil {
			assert.Empty(t, f.PoC, "no PoC for a finding that read nothing: %s", f.Rule)
			continue
		}
		t.Run("poc "+f.URL, func(t *testing.T) {
			require.NotEmpty(t, f.PoC)
			assert.Equal(t, dir, filepath.Dir(f.PoC))
			html, err := os.ReadFile(f.PoC)
			require.NoError(t, err)
			page, err := pages.Document(f.Origin, html)
			require.NoError(t, err)
			var res audit.PoCResult
			require.NoError(t, testbrowser.Get(t).OpenDocument(context.Background(), page, f.URL, f.Evidence.Record.Cookies, "window.corsproofPoC", &res))
			require.True(t, res.OK, "the PoC page read the response: %s", res.Error)
			assert.Equal(t, f.Read.Status, res.Status)
			assert.Equal(t, f.Evidence.Record.Page.Body, res.Body, "the PoC reads exactly what the audit's page read")
			if f.Severity == audit.SeverityHigh {
				assert.Contains(t, res.Body, "alice@example.com")
			}
		})
	}
}

// TestAuditPreflighted: with -H the audit adds a preflighted check, and the
// browser's preflight decides it. The server reflects every origin with
// credentials but allows no request header: the reads are high, the
// preflighted requests refused with the browser's reason. Its preflight
// responses lack the Vary: Origin its other responses have: a
// preflight Vary finding.
func TestAuditPreflighted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Vary", "Origin")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	plan, err := audit.NewPlan(audit.Options{URLs: []string{srv.URL + "/me"}, Headers: map[string]string{"X-Token": "t0ken-value"}})
	require.NoError(t, err)
	require.Len(t, plan.Checks, 12, "4 attacker origins of an IP origin, 3 checks each")
	run, err := runner.Run(context.Background(), runner.Config{Reuse: testbrowser.Get(t), Jobs: 2}, []*scenarios.Suite{plan.Suite}, runner.Hooks{})
	require.NoError(t, err)
	rep := audit.Classify(plan, run)
	require.Empty(t, rep.Incomplete)
	require.Len(t, rep.Findings, 2, "%+v", rep.Findings)
	pv := rep.Findings[1]
	assert.Equal(t, audit.RulePreflightVaryMissing, pv.Rule)
	assert.Equal(t, audit.SeverityInfo, pv.Severity)
	require.NotNil(t, pv.Preflight)
	assert.Equal(t, "OPTIONS", pv.Preflight.Method)
	assert.Contains(t, pv.Why, "4 of the 4 preflight responses the audit saw lack `Vary: Origin`")
	// The confirming probe makes the preflight: the header and credentials
	// of the preflighted check, the token's value a placeholder.
	assert.Regexp(t, "`corsproof probe "+regexp.QuoteMeta(srv.URL)+`/me --origin \S+ -H 'X-Token: REPLACE-ME' --credentials include --via edge=https://YOUR-CDN --cache-check`+"`", pv.Why)
	f := rep.Findings[0]
	assert.Equal(t, audit.RuleOriginReflected, f.Rule)
	assert.Equal(t, audit.SeverityHigh, f.Severity)
	assert.Equal(t, "http://evil.test", f.Origin)
	require.NotEmpty(t, f.Refused)
	for _, o := range f.Refused {
		assert.Equal(t, audit.CheckPreflighted, o.Check.Kind)
		assert.Equal(t, "HeaderDisallowedByPreflightResponse", string(o.CorsError.Canonical()))
		assert.Equal(t, "x-token", o.FailedParameter)
		require.NotNil(t, o.Record.Preflight, "the browser sent the preflight")
	}
}
