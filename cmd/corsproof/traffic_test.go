package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/testapi"
)

// tlsTargetEnv names the folder TestTrafficTLSTarget writes its CA into;
// without it that test is skipped.
const tlsTargetEnv = "CORSPROOF_TRAFFIC_TLS_DIR"

// TestTrafficTLSTarget is not a test: the traffic tests start this test
// binary with it inside their network namespace, as an https target (the
// built-in API behind a CA of its own, on 127.0.0.1:18443) for --try-fix
// over https. It writes the CA to $CORSPROOF_TRAFFIC_TLS_DIR/ca.pem and
// serves until killed.
func TestTrafficTLSTarget(t *testing.T) {
	dir := os.Getenv(tlsTargetEnv)
	if dir == "" {
		t.Skip("only run by the traffic tests, inside their network namespace")
	}
	ca := testca.New(t, "corsproof traffic test CA")
	cert := ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1", "localhost", "edge.example.test"}})
	ln, err := net.Listen("tcp", "127.0.0.1:18443")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), ca.PEM(), 0o644))
	srv := &http.Server{Handler: testapi.NewHandler(testapi.DefaultPolicy()), ErrorLog: log.New(io.Discard, "", 0),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	_ = srv.ServeTLS(ln, "", "")
}

// tlsTarget starts TestTrafficTLSTarget from this test binary ($TESTBIN)
// inside the namespace and waits for it: an https target on
// 127.0.0.1:18443 whose CA is $OUT/ca.pem. It sets tp to its pid.
const tlsTarget = `CORSPROOF_TRAFFIC_TLS_DIR="$OUT" "$TESTBIN" -test.run '^TestTrafficTLSTarget$' >"$OUT/tls.log" 2>&1 &
tp=$!
for i in $(seq 100); do [ -f "$OUT/ca.pem" ] && (exec 3<>/dev/tcp/127.0.0.1/18443) 2>/dev/null && break; sleep 0.1; done`

// laterSuite is the suite of the traffic tests' "later" run: a blocked
// request whose fix --try-fix proves and a case of steps with wait:, run
// directly and over a path whose host (edge.example.test) exists nowhere
// but in the run's --via address. Before the mirrors and the --ca check
// connected to that address, both looked the name up in DNS.
const laterSuite = `version: 1
name: later
target: TARGET
defaults:
  origin: https://app.example.test
  request: {credentials: omit}
cases:
  - name: trailing slash
    request: {url: "/api/open?acao=https://app.example.test/"}
  - name: preflight cache
    request: {method: PUT, url: /api/open?max_age=60, headers: {X-Token: a}}
    steps:
      - name: first
      - name: second
        wait: 50ms
      - origin: https://other.example.test
        wait: 10ms
`

// tlsEdgeSuite is one allowed request to the https target of tlsTarget,
// which the Firefox traffic test also makes over a path whose host exists
// only in its --via address, under --ca: the check reaches the path's
// target at the address, and Firefox accepts the leaf it served there.
const tlsEdgeSuite = `version: 1
name: edge
target: https://127.0.0.1:18443
defaults:
  origin: https://app.example.test
  request: {credentials: omit}
cases:
  - name: open
    request: {url: /api/open}
`

// writeLaterSuites writes later.yaml (laterSuite), edge.yaml (tlsEdgeSuite)
// and small.har (a HAR Chromium recorded, its requests to target) into
// dir.
func writeLaterSuites(t *testing.T, dir, target string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "later.yaml"), []byte(strings.Replace(laterSuite, "TARGET", target, 1)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edge.yaml"), []byte(tlsEdgeSuite), 0o644))
	har, err := os.ReadFile("../../scenarios/testdata/har/chromium-small.har")
	require.NoError(t, err)
	u, err := url.Parse(target)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "small.har"), bytes.ReplaceAll(har, []byte("TARGET_PORT"), []byte(u.Port())), 0o644))
}

// tracedRecord is what the traffic tests read of a record.
type tracedRecord struct {
	Name      string   `json:"name"`
	Verdict   string   `json:"verdict"`
	Contacted []string `json:"contacted"`
	Diagnosis *struct {
		FixCheck *struct {
			Verified bool   `json:"verified"`
			Summary  string `json:"summary"`
		} `json:"fix_check"`
	} `json:"diagnosis"`
}

// tracedRun is what the traffic tests read of a run.
type tracedRun struct {
	Records   []tracedRecord `json:"records"`
	Contacted []string       `json:"contacted"`
}

// readTraced decodes the JSON a traced command wrote to DIR/NAME.json.
func readTraced(t *testing.T, dir, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v), name)
}

// checkTryFix reads the record a --try-fix probe wrote: blocked, its fix
// proved, and only the targets contacted.
func checkTryFix(t *testing.T, dir, name string, targets []string) {
	t.Helper()
	var rec tracedRecord
	readTraced(t, dir, name, &rec)
	assert.Equal(t, "blocked", rec.Verdict, name)
	if assert.NotNil(t, rec.Diagnosis, name) && assert.NotNil(t, rec.Diagnosis.FixCheck, "%s: the fix was tried", name) {
		assert.True(t, rec.Diagnosis.FixCheck.Verified, "%s: %s", name, rec.Diagnosis.FixCheck.Summary)
	}
	assert.Equal(t, targets, rec.Contacted, "%s: the browser's own events show the target and nothing else", name)
}

