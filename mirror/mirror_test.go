package mirror

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testca"
)

// TestMirrorCertificate: an https target's mirror serves a certificate it
// made for the target's own host (a name or an IP address), ECDSA P-256,
// valid now and for a day at most, and SPKI is that certificate's key in
// the form the browser's pin list takes. An http target's mirror has none.
func TestMirrorCertificate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, target, host string
		ip                 bool
	}{
		{desc: "DNS name", target: "https://api.example.test:8443", host: "api.example.test"},
		{desc: "IPv4 address", target: "https://127.0.0.1:9443", host: "127.0.0.1", ip: true},
		{desc: "IPv6 address", target: "https://[::1]:443", host: "::1", ip: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m, err := Start(tc.target, Options{})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, m.Close()) })
			cert := m.Certificate()
			require.NotNil(t, cert)
			assert.NoError(t, cert.VerifyHostname(tc.host))
			if tc.ip {
				assert.Empty(t, cert.DNSNames)
				require.Len(t, cert.IPAddresses, 1)
				assert.True(t, cert.IPAddresses[0].Equal(net.ParseIP(tc.host)))
			} else {
				assert.Equal(t, []string{tc.host}, cert.DNSNames)
				assert.Empty(t, cert.IPAddresses)
			}
			assert.Error(t, cert.VerifyHostname("other.example.test"), "for the target's host and nothing else")
			key, ok := cert.PublicKey.(*ecdsa.PublicKey)
			require.True(t, ok, "an ECDSA key, got %T", cert.PublicKey)
			assert.Equal(t, elliptic.P256(), key.Curve)
			assert.False(t, cert.IsCA)
			now := time.Now()
			assert.True(t, now.After(cert.NotBefore) && now.Before(cert.NotAfter), "valid now: %s to %s", cert.NotBefore, cert.NotAfter)
			assert.LessOrEqual(t, cert.NotAfter.Sub(cert.NotBefore), certValidity+5*time.Minute, "short-lived")

			sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
			assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), m.SPKI())

			// The certificate served on the wire is that one.
			conn, err := tls.Dial("tcp", m.Addr(), &tls.Config{RootCAs: pool(cert), ServerName: tc.host, MinVersion: tls.VersionTLS12})
			require.NoError(t, err, "a client trusting the mirror's certificate verifies it for %s", tc.host)
			served := conn.ConnectionState().PeerCertificates
			require.NoError(t, conn.Close())
			require.Len(t, served, 1)
			assert.True(t, served[0].Equal(cert))
		})
	}

	m, err := Start("http://127.0.0.1:1", Options{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	assert.Nil(t, m.Certificate(), "an http target's mirror serves no certificate")
	assert.Empty(t, m.SPKI())
}

// TestMirrorVerifiesTheUpstream: the mirror of an https target forwards to
// the real server only when the server's certificate verifies, against
// the given roots alone when there are any (--ca) and for the target's
// host. A server signed by another CA, or one whose certificate names
// another host, is not reached: the request gets a 502 that says why, and
// UpstreamError says it to the caller.
func TestMirrorVerifiesTheUpstream(t *testing.T) {
	t.Parallel()
	ours, theirs := testca.New(t, "corsproof test CA"), testca.New(t, "another CA")
	upstream := func(ca *testca.CA, hosts ...string) string {
		srv := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: hosts}), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "upstream saw Host %s", r.Host)
		}))
		return srv.URL
	}
	fix := &cors.FixHeaders{Actual: &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Origin": "http://localhost:5173"}}}
	for _, tc := range []struct {
		desc   string
		target string
		roots  []*x509.Certificate
		status int
		want   string // in the body, and in UpstreamError when not 200
	}{
		{desc: "signed by the --ca CA", target: upstream(ours, "127.0.0.1"), roots: []*x509.Certificate{ours.Cert},
			status: http.StatusOK, want: "upstream saw Host 127.0.0.1:"},
		{desc: "signed by another CA than --ca's", target: upstream(theirs, "127.0.0.1"), roots: []*x509.Certificate{ours.Cert},
			status: http.StatusBadGateway, want: "certificate signed by unknown authority"},
		{desc: "the --ca CA, another host", target: upstream(ours, "localhost"), roots: []*x509.Certificate{ours.Cert},
			status: http.StatusBadGateway, want: "cannot validate certificate for 127.0.0.1"},
		{desc: "no --ca: the system's roots, which do not hold the test CA", target: upstream(ours, "127.0.0.1"),
			status: http.StatusBadGateway, want: "certificate signed by unknown authority"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m, err := Start(tc.target, Options{Roots: tc.roots})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, m.Close()) })
			m.SetFix(fix)
			resp, body := get(t, m, tc.target)
			assert.Equal(t, tc.status, resp.StatusCode, "body: %s", body)
			assert.Contains(t, body, tc.want)
			if tc.status == http.StatusOK {
				assert.NoError(t, m.UpstreamError())
				assert.Equal(t, "http://localhost:5173", resp.Header.Get("Access-Control-Allow-Origin"), "the fix is applied")
				return
			}
			require.Error(t, m.UpstreamError(), "the caller hears why, not only the browser's CORS error")
			assert.Contains(t, m.UpstreamError().Error(), tc.want)
			assert.Contains(t, m.UpstreamError().Error(), "forwarding to "+tc.target)
			assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "no fix on an answer the server never gave")
			m.SetFix(fix)
			assert.NoError(t, m.UpstreamError(), "SetFix starts the next case afresh")
		})
	}
}

// get requests target's root through the mirror as the try-fix browser
// does: to the target's URL, whose connection goes to the mirror's
// address, trusting the mirror's certificate and nothing else.
func get(t *testing.T, m *Mirror, target string) (*http.Response, string) {
	t.Helper()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, m.Addr())
		},
	}
	if c := m.Certificate(); c != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool(c), MinVersion: tls.VersionTLS12}
	}
	t.Cleanup(tr.CloseIdleConnections)
	req, err := http.NewRequest(http.MethodGet, target+"/x", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// TestMirrorAddress forwards to a target whose name resolves nowhere
// (.invalid) at the address a network path gives it: the upstream is
// reached there, sees the target's own Host, and an https upstream is
// verified for the target's name, which is never looked up.
func TestMirrorAddress(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "corsproof test CA")
	const host = "edge.corsproof.invalid"
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw Host %s", r.Host)
	})
	secure := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{host}}), echo)
	plain := httptest.NewServer(echo)
	t.Cleanup(plain.Close)
	fix := &cors.FixHeaders{Actual: &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Origin": "http://localhost:5173"}}}
	for _, tc := range []struct{ desc, target, address string }{
		{"http", "http://" + host, plain.Listener.Addr().String()},
		{"https", "https://" + host + ":8443", secure.Listener.Addr().String()},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m, err := Start(tc.target, Options{Roots: []*x509.Certificate{ca.Cert}, Address: tc.address})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, m.Close()) })
			m.SetFix(fix)
			resp, body := get(t, m, tc.target)
			require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s; upstream error: %v", body, m.UpstreamError())
			assert.Equal(t, "upstream saw Host "+strings.TrimPrefix(strings.TrimPrefix(tc.target, "https://"), "http://"), body)
			assert.Equal(t, "http://localhost:5173", resp.Header.Get("Access-Control-Allow-Origin"))
		})
	}
}
