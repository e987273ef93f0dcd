package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/testapi"
)

// cacheSuite pins down Chromium's preflight cache. Every case has its own
// URL (the t= parameter), so the target's log tells its requests apart;
// the cases run at once, so their waits overlap (about 6 s in all). Max-Age
// values leave a second or more on either side of every expiry, for a busy
// machine.
const cacheSuite = `defaults:
  origin: https://app.example.test
  request: {method: PUT, credentials: omit, headers: {X-Token: a}}
cases:
  - name: within and after Max-Age
    request: {url: /api/open?t=1&max_age=2}
    steps:
      - expect: {preflight: true}
      - expect: {preflight: false}
      - wait: 2.5s
        expect: {preflight: true}
  - name: no Max-Age is 5 s
    request: {url: /api/open?t=2}
    steps:
      - expect: {preflight: true}
      - wait: 2.5s
        expect: {preflight: false}
      - wait: 3.5s
        expect: {preflight: true}
  - name: a new header preflights again
    request: {url: /api/open?t=3&max_age=60&acah=reflect}
    steps:
      - expect: {preflight: true}
      - request: {headers: {X-Other: b}}
        expect: {preflight: true, verdict: allowed}
      - expect: {preflight: false}
  - name: a new method the entry lacks drops it
    request: {url: /api/open?t=4&max_age=60&acah=reflect&acam=PUT}
    steps:
      - expect: {preflight: true}
      - request: {method: DELETE}
        expect: {preflight: true, verdict: blocked, cors_error: MethodDisallowedByPreflightResponse}
      - expect: {preflight: true, verdict: allowed}
  - name: a Max-Age above the cap
    request: {url: /api/open?t=5&max_age=86400}
    steps:
      - expect: {preflight: true}
      - wait: 1s
        expect: {preflight: false}
  - name: Max-Age 0 and negative cache nothing
    request: {url: /api/open?t=6&max_age=0}
    steps:
      - expect: {preflight: true}
      - expect: {preflight: true}
      - request: {url: /api/open?t=6&max_age=-1}
        expect: {preflight: true}
      - request: {url: /api/open?t=6&max_age=-1}
        expect: {preflight: true}
  - name: credentials mode is part of the entry
    request: {url: /api/open?t=7&max_age=60&acah=reflect&acao=reflect&acac=true}
    steps:
      - expect: {preflight: true}
      - request: {credentials: include}
        expect: {preflight: true, verdict: allowed}
      - expect: {preflight: false}
  - name: the origin is part of the key
    request: {url: /api/open?t=8&max_age=60}
    steps:
      - expect: {preflight: true}
      - origin: http://localhost:3000
        expect: {preflight: true}
      - expect: {preflight: false}
  - name: a cached method covers only its own spelling
    request: {url: /api/open?t=9&max_age=60&acam=PATCH, method: PATCH}
    steps:
      - expect: {preflight: true, verdict: allowed}
      - request: {method: patch}
        expect: {preflight: true, verdict: blocked, cors_error: MethodDisallowedByPreflightResponse}
      - expect: {preflight: true, verdict: allowed}
  - name: a wildcard counts only in an entry stored without credentials
    request: {url: "/api/open?t=10&max_age=60&acao=reflect&acac=true&acam=PUT,*&acah=x-token,*", credentials: include}
    steps:
      - expect: {preflight: true, verdict: allowed}
      - request: {method: DELETE, credentials: omit}
        expect: {preflight: true, verdict: allowed}
      - request: {credentials: omit, headers: {X-Other: b}}
        expect: {preflight: false, verdict: allowed}
      - expect: {preflight: true, verdict: allowed}
      - request: {credentials: omit, headers: {X-Other: b}}
        expect: {preflight: true, verdict: allowed}
  - name: the URL as the browser parses it is the key
    request: {url: "{BASE}/api/open?t=12&max_age=60"}
    steps:
      - expect: {preflight: true}
      - request: {url: "{BASE_UPPER}/api/x/../open?t=12&max_age=60"}
        expect: {preflight: false}
      - request: {url: "{BASE}/api/open?t=12&max_age=60#frag"}
        expect: {preflight: true}
      - request: {url: "{BASE}/api/open?t=12&max_age=60#frag"}
        expect: {preflight: false}
      - request: {url: "{BASE}/api/%6Fpen?t=12&max_age=60"}
        expect: {preflight: true}
  - name: an opaque origin reuses no result
    origin: "null"
    request: {url: /api/open?t=13&max_age=60}
    steps:
      - expect: {preflight: true}
      - expect: {preflight: true}
  - name: a fresh step starts with an empty cache
    request: {url: /api/open?t=11&max_age=60}
    steps:
      - expect: {preflight: true}
      - fresh: true
        expect: {preflight: true}
      - expect: {preflight: false}
`

