package policy_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
)

// policyErrors lists the problems Parse joins.
func policyErrors(t *testing.T, err error) []*fileerr.Problem {
	t.Helper()
	return fileerr.Problems(err)
}

const fullPolicy = `version: 1
routes:
  - path: /api/open          # path prefix; longest prefix wins
    allow_origins: ["*"]
    allow_credentials: false
    allow_methods: [GET, POST, PUT]
    allow_headers: [Content-Type, X-Token]
    expose_headers: [X-Request-Id]
    max_age: 600
    vary: true
    preflight_status: 204
    status: 200
    redirect: /api/other
    preflight_redirect: https://other.example.test/x
    acao_override: "https://app.example.test/"
    cors_on_errors: true
    delay_ms: 0
  - path: /api/list
    allow_origins:
      - https://app.example.test
      - http://localhost:3000
      - https://*.example.com
      - "null"
      - http://[::1]:8080
      - reflect
    allow_credentials: true
    acao_override: [a, b]
`

func TestParseValid(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse("full.yaml", []byte(fullPolicy))
	require.NoError(t, err)
	require.Len(t, p.Routes, 2)
	assert.Equal(t, "full.yaml", p.File)
	assert.Equal(t, 1, p.Version)

	r := p.Routes[0]
	assert.Equal(t, "/api/open", r.Path)
	assert.Equal(t, []string{"*"}, r.AllowOrigins)
	assert.Equal(t, []string{"GET", "POST", "PUT"}, r.AllowMethods)
	assert.Equal(t, []string{"Content-Type", "X-Token"}, r.AllowHeaders)
	assert.Equal(t, []string{"X-Request-Id"}, r.ExposeHeaders)
	require.NotNil(t, r.MaxAge)
	assert.Equal(t, 600, *r.MaxAge)
	assert.True(t, r.Vary)
	assert.Equal(t, "/api/other", r.Redirect)
	assert.Equal(t, "https://other.example.test/x", r.PreflightRedirect)
	assert.Equal(t, []string{"https://app.example.test/"}, r.ACAOOverride)
	assert.Equal(t, 3, r.Line)
	assert.Equal(t, 5, r.Column)

	r = p.Routes[1]
	assert.Equal(t, []string{"https://app.example.test", "http://localhost:3000", "https://*.example.com", "null", "http://[::1]:8080", "reflect"}, r.AllowOrigins)
	assert.True(t, r.AllowCredentials)
	assert.Equal(t, []string{"a", "b"}, r.ACAOOverride)
	// Defaults for what the route leaves out.
	assert.Nil(t, r.MaxAge)
	assert.True(t, r.Vary)
	assert.True(t, r.CORSOnErrors)
	assert.Equal(t, 204, r.PreflightStatus)
	assert.Equal(t, 200, r.Status)
}

