package audit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// server answers one check as a model server would, and says whether the
// browser let the page read: the classification under test only sees the
// record, as it does after a real run.
type server func(c scenarios.Case, kind string) (acao, acac string, sent bool)

// fakeRun makes the record of every case of the plan from a model server,
// applying the browser's rules for the few answers used here.
func fakeRun(p *Plan, srv server) *result.Run {
	run := &result.Run{Settings: result.Settings{Browser: "test"}}
	for i, c := range p.Suite.Cases {
		acao, acac, sent := srv(c, p.Checks[i].Origin.Kind)
		rec := result.Record{Name: c.Name, Origin: c.Origin, Request: c.Request}
		// Every answer says Vary: Origin, as a careful server's does;
		// TestClassifyVary takes it away.
		h := map[string]string{"Vary": "Origin"}
		if acao != "" {
			h["Access-Control-Allow-Origin"] = acao
		}
		if acac != "" {
			h["Access-Control-Allow-Credentials"] = acac
		}
		rec.Actual = &result.Exchange{Method: "GET", URL: c.Request.URL, Status: 200, RequestHeaders: map[string]string{"Origin": c.Origin}, ResponseHeaders: h}
		if sent && len(c.Cookies) > 0 {
			rec.Actual.CookiesSent = []string{"session"}
		} else if len(c.Cookies) > 0 {
			rec.Actual.CookiesBlocked = []result.Cookie{{Name: "session", Reasons: []string{"UserPreferences"}}}
		}
		cred := c.Request.Credentials == scenarios.CredentialsInclude
		switch {
		case acao == "":
			rec.Verdict, rec.CorsError = cors.VerdictBlocked, "MissingAllowOriginHeader"
		case acao == "*" && cred:
			rec.Verdict, rec.CorsError = cors.VerdictBlocked, "WildcardOriginNotAllowed"
		case acao != "*" && acao != c.Origin:
			rec.Verdict, rec.CorsError = cors.VerdictBlocked, "AllowOriginMismatch"
		case cred && acac != "true":
			rec.Verdict, rec.CorsError = cors.VerdictBlocked, "InvalidAllowCredentials"
		default:
			rec.Verdict = cors.VerdictAllowed
			rec.Page = result.Page{OK: true, Status: 200, Type: "cors", Body: `{"token":"abc-secret","user":"alice"}`}
		}
		run.Records = append(run.Records, rec)
	}
	return run
}

