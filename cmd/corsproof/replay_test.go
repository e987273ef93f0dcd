package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

const firefoxHAR = "../../scenarios/testdata/har/firefox-dashboard.har"

// runCmd runs one command on its own, as Main would, with stdin.
func runCmd(t *testing.T, cmd *cobra.Command, stdin string, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	harData, err := os.ReadFile(firefoxHAR)
	require.NoError(t, err)
	tests := []struct {
		desc       string
		args       []string
		stdin      string
		wantErr    string
		wantUsage  bool
		wantCases  int
		wantStderr []string
	}{
		{desc: "har file to stdout", args: []string{"har", firefoxHAR}, wantCases: 2,
			wantStderr: []string{"7 entries, 2 requests to replay, 5 skipped", "skipped entry 2: OPTIONS https://api.example.net/v1/reports: preflight (preflight of entry 3)",
				"placeholders for Authorization", "skipped entry 5: GET data:image/png;base64,iVBORw0KGgo=: not http(s)"}},
		{desc: "har from stdin, only failed", args: []string{"har", "-", "--only-failed"}, stdin: string(harData), wantCases: 1},
		{desc: "origin override", args: []string{"har", firefoxHAR, "--origin", "https://api.example.net"}, wantErr: "nothing to replay: 7 entries", wantUsage: true},
		{desc: "unknown kind", args: []string{"postman", firefoxHAR}, wantErr: `"postman" is not a kind of input`, wantUsage: true},
		{desc: "missing file", args: []string{"har", "testdata/nope.har"}, wantErr: "nope.har", wantUsage: true},
		{desc: "truncated har", args: []string{"har", "-"}, stdin: string(harData[:200]), wantErr: "stdin:", wantUsage: false},
		{desc: "curl from stdin", args: []string{"curl", "-", "--origin", "https://app.example.test"},
			stdin: `curl 'https://api.example.test/v1/x' -H 'X-Trace: 1'`, wantCases: 1},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runCmd(t, newImportCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), tc.stdin, tc.args...)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				// A usage error is one that says what to do (exit 2).
				var h hinter
				assert.Equal(t, tc.wantUsage, errors.As(err, &h) && h.Hint() != "")
				if !tc.wantUsage {
					assert.NotEmpty(t, fileerr.Problems(err), "located problems exit 2 too")
				}
				return
			}
			require.NoError(t, err, stderr.String())
			s, err := scenarios.Parse("stdout", stdout.Bytes())
			require.NoError(t, err, stdout.String())
			assert.Len(t, s.Cases, tc.wantCases)
			for _, want := range tc.wantStderr {
				assert.Contains(t, stderr.String(), want)
			}
			assert.NotContains(t, stdout.String(), "user-secret", "secrets stay out of the suite")
		})
	}
}

func TestImportCommandWritesFile(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "repro.yaml")
	var stdout, stderr bytes.Buffer
	require.NoError(t, runCmd(t, newImportCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), "", "har", firefoxHAR, "-o", out))
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "wrote 2 cases to "+out)
	s, err := scenarios.Load(out)
	require.NoError(t, err)
	assert.Equal(t, "imported from firefox-dashboard.har", s.Name)
}

// TestImportCommandNamesRunsLimitFlags: a suite beyond run's default
// limits is written, and the run line says which flags read it. Not
// parallel: it lowers the defaults while no other test runs.
func TestImportCommandNamesRunsLimitFlags(t *testing.T) {
	saved := scenarios.DefaultLimits
	t.Cleanup(func() { scenarios.DefaultLimits = saved })
	scenarios.DefaultLimits.Cases = 1
	out := filepath.Join(t.TempDir(), "repro.yaml")
	var stdout, stderr bytes.Buffer
	require.NoError(t, runCmd(t, newImportCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), "", "har", firefoxHAR, "-o", out))
	assert.Contains(t, stderr.String(), "wrote 2 cases to "+out+"; run them with: corsproof run "+out+" --max-cases 2\n")
	stderr.Reset()
	require.NoError(t, runCmd(t, newImportCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), "", "har", firefoxHAR))
	assert.Contains(t, stderr.String(), "more than run reads by default: run it with --max-cases 2\n")
}

func TestReplayUsageErrors(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runCmd(t, newReplayCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), `{"log":{"entries":[]}}`, "-")
	require.ErrorIs(t, err, scenarios.ErrNothingToReplay)
	err = runCmd(t, newReplayCmd(&factory{stdout: &stdout, stderr: &stderr}, nil), `[]`, "-")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a HAR file")
}

func TestReplayCommandLine(t *testing.T) {
	t.Parallel()
	got := replayCommand("my user.har", &importOptions{origin: "https://app.example.test", onlyFailed: true})
	assert.Equal(t, "corsproof replay 'my user.har' --origin https://app.example.test --only-failed", got)
	assert.Equal(t, "````sh\na ``` b\n````\n", reports.Fenced("sh", "a ``` b"))
}

