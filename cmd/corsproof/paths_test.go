package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/nginxtest"
	"github.com/corsproof/corsproof/scenarios"
)

// edgeSuite runs the built-in API's allow-list route on two paths: the
// origin server and an nginx edge in front of it. The API forgets Vary on
// its lists (vary=false) and answers /me 401 with its CORS headers (its
// CORS layer runs first).
const edgeSuite = `defaults:
  origin: https://app.example.test
  request: {credentials: omit}
cases:
  - name: list
    request: {url: /api/allowlist/items?vary=false}
  - name: unauthorized
    request: {url: /api/allowlist/me?status=401&cors_on_errors=true}
  - name: from the dev server
    origin: http://localhost:3000
    request: {url: /api/allowlist/other?vary=false}
`

// edgeConfig is the nginx edge: /api/allowlist/me with CORS moved to nginx,
// everything else through a cache that ignores the API's no-store.
func edgeConfig(backend string, fixed bool) string {
	always, key := "", ""
	if fixed {
		always, key = " always", "proxy_cache_key $scheme$proxy_host$request_uri$http_origin;"
	}
	// Reflecting $http_origin as such would allow every origin on the edge
	// (the unlisted origin's cache check caught that): the edge allows the
	// API's two origins only.
	return `location /api/allowlist/me {
            proxy_hide_header Access-Control-Allow-Origin;
            set $cors_origin "";
            if ($http_origin ~ '^(https://app\.example\.test|http://localhost:3000)$') {
                set $cors_origin $http_origin;
            }
            add_header Access-Control-Allow-Origin $cors_origin` + always + `;
            proxy_pass ` + backend + `;
        }
        location / {
            proxy_cache edge;
            proxy_cache_valid 200 10m;
            proxy_ignore_headers Cache-Control Expires Set-Cookie;
            ` + key + `
            proxy_pass ` + backend + `;
        }`
}

// TestRunPathsAgainstNginx is the acceptance run: corsproof run
// with paths: and --cache-check against nginx in front of corsproof
// serve's API; broken, the edge's drift and poisoning fail the run with
// the hop and header named; with the fix in the config the same suite
// passes.
func TestRunPathsAgainstNginx(t *testing.T) {
	nginxtest.Binary(t)
	for _, fixed := range []bool{false, true} {
		name := "broken"
		if fixed {
			name = "fixed"
		}
		t.Run(name, func(t *testing.T) {
			base, _ := startTarget(t)
			edge := nginxtest.Start(t, edgeConfig(base, fixed))
			dir := t.TempDir()
			path := filepath.Join(dir, "edge.yaml")
			require.NoError(t, os.WriteFile(path, []byte("version: 1\nname: edge\ntarget: "+base+"\npaths:\n  origin_server: "+base+"\n  edge: "+edge+"\n"+edgeSuite), 0o644))
			f, stdout, stderr := testFactory(t)
			html := filepath.Join(dir, "report.html")
			opts := &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), paths: pathFlags{cacheCheck: true},
				out: outputFlags{output: "json", quiet: true, reports: []string{"html=" + html, "markdown=" + filepath.Join(dir, "report.md")}}}
			opts.browser.jobs = 1
			err := runRun(context.Background(), opts)
			run := decodeRun(t, stdout.Bytes())
			byName := map[string]string{}
			for _, r := range run.Records {
				byName[r.Name] = strings.TrimSpace(string(r.Verdict) + " " + string(r.CorsError))
				t.Logf("%-55s %s", r.Name, byName[r.Name])
			}
			require.Len(t, run.Records, 3*2+3*2*2, "three cases and two cache checks each, on two paths")
			for _, c := range []string{"list", "unauthorized", "from the dev server"} {
				assert.Equal(t, "allowed", byName[c+" @origin_server"], c)
			}
			page, rerr := os.ReadFile(html)
			require.NoError(t, rerr)
			assert.Contains(t, string(page), `<th scope="col">origin_server</th><th scope="col">edge</th>`)
			if fixed {
				require.NoError(t, err, stderr.String())
				assert.Zero(t, run.Totals.ExpectFail)
				return
			}
			require.True(t, errors.Is(err, errExpectations), "the run fails: %v", err)
			assert.Equal(t, "allowed", byName["list @edge"])
			assert.Equal(t, "blocked MissingAllowOriginHeader", byName["unauthorized @edge"], "add_header without always drops ACAO on the 401")
			assert.Equal(t, "blocked AllowOriginMismatch", byName["list › cache check from http://localhost:3000 @edge"], "the cache hands app's ACAO to localhost:3000")
			assert.Equal(t, "allowed", byName["list › cache check from http://localhost:3000 @origin_server"])
			assert.Equal(t, "blocked AllowOriginMismatch", byName["from the dev server › cache check from https://app.example.test @edge"])
			md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
			assert.Contains(t, string(md), `| unauthorized | allowed | blocked MissingAllowOriginHeader ✗ |`)
			assert.Contains(t, string(md), `unauthorized on edge: actual: access-control-allow-origin removed (was "https://app.example.test")`)
			assert.Contains(t, string(md), "**Cache check:** Origin http://localhost:3000 was answered (actual) with Access-Control-Allow-Origin")
		})
	}
}

