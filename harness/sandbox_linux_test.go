package harness

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// TestSandboxWhenNotRoot launches real Chromium as an unprivileged user
// (a wrapper hands the profile to nobody and drops to it with setpriv, as
// a container's USER does): it runs with its sandbox (its renderers in
// user namespaces of their own) and the run's settings say so. Where it
// finds no usable sandbox (here: --disable-namespace-sandbox, and Debian
// has no setuid helper), Chromium exits at once; corsproof launches it
// again without one and says why.
func TestSandboxWhenNotRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("drops to nobody with setpriv: needs root")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	chromium, err := FindEngineBrowser(EngineChromium, "")
	require.NoError(t, err)
	// Profiles go here, where nobody can reach them; the test binary's
	// own temporary folder is root's alone.
	dir, err := os.MkdirTemp("/tmp", "cps-") // short: the singleton socket lives below
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o711))
	t.Setenv("TMPDIR", dir)
	wrapper := filepath.Join(dir, "as-nobody")
	require.NoError(t, os.WriteFile(wrapper, []byte(`#!/bin/sh
for a in "$@"; do
  case "$a" in --user-data-dir=*) chown -R 65534:65534 "${a#--user-data-dir=}" ;; esac
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups `+chromium+` "$@"
`), 0o755))
	asRoot := runsAsRoot
	runsAsRoot = func() bool { return false }
	t.Cleanup(func() { runsAsRoot = asRoot })

	srv := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	})
	c := scenarios.Case{Name: "sandboxed", Origin: "https://app.example.test", Request: scenarios.Request{Method: "GET", URL: srv.URL + "/x"}}
	for _, tc := range []struct {
		name     string
		extra    map[string]any
		sandbox  bool
		settings string
	}{
		{"with the sandbox", nil, true, "sandbox is on"},
		{"no usable sandbox", map[string]any{"disable-namespace-sandbox": true}, false, "--no-sandbox  # Chromium found no usable sandbox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Launch(t.Context(), Options{Path: wrapper, Timeout: 10 * time.Second, ExtraFlags: tc.extra})
			require.NoError(t, err)
			profile, pid := b.profile, b.proc.cmd.Process.Pid
			closed := false
			t.Cleanup(func() {
				if !closed {
					b.Close()
				}
			})
			assert.Equal(t, "65534", procField(t, pid, "Uid:"), "the browser runs as nobody")
			cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			require.NoError(t, err)
			assert.Equal(t, !tc.sandbox, strings.Contains(string(cmdline), "--no-sandbox\x00"))
			assert.Contains(t, strings.Join(b.LaunchSettings(), "\n"), tc.settings)

			rec := concluded(b.RunOne(t.Context(), c), c)
			assert.Equal(t, cors.VerdictAllowed, rec.Verdict, rec.Page.Error)
			own, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
			require.NoError(t, err)
			namespaced := 0
			for _, child := range descendants(pid) {
				if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", child)); err == nil && ns != own {
					namespaced++
				}
			}
			if tc.sandbox {
				assert.Positive(t, namespaced, "sandboxed processes live in user namespaces of their own")
			} else {
				assert.Zero(t, namespaced, "no sandbox, no namespaces")
			}
			closed = true
			require.NoError(t, b.Close())
			assert.NoDirExists(t, profile)
		})
	}
}

// procField is a field of /proc/PID/status, its first value.
func procField(t *testing.T, pid int, name string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			return strings.Fields(rest)[0]
		}
	}
	return ""
}

// descendants are the processes below pid, from /proc's parent links.
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 {
			parent[p], _ = strconv.Atoi(fields[1])
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
