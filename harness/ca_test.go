package harness

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testca"
)

func TestLoadCA(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "load CA")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	other := testca.New(t, "second CA")
	tests := []struct {
		desc   string
		path   string
		certs  int
		reason string
		advice string
	}{
		{desc: "one certificate", path: write("one.pem", string(ca.PEM())), certs: 1},
		{desc: "a bundle, with text around", path: write("bundle.pem", "# company roots\n"+string(ca.PEM())+"\n"+string(other.PEM())), certs: 2},
		{desc: "missing file", path: filepath.Join(dir, "nope.pem"), reason: "does not exist", advice: "mkcert -CAROOT"},
		{desc: "not PEM", path: write("der.crt", string(ca.Cert.Raw)), reason: "is not a PEM file", advice: "openssl x509 -inform der"},
		{desc: "empty file", path: write("empty.pem", ""), reason: "is not a PEM file"},
		{desc: "a key, not a certificate", path: write("rootCA-key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), reason: "holds no certificate, only PRIVATE KEY", advice: "not its key"},
		{desc: "a certificate block that does not parse", path: write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), reason: "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			certs, err := LoadCA(tt.path)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Len(t, certs, tt.certs)
				return
			}
			var oe *OptionError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, "--ca", oe.Option)
			assert.Equal(t, tt.path, oe.Value)
			assert.Contains(t, oe.Reason, tt.reason)
			assert.NotEmpty(t, oe.Hint())
			assert.Contains(t, oe.Hint(), tt.advice)
			assert.True(t, strings.HasPrefix(err.Error(), "--ca: "), err.Error())
		})
	}
}

func TestValidateCA(t *testing.T) {
	t.Parallel()
	path := testca.New(t, "validate CA").WriteFile(t)
	assert.NoError(t, Options{CAFile: path}.Validate())
	var oe *OptionError
	require.ErrorAs(t, Options{CAFile: filepath.Join(t.TempDir(), "missing.pem")}.Validate(), &oe)
	assert.Equal(t, "--ca", oe.Option)
	require.ErrorAs(t, Options{CAFile: path, URL: "ws://127.0.0.1:9222/devtools/browser/x"}.Validate(), &oe)
	assert.Contains(t, oe.Reason, "needs a browser corsproof launches")
}

func TestVerifyChain(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "verify CA")
	stranger := testca.New(t, "unknown CA")
	roots := []*x509.Certificate{ca.Cert}
	now := time.Now()
	served := func(c *testca.CA, leaf testca.Leaf) []*x509.Certificate {
		cert := c.Issue(t, leaf)
		var out []*x509.Certificate
		for _, der := range cert.Certificate {
			parsed, err := x509.ParseCertificate(der)
			require.NoError(t, err)
			out = append(out, parsed)
		}
		return out
	}
	expired := testca.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}
	tests := []struct {
		desc  string
		chain []*x509.Certificate
		host  string
		want  cors.CertProblem
	}{
		{desc: "signed by the CA, for the IP", chain: served(ca, testca.Leaf{Hosts: []string{"127.0.0.1"}}), host: "127.0.0.1"},
		{desc: "signed by the CA, for the name", chain: served(ca, testca.Leaf{Hosts: []string{"api.example.test"}}), host: "api.example.test"},
		{desc: "the leaf alone, without the CA in the chain", chain: served(ca, testca.Leaf{Hosts: []string{"127.0.0.1"}})[:1], host: "127.0.0.1"},
		{desc: "wrong name", chain: served(ca, testca.Leaf{Hosts: []string{"other.example.test"}}), host: "127.0.0.1", want: cors.CertNameMismatch},
		{desc: "another CA", chain: served(stranger, testca.Leaf{Hosts: []string{"127.0.0.1"}}), host: "127.0.0.1", want: cors.CertUnknownAuthority},
		{desc: "another CA and the wrong name is an unknown CA first", chain: served(stranger, testca.Leaf{Hosts: []string{"other.example.test"}}), host: "127.0.0.1", want: cors.CertUnknownAuthority},
		{desc: "expired", chain: served(ca, expired), host: "127.0.0.1", want: cors.CertExpired},
		{desc: "expired from another CA is an unknown CA first", chain: served(stranger, expired), host: "127.0.0.1", want: cors.CertUnknownAuthority},
		{desc: "a self-signed leaf passed as its own CA", chain: []*x509.Certificate{selfSigned(t)}, host: "127.0.0.1"},
		{desc: "not yet valid", chain: served(ca, testca.Leaf{Hosts: []string{"127.0.0.1"}, NotBefore: now.Add(time.Hour), NotAfter: now.Add(2 * time.Hour)}), host: "127.0.0.1", want: cors.CertNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			r := roots
			if strings.HasPrefix(tt.desc, "a self-signed") {
				r = tt.chain
			}
			got, detail := verifyChain(tt.chain, tt.host, r, now)
			assert.Equal(t, tt.want, got, detail)
			if tt.want != "" {
				assert.NotEmpty(t, detail)
			}
		})
	}
}

