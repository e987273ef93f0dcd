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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testtool"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// TestMaxAgeCapInChromium pins down, in Chromium, that a preflight result
// lives at most two hours whatever Access-Control-Max-Age says, without
// waiting two hours: the browser runs under libfaketime, and the target
// moves the browser's clock forward after each call (with
// FAKETIME_CACHE_DURATION=1 libfaketime reads the offset file again once
// more than a whole second has passed, within two; each step waits 3 s). With Max-Age 86400
// a result 5,000 s old is still used; 9,000 s old it is not and the
// browser preflights again, while 7,000 s old (the control) it is still
// used, so the jump itself does not empty the cache. The target's own log
// counts the preflights. The model reads the browser's timestamps, which
// libfaketime moves too, so it sees the jumps and agrees with the wire.
func TestMaxAgeCapInChromium(t *testing.T) {
	// libfaketime's LD_PRELOAD moves a program's clocks, the monotonic one
	// included, by an offset read from a file.
	lib := testtool.Need{What: "libfaketime", Require: "CORSPROOF_REQUIRE_FAKETIME", Package: "faketime"}.File(t, "/usr/lib/*/faketime/libfaketimeMT.so.1")
	chromium, err := harness.FindBrowser("")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	offsetFile := filepath.Join(dir, "offset")
	require.NoError(t, os.WriteFile(offsetFile, []byte("+0\n"), 0o644))
	wrapper := filepath.Join(dir, "chromium-faketime")
	require.NoError(t, os.WriteFile(wrapper, []byte(fmt.Sprintf(`#!/bin/sh
export LD_PRELOAD=%s FAKETIME_TIMESTAMP_FILE=%s FAKETIME_CACHE_DURATION=1
exec %s "$@"
`, lib, offsetFile, chromium)), 0o755))

	// jumps[t] are the seconds the clock moves after each actual request
	// of the case whose URL carries t.
	jumps := map[string][]int{"cap": {5000, 4000}, "control": {5000, 2000}}
	api := testapi.NewHandler(testapi.DefaultPolicy())
	var mu sync.Mutex
	offset, calls, preflights := 0, map[string]int{}, map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.ServeHTTP(w, r)
		tag := r.URL.Query().Get("t")
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodOptions {
			preflights[tag]++
			return
		}
		if n := calls[tag]; n < len(jumps[tag]) {
			offset += jumps[tag][n]
			// Renamed into place: libfaketime never reads half a file.
			tmp := offsetFile + ".new"
			if err := os.WriteFile(tmp, []byte(fmt.Sprintf("+%d\n", offset)), 0o644); err != nil {
				t.Errorf("moving the clock: %v", err)
			} else if err := os.Rename(tmp, offsetFile); err != nil {
				t.Errorf("moving the clock: %v", err)
			}
		}
		calls[tag]++
	}))
	t.Cleanup(srv.Close)

	seq := func(tag string, third bool) string {
		return fmt.Sprintf(`
  - name: %s
    request: {method: PUT, url: /api/open?max_age=86400&t=%s, headers: {X-Token: a}}
    steps:
      - {name: first call, expect: {preflight: true}}
      - {name: 5000 s later, wait: 3s, expect: {preflight: false}}
      - {name: later still, wait: 3s, expect: {preflight: %v}}`, tag, tag, third)
	}
	suite, err := scenarios.Parse("cap.yaml", []byte("version: 1\nname: max-age cap\ntarget: "+srv.URL+
		"\ndefaults:\n  origin: https://app.example.test\n  request: {credentials: omit}\ncases:"+seq("cap", true)+seq("control", false)+"\n"))
	require.NoError(t, err)
	run, err := Run(context.Background(), Config{Browser: harness.Options{Path: wrapper}, Jobs: 1, Isolation: harness.IsolationClean}, []*scenarios.Suite{suite}, Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, 2)
	for _, rec := range run.Records {
		var got []string
		for _, st := range rec.Steps {
			got = append(got, fmt.Sprintf("%s: %s, preflight %v", st.Name, st.Verdict, st.Preflight != nil))
		}
		t.Logf("%s: %s", rec.Name, strings.Join(got, "; "))
		assert.True(t, rec.ExpectMet, "%s: %v", rec.Name, rec.Mismatches)
		for _, st := range rec.Steps {
			if assert.NotNil(t, st.PreflightModel, st.Name) {
				assert.True(t, st.PreflightModel.AgreesWithBrowser, "%s / %s: the model on the browser's clock: %s", rec.Name, st.Name, st.PreflightModel.Reason)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 2, preflights["cap"], "9,000 s after the first preflight Chromium asks again: Max-Age 86400 is kept 7,200 s")
	assert.Equal(t, 1, preflights["control"], "7,000 s after, the result is still used")
}