func TestClassify(t *testing.T) {
	t.Parallel()
	url := "https://api.example.com/me"
	withCookie := Options{URLs: []string{url}, Origins: []string{"https://app.example.com"}, Cookies: map[string]string{"session": "abc-secret"}}
	noCookie := Options{URLs: []string{url}, Origins: []string{"https://app.example.com"}}
	reflect := func(c scenarios.Case, _ string) (string, string, bool) { return c.Origin, "true", true }
	type want struct {
		rule     string
		severity Severity
	}
	for _, tc := range []struct {
		desc string
		opts Options
		srv  server
		want []want
		why  string
	}{
		{"reflection with the cookie sent: high, one finding for every origin", withCookie, reflect,
			[]want{{RuleOriginReflected, SeverityHigh}}, "with the user's cookies (session)"},
		{"reflection, no cookie given: still high, the credentials went", noCookie, reflect,
			[]want{{RuleOriginReflected, SeverityHigh}}, "give --cookie"},
		{"reflection but the browser withheld the cookie: medium", withCookie,
			func(c scenarios.Case, _ string) (string, string, bool) { return c.Origin, "true", false },
			[]want{{RuleOriginReflected, SeverityMedium}}, "withheld the seeded cookies; session: UserPreferences"},
		{"reflection without credentials allowed: medium, credentialed reads refused", withCookie,
			func(c scenarios.Case, _ string) (string, string, bool) { return c.Origin, "", true },
			[]want{{RuleOriginReflected, SeverityMedium}}, "the server trusts this origin"},
		{"* on a public endpoint: info", withCookie,
			func(scenarios.Case, string) (string, string, bool) { return "*", "", true },
			[]want{{RuleWildcardOrigin, SeverityInfo}}, "harmless for public data"},
		{"* on an endpoint marked private: medium", Options{URLs: []string{url}, Private: true},
			func(scenarios.Case, string) (string, string, bool) { return "*", "", true },
			[]want{{RuleWildcardOrigin, SeverityMedium}}, "marked --private"},
		{"look-alikes only: one finding listing the kinds", withCookie,
			func(c scenarios.Case, kind string) (string, string, bool) {
				if kind == KindArbitrary || kind == KindNull {
					return "", "", true
				}
				return c.Origin, "true", true
			},
			[]want{{RuleLookalikeOrigin, SeverityHigh}}, ""},
		// Trusting one's own subdomains: high (the page read with the
		// cookie), and the why says what the attacker needs first.
		{"every subdomain of the front end's domain", withCookie,
			func(c scenarios.Case, kind string) (string, string, bool) {
				if h, ok := strings.CutPrefix(c.Origin, "https://"); ok && strings.HasSuffix(h, ".example.com") {
					return c.Origin, "true", true
				}
				return "", "", true
			},
			[]want{{RuleLookalikeOrigin, SeverityHigh}}, "every origin that read is a host under example.com: an attacker must first control one (a subdomain takeover, or script injected there)"},
		{"null with credentials beside * without: two mistakes", withCookie,
			func(c scenarios.Case, kind string) (string, string, bool) {
				if kind == KindNull {
					return "null", "true", true
				}
				return "*", "", true
			},
			[]want{{RuleNullOrigin, SeverityHigh}, {RuleWildcardOrigin, SeverityInfo}}, ""},
		// A fallback of "null" for origins off the list: only null pages
		// read, and the refused answers to the others belong to that
		// finding; nothing was reflected.
		{"null for every origin off the list: one null-origin finding", withCookie,
			func(c scenarios.Case, kind string) (string, string, bool) {
				if c.Origin == "https://app.example.com" {
					return c.Origin, "true", true
				}
				return "null", "true", true
			},
			[]want{{RuleNullOrigin, SeverityHigh}}, ""},
		{"the origin echoed to a page that never gets to read: none, with the reason", withCookie,
			func(c scenarios.Case, _ string) (string, string, bool) { return c.Origin + "/", "true", true },
			nil, ""},
		{"a correct allow-list: nothing", withCookie,
			func(scenarios.Case, string) (string, string, bool) { return "", "", true },
			nil, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(tc.opts)
			require.NoError(t, err)
			rep := Classify(p, fakeRun(p, tc.srv))
			var got []want
			for _, f := range rep.Findings {
				got = append(got, want{f.Rule, f.Severity})
				if len(tc.opts.Cookies) > 0 {
					assert.NotContains(t, f.Read.Excerpt, "abc-secret", "excerpts are redacted")
				}
			}
			assert.Equal(t, tc.want, got)
			if tc.why != "" {
				require.NotEmpty(t, rep.Findings)
				assert.Contains(t, rep.Findings[0].Why, tc.why)
			}
			assert.Empty(t, rep.Incomplete)
		})
	}
}

func TestClassifyRefusedButFlagged(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(Options{URLs: []string{"http://127.0.0.1:8080/x"}, Cookies: map[string]string{"s": "v"}})
	require.NoError(t, err)
	// * with credentials allowed, and credentialed reads only: what header
	// scanners flag as exploitable.
	run := fakeRun(p, func(scenarios.Case, string) (string, string, bool) { return "*", "true", true })
	var cred []result.Record
	for i, r := range run.Records {
		if p.Checks[i].Kind == CheckCredentialed {
			cred = append(cred, r)
		}
	}
	run.Records = cred
	rep := Classify(p, run)
	require.Len(t, rep.Findings, 1)
	f := rep.Findings[0]
	assert.Equal(t, SeverityNone, f.Severity)
	assert.Contains(t, f.Title, "the browser refused every read")
	assert.Contains(t, f.Why, `"*" with credentials is refused by every browser`)
	assert.Len(t, f.Refused, 4)
	assert.False(t, rep.Fails(SeverityInfo))
	assert.True(t, rep.Fails(SeverityNone))
}

func TestClassifyIncomplete(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(Options{URLs: []string{"http://127.0.0.1:8080/x"}})
	require.NoError(t, err)
	run := &result.Run{Records: []result.Record{{Name: p.Suite.Cases[0].Name, Verdict: cors.VerdictTimeout}}}
	rep := Classify(p, run)
	assert.Empty(t, rep.Findings)
	require.Len(t, rep.Incomplete, 1)
	assert.Contains(t, rep.Incomplete[0].Why, "timeout")

	// A network error says what the browser saw (here a redirect loop),
	// not the page's "Failed to fetch", which every network error gives.
	run = &result.Run{Records: []result.Record{{Name: p.Suite.Cases[0].Name, Verdict: cors.VerdictNetworkError, NetError: "net::ERR_TOO_MANY_REDIRECTS",
		Page: result.Page{Error: "TypeError: Failed to fetch"}}}}
	rep = Classify(p, run)
	require.Len(t, rep.Incomplete, 1)
	assert.Equal(t, "no verdict: network-error net::ERR_TOO_MANY_REDIRECTS", rep.Incomplete[0].Why)
}

