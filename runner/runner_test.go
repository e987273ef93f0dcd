package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// TestMain closes the test binary's one browser (internal/testbrowser),
// launched by the first test that needs it.
func TestMain(m *testing.M) { testbrowser.Main(m) }

func api(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/open" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRunConcludesEveryRecord(t *testing.T) {
	base := api(t)
	one := &scenarios.Suite{Name: "one", File: "one.yaml", Cases: []scenarios.Case{
		{Name: "open", File: "one.yaml", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/open"},
			Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed}},
		{Name: "closed but expected open", File: "one.yaml", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/closed"},
			Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed}},
	}}
	two := &scenarios.Suite{Name: "two", File: "dir/two.yaml", Cases: []scenarios.Case{
		{Name: "open", File: "dir/two.yaml", Origin: "http://localhost:3000", Request: scenarios.Request{URL: base + "/open"}},
	}}
	var mu sync.Mutex
	var events []string
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 2, Shard: "1/1"},
		[]*scenarios.Suite{one, two}, Hooks{
			Begin: func(run *result.Run) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, "begin "+run.Isolation)
			},
			Record: func(rec *result.Record) {
				mu.Lock()
				defer mu.Unlock()
				require.NotNil(t, rec.Diagnosis, "records reach the hook concluded")
				events = append(events, "record "+rec.Suite+"/"+rec.Name)
			},
		})
	require.NoError(t, err)
	require.Len(t, run.Records, 3)
	assert.Equal(t, "begin fresh", events[0])
	assert.ElementsMatch(t, []string{"record one/open", "record one/closed but expected open", "record two/open"}, events[1:])

	assert.Equal(t, []string{"one", "two"}, run.Suites)
	assert.Equal(t, "fresh", run.Isolation, "the isolation asked for is the one recorded")
	assert.Equal(t, "1/1", run.Shard)
	assert.Equal(t, testbrowser.Get(t).Product(), run.BrowserProduct)
	assert.Equal(t, testbrowser.Get(t).Driver(), run.Driver)
	assert.Equal(t, string(harness.LNAOff), run.LNA)
	assert.Equal(t, int64(10000), run.TimeoutMS)
	assert.NotEmpty(t, run.Launch)

	byName := map[string]result.Record{}
	for _, rec := range run.Records {
		byName[rec.Suite+"/"+rec.Name] = rec
	}
	open, closed, other := byName["one/open"], byName["one/closed but expected open"], byName["two/open"]
	assert.Equal(t, "one.yaml", open.File)
	assert.Equal(t, "dir/two.yaml", other.File, "each record names the suite and file it came from")
	assert.True(t, open.ExpectMet)
	assert.False(t, closed.ExpectMet)
	assert.Equal(t, "MissingAllowOriginHeader", string(closed.CorsError))
	assert.NotEmpty(t, closed.Mismatches)
	require.NotNil(t, closed.Diagnosis)
	assert.True(t, closed.Diagnosis.AgreesWithBrowser)
	assert.Equal(t, 1, run.Totals.ExpectFail)
	assert.Equal(t, []string{base}, run.Contacted)
}

func TestRunRefusesBadConfigBeforeLaunching(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc   string
		cfg    Config
		option string
	}{
		{"unknown driver", Config{Driver: "selenium"}, "--driver"},
		{"unknown isolation", Config{Isolation: "shared"}, "--isolation"},
		{"unknown LNA mode", Config{Browser: harness.Options{LNA: "maybe"}}, "--lna"},
		{"negative jobs", Config{Jobs: -1}, "--jobs"},
		{"negative timeout", Config{Browser: harness.Options{Timeout: -time.Second}}, "--timeout"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			// A browser path that cannot exist: a launch would fail differently.
			tc.cfg.Browser.Path = "/nonexistent/chromium"
			run, err := Run(context.Background(), tc.cfg, nil, Hooks{})
			assert.Nil(t, run)
			var oe *harness.OptionError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, tc.option, oe.Option)
			assert.NotEmpty(t, oe.Hint())
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	base := api(t)
	var cases []scenarios.Case
	for i := range 4 {
		cases = append(cases, scenarios.Case{Name: fmt.Sprint(i), Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/open"}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var streamed []string
	run, err := Run(ctx, Config{Reuse: testbrowser.Get(t), Jobs: 1}, []*scenarios.Suite{{Name: "s", Cases: cases}}, Hooks{
		Record: func(r *result.Record) { streamed = append(streamed, r.Name) },
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted after 0 of 4 cases")
	require.NotNil(t, run, "an interrupted run still comes back, with what finished")
	// Every case the run did not finish is in it as not run, so that its
	// JUnit shows them as errors instead of a short, green run.
	require.Len(t, run.Records, len(cases))
	assert.Len(t, streamed, len(cases), "streamed too (JSON Lines)")
	for _, r := range run.Records {
		assert.Equal(t, cors.VerdictNotRun, r.Verdict, r.Name)
		assert.Equal(t, "not run: the run was interrupted", r.Page.Error, r.Name)
		assert.Empty(t, r.Fault, "the browser did not fail")
		assert.Equal(t, "s", r.Suite)
		assert.False(t, r.ExpectMet)
		require.NotNil(t, r.Diagnosis)
		assert.Contains(t, r.Diagnosis.Summary, "interrupted")
	}
	assert.Equal(t, len(cases), run.Totals.ByVerdict[cors.VerdictNotRun])
}
