package contract

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const examplePolicy = "../examples/policy.yaml"

func loadPolicy(t *testing.T, path string) *policy.Policy {
	t.Helper()
	p, err := policy.Load(path)
	require.NoError(t, err)
	return p
}

func TestGenerateGolden(t *testing.T) {
	p := loadPolicy(t, examplePolicy)
	s, err := Generate(p, "http://127.0.0.1:8080")
	require.NoError(t, err)
	got, err := s.Marshal()
	require.NoError(t, err)
	golden := filepath.Join("testdata", "example-suite.golden.yaml")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "run go test ./contract -update after a deliberate change")
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	var outs []string
	for range 3 {
		// Parse anew each time: nothing may depend on map order or on
		// state left in the policy.
		p := loadPolicy(t, examplePolicy)
		s, err := Generate(p, "http://127.0.0.1:8080/")
		require.NoError(t, err)
		b, err := s.Marshal()
		require.NoError(t, err)
		outs = append(outs, string(b))
	}
	assert.Equal(t, outs[0], outs[1])
	assert.Equal(t, outs[0], outs[2])
}

func TestGeneratedSuiteParses(t *testing.T) {
	t.Parallel()
	c, err := Build(loadPolicy(t, examplePolicy), "http://127.0.0.1:8080")
	require.NoError(t, err)
	data, err := c.Suite.Marshal()
	require.NoError(t, err)
	parsed, err := scenarios.Parse("generated.yaml", data)
	require.NoError(t, err)
	require.Len(t, parsed.Cases, len(c.Checks))
	assert.Equal(t, scenarios.SuiteVersion, parsed.Version)
	for i, cs := range parsed.Cases {
		ck := c.Checks[i]
		assert.Equal(t, ck.Case, cs.Name)
		assert.True(t, strings.HasPrefix(cs.Why, ck.Rule+": "), "why of %q must start with its rule id: %q", cs.Name, cs.Why)
		if len(cs.Steps) > 0 {
			// A sequence (max-age) has its expectations on its steps.
			assert.Equal(t, RuleMaxAge, ck.Rule, cs.Name)
			for _, st := range cs.Steps {
				assert.Equal(t, cors.VerdictAllowed, st.Expect.Verdict, cs.Name)
			}
			continue
		}
		require.NotNil(t, cs.Expect, cs.Name)
		want := cors.VerdictBlocked
		if ck.Allowed {
			want = cors.VerdictAllowed
		}
		assert.Equal(t, want, cs.Expect.Verdict, cs.Name)
		assert.Empty(t, cs.Expect.CorsError, "%s: the verdict is the contract, not Chromium's reason", cs.Name)
	}
}

// TestGenerateAgreesWithPolicy checks every case against the policy's own
// origin matcher: positive cases come from allowed origins, origin-denied
// cases from refused ones, each on the route its URL reaches.
func TestGenerateAgreesWithPolicy(t *testing.T) {
	t.Parallel()
	p := loadPolicy(t, examplePolicy)
	c, err := Build(p, "http://127.0.0.1:8080")
	require.NoError(t, err)
	rules := map[string]int{}
	for i, ck := range c.Checks {
		cs := c.Suite.Cases[i]
		rules[strings.SplitN(ck.Rule, "/", 2)[0]]++
		r, ok := p.Match(strings.TrimPrefix(cs.Request.URL, "http://127.0.0.1:8080"))
		require.True(t, ok, cs.Request.URL)
		assert.Equal(t, ck.Route, r.Path)
		assert.Equal(t, ck.Credentials, cs.Request.Credentials == scenarios.CredentialsInclude, cs.Name)
		if strings.HasPrefix(ck.Rule, RuleOriginDenied) {
			assert.False(t, r.AllowsOrigin(cs.Origin), "%s: %s is allowed by the route", cs.Name, cs.Origin)
		} else {
			assert.True(t, r.AllowsOrigin(cs.Origin), "%s: %s is not allowed by the route", cs.Name, cs.Origin)
		}
	}
	for _, r := range []string{RuleOriginAllowed, RuleMethodAllowed, RuleHeaderAllowed, RuleCredentialsAllowed, RuleExposeHeader,
		RuleOriginDenied, RuleMethodDenied, RuleHeaderDenied, RuleCredentialsDenied} {
		assert.Positive(t, rules[r], "the example policy must exercise rule %s", r)
	}
}

