package testapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/policy"
)

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	assert.Equal(t, DefaultPolicyFile, p.File)
	var paths []string
	for _, r := range p.Routes {
		paths = append(paths, r.Path)
		assert.Positive(t, r.Line, r.Path)
	}
	assert.Equal(t, []string{"/api/open", "/api/allowlist", "/api/wildcard-credentials", "/api/missing-allow-headers",
		"/api/trailing-slash", "/api/auth-preflight-404", "/api/preflight-500", "/api/preflight-redirect",
		"/api/multiple-origins", "/api/no-cors", "/api/reflect-credentials", "/api/null-origin",
		"/api/get-post-only", "/api/slow"}, paths)

	// Each call returns a fresh copy: callers may change it.
	p.Routes[0].Path = "/changed"
	assert.Equal(t, "/api/open", DefaultPolicy().Routes[0].Path)

	same, err := policy.Parse("x.yaml", DefaultPolicyYAML())
	require.NoError(t, err)
	assert.Len(t, same.Routes, len(paths))

	// The broken routes are broken on purpose; Lint must see the ones a
	// contract would reject.
	rules := map[string]string{}
	for _, f := range p.Lint() {
		rules[f.Route] = f.Rule
	}
	assert.Equal(t, policy.RuleWildcardWithCredentials, rules["/api/wildcard-credentials"])
	assert.Equal(t, policy.RuleReflectWithCredentials, rules["/api/reflect-credentials"])
	assert.Equal(t, policy.RuleNullOrigin, rules["/api/null-origin"])
	assert.NotContains(t, rules, "/api/allowlist", "the correct allow-list is clean")
	assert.NotContains(t, rules, "/api/open")
}

func TestDemoSuite(t *testing.T) {
	t.Parallel()
	var suite struct {
		Version  int            `yaml:"version"`
		Name     string         `yaml:"name"`
		Target   *string        `yaml:"target"`
		Defaults map[string]any `yaml:"defaults"`
		Cases    []struct {
			Name    string         `yaml:"name"`
			Origin  string         `yaml:"origin"`
			Request map[string]any `yaml:"request"`
			Expect  map[string]any `yaml:"expect"`
		} `yaml:"cases"`
	}
	require.NoError(t, yaml.UnmarshalWithOptions(DemoSuite(), &suite, yaml.Strict()))
	assert.Equal(t, 1, suite.Version)
	assert.Equal(t, "demo", suite.Name)
	assert.Nil(t, suite.Target, "the demo fills the target in at run time")
	require.NotEmpty(t, suite.Cases)

	p := DefaultPolicy()
	h := NewHandler(p)
	names := map[string]bool{}
	covered := map[string]bool{}
	for _, c := range suite.Cases {
		assert.NotEmpty(t, c.Name)
		assert.False(t, names[c.Name], "duplicate case name %q", c.Name)
		names[c.Name] = true
		url, _ := c.Request["url"].(string)
		require.True(t, strings.HasPrefix(url, "/"), "%s: relative URL, got %q", c.Name, url)
		r, ok := p.Match(strings.SplitN(url, "?", 2)[0])
		require.True(t, ok, "%s: %s is under no route of the default policy", c.Name, url)
		covered[r.Path] = true
		verdict, _ := c.Expect["verdict"].(string)
		assert.Contains(t, []string{"allowed", "blocked", "timeout"}, verdict, c.Name)
		if verdict == "blocked" {
			assert.NotEmpty(t, c.Expect["cors_error"], "%s: blocked cases name the CorsError", c.Name)
		}
		assert.Contains(t, c.Expect, "preflight", c.Name)
		if c.Origin != "" && c.Origin != "null" {
			// The policy format is strict about origins: one it accepts
			// in allow_origins is one a browser sends as is.
			_, err := policy.Parse("origin check", fmt.Appendf(nil, "version: 1\nroutes:\n  - path: /x\n    allow_origins: [%q]\n", c.Origin))
			assert.NoError(t, err, "%s: origin %q", c.Name, c.Origin)
		}
		// The URL must be one the target answers, not a 404.
		if r.DelayMS == 0 {
			rec := call(t, h, "GET", url, nil)
			assert.NotEqual(t, http.StatusNotFound, rec.Code, c.Name)
		}
	}
	for _, r := range p.Routes {
		assert.True(t, covered[r.Path], "no demo case exercises %s", r.Path)
	}
}