// startTarget serves the built-in API and returns its URL and handler.
func startTarget(t *testing.T) (string, *testapi.Handler) {
	t.Helper()
	h := testapi.NewHandler(testapi.DefaultPolicy())
	srv, err := testapi.Start("127.0.0.1:0", h)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL, h
}

// TestStepsPreflightCache runs the sequences in real Chromium and checks
// each step's preflight three ways: the step's expectation, the target's
// own request log (what crossed the wire), and the model's prediction.
func TestStepsPreflightCache(t *testing.T) {
	base, h := startTarget(t)
	path := filepath.Join(t.TempDir(), "cache.yaml")
	suite := strings.NewReplacer("{BASE_UPPER}", strings.ToUpper(base), "{BASE}", base).Replace(cacheSuite)
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nname: cache\ntarget: "+base+"\n"+suite), 0o644))
	f, stdout, stderr := testFactory(t)
	opts := &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), out: outputFlags{output: "json", quiet: true}}
	opts.browser.jobs = 8
	require.NoError(t, runRun(context.Background(), opts), stderr.String())
	run := decodeRun(t, stdout.Bytes())
	require.Len(t, run.Records, 13)

	// The preflights the target saw, by case tag.
	onWire := map[string]int{}
	calls := map[string]int{}
	for _, l := range h.Log() {
		q, _ := url.ParseQuery(l.Query)
		if l.Preflight {
			onWire[q.Get("t")]++
		} else {
			calls[q.Get("t")]++
		}
	}
	want := map[string]struct{ preflights, calls int }{
		"within and after Max-Age":                                      {2, 3},
		"no Max-Age is 5 s":                                             {2, 3},
		"a new header preflights again":                                 {2, 3},
		"a new method the entry lacks drops it":                         {3, 2},
		"a Max-Age above the cap":                                       {1, 2},
		"Max-Age 0 and negative cache nothing":                          {4, 4},
		"credentials mode is part of the entry":                         {2, 3},
		"the origin is part of the key":                                 {2, 3},
		"a cached method covers only its own spelling":                  {3, 2},
		"a wildcard counts only in an entry stored without credentials": {4, 5},
		"a fresh step starts with an empty cache":                       {2, 3},
		"an opaque origin reuses no result":                             {2, 2},
		"the URL as the browser parses it is the key":                   {3, 5},
	}
	for _, rec := range run.Records {
		t.Run(rec.Name, func(t *testing.T) {
			assert.True(t, rec.ExpectMet, "mismatches: %v", rec.Mismatches)
			tag, _ := url.ParseQuery(strings.SplitN(rec.Request.URL, "?", 2)[1])
			w := want[rec.Name]
			assert.Equal(t, w.preflights, onWire[tag.Get("t")], "preflights in the target's log")
			assert.Equal(t, w.calls, calls[tag.Get("t")], "actual requests in the target's log")
			sent := 0
			for _, st := range rec.Steps {
				if st.Preflight != nil {
					sent++
				}
				require.NotNil(t, st.PreflightModel, st.Name)
				assert.True(t, st.PreflightModel.AgreesWithBrowser, "%s: the model said %+v", st.Name, st.PreflightModel.CachedPreflight)
			}
			assert.Equal(t, w.preflights, sent, "the record's preflights are the wire's")
			assert.True(t, rec.Diagnosis.AgreesWithBrowser, rec.Diagnosis.Warnings)
			require.NotNil(t, rec.Economy)
			assert.Equal(t, w.preflights, rec.Economy.Preflights)
		})
	}
	// The PUT preflighted twice because the refused DELETE dropped its
	// entry, not because Max-Age 60 ran out.
	dropped := recordNamed(t, run, "a new method the entry lacks drops it")
	assert.Contains(t, dropped.Steps[2].PreflightModel.Reason, "was dropped by step 2")
	assert.Contains(t, dropped.Economy.Groups[0].Cause, "made Chromium drop the result")
	fresh := recordNamed(t, run, "a fresh step starts with an empty cache")
	assert.Equal(t, cors.CauseFresh, fresh.Steps[1].PreflightModel.Cause)
	capped := recordNamed(t, run, "a Max-Age above the cap")
	assert.Contains(t, strings.Join(capped.Steps[0].Diagnosis.Warnings, "\n"), "caps it at 7200 s", "the cap is noted")
	assert.Equal(t, int64(7200), capped.Economy.Groups[0].MaxAgeSeconds)
}