func TestClassifyVary(t *testing.T) {
	t.Parallel()
	url := "https://api.example.com/me"
	legit := "https://app.example.com"
	opts := Options{URLs: []string{url}, Origins: []string{legit}, Cookies: map[string]string{"session": "abc-secret"}}
	allowList := func(c scenarios.Case, _ string) (string, string, bool) {
		if c.Origin == legit {
			return legit, "true", true
		}
		return "", "", true
	}
	reflect := func(c scenarios.Case, _ string) (string, string, bool) { return c.Origin, "true", true }
	static := func(scenarios.Case, string) (string, string, bool) { return "*", "", true }
	staticLegit := func(scenarios.Case, string) (string, string, bool) { return legit, "true", true }
	// edit changes every actual response's headers.
	edit := func(set map[string]string) func(*result.Record) {
		return func(r *result.Record) {
			for k, v := range set {
				if v == "" {
					delete(r.Actual.ResponseHeaders, k)
				} else {
					r.Actual.ResponseHeaders[k] = v
				}
			}
		}
	}
	noVary := edit(map[string]string{"Vary": ""})
	type want struct {
		rule     string
		severity Severity
	}
	for _, tc := range []struct {
		desc string
		srv  server
		edit func(*result.Record)
		want []want
		why  string
	}{
		{"an allow-list without Vary: info", allowList, noVary,
			[]want{{RuleVaryMissing, SeverityInfo}}, `https://app.example.com got "https://app.example.com", https://evil.test got no Access-Control-Allow-Origin`},
		{"an allow-list with Vary: nothing", allowList, func(*result.Record) {}, nil, ""},
		{"Vary only where the origin is allowed: the refusals lack it", allowList, func(r *result.Record) {
			if r.Origin != legit {
				noVary(r)
			}
		}, []want{{RuleVaryMissing, SeverityInfo}}, "22 of the 23 responses the audit saw lack `Vary: Origin`"},
		{"Vary: * keeps every cache off", allowList, edit(map[string]string{"Vary": "*"}), nil, ""},
		{"reflection without Vary: the read, and the cache risk", reflect, noVary,
			[]want{{RuleOriginReflected, SeverityHigh}, {RuleVaryMissing, SeverityInfo}}, ""},
		{"no Vary but Cache-Control: private: none", allowList, edit(map[string]string{"Vary": "", "Cache-Control": "private, max-age=60"}),
			[]want{{RuleVaryMissing, SeverityNone}}, ""},
		{"no Vary, and no-store on the refusals only: info", allowList, func(r *result.Record) {
			noVary(r)
			if r.Origin != legit {
				r.Actual.ResponseHeaders["Cache-Control"] = "no-store"
			}
		}, []want{{RuleVaryMissing, SeverityInfo}}, ""},
		{"a static * does not vary", static, noVary, []want{{RuleWildcardOrigin, SeverityInfo}}, ""},
		{"a static single origin does not vary, though the front end gets itself back", staticLegit, noVary, nil, ""},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(opts)
			require.NoError(t, err)
			run := fakeRun(p, tc.srv)
			for i := range run.Records {
				tc.edit(&run.Records[i])
			}
			rep := Classify(p, run)
			var got []want
			var vary *Finding
			for i, f := range rep.Findings {
				got = append(got, want{f.Rule, f.Severity})
				if f.Rule == RuleVaryMissing {
					vary = &rep.Findings[i]
				}
			}
			assert.Equal(t, tc.want, got)
			if vary == nil {
				return
			}
			assert.Nil(t, vary.Read, "a Vary finding reads nothing")
			assert.NotEmpty(t, vary.Answers)
			assert.Contains(t, vary.Why, "--cache-check")
			if tc.why != "" {
				assert.Contains(t, vary.Why, tc.why)
			}
			if vary.Severity == SeverityInfo {
				assert.Contains(t, vary.Why, "Info, not higher")
				assert.Empty(t, vary.Evidence.Record.Actual.ResponseHeaders["Cache-Control"], "the evidence is a response a cache may keep")
			} else {
				assert.Contains(t, vary.Title, "Cache-Control keeps it out of shared caches")
			}
		})
	}
}