// TestCheckCA makes the handshakes the launch makes: the served leaf's key
// is pinned only for the target whose chain verifies.
func TestCheckCA(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "check CA")
	ok := func(w http.ResponseWriter, r *http.Request) {}
	good := ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}})
	goodSrv := testca.Serve(t, good, http.HandlerFunc(ok))
	wrongSrv := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"other.example.test"}}), http.HandlerFunc(ok))
	checks, overrides, err := checkCA(context.Background(), Options{CAFile: ca.WriteFile(t), Timeout: 5 * time.Second, CATargets: []string{
		goodSrv.URL + "/a", goodSrv.URL + "/b", // one check per host:port
		wrongSrv.URL + "/",
		"http://127.0.0.1:1/plain", // not https: nothing to check
		"https://127.0.0.1:" + closedPortNumber(t) + "/",
	}})
	require.NoError(t, err)
	require.Len(t, checks, 3)
	sum := sha256.Sum256(good.Leaf.RawSubjectPublicKeyInfo)
	assert.True(t, checks[0].Trusted, checks[0].Detail)
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), checks[0].SPKI)
	assert.Equal(t, strings.TrimPrefix(goodSrv.URL, "https://"), checks[0].Target)
	assert.False(t, checks[1].Trusted)
	assert.Equal(t, cors.CertNameMismatch, checks[1].Problem)
	assert.Empty(t, checks[1].SPKI)
	assert.Equal(t, cors.CertUnreachable, checks[2].Problem)
	assert.Equal(t, []string{checks[0].SPKI}, caPins(checks))
	leafSum := sha256.Sum256(good.Leaf.Raw)
	require.Len(t, overrides, 1, "only the chain that verified")
	assert.Equal(t, checks[0].Target, overrides[0].hostPort)
	assert.Equal(t, strings.ToUpper(strings.Join(hexBytes(leafSum[:]), ":")), overrides[0].fingerprint)
	// The database key: zeros, the two lengths, the serial, the issuer.
	key, err := base64.StdEncoding.DecodeString(overrides[0].dbKey)
	require.NoError(t, err)
	require.Greater(t, len(key), 16)
	assert.Equal(t, make([]byte, 8), key[:8])
	serialLen, issuerLen := binary.BigEndian.Uint32(key[8:]), binary.BigEndian.Uint32(key[12:])
	require.Equal(t, 16+int(serialLen)+int(issuerLen), len(key))
	assert.Equal(t, good.Leaf.SerialNumber, new(big.Int).SetBytes(key[16:16+serialLen]))
	assert.Equal(t, good.Leaf.RawIssuer, key[16+serialLen:])
}

// TestCheckCAAtMappedAddress checks a target that a network path sends
// to another address (HostMap) at that address, for the target's name:
// the name (.invalid, resolving nowhere) is never looked up.
func TestCheckCAAtMappedAddress(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "check CA")
	const host = "edge.corsproof.invalid"
	srv := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{host}}), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	checks, _, err := checkCA(context.Background(), Options{CAFile: ca.WriteFile(t), Timeout: 5 * time.Second,
		CATargets: []string{"https://" + host + "/x"}, HostMap: map[string]string{host + ":443": strings.TrimPrefix(srv.URL, "https://")}})
	require.NoError(t, err)
	require.Len(t, checks, 1)
	assert.True(t, checks[0].Trusted, checks[0].Detail)
	assert.Equal(t, host+":443", checks[0].Target)
}

func hexBytes(b []byte) []string {
	out := make([]string, len(b))
	for i, c := range b {
		out[i] = hex.EncodeToString([]byte{c})
	}
	return out
}

func closedPortNumber(t *testing.T) string {
	u := closedPort(t)
	return u[strings.LastIndex(u, ":")+1:]
}

