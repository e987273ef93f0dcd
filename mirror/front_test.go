package mirror

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/spki"
)

// TestFront: as a browser context's proxy the Front hands a mirrored
// target's requests (absolute-form for http, CONNECT for https) to its
// mirror, which applies the fix; sends another host's on unchanged; and
// refuses the sinks. The proxy's own headers never reach a server.
func TestFront(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		_, _ = io.WriteString(w, "real "+r.URL.Path)
	})
	plain := httptest.NewServer(handler)
	t.Cleanup(plain.Close)
	other := httptest.NewServer(handler)
	t.Cleanup(other.Close)
	secure := httptest.NewTLSServer(handler)
	t.Cleanup(secure.Close)

	roots := []*x509.Certificate{secure.Certificate()}
	fix := &cors.FixHeaders{Actual: &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Origin": "https://app.example.test"}}}
	front, err := StartFront([]string{"app.example.test"}, false)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, front.Close()) })
	for _, target := range []string{plain.URL, secure.URL} {
		m, err := Start(target, Options{Roots: roots})
		require.NoError(t, err)
		t.Cleanup(func() { _ = m.Close() })
		m.SetFix(fix)
		_, hostport, err := Origin(target)
		require.NoError(t, err)
		front.Add(hostport, m)
	}

	// The client trusts the mirrors' key as the browser does, and the
	// real https server's certificate, which a mirror never serves.
	pin, err := KeyPin()
	require.NoError(t, err)
	proxyURL, _ := url.Parse("http://" + front.Addr())
	client := &http.Client{Transport: &http.Transport{
		Proxy:              http.ProxyURL(proxyURL),
		ProxyConnectHeader: http.Header{"Proxy-Connection": {"keep-alive"}},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			c, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			if spki.Pin(c) != pin {
				return errMirror
			}
			return nil
		}},
	}}
	get := func(u string) (*http.Response, string, error) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Origin", "https://app.example.test")
		req.Header.Set("Proxy-Connection", "keep-alive")
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	for _, target := range []string{plain.URL, secure.URL} {
		resp, body, err := get(target + "/x")
		require.NoError(t, err, target)
		assert.Equal(t, "real /x", body, target)
		assert.Equal(t, "https://app.example.test", resp.Header.Get("Access-Control-Allow-Origin"), "%s: the mirror applied the fix", target)
	}
	resp, body, err := get(other.URL + "/y")
	require.NoError(t, err)
	assert.Equal(t, "real /y", body)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "another host's answer is its own")
	assert.Empty(t, resp.Header.Get("X-Corsproof-Proxy"))

	// A sink is refused with a closed connection, a network error as
	// when the browser's resolver refuses it, not a response without CORS
	// headers; so is a host that does not answer, and a name with a
	// trailing dot is the same host.
	_, _, err = get("http://app.example.test/")
	require.Error(t, err, "a sink is refused")
	_, _, err = get("http://app.example.test./")
	require.Error(t, err, "a sink with a trailing dot is refused")
	_, _, err = get("http://127.0.0.1:1/")
	require.Error(t, err, "a host that does not answer is a network error")
	_, _, err = get("https://app.example.test/")
	require.Error(t, err, "a sink's CONNECT is refused")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	for _, h := range seen {
		assert.NotContains(t, h, "Proxy-Connection")
		assert.Equal(t, "https://app.example.test", h.Get("Origin"))
	}
}

var errMirror = errors.New("not a mirror's certificate")

// Under --lna enforce the Front connects to no loopback or private host by
// itself: the first run's browser checked such requests, a proxied one is
// not checked. A mirrored target is its mirror's to reach.
func TestFrontRefusesLocalHostsUnderEnforce(t *testing.T) {
	t.Parallel()
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "local") }))
	t.Cleanup(local.Close)
	front, err := StartFront(nil, true)
	require.NoError(t, err)
	t.Cleanup(func() { _ = front.Close() })
	proxy, err := url.Parse("http://" + front.Addr())
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	_, err = client.Get(local.URL + "/x")
	require.Error(t, err, "a loopback host is not reached through the Front")

	open, err := StartFront(nil, false)
	require.NoError(t, err)
	t.Cleanup(func() { _ = open.Close() })
	proxy, err = url.Parse("http://" + open.Addr())
	require.NoError(t, err)
	client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	resp, err := client.Get(local.URL + "/x")
	require.NoError(t, err, "without enforce it is")
	_ = resp.Body.Close()
}
