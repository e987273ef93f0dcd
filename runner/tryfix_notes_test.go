package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/scenarios"
)

// TestTryFixSaysWhenTheFixIsNoHeaderChange: a credentialed request
// redirected to another origin reaches it with Origin: null, and the only
// header change that would pass is the unsafe one corsproof never
// proposes; its fix is advice (call the final URL), nothing a mirror can
// apply. --try-fix says it did not try rather than leaving the record
// silent, as if --try-fix had not been given.
func TestTryFixSaysWhenTheFixIsNoHeaderChange(t *testing.T) {
	const origin = "https://app.example.test"
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}))
	t.Cleanup(final.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		http.Redirect(w, r, final.URL+"/final", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	suite := &scenarios.Suite{Name: "notes", Cases: []scenarios.Case{{Name: "credentialed redirect to another origin", Origin: origin,
		Request: scenarios.Request{URL: srv.URL + "/away", Credentials: "include"}}}}
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), TryFix: true, Jobs: 1}, []*scenarios.Suite{suite}, Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, 1)
	rec := run.Records[0]
	require.Equal(t, cors.VerdictBlocked, rec.Verdict)
	require.NotNil(t, rec.Diagnosis)
	t.Logf("cors error %s; fix: %s; changes: %v", rec.CorsError, rec.Diagnosis.Fix, rec.Diagnosis.FixHeaders.HasChanges())
	require.False(t, rec.Diagnosis.FixHeaders.HasChanges(), "no safe header change allows it")
	require.NotNil(t, rec.Diagnosis.FixCheck, "--try-fix says what it did with this record")
	assert.False(t, rec.Diagnosis.FixCheck.Verified)
	assert.Contains(t, rec.Diagnosis.FixCheck.Summary, "Not tried")
}
