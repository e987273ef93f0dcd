package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// counts are the resources a long run could leak.
type counts struct {
	Goroutines, FDs, Targets, Contexts, Processes int
}

func measure(t *testing.T) counts {
	t.Helper()
	c := testBrowser.conn.(*chromedpConn)
	targets, err := chromedp.CallBrowser(c.ctx, target.GetTargets, target.GetTargetsParams{})
	require.NoError(t, err)
	contexts, err := chromedp.CallBrowser(c.ctx, target.GetBrowserContexts, cdp.Empty{})
	require.NoError(t, err)
	fds, _ := os.ReadDir("/proc/self/fd")
	return counts{
		Goroutines: runtime.NumGoroutine(),
		FDs:        len(fds),
		Targets:    len(targets.TargetInfos),
		Contexts:   len(contexts.BrowserContextIDs),
		Processes:  liveProcesses(testBrowser.profile),
	}
}

// liveProcesses counts the browser's processes that are not zombies.
func liveProcesses(profile string) int {
	n := 0
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), profile) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			continue
		}
		n++
	}
	return n
}

// TestNothingAccumulates runs many cases, with sessions retired and
// replaced along the way, and checks that goroutines, file descriptors,
// targets, browser contexts and browser processes return to where they
// started.
func TestNothingAccumulates(t *testing.T) {
	old := maxUses
	maxUses = 15 // retire sessions often, so replacement is exercised too
	t.Cleanup(func() { maxUses = old })

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Headers", "x-token")
	}))
	var cases []scenarios.Case
	for i := range 90 {
		origin := []string{"https://app.example.test", "http://localhost:3000", "null"}[i%3]
		req := scenarios.Request{URL: fmt.Sprintf("%s/r?i=%d", api.URL, i)}
		if i%2 == 0 {
			req.Headers = map[string]string{"X-Token": "1"}
		}
		cases = append(cases, scenarios.Case{Name: fmt.Sprint(i), Origin: origin, Request: req})
	}

	// One warm-up case settles what the first use of the browser creates
	// for good (the network service's own goroutines in the test server,
	// the browser's utility processes).
	testBrowser.RunCases(context.Background(), cases[:1], 1, "", nil)
	before := measure(t)

	recs := testBrowser.RunCases(context.Background(), cases, 2, IsolationClean, nil)
	require.Len(t, recs, len(cases))
	for _, r := range recs {
		require.Equal(t, cors.VerdictAllowed, r.Verdict, "%s: %s", r.Name, r.Page.Error)
	}
	fresh := testBrowser.RunCases(context.Background(), cases[:6], 2, IsolationFresh, nil)
	require.Len(t, fresh, 6)
	api.Close()

	// Closed renderers and connections go away shortly after; wait for
	// the counts rather than for a fixed time.
	var after counts
	deadline := time.Now().Add(15 * time.Second)
	for {
		after = measure(t)
		if after.Goroutines <= before.Goroutines && after.FDs <= before.FDs && after.Targets == before.Targets &&
			after.Contexts == before.Contexts && after.Processes <= before.Processes {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.LessOrEqual(t, after.Goroutines, before.Goroutines, "goroutines: before %+v after %+v", before, after)
	assert.LessOrEqual(t, after.FDs, before.FDs, "file descriptors")
	assert.Equal(t, before.Targets, after.Targets, "targets")
	assert.Equal(t, before.Contexts, after.Contexts, "browser contexts")
	assert.LessOrEqual(t, after.Processes, before.Processes, "browser processes")
}
