package harness

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/spki"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// This file is --ca: trusting the certificate authorities of a PEM file for
// the run's https targets, and for nothing else.
//
// Chromium has no switch that adds a root for some hosts only, and an NSS
// database per profile would need certutil. What it has is
// --ignore-certificate-errors-spki-list: certificate errors are ignored for
// a chain the server sends when a certificate in it has one of the listed
// public keys (base64 SHA-256 of the SubjectPublicKeyInfo), and only when
// the browser runs with a --user-data-dir, which corsproof always gives it.
// Measured with Chromium 156 against a loopback server whose leaf was
// signed by a generated CA: no switch gave net error -202
// (ERR_CERT_AUTHORITY_INVALID); the leaf's or the CA's key in the list
// loaded the page. Since the switch ignores every error of such a chain —
// a wrong host name or an expired certificate too — corsproof checks the
// chain itself first: before launch it makes a TLS handshake with each
// https target, verifies the served chain against a pool of only the --ca
// certificates with crypto/x509 (host name and dates included), and lists
// the served leaf's key only when that succeeds. A chain that does not
// verify is not listed; the browser then refuses it and the record's
// CertCheck says why.
//
// Limits: the key is accepted wherever the browser meets it, so another
// host serving the same key (a multi-name certificate) is accepted too;
// hosts reached only through a redirect are not checked (the browser
// refuses them unless their chain holds a listed key); and the handshake
// resolves names as the system does, not through a --host-resolver-rules
// the user added with --browser-arg.

// LoadCA reads a PEM file of certificate authorities for --ca. Errors are
// *OptionError, naming the file and what to pass instead.
func LoadCA(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		reason := "cannot be read: " + err.Error()
		if errors.Is(err, os.ErrNotExist) {
			reason = "does not exist"
		}
		return nil, &OptionError{Option: "--ca", Value: path, Reason: reason, Advice: caAdvice}
	}
	var certs []*x509.Certificate
	var others []string
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			others = append(others, block.Type)
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &OptionError{Option: "--ca", Value: path, Reason: fmt.Sprintf("holds a certificate (number %d) that does not parse: %v", len(certs)+1, err), Advice: caAdvice}
		}
		certs = append(certs, c)
	}
	switch {
	case len(certs) > 0:
		return certs, nil
	case len(others) > 0:
		return nil, &OptionError{Option: "--ca", Value: path, Reason: "holds no certificate, only " + strings.Join(others, ", "),
			Advice: "pass the CA's certificate, not its key (for mkcert: --ca \"$(mkcert -CAROOT)/rootCA.pem\")"}
	}
	return nil, &OptionError{Option: "--ca", Value: path, Reason: "is not a PEM file (no -----BEGIN CERTIFICATE----- block)",
		Advice: "convert a DER certificate with `openssl x509 -inform der -in FILE -out ca.pem`, then pass --ca ca.pem"}
}

const caAdvice = "pass the PEM certificate of the CA that signs the API's certificate, e.g. --ca \"$(mkcert -CAROOT)/rootCA.pem\""

// CaseTargets returns the URLs the cases request, for Options.CATargets.
func CaseTargets(cases []scenarios.Case) []string {
	out := make([]string, 0, len(cases))
	for _, c := range cases {
		out = append(out, c.Request.URL)
	}
	return out
}

// httpsTargets are the distinct host:port (and host) of the https URLs,
// in order.
func httpsTargets(urls []string) (hostPorts, hosts []string) {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Hostname() == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = "443"
		}
		hp := net.JoinHostPort(strings.ToLower(u.Hostname()), port)
		if !slices.Contains(hostPorts, hp) {
			hostPorts = append(hostPorts, hp)
			hosts = append(hosts, strings.ToLower(u.Hostname()))
		}
	}
	return hostPorts, hosts
}