func TestParseAcceptsWildcardWithCredentials(t *testing.T) {
	t.Parallel()
	// serve must be able to model this broken server; Lint reports it.
	p, err := policy.Parse("p.yaml", []byte("version: 1\nroutes:\n  - path: /x\n    allow_origins: [\"*\"]\n    allow_credentials: true\n"))
	require.NoError(t, err)
	findings := p.Lint()
	require.Len(t, findings, 1)
	assert.Equal(t, policy.RuleWildcardWithCredentials, findings[0].Rule)
	assert.Equal(t, policy.SeverityError, findings[0].Severity)
	assert.Equal(t, [2]int{4, 21}, [2]int{findings[0].Line, findings[0].Column}, "at the \"*\" entry")
	assert.Equal(t, "allow_origins[0]", findings[0].Field)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const head = "version: 1\nroutes:\n  - path: /x\n"
	tests := []struct {
		desc      string
		yaml      string
		line, col int
		field     string
		value     string
		msg       string
		hint      string
	}{
		{desc: "empty file", yaml: "", msg: "empty"},
		{desc: "only a comment", yaml: "# nothing\n", msg: "empty"},
		{desc: "not a mapping", yaml: "- a\n", line: 1, col: 1, field: "(top level)", msg: "expected a mapping"},
		{desc: "syntax error", yaml: "version: 1\nroutes: [\n", line: 2, msg: "invalid YAML"},
		{desc: "unquoted star", yaml: head + "    allow_origins: [*]\n", line: 4, msg: "invalid YAML"},
		{desc: "duplicate key", yaml: head + "    path: /y\n", line: 4, col: 5, msg: "already defined"},
		{desc: "missing version", yaml: "routes:\n  - path: /x\n", line: 1, field: "version", msg: "missing version"},
		{desc: "wrong version", yaml: "version: 2\nroutes:\n  - path: /x\n", line: 1, col: 10, field: "version", value: "2", msg: "unsupported"},
		{desc: "version not a number", yaml: "version: one\nroutes:\n  - path: /x\n", line: 1, col: 10, field: "version", value: "one", msg: "whole number"},
		{desc: "missing routes", yaml: "version: 1\n", field: "routes", msg: "missing routes"},
		{desc: "empty routes", yaml: "version: 1\nroutes: []\n", line: 2, field: "routes", msg: "no routes"},
		{desc: "routes not a list", yaml: "version: 1\nroutes: x\n", line: 2, col: 9, field: "routes", value: "x", msg: "expected a list"},
		{desc: "route not a mapping", yaml: "version: 1\nroutes:\n  - /x\n", line: 3, col: 5, field: "routes[0]", value: "/x", msg: "expected a mapping"},
		{desc: "unknown top-level key", yaml: "version: 1\nroute: []\nroutes:\n  - path: /x\n", line: 2, col: 1, field: "route", msg: "unknown key"},
		{desc: "unknown route key", yaml: head + "    allow_origin: [x]\n", line: 4, col: 5, field: "routes[0].allow_origin", msg: "unknown key"},
		{desc: "a key cut short", yaml: head + "    expose: [X-Id]\n", line: 4, col: 5, field: "routes[0].expose", msg: "unknown key", hint: `did you mean "expose_headers"?`},
		{desc: "a misspelt key", yaml: head + "    allow_origin: [x]\n", line: 4, field: "routes[0].allow_origin", msg: "unknown key", hint: `did you mean "allow_origins"?`},
		{desc: "numeric key", yaml: head + "    404: x\n", line: 4, col: 5, field: "routes[0].404", msg: "unknown key"},
		{desc: "null key", yaml: head + "    ~: x\n", line: 4, col: 5, field: "routes[0]", value: "~", msg: "plain strings"},
		{desc: "missing path", yaml: "version: 1\nroutes:\n  - status: 200\n", line: 3, field: "routes[0].path", msg: "missing path"},
		{desc: "relative path", yaml: "version: 1\nroutes:\n  - path: api\n", line: 3, col: 11, field: "routes[0].path", value: "api", msg: "start with /"},
		{desc: "path with wildcard", yaml: "version: 1\nroutes:\n  - path: /api/*\n", line: 3, field: "routes[0].path", value: "/api/*", msg: "plain prefix"},
		{desc: "path with query", yaml: "version: 1\nroutes:\n  - path: /api?x=1\n", line: 3, field: "routes[0].path", msg: "plain prefix"},
		{desc: "reserved path", yaml: "version: 1\nroutes:\n  - path: /cookies\n", line: 3, field: "routes[0].path", value: "/cookies", msg: "reserved"},
		{desc: "duplicate path", yaml: head + "  - path: /x\n", line: 4, field: "routes[1].path", value: "/x", msg: "duplicate route path (first at line 3)"},
		{desc: "path not a string", yaml: "version: 1\nroutes:\n  - path: [a]\n", line: 3, field: "routes[0].path", msg: "expected a string"},
		{desc: "method with space", yaml: head + "    allow_methods: [GET, \"GE T\"]\n", line: 4, col: 26, field: "routes[0].allow_methods[1]", value: "GE T", msg: "not a valid HTTP method"},
		{desc: "forbidden method", yaml: head + "    allow_methods: [TRACE]\n", line: 4, field: "routes[0].allow_methods[0]", value: "TRACE", msg: "never send"},
		{desc: "method not a string", yaml: head + "    allow_methods: [1]\n", line: 4, field: "routes[0].allow_methods[0]", value: "1", msg: "expected a string"},
		{desc: "bad header name", yaml: head + "    allow_headers: [\"X Token\"]\n", line: 4, field: "routes[0].allow_headers[0]", value: "X Token", msg: "not a valid header name"},
		{desc: "bad expose header", yaml: head + "    expose_headers: [\"a:b\"]\n", line: 4, field: "routes[0].expose_headers[0]", value: "a:b", msg: "not a valid header name"},
		{desc: "origin with trailing slash", yaml: head + "    allow_origins: [\"https://a.test/\"]\n", line: 4, col: 21, field: "routes[0].allow_origins[0]", value: "https://a.test/", msg: "trailing slash"},
		{desc: "origin without scheme", yaml: head + "    allow_origins: [a.test]\n", line: 4, field: "routes[0].allow_origins[0]", value: "a.test", msg: "not an origin"},
		{desc: "origin with ftp scheme", yaml: head + "    allow_origins: [\"ftp://a.test\"]\n", line: 4, field: "routes[0].allow_origins[0]", msg: "http or https"},
		{desc: "origin upper case", yaml: head + "    allow_origins: [\"https://A.test\"]\n", line: 4, msg: "lower case", hint: "write https://a.test"},
		{desc: "origin upper-case scheme", yaml: head + "    allow_origins: [\"HTTPS://Shop.Example.com\"]\n", line: 4, msg: "lower case", hint: "write https://shop.example.com"},
		{desc: "pattern upper case", yaml: head + "    allow_origins: [\"Https://*.Example.com\"]\n", line: 4, msg: "lower case", hint: "write https://*.example.com"},
		{desc: "origin with default port", yaml: head + "    allow_origins: [\"https://a.test:443\"]\n", line: 4, msg: "default port"},
		{desc: "origin with bad port", yaml: head + "    allow_origins: [\"https://a.test:99999\"]\n", line: 4, msg: "invalid port"},
		{desc: "origin with userinfo", yaml: head + "    allow_origins: [\"https://u@a.test\"]\n", line: 4, msg: "userinfo"},
		{desc: "origin empty", yaml: head + "    allow_origins: [\"\"]\n", line: 4, msg: "empty origin"},
		{desc: "origin bad host", yaml: head + "    allow_origins: [\"https://a..test\"]\n", line: 4, msg: "invalid host"},
		{desc: "pattern in middle", yaml: head + "    allow_origins: [\"https://api.*.example.com\"]\n", line: 4, msg: "leftmost labels"},
		{desc: "pattern without dot", yaml: head + "    allow_origins: [\"https://*example.com\"]\n", line: 4, msg: "leftmost labels"},
		{desc: "pattern over IP", yaml: head + "    allow_origins: [\"http://*.0.0.1\"]\n", line: 4, msg: "IP address"},
		{desc: "two wildcards", yaml: head + "    allow_origins: [\"https://*.*.example.com\"]\n", line: 4, msg: "leftmost labels"},
		{desc: "bad IPv6", yaml: head + "    allow_origins: [\"http://[zz]\"]\n", line: 4, msg: "IPv6"},
		{desc: "origins a number", yaml: head + "    allow_origins: 5\n", line: 4, field: "routes[0].allow_origins", msg: "expected a string"},
		{desc: "credentials not bool", yaml: head + "    allow_credentials: \"yes\"\n", line: 4, col: 24, field: "routes[0].allow_credentials", value: "yes", msg: "true or false"},
		{desc: "status too low", yaml: head + "    status: 99\n", line: 4, col: 13, field: "routes[0].status", value: "99", msg: "between 200 and 599"},
		{desc: "preflight status too high", yaml: head + "    preflight_status: 600\n", line: 4, field: "routes[0].preflight_status", value: "600", msg: "between 200 and 599"},
		{desc: "status a string", yaml: head + "    status: ok\n", line: 4, field: "routes[0].status", value: "ok", msg: "whole number"},
		{desc: "status huge", yaml: head + "    status: 99999999999999\n", line: 4, field: "routes[0].status", msg: "out of range"},
		{desc: "negative max age", yaml: head + "    max_age: -1\n", line: 4, field: "routes[0].max_age", value: "-1", msg: "negative"},
		{desc: "delay too long", yaml: head + "    delay_ms: 600000\n", line: 4, field: "routes[0].delay_ms", value: "600000", msg: "between 0 and 60000"},
		{desc: "redirect not a URL", yaml: head + "    redirect: \"ftp://x\"\n", line: 4, field: "routes[0].redirect", value: "ftp://x", msg: "neither a path"},
		{desc: "preflight redirect protocol-relative", yaml: head + "    preflight_redirect: //evil.test/\n", line: 4, field: "routes[0].preflight_redirect", msg: "neither a path"},
		{desc: "override without origins", yaml: head + "    acao_override: x\n", line: 3, field: "routes[0].acao_override", msg: "needs allow_origins"},
		{desc: "override with control char", yaml: head + "    allow_origins: [\"*\"]\n    acao_override: \"a\\nb\"\n", line: 5, field: "routes[0].acao_override", msg: "control characters"},
		{desc: "alias", yaml: "version: 1\nx: &a 1\nroutes:\n  - path: *a\n", line: 2, msg: "unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse("p.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.True(t, strings.HasPrefix(err.Error(), "p.yaml:"), err.Error())
			errs := policyErrors(t, err)
			require.NotEmpty(t, errs)
			var found *fileerr.Problem
			for _, e := range errs {
				if strings.Contains(e.Message, tc.msg) && (tc.field == "" || e.Field == tc.field) && (tc.line == 0 || e.Line == tc.line) {
					found = e
					break
				}
			}
			require.NotNil(t, found, "no error with message %q field %q line %d in:\n%v", tc.msg, tc.field, tc.line, err)
			assert.Equal(t, "p.yaml", found.File)
			if tc.col != 0 {
				assert.Equal(t, tc.col, found.Col, found.Error())
			}
			if tc.value != "" {
				assert.Equal(t, tc.value, found.Value)
			}
			if tc.hint != "" {
				assert.Contains(t, found.Hint, tc.hint)
			}
			assert.NotContains(t, found.Error(), "\n", "one error per line")
		})
	}
}