func TestGenerateCases(t *testing.T) {
	t.Parallel()
	build := func(t *testing.T, yaml string) *Contract {
		t.Helper()
		p, err := policy.Parse("p.yaml", []byte(yaml))
		require.NoError(t, err)
		c, err := Build(p, "http://127.0.0.1:9")
		require.NoError(t, err)
		return c
	}
	names := func(c *Contract) []string {
		var out []string
		for _, cs := range c.Suite.Cases {
			out = append(out, cs.Name)
		}
		return out
	}
	t.Run("route without origins is closed", func(t *testing.T) {
		t.Parallel()
		c := build(t, "version: 1\nroutes:\n  - path: /private\n")
		assert.Equal(t, []string{"/private origin-denied/cross-origin-page https://app.corsproof.test"}, names(c))
	})
	t.Run("wildcard lists get representative cases and notes", func(t *testing.T) {
		t.Parallel()
		c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"*\"]\n    allow_methods: [\"*\"]\n    allow_headers: [\"*\"]\n    expose_headers: [\"*\"]\n")
		assert.Equal(t, []string{
			"/a origin-allowed https://app.corsproof.test",
			"/a method-allowed PATCH from https://app.corsproof.test",
			"/a header-allowed X-Corsproof-Any from https://app.corsproof.test",
			"/a credentials-denied https://app.corsproof.test",
		}, names(c))
		assert.Len(t, c.Notes, 3)
	})
	t.Run("forbidden and safelisted names", func(t *testing.T) {
		t.Parallel()
		c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    allow_methods: [GET, POST, delete, PUT]\n    allow_headers: [Cookie, Accept, X-Token, Content-Type]\n")
		var methods, headers []string
		for i, ck := range c.Checks {
			switch ck.Rule {
			case RuleMethodAllowed:
				methods = append(methods, ck.Method)
			case RuleHeaderAllowed:
				headers = append(headers, ck.Header+"="+c.Suite.Cases[i].Request.Headers[ck.Header])
			case RuleMethodDenied:
				assert.Equal(t, "PATCH", ck.Method, "the first method the route does not list, in any case")
			}
		}
		assert.Equal(t, []string{"PUT"}, methods, "GET and POST need no preflight; lower-case delete is not what browsers send")
		assert.Equal(t, []string{"Accept=(corsproof)", "X-Token=corsproof", "Content-Type=application/json"}, headers,
			"safelisted names get values that force a preflight; Cookie cannot be set")
		assert.Len(t, c.Notes, 2)
	})
	t.Run("a pattern is tested from an origin no exact entry lists", func(t *testing.T) {
		t.Parallel()
		// https://*.example.com stands for app.example.com unless the route
		// lists that origin itself: then the pattern must get its own
		// origin, or an API that ignores the pattern conforms.
		for _, list := range []string{
			`["https://app.example.com", "https://*.example.com"]`,
			`["https://*.example.com", "https://app.example.com"]`,
			`["https://*.example.com", "https://app.example.com", "https://web.example.com"]`,
		} {
			c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: "+list+"\n")
			var fromPattern []string
			for _, ck := range c.Checks {
				if ck.Rule == RuleOriginAllowed {
					assert.NotEqual(t, ck.From == "https://*.example.com", ck.Origin == "https://app.example.com" || ck.Origin == "https://web.example.com",
						"%s: %s", list, ck.Case)
					if ck.From == "https://*.example.com" && strings.Count(ck.Origin, ".") == 2 {
						fromPattern = append(fromPattern, ck.Origin)
					}
				}
			}
			require.Len(t, fromPattern, 1, list)
			assert.True(t, strings.HasSuffix(fromPattern[0], ".example.com"), fromPattern[0])
		}
	})
	t.Run("a pattern is also tested two labels deep", func(t *testing.T) {
		t.Parallel()
		// https://*.example.com matches one or more labels: an API whose
		// check takes exactly one ([^.]+\.example\.com) refuses
		// pr-1.preview.example.com, which the policy allows.
		c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://*.example.com\"]\n")
		var deep []string
		for _, ck := range c.Checks {
			if ck.Rule == RuleOriginAllowed && strings.Count(ck.Origin, ".") == 3 {
				deep = append(deep, ck.Origin)
				assert.Equal(t, "https://*.example.com", ck.From)
			}
		}
		assert.Equal(t, []string{"https://www.app.example.com"}, deep)
	})
	t.Run("Set-Cookie is never expected readable", func(t *testing.T) {
		t.Parallel()
		// Browsers never let script read Set-Cookie, exposed or not: an API
		// that lists it, as the policy says, must not fail for it.
		c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    expose_headers: [Set-Cookie, X-Id, set-cookie2]\n")
		var expose [][]string
		for _, cs := range c.Suite.Cases {
			if cs.Expect != nil && len(cs.Expect.ReadableHeaders) > 0 {
				expose = append(expose, cs.Expect.ReadableHeaders)
			}
		}
		assert.Equal(t, [][]string{{"X-Id"}}, expose)
		require.Len(t, c.Notes, 2)
		assert.Contains(t, c.Notes[0], "route /a: expose_headers Set-Cookie: browsers never let script read it")
		c = build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    expose_headers: [Set-Cookie]\n")
		for _, ck := range c.Checks {
			assert.NotEqual(t, RuleExposeHeader, ck.Rule)
		}
	})
	t.Run("cases use a method the route allows", func(t *testing.T) {
		t.Parallel()
		// A route that allows only POST may refuse a GET outright (Spring
		// answers 403 without CORS headers): a GET would fail a correct
		// API, and an origin-denied GET would pass a reflecting one.
		for _, tc := range []struct{ methods, base, simple string }{
			{"[POST]", "POST", "a simple POST"},
			{"[HEAD, POST]", "POST", "a simple POST"},
			{"[PUT, DELETE]", "PUT", "a PUT"},
			{"[post, GET]", "GET", "a simple GET"},
			{"[\"*\"]", "GET", "a simple GET"},
		} {
			c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    allow_methods: "+tc.methods+"\n    allow_headers: [Authorization]\n    expose_headers: [X-Id]\n")
			for i, ck := range c.Checks {
				cs := c.Suite.Cases[i]
				if ck.Rule == RuleMethodDenied || ck.Rule == RuleMethodAllowed {
					continue
				}
				assert.Equal(t, tc.base, cs.Request.Method, "%s: %s", tc.methods, cs.Name)
				assert.Equal(t, tc.base, ck.Method, "%s: %s", tc.methods, cs.Name)
				if ck.Rule == RuleOriginAllowed {
					assert.Contains(t, cs.Why, tc.simple+" from it must be readable", tc.methods)
				}
			}
		}
	})
	t.Run("unlisted header never clashes with the list", func(t *testing.T) {
		t.Parallel()
		c := build(t, "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    allow_headers: [X-Corsproof-Unlisted]\n")
		for _, ck := range c.Checks {
			if ck.Rule == RuleHeaderDenied {
				assert.Equal(t, "X-Corsproof-Unlisted-2", ck.Header)
			}
		}
	})
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, policy, target string
		want                 []string
	}{
		{"wildcard with credentials", "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"*\"]\n    allow_credentials: true\n", "http://127.0.0.1:8080",
			[]string{`p.yaml:4:21: routes[0].allow_origins[0]: "*"`, "wildcard-origin-with-credentials"}},
		{"server behaviour", "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    preflight_redirect: /b\n    preflight_status: 404\n", "http://127.0.0.1:8080",
			[]string{"routes[0].preflight_redirect", `routes[0].preflight_status: "404" browsers refuse`}},
		{"fixed ACAO", "version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    acao_override: \"https://a.example.com/\"\n", "http://127.0.0.1:8080",
			[]string{"routes[0].acao_override"}},
		{"target without scheme", "version: 1\nroutes:\n  - path: /a\n", "127.0.0.1:8080", []string{`target "127.0.0.1:8080"`}},
		{"target with query", "version: 1\nroutes:\n  - path: /a\n", "http://127.0.0.1:8080/?x=1", []string{"no query"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse("p.yaml", []byte(tc.policy))
			require.NoError(t, err)
			_, err = Build(p, tc.target)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	t.Run("problems are typed", func(t *testing.T) {
		t.Parallel()
		p, err := policy.Parse("p.yaml", []byte("version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"https://a.example.com\"]\n    redirect: /b\n"))
		require.NoError(t, err)
		probs := fileerr.Problems(CheckPolicy(p))
		require.Len(t, probs, 1)
		pe := probs[0]
		assert.Equal(t, "routes[0].redirect", pe.Field)
		assert.Equal(t, "/b", pe.Value)
		assert.Equal(t, [2]int{3, 5}, [2]int{pe.Line, pe.Col}, "at the route")
	})
}
