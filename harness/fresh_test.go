package harness

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/scenarios"
)

// TestFreshStep checks that a fresh step starts with what another user's
// browser holds: nothing. The API lets the browser cache both the answer
// (max-age) and the preflight (Max-Age), and counts what reaches it; the
// second step is served from the browser's caches, the fresh third one
// is not.
func TestFreshStep(t *testing.T) {
	var preflights, gets atomic.Int32
	srv := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Vary", "Origin")
		if r.Method == http.MethodOptions {
			preflights.Add(1)
			w.Header().Set("Access-Control-Allow-Headers", "x-token")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		gets.Add(1)
		w.Header().Set("Cache-Control", "private, max-age=600")
		_, _ = w.Write([]byte("ok"))
	})
	req := scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: srv.URL + "/x", Headers: map[string]string{"X-Token": "a"}, Credentials: scenarios.CredentialsOmit}
	c := scenarios.Case{Name: "fresh", Origin: "https://app.example.test", Request: req, Steps: []scenarios.Step{
		{Name: "first", Request: req},
		{Name: "again", Request: req},
		{Name: "another user", Fresh: true, Request: req},
	}}
	rec, err := testBrowser.Run(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, rec.Steps, 3)
	for _, st := range rec.Steps {
		assert.Equal(t, "allowed", string(st.Verdict), "%s: %s", st.Name, st.Page.Error)
	}
	assert.NotNil(t, rec.Steps[0].Preflight)
	assert.Nil(t, rec.Steps[1].Preflight, "the preflight cache covers the second step")
	assert.NotNil(t, rec.Steps[2].Preflight, "a fresh step has an empty preflight cache")
	assert.Equal(t, int32(2), preflights.Load())
	assert.Equal(t, int32(2), gets.Load(), "the second GET came from the browser's HTTP cache, the fresh one did not")
}
