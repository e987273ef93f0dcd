package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/contract"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/testapi"
)

func TestMain(m *testing.M) { testbrowser.Main(m) }

// defaultBrowserFlags are the browser flags as a command line without any
// gives them.
func defaultBrowserFlags() browserFlags {
	var bf browserFlags
	bf.add(pflag.NewFlagSet("test", pflag.ContinueOnError))
	bf.jobs = 2
	// A Firefox start on a CI machine busy with every other package's
	// tests can take longer than the user's default.
	bf.launchTimeout = time.Minute
	return bf
}

// testBrowser is the test binary's one browser (internal/testbrowser).
func testBrowser(t *testing.T) *harness.Browser { return testbrowser.Get(t) }

// serve starts the built-in target with the policy at path.
func serve(t *testing.T, path string) string {
	t.Helper()
	p, err := policy.Load(path)
	require.NoError(t, err)
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(p))
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL
}

// verifyJSON runs verify of the example policy against url and decodes the
// JSON report.
func verifyJSON(t *testing.T, url string) (*contract.Report, error) {
	t.Helper()
	return verifyPolicyJSON(t, examplePolicy, url)
}

// verifyPolicyJSON runs verify of the policy at path against url and
// decodes the JSON report.
func verifyPolicyJSON(t *testing.T, path, url string) (*contract.Report, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	vo := verifyOptions{f: &factory{stdout: &stdout, stderr: &stderr, browser: testBrowser(t)}, browser: defaultBrowserFlags(),
		policy: path, target: url, output: "json", quiet: true}
	err := runVerify(context.Background(), &vo)
	var rep contract.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	return &rep, err
}

// TestVerifyConformingAPI: the mock serving the policy is the reference
// implementation of the contract, so every case must hold.
func TestVerifyConformingAPI(t *testing.T) {
	rep, err := verifyJSON(t, serve(t, examplePolicy))
	require.NoError(t, err)
	assert.True(t, rep.Conforms)
	assert.Empty(t, rep.Findings)
	assert.Equal(t, 0, rep.Warnings)
	assert.Positive(t, rep.Cases)
	for _, rr := range rep.Rules {
		assert.Equal(t, rr.Cases, rr.Passed, rr.Rule)
	}
}

// TestVerifyMethodStrictAPI: an API that refuses actual requests with a
// method its route does not allow (Spring's CORS processor answers 403
// without CORS headers) implements a POST-only policy correctly, so it must
// conform; and when it also reflects every origin, the origin-denied cases
// must reach that reflection rather than stop at the refused method.
func TestVerifyMethodStrictAPI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "post-only.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`version: 1
routes:
  - path: /api/events
    allow_origins: ["https://app.example.com"]
    allow_methods: [POST]
    allow_headers: [Authorization]
    expose_headers: [X-Request-Id]