func TestParseReportsAllProblemsInFileOrder(t *testing.T) {
	t.Parallel()
	src := `version: 1
routes:
  - path: api
    allow_methods: ["GE T"]
    allow_origins: ["https://a.test/"]
    status: 1
    colour: red
  - path: /b
    vary: maybe
`
	_, err := policy.Parse("p.yaml", []byte(src))
	require.Error(t, err)
	errs := policyErrors(t, err)
	var lines []int
	var fields []string
	for _, e := range errs {
		lines = append(lines, e.Line)
		fields = append(fields, e.Field)
	}
	assert.Equal(t, []int{3, 4, 5, 6, 7, 9}, lines)
	assert.Equal(t, []string{"routes[0].path", "routes[0].allow_methods[0]", "routes[0].allow_origins[0]",
		"routes[0].status", "routes[0].colour", "routes[1].vary"}, fields)
	// Unknown keys get a list of the known ones.
	assert.Contains(t, errs[4].Hint, "allow_origins")
}

func TestUnknownKeySuggestion(t *testing.T) {
	t.Parallel()
	_, err := policy.Parse("p.yaml", []byte("version: 1\nroutes:\n  - path: /x\n    allow-methods: [GET]\n    alow_origins: []\n"))
	require.Error(t, err)
	errs := policyErrors(t, err)
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Hint, `did you mean "allow_methods"?`)
	assert.Contains(t, errs[1].Hint, `did you mean "allow_origins"?`)
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("version: 1\nroutes:\n  - path: /x\n"), 0o600))
	p, err := policy.Load(good)
	require.NoError(t, err)
	assert.Equal(t, good, p.File)
	assert.Equal(t, "/x", p.Routes[0].Path)

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nroutes:\n  - path: x\n"), 0o600))
	_, err = policy.Load(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+":3:11: routes[0].path")

	_, err = policy.Load(filepath.Join(dir, "missing.yaml"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist))
	assert.Contains(t, err.Error(), "loading policy: ")
}

