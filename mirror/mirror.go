// Package mirror is the loopback stand-in for a target server that
// --try-fix uses to prove a fix before it is deployed: the development
// proxy (package proxy) with one request's fix as its rules. It forwards
// every request to the real server and applies a cors.FixHeaders to the
// responses. The browser reaches it through a browser context's proxy
// (Front) or its host resolver, so the URL, the Origin and the cookies of
// the request stay exactly as the page makes them; only the answer
// changes, the way the fixed server would answer.
//
// An https target's mirror serves TLS with a certificate of its own, made
// at start for the target's host with a key that exists only in this
// process's memory (KeyPin), which the browser is told to accept by that
// key and which nothing else trusts.
//
// In Chromium the browser reaches the mirrors through a Front: the HTTP
// proxy of the one browser context the case runs again in (its URL and
// request unchanged, only where they are sent). Firefox, which takes no
// proxy per context, reaches them through a second browser's host
// resolver instead. Towards
// the real server the mirror is an ordinary verifying client: the
// system's roots, or only the --ca ones (Options.Roots), and the target's
// own host name for SNI and verification.
package mirror

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/spki"
	"github.com/corsproof/corsproof/proxy"
)

// Options configure a mirror.
type Options struct {
	// Roots are the only authorities an https target's certificate may
	// chain to (the run's --ca, harness.LoadCA); nil means the system's
	// roots, as the browser of the first run used.
	Roots []*x509.Certificate
	// Address is the host:port the mirror connects to for the target,
	// when the run sends the target's host:port elsewhere than DNS says
	// (a network path with an address, --via NAME=URL@HOST:PORT): the
	// proof must reach the server the first run reached, and the
	// target's name, which may exist nowhere, is never looked up.
	Address string
}

// certValidity is how long a mirror's certificate is valid: a mirror
// lives for one --try-fix round, and nothing should accept its key later.
// A host's certificate is made once per process (Certificate), when a
// Firefox run launches: a run of Firefox whose proofs come more than a day
// after its launch meets an expired mirror certificate (not verified,
// with the certificate error).
const certValidity = 24 * time.Hour

// Mirror forwards to one target origin and applies the current fix.
type Mirror struct {
	srv   *proxy.Server
	rules *proxy.FixRules
	cert  *x509.Certificate // nil for an http target
	spki  string

	mu    sync.Mutex
	errUp error
}

// Start listens on a loopback port and forwards to target, an http or
// https origin (scheme://host[:port]).
func Start(target string, opts Options) (*Mirror, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mirror target %q is not an origin", target)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("mirror target %q: only http and https targets can be mirrored", target)
	}
	m := &Mirror{rules: &proxy.FixRules{}}
	popts := proxy.Options{Target: target, Rules: m.rules, UpstreamError: m.upstreamError, Address: opts.Address}
	if len(opts.Roots) > 0 {
		popts.RootCAs = x509.NewCertPool()
		for _, c := range opts.Roots {
			popts.RootCAs.AddCert(c)
		}
	}
	p, err := proxy.New(popts)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	if u.Scheme == "http" {
		if m.srv, err = proxy.Listen("127.0.0.1:0", p); err != nil {
			return nil, err
		}
		return m, nil
	}
	cert, err := hostCert(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("mirror of %s: %w", target, err)
	}
	if m.srv, err = proxy.ListenTLS("127.0.0.1:0", p, cert); err != nil {
		return nil, err
	}
	m.cert = cert.Leaf
	m.spki = spki.Pin(cert.Leaf)
	return m, nil
}

// The key of every https mirror of this process, made on first use. It
// never leaves memory, so a browser that accepts it (KeyPin) accepts only
// this process's mirrors: that is what lets --try-fix trust it at the
// launch of the run's one browser, before the mirrors exist, without
// trusting anything else.
var (
	keyOnce sync.Once
	key     *ecdsa.PrivateKey
	keyErr  error
)

func processKey() (*ecdsa.PrivateKey, error) {
	keyOnce.Do(func() {
		key, keyErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if keyErr != nil {
			keyErr = fmt.Errorf("making the mirrors' key: %w", keyErr)
		}
	})
	return key, keyErr
}

