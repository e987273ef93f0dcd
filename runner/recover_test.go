package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// processesUnder lists the live, non-zombie processes whose command line
// names dir (every browser process names its profile).
func processesUnder(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), dir) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			continue
		}
		out = append(out, p+": "+strings.ReplaceAll(string(data), "\x00", " ")[:min(len(data), 120)])
	}
	return out
}

func suiteOf(n int, url string) *scenarios.Suite {
	s := &scenarios.Suite{Name: "crash", File: "crash.yaml"}
	for i := range n {
		s.Cases = append(s.Cases, scenarios.Case{Name: fmt.Sprintf("case %03d", i), File: "crash.yaml", Origin: "https://app.example.test",
			Request: scenarios.Request{URL: fmt.Sprintf("%s/open?i=%d", url, i)}, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed}})
	}
	return s
}

// TestCrashRecovery kills the browser (SIGKILL) three times during a
// 100-case run: every case gets its real result, only the cases in flight
// at a kill are marked retried (at most three with one job, at most six
// with two), the run succeeds as if nothing happened, and neither a
// process nor a temporary folder (ours or Chromium's) is left.
func TestCrashRecovery(t *testing.T) {
	for _, jobs := range []int{1, 2} {
		t.Run(fmt.Sprintf("j%d", jobs), func(t *testing.T) { crashRecovery(t, jobs) })
	}
}

func crashRecovery(t *testing.T, jobs int) {
	base := api(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var mu sync.Mutex
	var pid int
	var launched, notices []string
	finished := 0
	killAt := map[int]bool{15: true, 45: true, 75: true}
	hooks := Hooks{
		Launched: func(b *harness.Browser) {
			mu.Lock()
			defer mu.Unlock()
			pid = b.PID()
			launched = append(launched, fmt.Sprint(pid))
		},
		Notice: func(msg string) {
			mu.Lock()
			defer mu.Unlock()
			notices = append(notices, msg)
		},
		Record: func(rec *result.Record) {
			mu.Lock()
			defer mu.Unlock()
			finished++
			if killAt[finished] {
				require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
			}
		},
	}
	start := time.Now()
	run, err := Run(context.Background(), Config{Browser: harness.Options{Timeout: 10 * time.Second}, Jobs: jobs}, []*scenarios.Suite{suiteOf(100, base)}, hooks)
	t.Logf("100 cases, %d jobs, 3 kills: %v; notices:\n%s", jobs, time.Since(start), strings.Join(notices, "\n"))
	require.NoError(t, err)
	require.Len(t, run.Records, 100, "every case has a result")
	retried := 0
	for i, rec := range run.Records {
		assert.Equal(t, fmt.Sprintf("case %03d", i), rec.Name, "records in case order")
		assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "%s: %s", rec.Name, rec.Page.Error)
		assert.True(t, rec.ExpectMet, rec.Name)
		if rec.Retried {
			retried++
		}
	}
	t.Logf("%d retried", retried)
	assert.LessOrEqual(t, retried, 3*jobs, "at most the cases in flight at each kill (%d jobs)", jobs)
	assert.Equal(t, 0, run.Totals.ExpectFail)
	assert.Len(t, launched, 4, "the first browser and three relaunches")
	require.Len(t, notices, 6, "each death and each relaunch is said")
	assert.Contains(t, notices[0], "the browser died or stopped answering after")
	assert.Contains(t, notices[1], "relaunched the browser (1 of at most 3)")

	deadline := time.Now().Add(5 * time.Second)
	for len(processesUnder(tmp)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Empty(t, processesUnder(tmp), "no browser process left")
	left, _ := os.ReadDir(tmp)
	assert.Empty(t, left, "no profile, no org.chromium.Chromium.* folder")
}

// TestBrowserThatCannotBeReplaced: with no relaunch left, every case the
// dead browser did not finish is recorded as not run (not error), and the
// run says it is incomplete.
func TestBrowserThatCannotBeReplaced(t *testing.T) {
	base := api(t)
	var pid int
	finished := 0
	var notices []string
	run, err := Run(context.Background(), Config{Browser: harness.Options{Timeout: 10 * time.Second}, Jobs: 1, Relaunches: -1},
		[]*scenarios.Suite{suiteOf(10, base)}, Hooks{
			Launched: func(b *harness.Browser) { pid = b.PID() },
			Notice:   func(msg string) { notices = append(notices, msg) },
			Record: func(rec *result.Record) {
				if finished++; finished == 3 {
					require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
				}
			},
		})
	var ie *IncompleteError
	require.ErrorAs(t, err, &ie)
	require.Len(t, run.Records, 10, "a record for every case")
	assert.Equal(t, 10, ie.Cases)
	assert.GreaterOrEqual(t, ie.NotRun, 6)
	assert.Equal(t, ie.NotRun, run.Totals.ByVerdict[cors.VerdictNotRun])
	assert.Zero(t, run.Totals.ByVerdict[cors.VerdictError], "not run is not an error")
	assert.Zero(t, run.Totals.ModelDisagrees)
	last := run.Records[9]
	assert.Equal(t, cors.VerdictNotRun, last.Verdict)
	assert.Equal(t, result.FaultBrowserGone, last.Fault)
	assert.False(t, last.ExpectMet)
	assert.Equal(t, "crash", last.Suite)
	// Which watcher notices first — the process exit or the DevTools
	// connection — is a race; either names the browser as gone.
	assert.Regexp(t, `its process exited|its DevTools connection failed`, last.Page.Error)
	assert.Contains(t, strings.Join(notices, "\n"), "case(s) not run")
}

// TestFrozenBrowserIsReplaced: a browser that stops answering (SIGSTOP) is
// found by the health check within seconds, not after a time-out per case,
// and replaced; every case still gets its real result.
func TestFrozenBrowserIsReplaced(t *testing.T) {
	base := api(t)
	var mu sync.Mutex
	var pid, finished int
	var notices []string
	start := time.Now()
	run, err := Run(context.Background(), Config{Browser: harness.Options{Timeout: 30 * time.Second}, Jobs: 2},
		[]*scenarios.Suite{suiteOf(20, base)}, Hooks{
			Launched: func(b *harness.Browser) { mu.Lock(); pid = b.PID(); mu.Unlock() },
			Notice:   func(msg string) { mu.Lock(); notices = append(notices, msg); mu.Unlock() },
			Record: func(rec *result.Record) {
				mu.Lock()
				defer mu.Unlock()
				if finished++; finished == 5 {
					require.NoError(t, syscall.Kill(-pid, syscall.SIGSTOP))
				}
			},
		})
	took := time.Since(start)
	require.NoError(t, err)
	require.Len(t, run.Records, 20)
	for _, rec := range run.Records {
		assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "%s: %s", rec.Name, rec.Page.Error)
	}
	assert.Less(t, took, 20*time.Second, "far less than the 30 s time-out of the cases in flight")
	assert.Contains(t, strings.Join(notices, "\n"), "did not answer a DevTools call within 2s")
}

