package result

import (
	"net"
	"net/url"
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// CertCheck is corsproof's own check of the certificate an https target
// served, made before the browser started, against the certificates of the
// --ca file only (Go's crypto/x509: the chain, the host name, the dates).
// A chain that verified is the only one the browser was told to accept.
type CertCheck struct {
	// Target is the host:port checked.
	Target string `json:"target"`
	// Trusted is true when the chain verified and the browser was given
	// the key of the served certificate to accept
	// (--ignore-certificate-errors-spki-list).
	Trusted bool `json:"trusted"`
	// Problem says why it was not trusted; Detail is the check's own error
	// text.
	Problem cors.CertProblem `json:"problem,omitempty"`
	Detail  string           `json:"detail,omitempty"`
	// SPKI is the base64 SHA-256 of the served certificate's public key,
	// what the browser was given when Trusted.
	SPKI string `json:"spki,omitempty"`
}

// Failure is the record as cors.ExplainFailure reads it. The run's --lna
// mode and the case's time limit are the run's settings, not the record's:
// a caller that has them sets Failure.LNA and Failure.Timeout.
func (r *Record) Failure() cors.Failure {
	f := cors.Failure{
		Verdict:       r.Verdict,
		NetError:      r.NetError,
		BlockedReason: r.BlockedReason,
		CorsError:     r.CorsError,
		URL:           r.Request.URL,
		PageOrigin:    r.Origin,
		PageSecure:    r.Page.SecureContext,
	}
	if r.Page.Origin != "" {
		f.PageOrigin = r.Page.Origin
	}
	if r.AddressSpaces != nil {
		f.TargetSpace = r.AddressSpaces.Target
	}
	if r.Actual != nil && r.Actual.URL != "" && len(r.Redirects) > 0 && r.Actual.URL != r.Request.URL {
		// A redirect led the request there: the failure is that URL's.
		f.URL, f.RedirectedFrom = r.Actual.URL, r.Request.URL
	}
	if ex := r.Actual; ex != nil && ex.Status >= 300 && ex.Status < 400 && (strings.Contains(ex.Error, "NS_ERROR_DOM_BAD_URI") || ex.Error == "net::ERR_FAILED") {
		// The request ended at a redirect with the browsers' error that
		// names no cause (not ERR_TOO_MANY_REDIRECTS and the like): it
		// was not followed.
		for k, v := range ex.ResponseHeaders {
			if strings.EqualFold(k, "Location") {
				f.RefusedRedirect = v
			}
		}
	}
	if r.CertCheck != nil && hostPort(f.URL) == r.CertCheck.Target {
		f.CAGiven = true
		if !r.CertCheck.Trusted {
			f.CertProblem = r.CertCheck.Problem
		}
	}
	return f
}

// hostPort is a URL's host:port, with the scheme's default port; "" when
// the URL has no host.
func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