// TestReplayRoundTrip runs a small suite in a real browser against the
// built-in target, saves the run as HAR, imports it and replays it: every
// request must come back with the same verdict. Replaying the same HAR from
// another origin must report what no longer reproduces. One browser serves
// all three runs.
func TestReplayRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("launches a browser")
	}
	path, err := harness.FindBrowser("")
	if err != nil {
		t.Skip("no Chromium: ", err)
	}
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b, err := harness.Launch(ctx, harness.Options{Path: path, Timeout: 15 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })

	suite, err := scenarios.Parse("round-trip.yaml", []byte(`version: 1
name: round trip
target: `+srv.URL+`
cases:
  - name: xhr GET on the open route
    origin: https://app.example.test
    request: {api: xhr, method: GET, url: /api/open}
  - name: preflighted PUT with a token
    origin: https://app.example.test
    request: {method: PUT, url: /api/allowlist/items/1, headers: {X-Token: abc, Content-Type: application/json}, body: "{}", credentials: include}
  - name: wildcard with credentials
    origin: https://app.example.test
    request: {method: GET, url: /api/wildcard-credentials, credentials: include}
  - name: origin the allow-list refuses
    origin: https://evil.example.test
    request: {method: GET, url: /api/allowlist}
`))
	require.NoError(t, err)
	first, err := runner.Run(ctx, runner.Config{Reuse: b, Jobs: 2}, []*scenarios.Suite{suite}, runner.Hooks{})
	require.NoError(t, err)
	var har bytes.Buffer
	require.NoError(t, reports.NewHAR(reports.Options{}).Report(&har, first))

	imported, rep, err := scenarios.ImportHAR(har.Bytes(), scenarios.HAROptions{File: "user.har"})
	require.NoError(t, err)
	require.Len(t, imported.Cases, len(suite.Cases))
	for _, sk := range rep.Skipped {
		assert.Equal(t, scenarios.SkipPreflight, sk.Kind, "entry %d: %s", sk.Entry, sk.Reason)
	}

	dir := t.TempDir()
	md, harFile := filepath.Join(dir, "repro.md"), filepath.Join(dir, "user.har")
	require.NoError(t, os.WriteFile(harFile, har.Bytes(), 0o644))
	var stdout, stderr bytes.Buffer
	opts := &replayOptions{f: &factory{stdout: &stdout, stderr: &stderr, browser: b}, file: harFile,
		browser: defaultBrowserFlags(), out: outputFlags{output: "text", quiet: true, reports: []string{"markdown=" + md}}}
	require.NoError(t, runReplay(ctx, opts), stdout.String())

	want := map[string]string{}
	for _, rec := range first.Records {
		want[rec.Name] = reports.Outcome(rec.Verdict, rec.CorsError)
	}
	assert.Equal(t, map[string]string{
		"xhr GET on the open route":     "allowed",
		"preflighted PUT with a token":  "allowed",
		"wildcard with credentials":     "blocked (WildcardOriginNotAllowed)",
		"origin the allow-list refuses": "blocked (MissingAllowOriginHeader)",
	}, want, "the first run behaves as the default policy says")
	out := stdout.String()
	for name, o := range want {
		assert.Contains(t, out, "reproduced: "+name+"\n")
		assert.NotContains(t, out, "not reproduced: "+name)
		assert.Contains(t, out, "here:           "+o+"\n")
	}
	assert.Contains(t, out, "4 of 4 requests reproduced")
	repro, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Contains(t, string(repro), "corsproof replay "+harFile)
	assert.Contains(t, string(repro), "corsproof probe")
	assert.Contains(t, string(repro), "**Fix:**")

	// From an origin the allow-list does not list, the PUT is refused: the
	// replay says it does not reproduce, and fails.
	stdout.Reset()
	opts.out.reports, opts.imp.origin = nil, "https://other.example.test"
	require.ErrorIs(t, runReplay(ctx, opts), errExpectations)
	assert.Contains(t, stdout.String(), "not reproduced: preflighted PUT with a token")
	assert.Contains(t, stdout.String(), "3 of 4 requests reproduced")

	// replay --isolation fresh -o json runs and records fresh isolation and
	// the browser product, as run does.
	stdout.Reset()
	opts.imp.origin, opts.browser.isolation, opts.out.output = "", "fresh", "json"
	require.NoError(t, runReplay(ctx, opts))
	run, _, err := result.Decode(stdout.Bytes())
	require.NoError(t, err)
	assert.Equal(t, "fresh", run.Isolation)
	assert.Equal(t, b.Product(), run.BrowserProduct)

	// replay --try-fix proves, for the user's request that the server
	// refuses from another origin, that the proposed fix makes it pass.
	stdout.Reset()
	opts.imp.origin, opts.browser.isolation, opts.browser.tryFix = "https://other.example.test", "clean", true
	require.ErrorIs(t, runReplay(ctx, opts), errExpectations)
	run, _, err = result.Decode(stdout.Bytes())
	require.NoError(t, err)
	put, err := run.Find("preflighted PUT with a token")
	require.NoError(t, err)
	require.Equal(t, cors.VerdictBlocked, put.Verdict)
	require.NotNil(t, put.Diagnosis.FixCheck, "a blocked request's fix is tried")
	assert.True(t, put.Diagnosis.FixCheck.Verified, put.Diagnosis.FixCheck.Summary)
}