`), 0o644))
	p, err := policy.Load(path)
	require.NoError(t, err)
	start := func(reflect bool) string {
		inner := testapi.NewHandler(p)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodOptions && r.Method != http.MethodPost {
				http.Error(w, "Invalid CORS request", http.StatusForbidden)
				return
			}
			if o := r.Header.Get("Origin"); reflect && o != "" {
				w.Header().Set("Access-Control-Allow-Origin", o)
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization")
				w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id")
				w.Header().Set("Vary", "Origin")
				w.Header().Set("X-Request-Id", "1")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			inner.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	rep, err := verifyPolicyJSON(t, path, start(false))
	require.NoError(t, err, "findings: %+v", rep.Findings)
	assert.True(t, rep.Conforms)

	rep, err = verifyPolicyJSON(t, path, start(true))
	require.ErrorIs(t, err, errExpectations)
	assert.Positive(t, rep.Security, "a reflecting POST-only API lets look-alike origins read it: %+v", rep.Findings)
}

// TestVerifyReportsFailWhatVerifyFails: an API that echoes the origin
// without Vary: Origin meets every verdict, so only verify's evaluation
// fails it; the JUnit report must fail those cases too, naming the rule
// and the fix, or CI shows a green test run for a failed verify.
func TestVerifyReportsFailWhatVerifyFails(t *testing.T) {
	data, err := os.ReadFile(examplePolicy)
	require.NoError(t, err)
	noVary := filepath.Join(t.TempDir(), "novary.yaml")
	require.NoError(t, os.WriteFile(noVary, bytes.ReplaceAll(data, []byte("vary: true"), []byte("vary: false")), 0o644))
	junit := filepath.Join(t.TempDir(), "junit.xml")
	var stdout, stderr bytes.Buffer
	vo := verifyOptions{f: &factory{stdout: &stdout, stderr: &stderr, browser: testBrowser(t)}, browser: defaultBrowserFlags(),
		policy: examplePolicy, target: serve(t, noVary), output: "json", quiet: true, reports: []string{"junit=" + junit}}
	require.ErrorIs(t, runVerify(context.Background(), &vo), errExpectations)
	var rep contract.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	require.Positive(t, rep.Violations)
	xml, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.NotContains(t, string(xml), `failures="0"`)
	assert.Contains(t, string(xml), `<failure message="expectation not met: violation vary-origin: the policy requires Vary: Origin on /api/orders`)
	assert.Contains(t, string(xml), "fix: add Vary: Origin to every response")
}

// TestVerifyDivergentAPI serves a policy with three departures and checks
// that verify reports those and nothing else.
func TestVerifyDivergentAPI(t *testing.T) {
	rep, err := verifyJSON(t, serve(t, "../../contract/testdata/divergent-policy.yaml"))
	require.ErrorIs(t, err, errExpectations)
	assert.False(t, rep.Conforms)
	type key struct {
		rule    string
		outcome contract.Outcome
		route   string
	}
	got := map[key]contract.Finding{}
	for _, f := range rep.Findings {
		k := key{f.Rule, f.Outcome, f.Route}
		assert.NotContains(t, got, k, "one finding per departure: %s", f.Message)
		got[k] = f
	}
	want := map[key]string{
		// 1. one origin too many.
		{contract.RuleOriginDenied + "/" + contract.KindPrefix, contract.OutcomeSecurity, "/api/orders"}: "the API allows https://evilshop.example.com on /api/orders, which the policy does not",
		// 2. one header missing.
		{contract.RuleHeaderAllowed, contract.OutcomeViolation, "/api/orders"}: "the policy allows request header X-CSRF-Token from https://shop.example.com on /api/orders, but the preflight's Access-Control-Allow-Headers is Content-Type",
		// 3. credentials with "*": refused by the browser, and every origin let in.
		{contract.RuleCredentialsAllowed, contract.OutcomeViolation, "/api/session"}: "the policy allows https://shop.example.com with credentials on /api/session, but the API answered Access-Control-Allow-Origin: *",
		{contract.RuleOriginDenied, contract.OutcomeSecurity, "/api/session"}:        "the API lets any origin read /api/session (it answered Access-Control-Allow-Origin: *)",
	}
	for k, msg := range want {
		if assert.Contains(t, got, k) {
			assert.Contains(t, got[k].Message, msg)
		}
	}
	assert.Len(t, got, len(want), "findings: %+v", rep.Findings)
	assert.Equal(t, 2, rep.Security)
	assert.Equal(t, 2, rep.Violations)
	assert.Equal(t, 0, rep.Errors)
}

func TestVerifyUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		args []string
		want string
	}{
		{"unknown output", []string{"--policy", examplePolicy, "--target", "http://127.0.0.1:8080", "-o", "xml"}, `--output: "xml" is not a verify format`},
		{"bad report spec", []string{"--policy", examplePolicy, "--target", "http://127.0.0.1:8080", "--report", "junit"}, "want FORMAT=PATH"},
		{"missing target", []string{"--policy", examplePolicy}, `required flag(s) "target" not set`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"verify"}, tc.args...), &stdout, &stderr)
			assert.Equal(t, ExitUsage, code)
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
}
