package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

func TestLNAGrants(t *testing.T) {
	t.Parallel()
	both := []string{"loopback-network", "local-network"}
	tests := []struct {
		desc   string
		mode   LNAMode
		origin string
		want   []string
	}{
		{desc: "off grants nothing", mode: LNAOff, origin: "http://localhost:5173"},
		{desc: "grant grants both to a public page", mode: LNAGrant, origin: "https://app.example.test", want: both},
		{desc: "never to the null origin", mode: LNAGrant, origin: "null"},
		{desc: "enforce grants a localhost page both", mode: LNAEnforce, origin: "http://localhost:5173", want: both},
		{desc: "enforce grants a .localhost page both", mode: LNAEnforce, origin: "http://app.localhost:5173", want: both},
		{desc: "enforce grants a 127/8 page both", mode: LNAEnforce, origin: "http://127.0.0.2:8000", want: both},
		{desc: "enforce grants an IPv6 loopback page both", mode: LNAEnforce, origin: "http://[::1]:5173", want: both},
		{desc: "enforce grants a private page local-network only", mode: LNAEnforce, origin: "https://192.168.1.10:3000", want: []string{"local-network"}},
		{desc: "enforce grants a ULA page local-network only", mode: LNAEnforce, origin: "https://[fd00::5]", want: []string{"local-network"}},
		{desc: "enforce grants a public IP page nothing", mode: LNAEnforce, origin: "https://203.0.113.9"},
		{desc: "enforce grants a named page nothing", mode: LNAEnforce, origin: "https://app.example.test"},
		{desc: "enforce grants null nothing", mode: LNAEnforce, origin: "null"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, lnaGrants(tt.mode, tt.origin))
		})
	}
}

// TestLNAEnforceLocalPages: under --lna enforce a page at a loopback origin
// reaches loopback as the real page there does, a private https page
// reaches private targets but not loopback, and a public page is refused.
// It needs its own browser: the shared one runs with the checks off.
func TestLNAEnforceLocalPages(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		fmt.Fprint(w, "ok")
	})
	loop := httptest.NewServer(h)
	t.Cleanup(loop.Close)
	// A loopback server that Chromium counts as on a private network.
	private := httptest.NewServer(h)
	t.Cleanup(private.Close)
	b, err := Launch(context.Background(), Options{LNA: LNAEnforce, Timeout: 10 * time.Second,
		ExtraFlags: map[string]any{"ip-address-space-overrides": strings.TrimPrefix(private.URL, "http://") + "=local"}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })

	tests := []struct {
		desc, origin, target string
		verdict              cors.Verdict
		corsError            cors.CorsError
	}{
		{desc: "localhost page reaches loopback", origin: "http://localhost:5173", target: loop.URL, verdict: cors.VerdictAllowed},
		{desc: "127.0.0.1 page reaches loopback", origin: "http://127.0.0.1:5173", target: loop.URL, verdict: cors.VerdictAllowed},
		{desc: "IPv6 loopback page reaches loopback", origin: "http://[::1]:5173", target: loop.URL, verdict: cors.VerdictAllowed},
		{desc: "localhost page reaches a private address", origin: "http://localhost:5173", target: private.URL, verdict: cors.VerdictAllowed},
		{desc: "private https page reaches a private address", origin: "https://192.168.1.10:3000", target: private.URL, verdict: cors.VerdictAllowed},
		{desc: "private https page still needs permission for loopback", origin: "https://192.168.1.10:3000", target: loop.URL,
			verdict: cors.VerdictBlocked, corsError: cors.ErrLocalNetworkAccessPermissionDenied},
		{desc: "public page is still refused", origin: "https://app.example.test", target: loop.URL,
			verdict: cors.VerdictBlocked, corsError: cors.ErrLocalNetworkAccessPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			rec, err := b.Run(context.Background(), scenarios.Case{Name: tt.desc, Origin: tt.origin, Request: scenarios.Request{URL: tt.target + "/x"}})
			require.NoError(t, err)
			assert.Equal(t, tt.verdict, rec.Verdict, "%+v", rec.Page)
			assert.Equal(t, tt.corsError, rec.CorsError)
		})
	}
}