func TestPolicyMatch(t *testing.T) {
	t.Parallel()
	p := &policy.Policy{Routes: []policy.Route{{Path: "/api"}, {Path: "/api/open"}, {Path: "/static/"}, {Path: "/"}}}
	tests := []struct {
		desc, path, want string
	}{
		{desc: "exact", path: "/api/open", want: "/api/open"},
		{desc: "longest prefix wins", path: "/api/open/x", want: "/api/open"},
		{desc: "segment boundary", path: "/api/openx", want: "/api"},
		{desc: "shorter prefix", path: "/api/other", want: "/api"},
		{desc: "prefix ending in slash", path: "/static/a.js", want: "/static/"},
		{desc: "root catches the rest", path: "/elsewhere", want: "/"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			r, ok := p.Match(tc.path)
			require.True(t, ok)
			assert.Equal(t, tc.want, r.Path)
		})
	}
	_, ok := (&policy.Policy{Routes: []policy.Route{{Path: "/api"}}}).Match("/apix")
	assert.False(t, ok, "no route covers /apix")
}

func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc  string
		route string
		rules []string
	}{
		{desc: "clean allow-list", route: "allow_origins: [\"https://a.test\"]\n    allow_credentials: true\n    allow_methods: [GET]"},
		{desc: "wildcard with credentials", route: "allow_origins: [\"*\"]\n    allow_credentials: true", rules: []string{policy.RuleWildcardWithCredentials}},
		{desc: "wildcard without credentials", route: "allow_origins: [\"*\"]"},
		{desc: "reflect with credentials", route: "allow_origins: [reflect]\n    allow_credentials: true", rules: []string{policy.RuleReflectWithCredentials}},
		{desc: "null origin", route: "allow_origins: [null]", rules: []string{policy.RuleNullOrigin}},
		{desc: "vary off", route: "allow_origins: [\"https://a.test\"]\n    vary: false", rules: []string{policy.RuleVaryDisabled}},
		{desc: "vary off on wildcard is fine", route: "allow_origins: [\"*\"]\n    vary: false"},
		{desc: "star lists with credentials", route: "allow_origins: [\"https://a.test\"]\n    allow_credentials: true\n    allow_methods: [\"*\"]\n    allow_headers: [\"*\"]\n    expose_headers: [\"*\"]",
			rules: []string{policy.RuleWildcardListCredentials, policy.RuleWildcardListCredentials, policy.RuleWildcardListCredentials}},
		{desc: "override", route: "allow_origins: [\"*\"]\n    acao_override: x", rules: []string{policy.RuleACAOOverride}},
		{desc: "broad pattern", route: "allow_origins: [\"https://*.test\"]", rules: []string{policy.RuleBroadPattern}},
		// Anyone can register a name under a public suffix: a pattern on one
		// admits every stranger's site, as *.com does.
		{desc: "pattern on a public suffix", route: "allow_origins: [\"https://*.co.uk\"]", rules: []string{policy.RuleBroadPattern}},
		{desc: "pattern on a hosting suffix", route: "allow_origins: [\"https://*.github.io\", \"https://*.vercel.app\"]", rules: []string{policy.RuleBroadPattern, policy.RuleBroadPattern}},
		{desc: "pattern on a registrable domain", route: "allow_origins: [\"https://*.example.co.uk\", \"https://*.shop.example.com\"]"},
		{desc: "http pattern with credentials", route: "allow_origins: [\"http://*.a.test\"]\n    allow_credentials: true", rules: []string{policy.RuleInsecureOrigin}},
		{desc: "http origin with credentials", route: "allow_origins: [\"http://shop.example.com\"]\n    allow_credentials: true", rules: []string{policy.RuleInsecureOrigin}},
		{desc: "http loopback origins with credentials: a dev server", route: "allow_origins: [\"http://localhost:5173\", \"http://127.0.0.1:3000\", \"http://[::1]:8080\", \"http://app.localhost:3000\"]\n    allow_credentials: true"},
		{desc: "http origin without credentials", route: "allow_origins: [\"http://shop.example.com\"]"},
		{desc: "star beside a list: the list adds nothing", route: "allow_origins: [\"https://a.test\", \"*\"]", rules: []string{policy.RuleWildcardBesideList}},
		{desc: "reflect beside a list", route: "allow_origins: [reflect, \"https://a.test\"]", rules: []string{policy.RuleWildcardBesideList}},
		{desc: "CORS settings without origins", route: "allow_credentials: true\n    allow_methods: [PUT]", rules: []string{policy.RuleNoOrigins}},
		{desc: "a closed route", route: "status: 200"},
		{desc: "lower-case method", route: "allow_origins: [\"https://a.test\"]\n    allow_methods: [patch]", rules: []string{policy.RuleLowerCaseMethod}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse("p.yaml", []byte("version: 1\nroutes:\n  - path: /x\n    "+tc.route+"\n"))
			require.NoError(t, err)
			var rules []string
			for _, f := range p.Lint() {
				rules = append(rules, f.Rule)
				assert.Equal(t, "/x", f.Route)
				// Every finding is about a field, which comes after the path.
				assert.NotEmpty(t, f.Field, f.String())
				assert.Greater(t, f.Line, 3, f.String())
				assert.Contains(t, f.String(), fmt.Sprintf("p.yaml:%d:%d: %s: route /x: %s", f.Line, f.Column, f.Severity, f.Field))
			}
			assert.Equal(t, tc.rules, rules)
		})
	}
}