// TestBrowserKilledDuringTryFix kills the browser (SIGKILL) while the
// server answers the second proof: that proof runs again on a relaunched
// browser and every fix is proved, instead of the proofs left saying "Not
// verified: with the fix applied the request ended error", which blames
// the fix for the crash. A second death leaves the proofs left not tried,
// saying why. Nothing is left behind.
func TestBrowserKilledDuringTryFix(t *testing.T) {
	for _, kills := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d kills", kills), func(t *testing.T) { killedDuringTryFix(t, kills) })
	}
}

func killedDuringTryFix(t *testing.T, kills int) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var mu sync.Mutex
	var pid, launches int
	seen := map[string]int{}
	killed := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		// The first request of each case is the run's, the later ones
		// the proofs' through the mirror.
		seen[r.URL.RawQuery]++
		if r.URL.RawQuery == "i=1" && seen["i=1"] > 1 && killed < kills {
			killed++
			require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
		}
		fmt.Fprint(w, "no CORS headers")
	}))
	t.Cleanup(srv.Close)
	suite := &scenarios.Suite{Name: "tryfix-crash", File: "t.yaml"}
	for i := range 4 {
		suite.Cases = append(suite.Cases, scenarios.Case{Name: fmt.Sprintf("case %d", i), File: "t.yaml", Origin: "https://app.example.test",
			Request: scenarios.Request{URL: fmt.Sprintf("%s/x?i=%d", srv.URL, i)}})
	}
	run, err := Run(context.Background(), Config{Browser: harness.Options{Timeout: 10 * time.Second}, Jobs: 1, TryFix: true}, []*scenarios.Suite{suite},
		Hooks{Launched: func(b *harness.Browser) {
			mu.Lock()
			defer mu.Unlock()
			pid = b.PID()
			launches++
		}})
	require.NoError(t, err)
	require.Len(t, run.Records, 4)
	assert.Equal(t, kills, killed)
	for i, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		c := rec.Diagnosis.FixCheck
		require.NotNil(t, c, rec.Name)
		if kills == 1 || i == 0 {
			assert.True(t, c.Verified, "%s: %s", rec.Name, c.Summary)
			continue
		}
		assert.False(t, c.Verified, rec.Name)
		assert.Contains(t, c.Summary, "Not tried: the browser died during the proofs", rec.Name)
		assert.Contains(t, c.Summary, "a second time", rec.Name)
	}
	assert.Equal(t, 2, launches, "the run's browser and one relaunch for the proofs")

	deadline := time.Now().Add(5 * time.Second)
	for len(processesUnder(tmp)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Empty(t, processesUnder(tmp), "no browser process left")
	left, _ := os.ReadDir(tmp)
	assert.Empty(t, left, "no profile, no org.chromium.Chromium.* folder")
}