// certOverride is a served leaf that verified against --ca, for the
// target it was served by: what Firefox is told to accept (see
// firefoxCertOverrides).
type certOverride struct {
	// hostPort is the target as httpsTargets has it (IPv6 in brackets).
	hostPort string
	// fingerprint is the SHA-256 of the leaf's DER, as colon-separated
	// upper-case hex; dbKey names the leaf by issuer and serial number.
	fingerprint, dbKey string
}

// checkCA checks every https target of opts.CATargets against the --ca
// certificates, at most opts.Timeout each, all at once. The overrides are
// the served leaves that verified.
func checkCA(ctx context.Context, opts Options) ([]result.CertCheck, []certOverride, error) {
	certs, err := LoadCA(opts.CAFile)
	if err != nil {
		return nil, nil, err
	}
	hostPorts, hosts := httpsTargets(opts.CATargets)
	checks := make([]result.CertCheck, len(hostPorts))
	leaves := make([]*x509.Certificate, len(hostPorts))
	var wg sync.WaitGroup
	for i := range hostPorts {
		wg.Go(func() {
			checks[i], leaves[i] = checkCert(ctx, hostPorts[i], mappedAddress(opts.HostMap, hostPorts[i]), hosts[i], certs, opts.Timeout, time.Now())
		})
	}
	wg.Wait()
	var overrides []certOverride
	for i, c := range checks {
		if c.Trusted {
			overrides = append(overrides, certOverride{hostPort: c.Target, fingerprint: fingerprint(leaves[i]), dbKey: dbKey(leaves[i])})
		}
	}
	return checks, overrides, nil
}

// fingerprint is the certificate's SHA-256 fingerprint as Firefox writes
// it: upper-case hex bytes joined by colons.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// dbKey is how Firefox names a certificate in cert_override.txt (PSM's
// nsNSSCertificate::GetDbKey): base64 of eight zero bytes, the lengths of
// the serial number and of the issuer's DER name (4 bytes each, big
// endian), then the serial number's DER content and the issuer's DER.
// Empty for a certificate whose serial number cannot be read.
func dbKey(c *x509.Certificate) string {
	var tbs, field asn1.RawValue
	if _, err := asn1.Unmarshal(c.RawTBSCertificate, &tbs); err != nil {
		return ""
	}
	rest, err := asn1.Unmarshal(tbs.Bytes, &field)
	if err == nil && field.Class == asn1.ClassContextSpecific && field.Tag == 0 {
		// The version comes first, when it is not v1.
		_, err = asn1.Unmarshal(rest, &field)
	}
	if err != nil || field.Tag != asn1.TagInteger {
		return ""
	}
	serial := field.Bytes
	key := make([]byte, 16, 16+len(serial)+len(c.RawIssuer))
	binary.BigEndian.PutUint32(key[8:], uint32(len(serial)))
	binary.BigEndian.PutUint32(key[12:], uint32(len(c.RawIssuer)))
	key = append(append(key, serial...), c.RawIssuer...)
	return base64.StdEncoding.EncodeToString(key)
}

// mappedAddress is where the browser connects for hostPort: the address
// HostMap sends it to (a network path's, --via NAME=URL@HOST:PORT), or
// hostPort itself. The check must reach the server the browser reaches,
// and never look up a name the user mapped (it may resolve nowhere, or to
// another server).
func mappedAddress(hostMap map[string]string, hostPort string) string {
	for from, to := range hostMap {
		if strings.EqualFold(from, hostPort) {
			return to
		}
	}
	return hostPort
}

