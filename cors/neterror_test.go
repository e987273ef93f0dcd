package cors

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExplainFailure(t *testing.T) {
	t.Parallel()
	const api = "https://127.0.0.1:8443/v1/items"
	tests := []struct {
		desc string
		in   Failure
		// summary and fix must hold every string listed; not, neither.
		summary, fix []string
		not          []string
	}{
		{desc: "unknown CA without --ca names the cause and the flag",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api},
			summary: []string{"`127.0.0.1`", "ERR_CERT_AUTHORITY_INVALID", "self-signed, mkcert or company-internal CA"},
			fix:     []string{"`--ca FILE`", "mkcert -CAROOT", "never ignores certificate errors"}},
		{desc: "Firefox's unknown issuer is the same diagnosis, quoting Firefox's text",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SEC_ERROR_UNKNOWN_ISSUER)", URL: api},
			summary: []string{"`127.0.0.1`", "SEC_ERROR_UNKNOWN_ISSUER", "self-signed, mkcert or company-internal CA"},
			fix:     []string{"`--ca FILE`"}},
		{desc: "Firefox's self-signed certificate is the unknown-CA diagnosis too (measured on ESR 153)",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT)", URL: api},
			summary: []string{"`127.0.0.1`", "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT", "self-signed, mkcert or company-internal CA"},
			fix:     []string{"`--ca FILE`"}},
		{desc: "Firefox's unknown issuer with --ca and a name mismatch found by corsproof's check",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SEC_ERROR_UNKNOWN_ISSUER)", URL: api, CAGiven: true, CertProblem: CertNameMismatch},
			summary: []string{"name mismatch", "`--ca`"},
			fix:     []string{"Issue the certificate for `127.0.0.1`"}},
		// --ca covers the hosts the cases name, checked before the browser
		// starts; a redirect from http to https leads elsewhere (measured,
		// 156: `--ca` given, ERR_CERT_AUTHORITY_INVALID at the https URL).
		{desc: "unknown CA after a redirect names the redirect and the URL to call",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, RedirectedFrom: "http://127.0.0.1:8080/v1/items"},
			summary: []string{"`127.0.0.1:8443`", "redirected there from `http://127.0.0.1:8080/v1/items`"},
			fix:     []string{"`--ca` covers only the hosts the cases name", "call `https://127.0.0.1:8443/v1/items` directly"},
			not:     []string{"before any request was sent"}},
		{desc: "a name that does not resolve after a redirect is the redirect's Location",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_NAME_NOT_RESOLVED", URL: "http://login.internal/sso", RedirectedFrom: api},
			summary: []string{"`login.internal`", "redirected there from `https://127.0.0.1:8443/v1/items`"},
			fix:     []string{"Location"},
			not:     []string{"the case's URL"}},
		{desc: "a redirect to the page origin's host is corsproof's limit, not the user's browser's",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_NAME_NOT_RESOLVED", URL: "http://localhost:8080/v1/", RedirectedFrom: "http://127.0.0.1:8080/v1", PageOrigin: "http://localhost:5173"},
			summary: []string{"`localhost:8080`", "host of the page origin `http://localhost:5173`", "would follow the redirect"},
			fix:     []string{"Probe `http://localhost:8080/v1/` directly"},
			not:     []string{"Not a CORS verdict"}},
		{desc: "unknown CA with --ca and a name mismatch found by corsproof's check",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true, CertProblem: CertNameMismatch},
			summary: []string{"name mismatch", "`--ca`"},
			fix:     []string{"Issue the certificate for `127.0.0.1`", "IP SAN"},
			not:     []string{"Pass the CA"}},
		{desc: "unknown CA with --ca that did not sign the chain",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true, CertProblem: CertUnknownAuthority},
			summary: []string{"no certificate authority in the `--ca` file"},
			fix:     []string{"intermediate"}},
		{desc: "expired chain from the --ca CA",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true, CertProblem: CertExpired},
			summary: []string{"expired"}, fix: []string{"Renew"}},
		{desc: "not yet valid chain from the --ca CA",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true, CertProblem: CertNotYetValid},
			summary: []string{"not valid yet"}, fix: []string{"clocks"}},
		{desc: "server unreachable when corsproof checked it",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true, CertProblem: CertUnreachable},
			summary: []string{"could not complete a TLS handshake"}, fix: []string{"run again"}},
		{desc: "chain verified but the browser still refused it",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_AUTHORITY_INVALID", URL: api, CAGiven: true},
			summary: []string{"changed its certificate"}},
		{desc: "name mismatch reported by the browser",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_COMMON_NAME_INVALID", URL: "https://api.example.test/x"},
			summary: []string{"not valid for `api.example.test`", "name mismatch"},
			fix:     []string{"subjectAltName", "openssl s_client -connect api.example.test:443 -servername api.example.test"}},
		{desc: "expired or not yet valid",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_DATE_INVALID", URL: api},
			summary: []string{"expired or is not valid yet"}, fix: []string{"Renew", "clocks"}},
		{desc: "other certificate errors are generic",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CERT_WEAK_KEY", URL: api},
			summary: []string{"rejected the certificate", "ERR_CERT_WEAK_KEY"}, fix: []string{"openssl s_client -connect 127.0.0.1:8443"}},
		{desc: "TLS to a plain http port",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_SSL_PROTOCOL_ERROR", URL: api},
			summary: []string{"TLS handshake", "`127.0.0.1:8443`"}, fix: []string{"http server on an `https://` URL"}},
		{desc: "DNS failure names the host and how corsproof resolves",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_NAME_NOT_RESOLVED", URL: "http://api.staging.test/v1"},
			summary: []string{"could not resolve the host `api.staging.test`"},
			fix:     []string{"host name in the case's URL", "never resolves the page origins"}},
		{desc: "connection refused asks whether the server runs on that port",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CONNECTION_REFUSED", URL: "http://localhost:8080/x"},
			summary: []string{"nothing accepted the connection on `localhost:8080`"},
			fix:     []string{"running and listening on `localhost:8080`", "[::1]"}},
		{desc: "default port is named when the URL has none",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CONNECTION_REFUSED", URL: "https://api.example.test/x"},
			summary: []string{"`api.example.test:443`"}},
		{desc: "connection reset",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CONNECTION_RESET", URL: api},
			summary: []string{"closed the connection without an answer"}, fix: []string{"server's logs"}},
		{desc: "empty response",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "ERR_EMPTY_RESPONSE", URL: api},
			summary: []string{"closed the connection"}},
		{desc: "timeout names the limit and the flag",
			in:      Failure{Verdict: VerdictTimeout, URL: api, Timeout: 5 * time.Second},
			summary: []string{"within 5s"}, fix: []string{"`--timeout`", "curl -v"}},
		{desc: "timeout without a known limit",
			in:      Failure{Verdict: VerdictTimeout, URL: api},
			summary: []string{"within the case's time limit"}},
		{desc: "unsafe port",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_UNSAFE_PORT", URL: "http://127.0.0.1:6000/x"},
			summary: []string{"never connects to port `6000`", "restricted ports"}, fix: []string{"another port"}},
		{desc: "mixed content by blocked reason",
			in:      Failure{Verdict: VerdictNetworkError, BlockedReason: "mixed-content", URL: "http://api.example.test/v1", PageOrigin: "https://app.example.test", PageSecure: true},
			summary: []string{"mixed content", "`https://app.example.test`", "`http://api.example.test/v1`"},
			fix:     []string{"Serve the API over https", "`https://api.example.test/v1`", "not mixed content"}},
		{desc: "mixed content without any network event",
			in:      Failure{Verdict: VerdictNetworkError, URL: "http://api.example.test/v1", PageOrigin: "https://app.example.test", PageSecure: true},
			summary: []string{"mixed content"}},
		{desc: "csp",
			in:      Failure{Verdict: VerdictBlocked, BlockedReason: "csp", URL: api},
			summary: []string{"Content-Security-Policy"}, fix: []string{"connect-src"}},
		{desc: "cross-origin resource policy",
			in:      Failure{Verdict: VerdictBlocked, BlockedReason: "corp-not-same-origin", URL: api, PageOrigin: "https://app.example.test"},
			summary: []string{"Cross-Origin-Resource-Policy"}, fix: []string{"cross-origin"}},
		{desc: "unknown blocked reason is named, escaped",
			in:      Failure{Verdict: VerdictBlocked, BlockedReason: "subresource-filter", URL: api},
			summary: []string{"`subresource-filter`"}},
		{desc: "LNA denied from a public page",
			in:      Failure{Verdict: VerdictBlocked, CorsError: ErrLocalNetworkAccessPermissionDenied, URL: "http://127.0.0.1:8080/x", PageOrigin: "https://app.example.test", PageSecure: true, TargetSpace: "Loopback", LNA: "enforce"},
			summary: []string{"loopback address", "permission"},
			fix:     []string{"`--lna grant`", "public address"},
			not:     []string{"does not describe the real page"}},
		{desc: "LNA denied from a localhost page carries the caveat",
			in:      Failure{Verdict: VerdictBlocked, CorsError: ErrLocalNetworkAccessPermissionDenied, URL: "http://127.0.0.1:8080/x", PageOrigin: "http://localhost:5173", PageSecure: true, TargetSpace: "Loopback"},
			summary: []string{"`http://localhost:5173` is itself in the loopback address space", "does not describe the real page"},
			fix:     []string{"Nothing to change on the server", "`--lna enforce`"}},
		{desc: "LNA legacy name is read as its current one",
			in:      Failure{Verdict: VerdictBlocked, CorsError: "PrivateNetworkAccessPermissionDenied", URL: "http://127.0.0.1:8080/x", PageOrigin: "https://app.example.test"},
			summary: []string{"permission"}},
		{desc: "LNA from an insecure public page",
			in:      Failure{Verdict: VerdictBlocked, CorsError: ErrInsecureLocalNetwork, URL: "http://127.0.0.1:8080/x", PageOrigin: "http://app.example.test", TargetSpace: "Loopback"},
			summary: []string{"not a secure context", "no prompt"}, fix: []string{"Serve the page over https"},
			not: []string{"does not describe the real page"}},
		{desc: "LNA from an insecure private page to a private target is not the real page's verdict",
			in:      Failure{Verdict: VerdictBlocked, CorsError: ErrInsecureLocalNetwork, URL: "http://10.0.0.7:8080/x", PageOrigin: "http://192.168.1.10:3000", TargetSpace: "Local"},
			summary: []string{"local address space", "does not describe the real page"}, fix: []string{"`--lna off`"},
			not: []string{"`--lna enforce`"}},
		{desc: "LNA from an insecure private page to loopback stands",
			in:      Failure{Verdict: VerdictBlocked, CorsError: ErrInsecureLocalNetwork, URL: "http://127.0.0.1:8080/x", PageOrigin: "http://192.168.1.10:3000", TargetSpace: "Loopback"},
			summary: []string{"not a secure context"}, not: []string{"does not describe the real page"}},
		{desc: "unknown net error is still named",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_SOMETHING_NEW", URL: api},
			summary: []string{"`net::ERR_SOMETHING_NEW`"}, fix: []string{"net error list"}},
		// Firefox's own errors, as ESR 153.8 gave them (BiDi
		// network.fetchError), get the diagnosis of the Chromium error of
		// the same failure, never "no specific reason".
		{desc: "Firefox: nothing listening",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_CONNECTION_REFUSED", URL: "http://127.0.0.1:18999/x"},
			summary: []string{"nothing accepted the connection on `127.0.0.1:18999`", "NS_ERROR_CONNECTION_REFUSED"},
			fix:     []string{"running and listening on `127.0.0.1:18999`"}, not: []string{"no specific reason"}},
		{desc: "Firefox: connection reset or closed without an answer",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_NET_RESET", URL: api},
			summary: []string{"closed the connection without an answer", "NS_ERROR_NET_RESET"}, not: []string{"no specific reason"}},
		{desc: "Firefox: host does not resolve",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_UNKNOWN_HOST", URL: "http://api.staging.test/v1"},
			summary: []string{"could not resolve the host `api.staging.test`"}, not: []string{"no specific reason"}},
		{desc: "Firefox: https URL on a plain http port",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SSL_ERROR_RX_RECORD_TOO_LONG)", URL: api},
			summary: []string{"TLS handshake", "SSL_ERROR_RX_RECORD_TOO_LONG"}, fix: []string{"http server on an `https://` URL"}},
		{desc: "Firefox: a redirect to a port nothing listens on names the redirect's host",
			in: Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_CONNECTION_REFUSED", URL: "http://127.0.0.2:8080/api",
				RedirectedFrom: "http://127.0.0.1:8080/start"},
			summary: []string{"`127.0.0.2:8080`", "redirected there from `http://127.0.0.1:8080/start`"}},
		{desc: "Firefox: an error the table does not know is named with Firefox's list",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_SOMETHING_NEW", URL: api},
			summary: []string{"failed with `NS_ERROR_SOMETHING_NEW`"}, fix: []string{"Firefox's error list"},
			not: []string{"no specific reason", "chrome://"}},
		{desc: "Firefox: NS_ERROR_DOM_BAD_URI says no more than ERR_FAILED",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_DOM_BAD_URI", URL: api},
			summary: []string{"no specific reason"}},
		{desc: "Firefox: a bad port fails with no event and no error",
			in:      Failure{Verdict: VerdictNetworkError, URL: "http://127.0.0.1:1/x"},
			summary: []string{"never connects to port `1`", "bad ports"}, fix: []string{"another port"},
			not: []string{"no specific reason"}},
		{desc: "a network error with no reason at all",
			in:      Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_FAILED", URL: api},
			summary: []string{"no specific reason"}, fix: []string{"--debug-cdp"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			summary, fix, ok := ExplainFailure(tt.in)
			assert.True(t, ok)
			assert.NotEmpty(t, summary)
			assert.NotEmpty(t, fix)
			for _, s := range tt.summary {
				assert.Contains(t, summary, s)
			}
			for _, s := range tt.fix {
				assert.Contains(t, fix, s)
			}
			for _, s := range tt.not {
				assert.NotContains(t, summary+fix, s)
			}
		})
	}
}

func TestExplainFailureLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		in   Failure
	}{
		{desc: "allowed", in: Failure{Verdict: VerdictAllowed, URL: "http://127.0.0.1/"}},
		{desc: "a CORS response check is Explain's", in: Failure{Verdict: VerdictBlocked, CorsError: ErrMissingAllowOriginHeader, NetError: "net::ERR_FAILED"}},
		{desc: "the page's API threw", in: Failure{Verdict: VerdictError}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, _, ok := ExplainFailure(tt.in)
			assert.False(t, ok)
		})
	}
}

// TestExplainFailureEscapesHostileValues: the URL, the page origin and the
// browser's texts reach the message only escaped.
func TestExplainFailureEscapesHostileValues(t *testing.T) {
	t.Parallel()
	hostile := "http://ev\x1b[31mil`.test/\r\nX-Injected: 1"
	for _, in := range []Failure{
		{Verdict: VerdictNetworkError, NetError: "net::ERR_NAME_NOT_RESOLVED\x1b]0;owned\x07", URL: hostile},
		{Verdict: VerdictNetworkError, NetError: "net::ERR_CONNECTION_REFUSED", URL: "http://a`b:81/"},
		{Verdict: VerdictBlocked, BlockedReason: "mixed-content", URL: hostile, PageOrigin: "https://x`\x00"},
		{Verdict: VerdictBlocked, BlockedReason: "weird\x1b[2J`", URL: hostile},
		{Verdict: VerdictBlocked, CorsError: ErrLocalNetworkAccessPermissionDenied, URL: hostile, PageOrigin: "http://localhost`\n", LNA: "x`\x1b"},
		{Verdict: VerdictTimeout, URL: strings.Repeat("a", 500)},
	} {
		summary, fix, ok := ExplainFailure(in)
		assert.True(t, ok)
		if in.URL == hostile {
			assert.Contains(t, summary, quote(hostile))
		}
		for _, s := range []string{summary, fix} {
			assert.NotContains(t, s, "\x1b")
			assert.NotContains(t, s, "\r")
			assert.NotContains(t, s, "\n")
			assert.NotContains(t, s, "\x00")
			// A backtick in a value must not open or close a code span:
			// such values are rendered as escaped string literals.
			assert.NotContains(t, s, "`a`b")
			assert.NotContains(t, s, "`http://ev")
			assert.Less(t, len(s), 1500)
		}
	}
}