func recordNamed(t *testing.T, run *result.Run, name string) *result.Record {
	t.Helper()
	for i := range run.Records {
		if run.Records[i].Name == name {
			return &run.Records[i]
		}
	}
	t.Fatalf("no record %q", name)
	return nil
}

// TestStepsAfterARedirect: a request redirected to another URL of the API
// preflights there too (the target's log shows it) and Chromium caches
// that result, but the record keeps only the first preflight of a step.
// A later call of the redirect's URL, which the browser serves from the
// cache, is no model disagreement: the model says it cannot know.
func TestStepsAfterARedirect(t *testing.T) {
	base, h := startTarget(t)
	path := filepath.Join(t.TempDir(), "redirect.yaml")
	suite := `version: 1
name: redirect
target: ` + base + `
defaults:
  origin: https://app.example.test
  request: {method: PUT, credentials: omit, headers: {X-Token: a}}
cases:
  - name: the redirect's URL later
    request: {url: "/api/open?max_age=60&t=a&redirect=%2Fapi%2Fopen%3Fmax_age%3D60%26t%3Db"}
    steps:
      - expect: {preflight: true, verdict: allowed}
      - request: {url: /api/open?max_age=60&t=b}
        expect: {verdict: allowed}
`
	require.NoError(t, os.WriteFile(path, []byte(suite), 0o644))
	f, stdout, stderr := testFactory(t)
	opts := &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), out: outputFlags{output: "json", quiet: true}}
	require.NoError(t, runRun(context.Background(), opts), stderr.String())
	rec := decodeRun(t, stdout.Bytes()).Records[0]
	preflights := map[string]int{}
	for _, l := range h.Log() {
		if l.Preflight {
			q, _ := url.ParseQuery(l.Query)
			preflights[q.Get("t")]++
		}
	}
	require.Equal(t, map[string]int{"a": 1, "b": 1}, preflights, "step 1 preflighted at both URLs, step 2 at neither")
	require.Len(t, rec.Steps, 2)
	assert.Nil(t, rec.Steps[1].Preflight)
	pm := rec.Steps[1].PreflightModel
	assert.True(t, pm.Uncertain, pm.Reason)
	assert.True(t, pm.AgreesWithBrowser)
	assert.True(t, rec.Diagnosis.AgreesWithBrowser, rec.Diagnosis.Warnings)
}

