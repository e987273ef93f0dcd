package varnishtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartCachesWhatTheVCLSays runs a VCL that caches OPTIONS (Varnish
// passes it by default) and checks the second OPTIONS is a hit: the
// backend saw one request, and the answer says so.
func TestStartCachesWhatTheVCLSays(t *testing.T) {
	var hits atomic.Int32
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-Method", r.Method)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(backend.Close)
	edge := Start(t, backend.URL, `
sub vcl_recv {
    if (req.method == "OPTIONS") {
        set req.http.X-Method = req.method;
        return (hash);
    }
}
sub vcl_backend_fetch {
    if (bereq.http.X-Method) {
        set bereq.method = bereq.http.X-Method;
    }
}
sub vcl_backend_response {
    set beresp.ttl = 1m;
    return (deliver);
}`)
	for i := range 2 {
		req, err := http.NewRequest(http.MethodOptions, edge+"/x", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "OPTIONS", resp.Header.Get("X-Method"), "the backend saw OPTIONS, not Varnish's GET")
		assert.NotEmpty(t, resp.Header.Get("X-Varnish"))
		t.Logf("%d: X-Varnish %s, Age %s", i, resp.Header.Get("X-Varnish"), resp.Header.Get("Age"))
	}
	assert.EqualValues(t, 1, hits.Load(), "the second OPTIONS came from the cache")
}