// TestLintLocatesTheEntry: a finding points at the list entry or key it is
// about, not at its route, so an editor jumps to the line to change.
func TestLintLocatesTheEntry(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse("p.yaml", []byte(`version: 1
routes:
  - path: /x
    allow_origins:
      - https://a.example.com
      - https://*.github.io
      - null
    allow_credentials: true
    allow_methods: [GET, patch]
    vary: false
  - path: /y
    allow_origins: "*"
    allow_credentials: true
`))
	require.NoError(t, err)
	var got []string
	for _, f := range p.Lint() {
		got = append(got, f.String())
	}
	assert.Equal(t, []string{
		`p.yaml:7:9: warning: route /x: allow_origins[2] "null": allowing the "null" origin admits sandboxed iframes and file: pages of any site [null-origin-allowed]`,
		`p.yaml:10:11: warning: route /x: vary "false": the answer depends on the Origin but vary is false: a shared cache may serve one origin's answer to another [vary-disabled]`,
		`p.yaml:6:9: warning: route /x: allow_origins[1] "https://*.github.io": the pattern covers every site under the public suffix github.io, where anyone can register a name; list your own domain, such as https://*.example.github.io [broad-origin-pattern]`,
		`p.yaml:9:26: warning: route /x: allow_methods[1] "patch": the method is not upper case; browsers compare methods case-sensitively, except the six they normalize [lower-case-method]`,
		`p.yaml:12:20: error: route /y: allow_origins[0] "*": allow_origins "*" with allow_credentials: browsers reject "Access-Control-Allow-Origin: *" on credentialed requests; list the origins instead [wildcard-origin-with-credentials]`,
	}, got)
}

// A policy saved by a Windows editor with a UTF-8 byte order mark parses
// as the same policy: YAML allows the mark there.
func TestParseByteOrderMark(t *testing.T) {
	t.Parallel()
	plain, err := policy.Parse("p.yaml", []byte(fullPolicy))
	require.NoError(t, err)
	marked, err := policy.Parse("p.yaml", []byte("\xef\xbb\xbf"+fullPolicy))
	require.NoError(t, err)
	assert.Equal(t, plain, marked)
}