func TestClassifyPreflightVary(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(Options{URLs: []string{"https://api.example.com/me"}, Origins: []string{"https://app.example.com"}, Headers: map[string]string{"X-Token": "t"}})
	require.NoError(t, err)
	run := fakeRun(p, func(c scenarios.Case, _ string) (string, string, bool) {
		if c.Origin == "https://app.example.com" {
			return c.Origin, "true", true
		}
		return "", "", true
	})
	for i := range run.Records {
		r := &run.Records[i]
		if p.Checks[i].Kind != CheckPreflighted {
			continue
		}
		// The preflight answers as the actual response does, without Vary.
		pf := *r.Actual
		pf.Method, pf.ResponseHeaders = "OPTIONS", map[string]string{}
		for k, v := range r.Actual.ResponseHeaders {
			if k != "Vary" {
				pf.ResponseHeaders[k] = v
			}
		}
		r.Preflight = &pf
	}
	rep := Classify(p, run)
	require.Len(t, rep.Findings, 1, "%+v", rep.Findings)
	f := rep.Findings[0]
	assert.Equal(t, RulePreflightVaryMissing, f.Rule)
	assert.Equal(t, SeverityInfo, f.Severity)
	assert.Contains(t, f.Why, "preflight responses the audit saw lack `Vary: Origin`")
	assert.Equal(t, "OPTIONS", f.Preflight.Method)
}

// TestClassifyVaryErrorStatus: a static "*" whose rate limiter answers
// some checks 429 without CORS headers does not vary with the Origin.
func TestClassifyVaryErrorStatus(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(Options{URLs: []string{"https://api.example.com/me"}, Origins: []string{"https://app.example.com"}})
	require.NoError(t, err)
	run := fakeRun(p, func(scenarios.Case, string) (string, string, bool) { return "*", "", true })
	for i := range run.Records {
		r := &run.Records[i]
		delete(r.Actual.ResponseHeaders, "Vary")
		if i%3 == 0 {
			r.Actual.Status = 429
			delete(r.Actual.ResponseHeaders, "Access-Control-Allow-Origin")
		}
	}
	for _, f := range Classify(p, run).Findings {
		assert.NotEqual(t, RuleVaryMissing, f.Rule, f.Why)
	}
}

// TestClassifyVaryIgnoresOtherStatuses: an allow-list that says Vary:
// Origin on every 200, and whose rate limiter answers some checks 429
// with neither CORS headers nor Vary, has nothing to fix: the 429 is the
// same for every origin. The 429s lacking Vary on the allow-list without
// Vary are not counted either.
func TestClassifyVaryIgnoresOtherStatuses(t *testing.T) {
	t.Parallel()
	legit := "https://app.example.com"
	for _, tc := range []struct {
		desc   string
		vary   bool
		wantOK bool
		why    string
	}{
		{"Vary on every 200: nothing", true, false, ""},
		{"no Vary on the 200s: counted without the 429s", false, true, "16 of the 16 responses"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(Options{URLs: []string{"https://api.example.com/me"}, Origins: []string{legit}})
			require.NoError(t, err)
			run := fakeRun(p, func(c scenarios.Case, _ string) (string, string, bool) {
				if c.Origin == legit {
					return legit, "true", true
				}
				return "", "", true
			})
			for i := range run.Records {
				r := &run.Records[i]
				if !tc.vary {
					delete(r.Actual.ResponseHeaders, "Vary")
				}
				if i%3 == 1 && r.Origin != legit {
					r.Actual.Status = 429
					delete(r.Actual.ResponseHeaders, "Vary")
				}
			}
			var vary []Finding
			for _, f := range Classify(p, run).Findings {
				if f.Rule == RuleVaryMissing {
					vary = append(vary, f)
				}
			}
			if !tc.wantOK {
				assert.Empty(t, vary)
				return
			}
			require.Len(t, vary, 1)
			assert.Contains(t, vary[0].Why, tc.why)
			assert.Equal(t, 200, vary[0].Actual.Status, "the evidence is a response whose answer varies")
		})
	}
}

// TestConfirmCommand: the confirming probe repeats the evidence's request,
// secrets as placeholders, from a real origin: a cache check from null has
// nothing to prime, so another origin the audit saw stands in.
func TestConfirmCommand(t *testing.T) {
	rec := &result.Record{Request: scenarios.Request{Method: "PUT", Headers: map[string]string{"Authorization": "Bearer x", "X-Trace": "a b"},
		Credentials: scenarios.CredentialsInclude}}
	null := seenAnswer{o: Outcome{Record: rec}, origin: "null"}
	other := seenAnswer{o: Outcome{Record: rec}, origin: "https://app.example.com"}
	assert.Equal(t, "corsproof probe 'https://api.example.com/me?a=1&b=2' --origin https://app.example.com -X PUT -H 'Authorization: REPLACE-ME' -H 'X-Trace: a b' --credentials include --via edge=https://YOUR-CDN --cache-check",
		confirmCommand("https://api.example.com/me?a=1&b=2", null, []seenAnswer{null, other}))
}
