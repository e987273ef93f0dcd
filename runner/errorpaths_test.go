package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/scenarios"
)

// authAPI is an API whose auth layer answers 401 to any token but "good",
// with its CORS layer in front of auth (corsFirst) or behind it.
func authAPI(t *testing.T, corsFirst bool) string {
	t.Helper()
	corsLayer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", originA)
			w.Header().Set("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Headers", "authorization")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodOptions && r.Header.Get("Authorization") != "Bearer good" {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"me":1}`)) })
	var h http.Handler
	if corsFirst {
		h = corsLayer(auth(mux))
	} else {
		// The OPTIONS preflight still gets through auth (as most stacks
		// let it); the 401 leaves before CORS headers are added.
		h = auth(corsLayer(mux))
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestErrorPaths(t *testing.T) {
	for _, tc := range []struct {
		desc      string
		corsFirst bool
	}{{"auth before CORS", false}, {"CORS before auth", true}} {
		t.Run(tc.desc, func(t *testing.T) {
			api := authAPI(t, tc.corsFirst)
			s := &scenarios.Suite{Name: "auth", File: "auth.yaml", Cases: []scenarios.Case{{Name: "me", File: "auth.yaml", Origin: originA,
				Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: api + "/api/me", Headers: map[string]string{"Authorization": "Bearer good"}, Credentials: scenarios.CredentialsOmit}}}}
			run, err := Run(context.Background(), Config{Reuse: browser, Isolation: harness.IsolationFresh, Jobs: 2, ErrorPaths: true}, []*scenarios.Suite{s}, Hooks{})
			require.NoError(t, err)
			recs := byCaseAndPath(run)
			require.Len(t, recs, 4, "the case and its three error paths: %v", names(run))
			assert.Equal(t, "allowed", outcome(recs["me"]))
			for _, kind := range []string{scenarios.ErrorUnauthenticated, scenarios.ErrorBadToken, scenarios.ErrorUnknownRoute} {
				r := recs["me › error path "+kind]
				require.NotNil(t, r, kind)
				require.NotNil(t, r.ErrorPath, kind)
				t.Logf("%s: %s: %s", kind, outcome(r), r.ErrorPath.Summary)
				assert.True(t, r.ErrorPath.Reached, "%s reaches an error: %s", kind, r.ErrorPath.Summary)
				// The unknown route passes auth with the case's good
				// token and gets its 404 behind the CORS layer.
				hidden := !tc.corsFirst && kind != scenarios.ErrorUnknownRoute
				assert.Equal(t, hidden, r.ErrorPath.Hidden, kind)
				assert.Equal(t, !hidden, r.ExpectMet, "%s: %v", kind, r.Mismatches)
				if hidden {
					assert.Equal(t, 401, r.ErrorPath.Status, kind)
					assert.Equal(t, "blocked MissingAllowOriginHeader", outcome(r), kind)
					assert.Contains(t, r.ErrorPath.Fix, "in front of authentication")
				} else {
					assert.Equal(t, "allowed", outcome(r), kind)
				}
			}
		})
	}
}
