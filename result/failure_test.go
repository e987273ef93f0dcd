package result

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

func TestRecordFailure(t *testing.T) {
	t.Parallel()
	rec := Record{
		Origin: "https://App.example.test:443", Request: scenarios.Request{URL: "https://127.0.0.1:8443/v1"},
		Verdict: cors.VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", BlockedReason: "",
		Page:          Page{Origin: "https://app.example.test", SecureContext: true},
		AddressSpaces: &AddressSpaces{Page: "Unknown", Target: "Loopback"},
		CertCheck:     &CertCheck{Target: "127.0.0.1:8443", Problem: cors.CertNameMismatch},
	}
	assert.Equal(t, cors.Failure{
		Verdict: cors.VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID",
		URL: "https://127.0.0.1:8443/v1", PageOrigin: "https://app.example.test", PageSecure: true,
		TargetSpace: "Loopback", CAGiven: true, CertProblem: cors.CertNameMismatch,
	}, rec.Failure())

	rec.CertCheck = &CertCheck{Target: "127.0.0.1:8443", Trusted: true}
	assert.Empty(t, rec.Failure().CertProblem, "a chain that verified has no problem")
	rec.CertCheck = nil
	assert.False(t, rec.Failure().CAGiven)
}

// TestRecordFailureAfterARedirect: the failure is about the URL the
// request failed on, where a redirect led it, and corsproof's certificate
// check of the case's target says nothing about that host.
func TestRecordFailureAfterARedirect(t *testing.T) {
	t.Parallel()
	rec := Record{
		Origin: "http://localhost:5173", Request: scenarios.Request{URL: "https://127.0.0.1:8443/v1"},
		Verdict: cors.VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID",
		Redirects: []Exchange{{URL: "https://127.0.0.1:8443/v1", Status: 301}},
		Actual:    &Exchange{URL: "https://127.0.0.1:9443/v1", Error: "net::ERR_CERT_AUTHORITY_INVALID"},
		CertCheck: &CertCheck{Target: "127.0.0.1:8443", Trusted: true},
	}
	f := rec.Failure()
	assert.Equal(t, "https://127.0.0.1:9443/v1", f.URL)
	assert.Equal(t, "https://127.0.0.1:8443/v1", f.RedirectedFrom)
	assert.False(t, f.CAGiven, "the check was of another host")

	rec.Actual.URL = "https://127.0.0.1:8443/v2"
	f = rec.Failure()
	assert.True(t, f.CAGiven, "the same host:port, checked")
}
