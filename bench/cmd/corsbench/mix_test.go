package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

const testBase = "http://127.0.0.1:8080"

func TestMixProportions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		n    int
	}{
		{desc: "the benchmark's 200 cases", n: 200},
		{desc: "the scale run's 2,000 cases", n: 2000},
		{desc: "the smallest mix", n: 10},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			cases, err := mix(tc.n, testBase)
			require.NoError(t, err)
			require.Len(t, cases, tc.n)
			count := map[kind]int{}
			urls := map[string]bool{}
			names := map[string]bool{}
			for _, c := range cases {
				count[c.kind]++
				assert.False(t, urls[c.URL], "URL %s repeats", c.URL)
				assert.False(t, names[c.Name], "name %s repeats", c.Name)
				urls[c.URL], names[c.Name] = true, true
			}
			assert.Equal(t, map[kind]int{
				simpleAllowed:    tc.n * 40 / 100,
				missingACAO:      tc.n * 20 / 100,
				preflightAllowed: tc.n * 20 / 100,
				preflightBlocked: tc.n * 10 / 100,
				wildcardCreds:    tc.n * 10 / 100,
			}, count)
		})
	}
}

func TestMixIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := mix(200, testBase)
	require.NoError(t, err)
	b, err := mix(200, testBase+"/")
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestMixRejectsBadCounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		n    int
	}{
		{desc: "zero", n: 0},
		{desc: "negative", n: -10},
		{desc: "not a multiple of ten", n: 205},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, err := mix(tc.n, testBase)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "multiple of 10")
		})
	}
}

func TestMixCaseShapes(t *testing.T) {
	t.Parallel()
	cases, err := mix(10, testBase)
	require.NoError(t, err)
	byKind := map[kind]benchCase{}
	for _, c := range cases {
		byKind[c.kind] = c
	}
	for _, tc := range []struct {
		desc        string
		kind        kind
		method      string
		path        string
		token       bool
		credentials string
		want        cors.Verdict
		corsError   cors.CorsError
		preflight   bool
	}{
		{desc: "simple GET allowed", kind: simpleAllowed, method: "GET", path: "/api/open", credentials: "omit", want: cors.VerdictAllowed},
		{desc: "missing ACAO", kind: missingACAO, method: "GET", path: "/api/no-cors", credentials: "omit", want: cors.VerdictBlocked, corsError: "MissingAllowOriginHeader"},
		{desc: "preflight allowed", kind: preflightAllowed, method: "GET", path: "/api/open", token: true, credentials: "omit", want: cors.VerdictAllowed, preflight: true},
		{desc: "preflight blocked", kind: preflightBlocked, method: "POST", path: "/api/missing-allow-headers", token: true, credentials: "omit", want: cors.VerdictBlocked, corsError: "HeaderDisallowedByPreflightResponse", preflight: true},
		{desc: "credentialed wildcard", kind: wildcardCreds, method: "GET", path: "/api/wildcard-credentials", credentials: "include", want: cors.VerdictBlocked, corsError: "WildcardOriginNotAllowed"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			c := byKind[tc.kind]
			u, err := url.Parse(c.URL)
			require.NoError(t, err)
			assert.Equal(t, tc.method, c.Method)
			assert.Equal(t, tc.path, u.Path)
			assert.NotEmpty(t, u.Query().Get("i"))
			_, hasToken := c.Headers["X-Token"]
			assert.Equal(t, tc.token, hasToken)
			assert.Equal(t, tc.credentials, c.Credentials)
			assert.Equal(t, tc.want, c.want())
			assert.Equal(t, tc.corsError, c.corsError())
			assert.Equal(t, tc.preflight, c.preflight())
			assert.Equal(t, benchOrigin, c.Origin)
		})
	}
}

