package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// isolatedContentProcesses lists the "Isolated Web Content" processes of
// the Firefox whose process id is root: with Fission (on by default) a
// site's pages, the page of an https case among them, live in one of
// these, not in the preallocated "Web Content" processes. Firefox names
// its processes itself (/proc/PID/comm, cut to 15 bytes); their command
// lines do not name the site.
func isolatedContentProcesses(root int) []int {
	// The pattern is fixed: Glob cannot fail on it. No t here: the kill
	// runs on a goroutine of its own.
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	parent := map[int]int{}
	var isolated []int
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		stat, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(stat)
		close := strings.LastIndexByte(s, ')')
		open := strings.IndexByte(s, '(')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) < 2 {
			continue
		}
		parent[pid], _ = strconv.Atoi(fields[1])
		if s[open+1:close] == "Isolated Web Co" {
			isolated = append(isolated, pid)
		}
	}
	var ours []int
	for _, pid := range isolated {
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == root {
				ours = append(ours, pid)
				break
			}
		}
	}
	return ours
}

// TestFirefoxContentCrashIsItsOwnReason kills the content process of the
// page (kill -9) while its request waits on the server: the record says
// the page's renderer crashed, at once, instead of a timeout once the time
// limit is up; the browser lives on and the next case runs as usual.
func TestFirefoxContentCrashIsItsOwnReason(t *testing.T) {
	b := testFirefox(t)
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	// Firefox keeps the request open after the page's process is gone
	// (measured: the connection stays up after the tab is closed too); the
	// server lets go when the test ends.
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/open", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte("ok"))
	})
	srv := httptest.NewServer(mux)
	defer func() {
		close(release)
		srv.Close()
	}()

	killed := make(chan []int, 1)
	go func() {
		select {
		case <-arrived:
		case <-release:
			killed <- nil
			return
		}
		pids := isolatedContentProcesses(b.PID())
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		killed <- pids
	}()
	cases := []scenarios.Case{
		{Name: "crash", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/slow"}},
		{Name: "after", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/open"}},
	}
	start := time.Now()
	recs := b.RunCases(context.Background(), cases, 1, IsolationFresh, nil)
	elapsed := time.Since(start)
	t.Logf("%s: crash case %d ms, next case %d ms, both %s", b.Version(), recs[0].DurationMS, recs[1].DurationMS, elapsed)
	require.NotEmpty(t, <-killed, "the page's content process was found and killed")
	require.Len(t, recs, 2)
	crash := recs[0]
	assert.Less(t, elapsed, b.opts.Timeout, "not a timeout")
	assert.Equal(t, cors.VerdictError, crash.Verdict)
	assert.Equal(t, result.FaultRendererCrashed, crash.Fault)
	assert.Contains(t, crash.Page.Error, "renderer process crashed")
	assert.Contains(t, crash.Page.Error, "script.realmDestroyed")
	assert.Equal(t, cors.VerdictAllowed, recs[1].Verdict, "the next case runs: %s", recs[1].Page.Error)
	assert.Empty(t, recs[1].Fault)
	require.NoError(t, b.Alive(context.Background()), "the browser itself lives on")
	assert.True(t, b.conn.(*firefoxConn).mustKill(), "Close kills it: Firefox often hangs in shutdown after a content crash")
}