// TestProbeRepeatEconomy is the client pattern of the issue: the same
// probe twenty times. With a short Max-Age the calls keep preflighting and
// the report says what removes them; with Access-Control-Max-Age: 600 on
// the server, twenty calls cost one preflight. Max-Age 0 is a storm.
func TestProbeRepeatEconomy(t *testing.T) {
	base, h := startTarget(t)
	probe := func(t *testing.T, query string, n int, every time.Duration) (string, int) {
		t.Helper()
		f, stdout, stderr := testFactory(t)
		po := &probeOptions{f: f, url: base + "/api/open?" + query, browser: defaultBrowserFlags(), out: outputFlags{output: "text"},
			req:    requestFlags{origin: "https://app.example.test", method: "PUT", headers: []string{"X-Token: a"}, credentials: "same-origin", api: "fetch"},
			repeat: repeatFlags{n: repeatCount(n), every: every}}
		require.NoError(t, runProbe(context.Background(), po), stderr.String())
		wire := 0
		for _, l := range h.Log() {
			if l.Preflight && l.Query == query {
				wire++
			}
		}
		return stdout.String(), wire
	}
	t.Run("Max-Age 600 makes twenty calls cost one preflight", func(t *testing.T) {
		out, wire := probe(t, "max_age=600&t=a", 20, 20*time.Millisecond)
		assert.Equal(t, 1, wire, "preflights in the target's log")
		assert.Contains(t, out, "20 calls cost 1 preflight: 1 extra round trip")
		assert.Contains(t, out, "Access-Control-Max-Age 600, kept 600 s by Chromium; Max-Age honoured")
		assert.NotContains(t, out, "PREFLIGHT STORM")
		// The reasons name the calls as the lines do: there is no "step 1".
		assert.Contains(t, out, "call 2 at ")
		assert.Contains(t, out, "the result cached by call 1 covers it")
		assert.NotContains(t, out, "step 1")
	})
	t.Run("Max-Age 1 over two seconds preflights again and says what to raise", func(t *testing.T) {
		out, wire := probe(t, "max_age=1&t=b", 20, 100*time.Millisecond)
		assert.GreaterOrEqual(t, wire, 2, "preflights in the target's log")
		assert.Contains(t, out, fmt.Sprintf("20 calls cost %d preflights", wire), "the report counts what the wire saw")
		assert.Contains(t, out, "fix: Raise Access-Control-Max-Age on the preflight response to 7200")
		assert.Contains(t, out, "Max-Age honoured")
	})
	t.Run("a preflight that fails is no Max-Age problem", func(t *testing.T) {
		out, wire := probe(t, "max_age=600&acam=GET&t=d", 3, 0)
		assert.Equal(t, 3, wire)
		assert.Contains(t, out, "every preflight failed, so Chromium cached nothing")
		assert.Contains(t, out, "PREFLIGHT STORM: 3 preflights for 3 calls of the same request (more than one per 5): the preflights failed, and a failed preflight caches nothing")
		assert.NotContains(t, out, "Raise Access-Control-Max-Age")
	})
	t.Run("Max-Age 0 is a preflight storm", func(t *testing.T) {
		out, wire := probe(t, "max_age=0&t=c", 5, 0)
		assert.Equal(t, 5, wire)
		assert.Contains(t, out, "PREFLIGHT STORM: 5 preflights for 5 calls of the same request")
		assert.Contains(t, out, "caches nothing")
		assert.Contains(t, out, "call 2 at ")
		assert.Contains(t, out, "preflight sent; the preflight of call 1 answered Access-Control-Max-Age `0`, which caches nothing")
		assert.Contains(t, out, "fix: Move `x-token` into the body")
	})
}

// TestVerifyMaxAgeDeparture serves the example policy with max_age 60
// instead of 600 on /api/orders: verify names the departure, from the
// real API's preflight, and nothing else.
func TestVerifyMaxAgeDeparture(t *testing.T) {
	data, err := os.ReadFile(examplePolicy)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), "max_age: 600", "max_age: 60", 1)), 0o644))
	rep, err := verifyJSON(t, serve(t, path))
	require.ErrorIs(t, err, errExpectations)
	require.Len(t, rep.Findings, 1, "findings: %+v", rep.Findings)
	f := rep.Findings[0]
	assert.Equal(t, contract.RuleMaxAge, f.Rule)
	assert.Equal(t, contract.OutcomeViolation, f.Outcome)
	assert.Equal(t, "the policy sets max_age 600 on /api/orders, but the API's preflight sends Access-Control-Max-Age: 60, which Chromium keeps 60 s", f.Message)
	assert.Equal(t, "send Access-Control-Max-Age: 600 on the preflight responses of /api/orders", f.Fix)
}