// checkCert makes a TLS handshake with hostPort, at address, as the
// browser would (SNI for names, none for IP addresses), and verifies the
// chain the server sent against roots only. The leaf is the served one,
// nil when none came.
func checkCert(ctx context.Context, hostPort, address, host string, roots []*x509.Certificate, timeout time.Duration, now time.Time) (result.CertCheck, *x509.Certificate) {
	check := result.CertCheck{Target: hostPort}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{
		ServerName: host,
		// The chain is verified below, against the --ca certificates
		// only, which crypto/tls cannot do on its own while still
		// handing over the chain when verification fails.
		InsecureSkipVerify: true, //nolint:gosec
		MinVersion:         tls.VersionTLS12,
	}}
	conn, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		check.Problem, check.Detail = cors.CertUnreachable, err.Error()
		return check, nil
	}
	served := conn.(*tls.Conn).ConnectionState().PeerCertificates
	_ = conn.Close()
	if len(served) == 0 {
		check.Problem, check.Detail = cors.CertUnreachable, "the server sent no certificate"
		return check, nil
	}
	check.Problem, check.Detail = verifyChain(served, host, roots, now)
	if check.Problem == "" {
		check.SPKI = spki.Pin(served[0])
		check.Trusted = true
	}
	return check, served[0]
}

// verifyChain checks the served chain against roots, then the host name.
// A certificate from an unknown CA is reported as that, whatever else is
// wrong with it: crypto/x509 checks dates before it looks for an issuer,
// so a date error is only reported when the chain does lead to a root.
func verifyChain(served []*x509.Certificate, host string, roots []*x509.Certificate, now time.Time) (cors.CertProblem, string) {
	leaf := served[0]
	pool, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range roots {
		pool.AddCert(c)
	}
	for _, c := range served[1:] {
		intermediates.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: intermediates, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
		if herr := leaf.VerifyHostname(host); herr != nil {
			return cors.CertNameMismatch, herr.Error()
		}
		return "", ""
	case errors.As(err, &unknown):
		return cors.CertUnknownAuthority, err.Error()
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if !leadsToRoot(served, roots) {
			return cors.CertUnknownAuthority, "x509: certificate signed by unknown authority (and " + err.Error() + ")"
		}
		if invalid.Cert != nil && now.Before(invalid.Cert.NotBefore) {
			return cors.CertNotYetValid, err.Error()
		}
		return cors.CertExpired, err.Error()
	}
	return cors.CertInvalid, err.Error()
}

// leadsToRoot reports whether signatures alone lead from the served leaf,
// through the served certificates, to one of roots: the issuer check
// without the dates.
func leadsToRoot(served []*x509.Certificate, roots []*x509.Certificate) bool {
	cur := served[0]
	for range len(served) + 1 {
		for _, r := range roots {
			if cur.Equal(r) || cur.CheckSignatureFrom(r) == nil {
				return true
			}
		}
		next := slices.IndexFunc(served, func(c *x509.Certificate) bool { return !c.Equal(cur) && cur.CheckSignatureFrom(c) == nil })
		if next < 0 {
			return false
		}
		cur = served[next]
	}
	return false
}

// caPins are the keys the browser is told to accept: those of the chains
// that verified.
func caPins(checks []result.CertCheck) []string {
	var pins []string
	for _, c := range checks {
		if c.Trusted && !slices.Contains(pins, c.SPKI) {
			pins = append(pins, c.SPKI)
		}
	}
	return pins
}

// CertChecks are the checks of the run's https targets against --ca, made
// at launch; nil without --ca.
func (b *Browser) CertChecks() []result.CertCheck {
	return slices.Clone(b.certChecks)
}

// certCheckFor is the check of the URL's target, nil when there is none
// (no --ca, or not an https URL).
func (b *Browser) certCheckFor(rawURL string) *result.CertCheck {
	hostPorts, _ := httpsTargets([]string{rawURL})
	if len(hostPorts) == 0 {
		return nil
	}
	for _, c := range b.certChecks {
		if c.Target == hostPorts[0] {
			return &c
		}
	}
	if b.opts.CAFile != "" {
		// A target that was not known at launch (a case added later) was
		// never checked and is not trusted.
		return &result.CertCheck{Target: hostPorts[0], Problem: cors.CertUnreachable, Detail: "not checked: the target was not known when the browser started"}
	}
	return nil
}
