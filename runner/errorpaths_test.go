package runner

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
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
			run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, Jobs: 2, ErrorPaths: true}, []*scenarios.Suite{s}, Hooks{})
			require.NoError(t, err)
			recs := byCaseAndPath(run)
			require.Len(t, recs, 5, "the case and its four error paths: %v", names(run))
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

// limitedAPI is an API with a rate limiter (a 429 after limit calls to
// /api/limited) and a JSON body parser (a 400 for a body it cannot read on
// /api/items), each in front of the CORS layer or behind it.
func limitedAPI(t *testing.T, corsFirst bool, limit int32) string {
	t.Helper()
	var calls atomic.Int32
	cors := func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Access-Control-Allow-Origin", originA)
		w.Header().Set("Vary", "Origin")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type")
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		return false
	}
	guard := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodOptions {
			return false
		}
		switch r.URL.Path {
		case "/api/limited":
			// Calls with a token (the bad-token path) are another
			// client's: the limit is the anonymous page's.
			if r.Header.Get("Authorization") == "" && calls.Add(1) > limit {
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return true
			}
		case "/api/items":
			var v any
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
				http.Error(w, "bad json", http.StatusBadRequest)
				return true
			}
		}
		return false
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if corsFirst {
			if cors(w, r) || guard(w, r) {
				return
			}
		} else if guard(w, r) || cors(w, r) {
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRateLimitAndMalformedBodyErrorPaths: a burst from one page trips the
// rate limiter and a body the API cannot parse gets its 400; both are
// flagged when those answers leave before the CORS layer adds its headers,
// and quiet when the CORS layer runs first.
func TestRateLimitAndMalformedBodyErrorPaths(t *testing.T) {
	for _, tc := range []struct {
		desc      string
		corsFirst bool
	}{{"limiter and parser before CORS", false}, {"CORS before limiter and parser", true}} {
		t.Run(tc.desc, func(t *testing.T) {
			// Five anonymous calls pass: the case uses one, so the burst
			// meets the limit at its fifth call.
			api := limitedAPI(t, tc.corsFirst, 5)
			s := &scenarios.Suite{Name: "limits", File: "limits.yaml", Cases: []scenarios.Case{
				{Name: "poll", File: "limits.yaml", Origin: originA,
					Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: api + "/api/limited", Credentials: scenarios.CredentialsOmit}},
				{Name: "save", File: "limits.yaml", Origin: originA,
					Request: scenarios.Request{API: scenarios.APIFetch, Method: "PUT", URL: api + "/api/items", Body: `{"a":1}`,
						Headers: map[string]string{"Content-Type": "application/json"}, Credentials: scenarios.CredentialsOmit}},
			}}
			// One job: the burst is not split by another case's calls.
			run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Jobs: 1, ErrorPaths: true}, []*scenarios.Suite{s}, Hooks{})
			require.NoError(t, err)
			recs := byCaseAndPath(run)
			assert.Equal(t, "allowed", outcome(recs["poll"]))
			assert.Equal(t, "allowed", outcome(recs["save"]), "%s %+v", recs["save"].FailedParameter, recs["save"].Preflight)

			burst := recs["poll › error path "+scenarios.ErrorRateLimited]
			require.NotNil(t, burst, "%v", names(run))
			require.NotNil(t, burst.ErrorPath)
			t.Logf("burst: %s", burst.ErrorPath.Summary)
			assert.True(t, burst.ErrorPath.Reached)
			assert.Equal(t, http.StatusTooManyRequests, burst.ErrorPath.Status)
			assert.Equal(t, 5, burst.ErrorPath.Call, "the first call over the limit")
			assert.Len(t, burst.Steps, scenarios.ErrorBurst)
			assert.Equal(t, !tc.corsFirst, burst.ErrorPath.Hidden)
			assert.Equal(t, tc.corsFirst, burst.ExpectMet, "%v", burst.Mismatches)

			bad := recs["save › error path "+scenarios.ErrorMalformedBody]
			require.NotNil(t, bad, "%v", names(run))
			require.NotNil(t, bad.ErrorPath)
			t.Logf("malformed body: %s", bad.ErrorPath.Summary)
			assert.Equal(t, http.StatusBadRequest, bad.ErrorPath.Status)
			assert.Equal(t, !tc.corsFirst, bad.ErrorPath.Hidden)
			if !tc.corsFirst {
				assert.Contains(t, bad.ErrorPath.Fix, "rate limiting")
			}
		})
	}
}