// TestCAPinSwitch: the pins go on the command line, a user's own list
// joins them, and the run's settings say what was trusted and why.
func TestCAPinSwitch(t *testing.T) {
	t.Parallel()
	opts := Options{CAFile: "ca.pem", pins: []string{"AAA=", "BBB="}, ExtraFlags: map[string]any{spkiSwitch: "CCC="}}
	args, err := flagArgs(launchFlags(opts))
	require.NoError(t, err)
	var found []string
	for _, a := range args {
		if strings.HasPrefix(a, "--"+spkiSwitch+"=") {
			found = append(found, a)
		}
	}
	assert.Equal(t, []string{"--" + spkiSwitch + "=AAA=,BBB=,CCC="}, found, "one switch: Chromium keeps only the last")
	assert.NotContains(t, strings.Join(args, " "), "--ignore-certificate-errors ", "never the switch that trusts everything")
	assert.Contains(t, strings.Join(QuietSettings(opts), "\n"), "--"+spkiSwitch+"=AAA=,BBB=  # --ca")

	args, err = flagArgs(launchFlags(Options{CAFile: "ca.pem"}))
	require.NoError(t, err)
	assert.NotContains(t, strings.Join(args, " "), spkiSwitch, "nothing verified, nothing pinned")
	assert.Contains(t, strings.Join(QuietSettings(Options{CAFile: "ca.pem"}), "\n"), "no served chain verified")
}

// TestCAPinSwitchWithMirrorPins: --try-fix's mirror pins join the --ca
// pins in the one switch, each once, and the settings say which is which;
// without --ca the mirror's pins are the only ones.
func TestCAPinSwitchWithMirrorPins(t *testing.T) {
	t.Parallel()
	mirrorPin := base64.StdEncoding.EncodeToString(make([]byte, sha256.Size))
	for _, tc := range []struct {
		desc     string
		opts     Options
		want     string
		settings []string
	}{
		{desc: "with --ca", opts: Options{CAFile: "ca.pem", pins: []string{"AAA=", mirrorPin}, MirrorPins: []string{mirrorPin, "BBB="}},
			want: "--" + spkiSwitch + "=AAA=," + mirrorPin + ",BBB=", settings: []string{"# --ca: the keys of the served chains that verified against ca.pem", "; --try-fix: the key of this process's loopback mirrors of https targets"}},
		{desc: "without --ca", opts: Options{MirrorPins: []string{mirrorPin}},
			want: "--" + spkiSwitch + "=" + mirrorPin, settings: []string{"  # --try-fix: the key of this process's loopback mirrors of https targets"}},
		{desc: "--ca with nothing verified", opts: Options{CAFile: "ca.pem", MirrorPins: []string{mirrorPin}},
			want: "--" + spkiSwitch + "=" + mirrorPin, settings: []string{"no served chain verified", "  # --try-fix: the key"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			args, err := flagArgs(launchFlags(tc.opts))
			require.NoError(t, err)
			var found []string
			for _, a := range args {
				if strings.HasPrefix(a, "--"+spkiSwitch+"=") {
					found = append(found, a)
				}
			}
			assert.Equal(t, []string{tc.want}, found)
			settings := strings.Join(QuietSettings(tc.opts), "\n")
			assert.Contains(t, settings, tc.want+"  # ")
			for _, s := range tc.settings {
				assert.Contains(t, settings, s)
			}
		})
	}
}

// TestValidateMirrorPins: a mirror pin must be one Chromium reads, and
// needs a browser corsproof launches.
func TestValidateMirrorPins(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(make([]byte, sha256.Size))
	assert.NoError(t, Options{MirrorPins: []string{good}}.Validate())
	assert.NoError(t, Options{Engine: EngineFirefox, MirrorPins: []string{good}, HostMap: map[string]string{"api.example.test:443": "127.0.0.1:40001"}}.Validate(), "Firefox proves fixes too")
	for _, tc := range []struct {
		desc, reason string
		opts         Options
	}{
		{desc: "not base64", opts: Options{MirrorPins: []string{good, "not a pin!"}}, reason: "is not a mirror key pin"},
		{desc: "not a SHA-256", opts: Options{MirrorPins: []string{"AAA="}}, reason: "is not a mirror key pin"},
		{desc: "a remote browser", opts: Options{MirrorPins: []string{good}, URL: "ws://127.0.0.1:9222/devtools/browser/x"}, reason: "needs a browser corsproof launches"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var oe *OptionError
			require.ErrorAs(t, tc.opts.Validate(), &oe)
			assert.Equal(t, "--try-fix", oe.Option)
			assert.Contains(t, oe.Reason, tc.reason)
			assert.NotEmpty(t, oe.Hint())
		})
	}
}

// selfSigned is a server certificate that is its own issuer, as
// `openssl req -x509` makes.
func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "self"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}