// checkLater reads the run of laterSuite: every case ran on both paths,
// every fix tried was proved (on the path's address: a mirror that looked
// the name up reached no one), and the run contacted the two targets.
func checkLater(t *testing.T, dir, name string, targets ...string) {
	t.Helper()
	var run tracedRun
	readTraced(t, dir, name, &run)
	edge, tried := 0, 0
	for _, rec := range run.Records {
		if strings.HasSuffix(rec.Name, " @edge") {
			edge++
		}
		if rec.Diagnosis != nil && rec.Diagnosis.FixCheck != nil {
			tried++
			assert.True(t, rec.Diagnosis.FixCheck.Verified, "%s: %s", rec.Name, rec.Diagnosis.FixCheck.Summary)
		}
		if strings.HasPrefix(rec.Name, "preflight cache @") {
			assert.Equal(t, "allowed", rec.Verdict, rec.Name)
		}
	}
	assert.Equal(t, len(run.Records), 2*edge, "every case ran directly and over the edge: %d records", len(run.Records))
	assert.Positive(t, edge)
	assert.Positive(t, tried, "fixes were tried")
	assert.Equal(t, targets, run.Contacted, "the browser's own events show the two paths and nothing else")
}

// checkAudit reads the audit's report: the attacker origins (look-alikes
// under the front end's own domain among them) read the response, and a
// proof-of-concept page was written.
func checkAudit(t *testing.T, dir, name string) {
	t.Helper()
	var rep struct {
		Findings []struct {
			Origins []string `json:"origins"`
		} `json:"findings"`
	}
	data, err := os.ReadFile(filepath.Join(dir, name+".json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep), name)
	var origins []string
	for _, f := range rep.Findings {
		origins = append(origins, f.Origins...)
	}
	assert.Subset(t, origins, []string{"http://evil.test", "null", "https://evil.example.com", "https://app.example.com.evil.test"})
	pocs, _ := filepath.Glob(filepath.Join(dir, "poc", "*.html"))
	assert.NotEmpty(t, pocs, "a proof-of-concept page")
}

// uiClientEnv names the folder TestTrafficUIClient works in; without it
// that test is skipped.
const uiClientEnv = "CORSPROOF_TRAFFIC_UI_DIR"

// uiOrigins are the page origins the traffic test's playground runs a
// request from: the form's default and a private name, which the
// playground launches a new browser for.
var uiOrigins = []string{"https://app.example.test", "https://prod.internal"}

// TestTrafficUIClient is not a test: the traffic tests start this test
// binary with it inside their network namespace to post the playground's
// form as its page does, once per uiOrigins, to the URL `corsproof ui`
// printed in $CORSPROOF_TRAFFIC_UI_DIR/ui.json (its stdout), and write
// the answers, one JSON object a line, to ui.answers there.
func TestTrafficUIClient(t *testing.T) {
	dir := os.Getenv(uiClientEnv)
	if dir == "" {
		t.Skip("only run by the traffic tests, inside their network namespace")
	}
	var page string
	for range 600 {
		if b, err := os.ReadFile(filepath.Join(dir, "ui.json")); err == nil && strings.HasSuffix(string(b), "\n") {
			page = strings.TrimSpace(string(b))
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.NotEmpty(t, page, "corsproof ui printed no URL")
	u, err := url.Parse(page)
	require.NoError(t, err)
	var answers bytes.Buffer
	for _, origin := range uiOrigins {
		body, err := json.Marshal(map[string]string{"origin": origin, "url": "http://127.0.0.1:18199/api/open", "method": "GET", "credentials": "omit", "api": "fetch", "mode": "cors"})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, page+"run", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", u.Scheme+"://"+u.Host)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		data, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		answers.Write(bytes.TrimSpace(data))
		answers.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ui.answers"), answers.Bytes(), 0o644))
}

// uiSession runs `corsproof ui` under strace (as ui.st) with
// TestTrafficUIClient posting its form, then stops it with SIGINT, as
// Ctrl-C does, and records its exit code and packet count as "ui". The
// shell writes its pid before it becomes corsproof, so that the signal
// goes to corsproof and not to strace.
const uiSession = `strace -f -qq -e trace=` + tracedCalls + ` -o "$OUT/ui.st" bash -c 'echo $$ >"$OUT/ui.pid"; exec "$BIN" ui --addr 127.0.0.1:0 --launch-timeout 120s' >"$OUT/ui.json" 2>"$OUT/ui.err" &
st=$!
CORSPROOF_TRAFFIC_UI_DIR="$OUT" "$TESTBIN" -test.run '^TestTrafficUIClient$' >"$OUT/ui.client" 2>&1
kill -INT "$(cat "$OUT/ui.pid")"; wait $st; echo "ui $?" >>"$OUT/rc"; pkts ui
`

// checkUI reads the playground's answers: every request ran, allowed.
func checkUI(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "ui.answers"))
	if !assert.NoError(t, err, "the playground's client did not finish") {
		client, _ := os.ReadFile(filepath.Join(dir, "ui.client"))
		t.Logf("client:\n%s", client)
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, len(uiOrigins))
	for i, line := range lines {
		var a struct {
			Verdict string `json:"verdict"`
			Error   string `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &a), line)
		assert.Equal(t, "allowed", a.Verdict, "%s: %s", uiOrigins[i], a.Error)
	}
}

// checkEdge reads the run of tlsEdgeSuite over a path: allowed on both, and
// only the two paths contacted.
func checkEdge(t *testing.T, dir, name string, targets ...string) {
	t.Helper()
	var run tracedRun
	readTraced(t, dir, name, &run)
	require.Len(t, run.Records, 2, name)
	for _, rec := range run.Records {
		assert.Equal(t, "allowed", rec.Verdict, rec.Name)
	}
	assert.Equal(t, targets, run.Contacted, "the browser's own events show the two paths and nothing else")
}
