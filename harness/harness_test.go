package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// testBrowser is the one browser this test binary starts: a fresh browser
// context per case gives isolation without a browser per test.
var testBrowser *Browser

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// A temporary directory of our own, so that the leak check below sees
	// only this binary's browser profiles, not another test binary's.
	tmp, err := os.MkdirTemp("", "corsproof-harness-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	os.Setenv("TMPDIR", tmp)
	// upgrade.example.com is the page host of TestHTTPPageOriginIsNotUpgraded:
	// a public name, so that an https attempt to it fails here, locally.
	b, err := Launch(context.Background(), Options{Timeout: 10 * time.Second, Sinks: []string{"upgrade.example.com"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness tests need Chromium:", err)
		return 1
	}
	testBrowser = b
	code := m.Run()
	if err := b.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "closing browser:", err)
		code = 1
	}
	if err := closeFirefox(); err != nil {
		fmt.Fprintln(os.Stderr, "closing firefox:", err)
		code = 1
	}
	// Profiles of launched browsers, and the folders Chromium leaves in
	// $TMPDIR when it is killed instead of closed, must all be gone.
	leaked, _ := filepath.Glob(filepath.Join(tmp, "corsproof-profile-*"))
	killed, _ := filepath.Glob(filepath.Join(tmp, "org.chromium.Chromium.*"))
	if len(leaked)+len(killed) > 0 {
		fmt.Fprintln(os.Stderr, "leaked browser directories:", leaked, killed)
		code = 1
	}
	return code
}

// concluded is what the runner makes of a record: the harness only
// observes, so tests about expectations and the model conclude it here.
func concluded(rec result.Record, c scenarios.Case) result.Record {
	result.Conclude(&rec, c.Expect)
	return rec
}

// corsServer answers like a small API whose CORS headers the test sets per path.
func corsServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestSmoke(t *testing.T) {
	srv := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/open" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		fmt.Fprint(w, "hi")
	})
	for _, tc := range []struct {
		desc, path, verdict, corsError string
	}{
		{"allowed simple GET", "/open", "allowed", ""},
		{"missing ACAO", "/closed", "blocked", "MissingAllowOriginHeader"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec, err := testBrowser.Run(context.Background(), scenarios.Case{
				Name: tc.desc, Origin: "https://app.example.test",
				Request: scenarios.Request{API: "fetch", Method: "GET", URL: srv.URL + tc.path, Credentials: "omit"},
			})
			require.NoError(t, err)
			assert.Equal(t, tc.verdict, string(rec.Verdict))
			assert.Equal(t, tc.corsError, string(rec.CorsError))
			require.NotNil(t, rec.Actual)
			assert.Equal(t, "https://app.example.test", rec.Actual.RequestHeaders["Origin"])
			t.Logf("%+v %+v %v", rec, rec.Actual, rec.DurationMS)
		})
	}
}