func TestSuiteYAMLLoadsWithExpectations(t *testing.T) {
	t.Parallel()
	cases, err := mix(20, testBase)
	require.NoError(t, err)
	data, err := suiteYAML("bench-20", cases)
	require.NoError(t, err)
	s, err := scenarios.Parse("suite.yaml", data)
	require.NoError(t, err)
	assert.Equal(t, "bench-20", s.Name)
	require.Len(t, s.Cases, len(cases))
	for i, sc := range s.Cases {
		c := cases[i]
		assert.Equal(t, c.Name, sc.Name)
		assert.Equal(t, c.Origin, sc.Origin)
		assert.Equal(t, c.URL, sc.Request.URL)
		assert.Equal(t, c.Method, sc.Request.Method)
		assert.Equal(t, scenarios.Credentials(c.Credentials), sc.Request.Credentials)
		assert.Equal(t, c.Body, sc.Request.Body)
		for k, v := range c.Headers {
			assert.Equal(t, v, sc.Request.Headers[k], "header %s of %s", k, c.Name)
		}
		require.NotNil(t, sc.Expect, c.Name)
		assert.Equal(t, c.want(), sc.Expect.Verdict)
		assert.Equal(t, c.corsError(), sc.Expect.CorsError)
		require.NotNil(t, sc.Expect.Preflight)
		assert.Equal(t, c.preflight(), *sc.Expect.Preflight)
	}
}

func TestPeerJSON(t *testing.T) {
	t.Parallel()
	cases, err := mix(10, testBase)
	require.NoError(t, err)
	data, err := peerJSON(cases)
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got, 10)
	for i, g := range got {
		assert.Equal(t, cases[i].Name, g["name"])
		assert.Equal(t, cases[i].URL, g["url"])
		assert.Equal(t, cases[i].Credentials, g["credentials"])
		assert.NotContains(t, g, "kind", "the peer gets no hint of the expected verdict")
	}
}

func TestWireCounts(t *testing.T) {
	t.Parallel()
	cases, err := mix(200, testBase)
	require.NoError(t, err)
	options, others := wireCounts(cases)
	assert.Equal(t, 60, options, "preflight allowed and blocked cases each send one OPTIONS")
	assert.Equal(t, 180, others, "every case but the preflight-blocked ones sends its request")
}

// TestManyOriginsMix gives every case a page origin of its own site, the
// same cases otherwise, and a resolver rule that reaches all of them.
func TestManyOriginsMix(t *testing.T) {
	t.Parallel()
	sh := manyOrigins(4321)
	many, err := shapedMix(20, testBase, sh)
	require.NoError(t, err)
	one, err := mix(20, testBase)
	require.NoError(t, err)
	sites := map[string]bool{}
	for i, c := range many {
		u, err := url.Parse(c.Origin)
		require.NoError(t, err)
		assert.Equal(t, "4321", u.Port())
		assert.True(t, strings.HasPrefix(u.Hostname(), "site-") && strings.HasSuffix(u.Hostname(), ".test"), c.Origin)
		sites[u.Hostname()] = true
		o := one[i]
		o.Origin = c.Origin
		assert.Equal(t, o, c, "case %d differs only in its origin", i)
	}
	assert.Len(t, sites, 20, "a site per case")
	assert.Equal(t, "MAP site-*.test 127.0.0.1", sh.hostRules)
	assert.Empty(t, oneOrigin().hostRules, "one-origin pages are fulfilled, never resolved")
}

// TestScenarioLine reads the scenario time the peer and the floor print.
func TestScenarioLine(t *testing.T) {
	t.Parallel()
	out, ms, err := parseLines("floor")([]byte(`{"name":"a","verdict":"allowed","ms":3}`+"\n"), []byte("noise\nfloor: 1 cases in 812 ms\n"))
	require.NoError(t, err)
	assert.Len(t, out, 1)
	assert.Equal(t, 812.0, ms)
	_, ms, _ = parseLines("peer")(nil, []byte("floor: 1 cases in 812 ms\n"))
	assert.Zero(t, ms, "another tool's line is not this one's")
}

func TestFewSitesMix(t *testing.T) {
	t.Parallel()
	sh := fewSites(4321)
	cases, err := shapedMix(200, testBase, sh)
	require.NoError(t, err)
	origins, sites := map[string]bool{}, map[string]bool{}
	for i, c := range cases {
		origins[c.Origin] = true
		sites[cors.Site(c.Origin)] = true
		if i > 0 {
			assert.NotEqual(t, cors.Site(cases[i-1].Origin), cors.Site(c.Origin), "case %d: consecutive cases of one site", i)
		}
	}
	assert.Len(t, origins, 200, "an origin per case")
	assert.Len(t, sites, sitesPerMix)
	assert.Equal(t, "MAP *.test 127.0.0.1", sh.hostRules)
}
