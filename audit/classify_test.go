package audit

import (
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
		h := map[string]string{}
		if acao != "" {
			h["Access-Control-Allow-Origin"] = acao
		}
		if acac != "" {
			h["Access-Control-Allow-Credentials"] = acac
		}
		rec.Actual = &result.Exchange{Method: "GET", URL: c.Request.URL, Status: 200, ResponseHeaders: h}
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
		{"null with credentials beside * without: two mistakes", withCookie,
			func(c scenarios.Case, kind string) (string, string, bool) {
				if kind == KindNull {
					return "null", "true", true
				}
				return "*", "", true
			},
			[]want{{RuleNullOrigin, SeverityHigh}, {RuleWildcardOrigin, SeverityInfo}}, ""},
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
}
