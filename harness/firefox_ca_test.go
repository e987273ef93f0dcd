package harness

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/scenarios"
)

// TestFirefoxCA: an https API on loopback whose certificate a CA of the
// test signed is refused by Firefox without --ca and allowed with it; a
// certificate the same CA issued for another name is still refused with
// --ca, because corsproof trusts only a chain that verified for its host,
// and Firefox accepts only the leaves corsproof wrote down.
func TestFirefoxCA(t *testing.T) {
	plain := testFirefox(t)
	ca := testca.New(t, "corsproof firefox test CA")
	open := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	good := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), open)
	wrongName := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"api.staging.example.test"}}), open)
	goodCase := scenarios.Case{Name: "good", Origin: "https://app.example.test", Request: scenarios.Request{URL: good.URL + "/v1"}}
	wrongCase := scenarios.Case{Name: "wrong name", Origin: "https://app.example.test", Request: scenarios.Request{URL: wrongName.URL + "/v1"}}

	without := plain.RunOne(context.Background(), goodCase)
	assert.Equal(t, cors.VerdictNetworkError, without.Verdict, "without --ca: %s", without.Page.Error)
	assert.Contains(t, without.NetError, "SEC_ERROR_UNKNOWN_ISSUER")
	assert.Nil(t, without.CertCheck)
	summary, fix, ok := cors.ExplainFailure(without.Failure())
	require.True(t, ok)
	assert.Contains(t, summary, "not signed by a certificate authority the browser knows")
	assert.Contains(t, fix, "`--ca FILE`")

	b, err := LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, Timeout: 10 * time.Second, LaunchTimeout: testLaunchTimeout,
		Sinks: []string{"app.example.test"}, CAFile: ca.WriteFile(t), CATargets: []string{goodCase.Request.URL, wrongCase.Request.URL}})
	require.NoError(t, err)
	defer func() { assert.NoError(t, b.Close()) }()
	overrides, err := os.ReadFile(filepath.Join(b.profile, "cert_override.txt"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(overrides), "\tOID."), "one leaf, the one that verified:\n%s", overrides)
	assert.Contains(t, string(overrides), strings.TrimPrefix(good.URL, "https://")+":\t")

	with := b.RunOne(context.Background(), goodCase)
	assert.Equal(t, cors.VerdictAllowed, with.Verdict, "with --ca: %s %s", with.NetError, with.Page.Error)
	assert.Equal(t, 200, with.Page.Status)
	require.NotNil(t, with.CertCheck)
	assert.True(t, with.CertCheck.Trusted)

	wrong := b.RunOne(context.Background(), wrongCase)
	assert.Equal(t, cors.VerdictNetworkError, wrong.Verdict, "%s", wrong.Page.Error)
	require.NotNil(t, wrong.CertCheck)
	assert.Equal(t, cors.CertNameMismatch, wrong.CertCheck.Problem)
	summary, _, ok = cors.ExplainFailure(wrong.Failure())
	require.True(t, ok)
	assert.Contains(t, summary, "name mismatch")
	t.Logf("%s: without --ca %q; with --ca, the wrong name %q", b.Version(), without.NetError, wrong.NetError)
}

// TestFirefoxHostMapByName: a target named by a host name that does not
// resolve is reached at the loopback address HostMap gives it, with the
// URL, and so the Host header, unchanged: network.dns.localDomains
// resolves the name to loopback, network.socket.forcePort moves the port.
func TestFirefoxHostMapByName(t *testing.T) {
	needFirefox(t)
	var host atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host.Store(r.Host)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	// A port nothing listens on: only the move reaches the server.
	target := "api.mapped.example.test:" + closedPortNumber(t)
	b, err := LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, Timeout: 10 * time.Second, LaunchTimeout: testLaunchTimeout,
		Sinks: []string{"app.example.test"}, HostMap: map[string]string{target: "127.0.0.1:" + port}})
	require.NoError(t, err)
	defer func() { assert.NoError(t, b.Close()) }()
	rec := b.RunOne(context.Background(), scenarios.Case{Name: "mapped", Origin: "http://app.example.test", Request: scenarios.Request{URL: "http://" + target + "/v1"}})
	assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "%s %s", rec.NetError, rec.Page.Error)
	assert.Equal(t, target, host.Load(), "the Host header is the URL's")
}