// TestProbeVia verifies a fix through the edge as well as directly: the
// probe's request on both paths, a record each, and the edge's dropped
// ACAO on the 401 fails the probe with the header named.
func TestProbeVia(t *testing.T) {
	nginxtest.Binary(t)
	base, _ := startTarget(t)
	edge := nginxtest.Start(t, edgeConfig(base, false))
	probe := func(t *testing.T, output string) (string, error) {
		f, stdout, _ := testFactory(t)
		po := &probeOptions{f: f, url: base + "/api/allowlist/me?status=401&cors_on_errors=true", browser: defaultBrowserFlags(),
			out: outputFlags{output: output}, paths: pathFlags{via: []string{"edge=" + edge}},
			req: requestFlags{origin: "https://app.example.test", method: "GET", credentials: "omit", api: "fetch"}}
		err := runProbe(context.Background(), po)
		return stdout.String(), err
	}
	out, err := probe(t, "json")
	require.True(t, errors.Is(err, errExpectations), "the edge changes the verdict: %v", err)
	run := decodeRun(t, []byte(out))
	got := map[string]string{}
	for _, r := range run.Records {
		got[r.Name] = strings.TrimSpace(string(r.Verdict) + " " + string(r.CorsError))
	}
	assert.Equal(t, map[string]string{"probe @direct": "allowed", "probe @edge": "blocked MissingAllowOriginHeader"}, got)

	out, _ = probe(t, "text")
	assert.Contains(t, out, `actual: access-control-allow-origin removed (was "https://app.example.test")`)

	// The one-command confirmation of audit's Vary finding: the edge's
	// cache hands app's Access-Control-Allow-Origin to another origin.
	f, stdout, _ := testFactory(t)
	err = runProbe(context.Background(), &probeOptions{f: f, url: base + "/api/allowlist/items?vary=false", browser: defaultBrowserFlags(),
		out: outputFlags{output: "json"}, paths: pathFlags{via: []string{"edge=" + edge}, cacheCheck: true},
		req: requestFlags{origin: "https://app.example.test", method: "GET", credentials: "omit", api: "fetch"}})
	require.ErrorIs(t, err, errExpectations)
	poisoned := map[string]bool{}
	for _, r := range decodeRun(t, stdout.Bytes()).Records {
		if r.CacheCheck != nil {
			poisoned[r.Name] = r.CacheCheck.Poisoned
		}
	}
	other := scenarios.UnlistedOrigin
	assert.Equal(t, map[string]bool{
		"probe › cache check from " + other + " @direct": false, "probe › cache check from " + other + " @edge": true,
	}, poisoned)

	f, _, _ = testFactory(t)
	err = runProbe(context.Background(), &probeOptions{f: f, url: base + "/api/open", browser: defaultBrowserFlags(), out: outputFlags{output: "text"},
		paths: pathFlags{via: []string{"edge"}}, req: requestFlags{origin: "https://app.example.test", method: "GET", credentials: "omit", api: "fetch"}})
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, ue.Hint(), "--via NAME=URL")
}

// TestProbePathChecksThatCheckNothing: a cache check of a null origin and
// error paths of a no-cors request make no case; the probe says so
// instead of ignoring the flag.
func TestProbePathChecksThatCheckNothing(t *testing.T) {
	for _, tc := range []struct {
		req   requestFlags
		paths pathFlags
		want  string
	}{
		{requestFlags{origin: "null", method: "GET", credentials: "omit", api: "fetch"}, pathFlags{cacheCheck: true}, "--cache-check: nothing to check"},
		{requestFlags{origin: "https://app.example.test", method: "GET", credentials: "omit", api: "fetch", mode: "no-cors"}, pathFlags{errorPaths: true}, "--error-paths: no error path"},
	} {
		f, _, _ := testFactory(t)
		err := runProbe(context.Background(), &probeOptions{f: f, url: "http://127.0.0.1:9/x", browser: defaultBrowserFlags(), out: outputFlags{output: "text"}, paths: tc.paths, req: tc.req})
		var ue *usageError
		require.ErrorAs(t, err, &ue, tc.want)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// TestBaselineOnPaths: a run on two paths is a baseline like any run. Its
// records are named CASE @PATH, so when only the edge starts dropping
// Access-Control-Allow-Origin the next run's --baseline names that case on
// that path, and the direct path stays unchanged.
func TestBaselineOnPaths(t *testing.T) {
	const origin = "https://app.example.test"
	var strip atomic.Bool
	direct := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}))
	t.Cleanup(direct.Close)
	edge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strip.Load() {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
	}))
	t.Cleanup(edge.Close)
	dir := t.TempDir()
	suite := filepath.Join(dir, "suite.yaml")
	require.NoError(t, os.WriteFile(suite, []byte("version: 1\nname: api\ncases:\n  - name: items\n    origin: "+origin+"\n    request: {url: "+direct.URL+"/items}\n"), 0o644))
	run := func(baseline string) (string, error) {
		f, stdout, stderr := testFactory(t)
		err := runRun(context.Background(), &runOptions{f: f, files: []string{suite}, browser: defaultBrowserFlags(),
			out: outputFlags{output: "json", quiet: true}, paths: pathFlags{via: []string{"edge=" + edge.URL}}, baseline: baseline,
			maxCases: scenarios.DefaultLimits.Cases, maxFileMiB: 1})
		if baseline == "" {
			require.NoError(t, err, stderr.String())
			saved := filepath.Join(dir, "baseline.json")
			require.NoError(t, os.WriteFile(saved, stdout.Bytes(), 0o644))
			return saved, nil
		}
		return stderr.String(), err
	}
	saved, _ := run("")
	out, err := run(saved)
	require.NoError(t, err, "nothing changed on either path: %s", out)

	strip.Store(true)
	out, err = run(saved)
	require.ErrorIs(t, err, errExpectations, "the edge's verdict changed: the baseline fails the run")
	assert.Contains(t, out, "items @edge")
	assert.NotContains(t, out, "items @direct", "the direct path did not change")
	assert.Contains(t, out, "MissingAllowOriginHeader")
}
