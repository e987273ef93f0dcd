package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// TestTryFixOnPathsWithAddresses proves the fix of a request made over
// two network paths that send one host name, which resolves nowhere
// (.invalid), to two addresses: each proof reaches the server its path
// reached, at the path's address, and the name is never looked up.
func TestTryFixOnPathsWithAddresses(t *testing.T) {
	api := testapi.NewHandler(&policy.Policy{Version: 1})
	var hits [2]atomic.Int32
	addrs := make([]string, 2)
	for i := range hits {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			api.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		addrs[i] = strings.TrimPrefix(srv.URL, "http://")
	}
	const shared = "http://api.corsproof.invalid:8080"
	s := &scenarios.Suite{Name: "paths", Cases: []scenarios.Case{{Name: "trailing slash", Origin: originHTTP,
		Request: scenarios.Request{URL: shared + "/x?acao=" + originHTTP + "/"}}},
		Paths: []scenarios.Path{{Name: "origin_server", URL: shared, Address: addrs[0]}, {Name: "edge", URL: shared, Address: addrs[1]}}}
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Isolation: harness.IsolationFresh, TryFix: true}, []*scenarios.Suite{s}, Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, 2)
	for _, rec := range run.Records {
		require.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		require.NotNil(t, rec.Diagnosis, rec.Name)
		require.NotNil(t, rec.Diagnosis.FixCheck, "%s: the fix was tried", rec.Name)
		assert.True(t, rec.Diagnosis.FixCheck.Verified, "%s: %s", rec.Name, rec.Diagnosis.FixCheck.Summary)
	}
	for i := range hits {
		assert.Equal(t, int32(2), hits[i].Load(), "path %d's server: its case, then its proof", i)
	}
}
