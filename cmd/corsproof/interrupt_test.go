package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/testapi"
)

// TestInterruptCleansUp sends Ctrl-C to a running `corsproof run` and checks
// that the browser and its profile directory are gone when it exits.
func TestInterruptCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a browser")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "corsproof")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	// The target logs a request when it has answered it; the slow route
	// never answers in time, so watch for its arrival instead.
	arrived := make(chan struct{}, 8)
	h := testapi.NewHandler(testapi.DefaultPolicy())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/slow") && r.Method == http.MethodGet {
			arrived <- struct{}{}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	suite := filepath.Join(dir, "slow.yaml")
	require.NoError(t, os.WriteFile(suite, []byte(`version: 1
name: slow
target: `+srv.URL+`
defaults: {origin: https://app.example.test}
cases:
  - {name: open, request: {url: /api/open}}
  - {name: slow 1, request: {url: /api/slow?i=1}}
  - {name: slow 2, request: {url: /api/slow?i=2}}
`), 0o644))
	lines := filepath.Join(dir, "results.jsonl")
	tmp := filepath.Join(dir, "tmp")
	require.NoError(t, os.Mkdir(tmp, 0o755))
	cmd := exec.Command(bin, "run", suite, "--timeout", "60s", "-j", "1", "-q", "--report", "jsonl="+lines)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	require.NoError(t, cmd.Start())

	// Wait for the browser to be making the first request.
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the run never reached the target")
	}
	profiles, _ := filepath.Glob(filepath.Join(tmp, "corsproof-profile-*"))
	require.Len(t, profiles, 1, "the run's browser profile")
	require.NotEmpty(t, browserProcesses(profiles[0]), "the browser runs with that profile")

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "exits non-zero: %v", err)
		assert.Equal(t, 1, exit.ExitCode())
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("corsproof did not exit after Ctrl-C")
	}
	// Every finished case is on disk as valid JSON; the one the interrupt
	// cut short and the one never started are there as not run, never as
	// a result (an error verdict).
	data, err := os.ReadFile(lines)
	require.NoError(t, err)
	verdicts := map[string]any{}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &v), "line %q", l)
		if n, ok := v["name"].(string); ok {
			names = append(names, n)
			verdicts[n] = v["verdict"]
		}
	}
	assert.ElementsMatch(t, []string{"open", "slow 1", "slow 2"}, names)
	assert.Equal(t, map[string]any{"open": "allowed", "slow 1": "not-run", "slow 2": "not-run"}, verdicts)

	_, err = os.Stat(profiles[0])
	assert.True(t, os.IsNotExist(err), "profile directory removed")
	// Renderer zombies can linger a moment after their parent exits.
	deadline := time.Now().Add(5 * time.Second)
	for len(browserProcesses(profiles[0])) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Empty(t, browserProcesses(profiles[0]), "no browser process left")
}

// browserProcesses lists the live processes whose command line names the
// profile directory.
func browserProcesses(profile string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), profile) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			continue // a zombie holds no resources
		}
		out = append(out, p)
	}
	return out
}