// KeyPin is the pin (base64 SHA-256 of the SubjectPublicKeyInfo, the form
// --ignore-certificate-errors-spki-list takes, harness.Options.MirrorPins)
// of the key every https mirror of this process serves its certificate
// with: a browser launched with it accepts the mirrors this process starts
// later, and no other server.
func KeyPin() (string, error) {
	k, err := processKey()
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return "", fmt.Errorf("encoding the mirrors' key: %w", err)
	}
	return spki.Pin(&x509.Certificate{RawSubjectPublicKeyInfo: der}), nil
}

// The certificate of each https host's mirrors, made on first use: a
// Firefox accepts one exact certificate at a host and port
// (cert_override.txt), written into its profile at launch, before the
// mirror exists (Certificate). Valid certValidity from then.
var (
	certsMu sync.Mutex
	certs   = map[string]tls.Certificate{}
)

func hostCert(host string) (tls.Certificate, error) {
	host = strings.ToLower(host)
	certsMu.Lock()
	defer certsMu.Unlock()
	if c, ok := certs[host]; ok {
		return c, nil
	}
	c, err := makeCert(host, time.Now())
	if err != nil {
		return tls.Certificate{}, err
	}
	certs[host] = c
	return c, nil
}

// Certificate is the certificate every https mirror of host (a name or
// an IP address, as a URL's Hostname gives it) serves in this process,
// made with the process's key (KeyPin) on first use: a browser can be
// told at launch to accept exactly it for the target's host and port
// (Firefox's cert_override.txt, harness.Options.MirrorCerts), before the
// mirror starts. Only this process holds its key.
func Certificate(host string) (*x509.Certificate, error) {
	c, err := hostCert(host)
	if err != nil {
		return nil, err
	}
	return c.Leaf, nil
}

// makeCert makes a self-signed ECDSA P-256 server certificate for host (a
// DNS name or an IP address) with the process's mirror key, valid from a
// few minutes ago, so that a clock a little behind still accepts it, for
// certValidity.
func makeCert(host string, now time.Time) (tls.Certificate, error) {
	key, err := processKey()
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making a serial number: %w", err)
	}
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host, Organization: []string{"corsproof --try-fix mirror"}},
		NotBefore:    now.Add(-5 * time.Minute), NotAfter: now.Add(certValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		tpl.IPAddresses = []net.IP{ip}
	} else {
		tpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making the certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading the certificate back: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Addr is the mirror's loopback address, host:port.
func (m *Mirror) Addr() string { return m.srv.Addr() }

// Target is the origin the mirror forwards to.
func (m *Mirror) Target() string { return m.srv.Target() }

// Certificate is the certificate an https target's mirror serves; nil
// for an http target.
func (m *Mirror) Certificate() *x509.Certificate { return m.cert }

// SPKI is the base64 SHA-256 of the public key of the mirror's
// certificate, the form --ignore-certificate-errors-spki-list takes
// (harness.Options.MirrorPins); empty for an http target.
func (m *Mirror) SPKI() string { return m.spki }

// SetFix sets the fix applied to the responses from now on; nil applies
// nothing. It also forgets the last upstream error.
func (m *Mirror) SetFix(f *cors.FixHeaders) {
	m.rules.Set(f)
	m.mu.Lock()
	m.errUp = nil
	m.mu.Unlock()
}

// UpstreamError is the first request since SetFix the mirror could not
// forward (the server unreachable, its certificate not verified), or nil.
// Such a request was answered 502 without CORS headers, which the browser
// reports as a CORS error: this says what really happened.
func (m *Mirror) UpstreamError() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.errUp
}

func (m *Mirror) upstreamError(err error) {
	if errors.Is(err, context.Canceled) {
		// The browser gave up on the request (a case's time-out): the
		// server was not at fault, and the record says what happened.
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.errUp == nil {
		m.errUp = fmt.Errorf("forwarding to %s: %w", m.Target(), err)
	}
}

// Close stops the mirror.
func (m *Mirror) Close() error { return m.srv.Close() }

// Origin returns the scheme://host:port a URL's requests go to, with the
// default port spelled out, as the browser's host resolver matches it.
func Origin(rawURL string) (scheme, hostport string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("%q is not an absolute URL", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme), net.JoinHostPort(strings.ToLower(u.Hostname()), port), nil
}