// TestBaselineFlagsCacheInvalidation runs one sequence twice in real
// Chromium: the second time the API (or the client) changed, and run
// --baseline names the step that now preflights and why.
func TestBaselineFlagsCacheInvalidation(t *testing.T) {
	base, _ := startTarget(t)
	dir := t.TempDir()
	run := func(t *testing.T, maxAge, second string, baseline string) (string, error) {
		t.Helper()
		path := filepath.Join(dir, "suite.yaml")
		suite := "version: 1\nname: api\ntarget: " + base + "\n" + `defaults:
  origin: https://app.example.test
cases:
  - name: save twice
    request: {method: PUT, url: /api/open?acah=reflect&max_age=` + maxAge + `, headers: {X-Token: a}}
    steps:
      - {}
      - request: {headers: ` + second + `}
`
		require.NoError(t, os.WriteFile(path, []byte(suite), 0o644))
		f, stdout, stderr := testFactory(t)
		opts := &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), baseline: baseline,
			out: outputFlags{output: "json", quiet: true}}
		err := runRun(context.Background(), opts)
		if baseline == "" {
			require.NoError(t, err, stderr.String())
			saved := filepath.Join(dir, "baseline.json")
			require.NoError(t, os.WriteFile(saved, stdout.Bytes(), 0o644))
			return saved, nil
		}
		return stderr.String(), err
	}
	saved, _ := run(t, "600", "{X-Token: a}", "")
	t.Run("a new header", func(t *testing.T) {
		out, err := run(t, "600", "{X-Token: a, X-Other: b}", saved)
		require.ErrorIs(t, err, errExpectations)
		assert.Contains(t, out, "steps.preflight sent, not sent → sent, sent (step 2 now sends a preflight: new header x-other; now the header `x-other` is not in the Access-Control-Allow-Headers cached by step 1)")
	})
	t.Run("the baseline is also this run's report", func(t *testing.T) {
		// CI jobs keep one file: compare with it, then replace it.
		data, err := os.ReadFile(saved)
		require.NoError(t, err)
		for _, format := range []string{"json", "jsonl"} {
			both := filepath.Join(dir, "both."+format)
			require.NoError(t, os.WriteFile(both, data, 0o644))
			path := filepath.Join(dir, "suite.yaml")
			f, _, stderr := testFactory(t)
			err = runRun(context.Background(), &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), baseline: both,
				out: outputFlags{output: "json", quiet: true, reports: []string{format + "=" + both}}})
			require.ErrorIs(t, err, errExpectations, "%s: compared with the saved run, not with itself: %s", format, stderr.String())
			assert.Contains(t, stderr.String(), "step 2 now sends a preflight", format)
			rewritten, rerr := os.ReadFile(both)
			require.NoError(t, rerr)
			assert.NotEqual(t, data, rewritten, "%s: the report holds the new run", format)
		}
	})
	t.Run("Max-Age changed", func(t *testing.T) {
		out, err := run(t, "0", "{X-Token: a}", saved)
		require.ErrorIs(t, err, errExpectations)
		assert.Contains(t, out, "(step 2 now sends a preflight: Access-Control-Max-Age 600 → 0; now the preflight of step 1 answered Access-Control-Max-Age `0`, which caches nothing)")
	})
}

// TestRunRepeatAndTryFix runs a suite with --repeat and --try-fix, the way
// probe is tested above: the repeated PUT costs one preflight with
// Access-Control-Max-Age 600, and the blocked request's fix is proved in
// Chromium.
func TestRunRepeatAndTryFix(t *testing.T) {
	base, h := startTarget(t)
	path := filepath.Join(t.TempDir(), "repeat.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`version: 1
name: repeat
target: `+base+`
cases:
  - name: cached PUT
    origin: https://app.example.test
    request: {method: PUT, url: /api/open?max_age=600&t=run-repeat, headers: {X-Token: a}}
    expect: {verdict: allowed}
  - name: header the preflight does not allow
    origin: https://app.example.test
    request: {method: POST, url: /api/missing-allow-headers, headers: {X-Token: abc}, body: x}
    expect: {verdict: blocked, cors_error: HeaderDisallowedByPreflightResponse}
`), 0o644))
	f, stdout, stderr := testFactory(t)
	opts := &runOptions{f: f, files: []string{path}, browser: defaultBrowserFlags(), out: outputFlags{output: "json", quiet: true},
		repeat: repeatFlags{n: 5, every: 20 * time.Millisecond}}
	opts.browser.tryFix = true
	require.NoError(t, runRun(context.Background(), opts), stderr.String())
	run := decodeRun(t, stdout.Bytes())

	cached := recordNamed(t, run, "cached PUT")
	require.NotNil(t, cached.Economy)
	assert.Equal(t, 5, cached.Economy.Calls)
	assert.Equal(t, 1, cached.Economy.Preflights)
	wire := 0
	for _, l := range h.Log() {
		if l.Preflight && strings.Contains(l.Query, "t=run-repeat") {
			wire++
		}
	}
	assert.Equal(t, 1, wire, "preflights in the target's log")

	blocked := recordNamed(t, run, "header the preflight does not allow")
	require.NotNil(t, blocked.Diagnosis.FixCheck, "a blocked request's fix is tried")
	assert.True(t, blocked.Diagnosis.FixCheck.Verified, blocked.Diagnosis.FixCheck.Summary)
}