func TestHostAddressSpace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want AddressSpace
	}{
		{"localhost", SpaceLoopback},
		{"LOCALHOST.", SpaceLoopback},
		{"app.localhost", SpaceLoopback},
		{"127.0.0.1", SpaceLoopback},
		{"127.9.8.7", SpaceLoopback},
		{"::1", SpaceLoopback},
		{"[::1]", SpaceLoopback},
		{"::ffff:127.0.0.1", SpaceLoopback},
		{"10.1.2.3", SpaceLocal},
		{"172.16.0.1", SpaceLocal},
		{"172.31.255.255", SpaceLocal},
		{"192.168.1.10", SpaceLocal},
		{"169.254.1.1", SpaceLocal},
		{"fd00::1", SpaceLocal},
		{"[fe80::1]", SpaceLocal},
		{"172.32.0.1", SpacePublic},
		{"8.8.8.8", SpacePublic},
		{"2001:db8::1", SpacePublic},
		{"localhost.example.test", SpaceUnknown},
		{"app.example.test", SpaceUnknown},
		{"", SpaceUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, HostAddressSpace(tt.host))
		})
	}
	assert.Equal(t, SpaceLoopback, OriginAddressSpace("http://[::1]:5173"))
	assert.Equal(t, SpaceUnknown, OriginAddressSpace("null"))
}

func TestIsMixedContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, page, url string
		want            bool
	}{
		{desc: "https page to http API", page: "https://app.example.test", url: "http://api.example.test/x", want: true},
		{desc: "https page to ws", page: "https://app.example.test", url: "ws://api.example.test/x", want: true},
		{desc: "https page to a private IP over http", page: "https://app.example.test", url: "http://10.0.0.1/x", want: true},
		{desc: "https page to https API", page: "https://app.example.test", url: "https://api.example.test/x"},
		{desc: "http page to http API", page: "http://app.example.test", url: "http://api.example.test/x"},
		{desc: "loopback http is not mixed content", page: "https://app.example.test", url: "http://127.0.0.1:8080/x"},
		{desc: "localhost http is not mixed content", page: "https://app.example.test", url: "http://localhost:8080/x"},
		{desc: "a .localhost name is not mixed content", page: "https://app.example.test", url: "http://api.localhost:8080/x"},
		{desc: "IPv6 loopback is not mixed content", page: "https://app.example.test", url: "http://[::1]:8080/x"},
		// Chromium decides by the page's scheme, not by whether it is a
		// secure context.
		{desc: "http localhost page", page: "http://localhost:5173", url: "http://api.example.test/x"},
		{desc: "null page", page: "null", url: "http://api.example.test/x"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, IsMixedContent(tt.page, tt.url))
		})
	}
}

// TestExplainRefusedRedirect: Firefox ends a CORS request at a redirect it
// will not follow with NS_ERROR_DOM_BAD_URI and no reason; the diagnosis
// says so, not "failed before any CORS check".
func TestExplainRefusedRedirect(t *testing.T) {
	t.Parallel()
	f := Failure{Verdict: VerdictNetworkError, NetError: "NS_ERROR_DOM_BAD_URI", URL: "http://127.0.0.1:8080/start",
		RefusedRedirect: "http://u:p@localhost:8080/there"}
	summary, fix, ok := ExplainFailure(f)
	assert.True(t, ok)
	assert.Contains(t, summary, "redirect to `http://u:p@localhost:8080/there`, which the browser refused to follow")
	assert.Contains(t, summary, "user name or password")
	assert.Contains(t, fix, "without `user:password@`")
	assert.NotContains(t, summary+fix, "before any CORS check")
	assert.NotContains(t, summary+fix, "server is running")

	f.RefusedRedirect = "ftp://files.example.test/x"
	summary, _, _ = ExplainFailure(f)
	assert.Contains(t, summary, "named no reason")
}
