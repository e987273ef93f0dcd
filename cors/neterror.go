package cors

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Failure is what the browser reported about a request that did not get
// through for a reason other than a CORS response check: a network error,
// a time-out, a non-CORS block such as mixed content, or a Local Network
// Access refusal. Every string in it came from the browser, the network or
// the user, and is rendered escaped.
type Failure struct {
	// Verdict is the browser's verdict: network-error, timeout, blocked
	// or error. Allowed requests have no failure to explain.
	Verdict Verdict
	// NetError is Chromium's net error as it reports it
	// (Network.loadingFailed errorText), such as
	// "net::ERR_CERT_AUTHORITY_INVALID"; the "net::" prefix is optional.
	// Firefox's errors of firefoxNetErrors are understood too.
	NetError string
	// BlockedReason is Chromium's non-CORS blockedReason (mixed-content,
	// csp, corp-not-same-origin, …); empty when none.
	BlockedReason string
	// CorsError is Chromium's CorsError. Only the Local Network Access
	// ones (LocalNetworkAccessPermissionDenied, InsecureLocalNetwork) are
	// explained here; the others are Explain's.
	CorsError CorsError
	// URL is the URL the request failed on; PageOrigin is the page's
	// serialized origin and PageSecure whether the page is a secure
	// context (https, or http on localhost).
	URL        string
	PageOrigin string
	PageSecure bool
	// RedirectedFrom is the URL the request was made to when a redirect
	// took it to URL, where it failed; empty when it failed where it was
	// sent.
	RedirectedFrom string
	// RefusedRedirect is the Location of a redirect the request ended at
	// with an error, the browser having refused to follow it: Firefox's
	// only sign of it is NS_ERROR_DOM_BAD_URI on the redirect (measured
	// on ESR 153.8 for a Location with user:password@, where Chromium
	// says RedirectContainsCredentials). Empty otherwise.
	RefusedRedirect string
	// CAGiven is true when the run trusted extra certificate authorities
	// with --ca. CertProblem is then corsproof's own check of the
	// certificate the target served against those CAs only, made before
	// the browser started: empty when the chain verified (or no check was
	// made), otherwise why it did not.
	CAGiven     bool
	CertProblem CertProblem
	// LNA is the run's --lna mode (off, grant, enforce); empty when
	// unknown.
	LNA string
	// TargetSpace is the target's address space as Chromium reported it
	// (Loopback, Local, Public); empty when it did not.
	TargetSpace string
	// Timeout is the case's time limit; zero when unknown.
	Timeout time.Duration
}

// CertProblem is why corsproof's own check of a target's certificate
// against the --ca certificates failed.
type CertProblem string

// Certificate problems, from corsproof's check of the served chain (Go's
// crypto/x509, with the host name and the current time).
const (
	// CertUnknownAuthority: no certificate in the --ca file signed the
	// chain (or the server did not send the intermediate).
	CertUnknownAuthority CertProblem = "unknown-authority"
	// CertNameMismatch: the chain verified but the certificate is not for
	// the URL's host.
	CertNameMismatch CertProblem = "name-mismatch"
	// CertExpired and CertNotYetValid: outside the certificate's dates.
	CertExpired     CertProblem = "expired"
	CertNotYetValid CertProblem = "not-yet-valid"
	// CertInvalid: any other reason the chain did not verify.
	CertInvalid CertProblem = "invalid"
	// CertUnreachable: corsproof could not complete a TLS handshake with
	// the target, so it had no chain to check.
	CertUnreachable CertProblem = "unreachable"
)

// ExplainFailure says in plain words why a request failed outside the CORS
// response checks, and what to check or change. ok is false when there is
// nothing for it to explain: an allowed request, or a block with a CORS
// error other than a Local Network Access one (Explain covers those).
func ExplainFailure(f Failure) (summary, fix string, ok bool) {
	if f.Verdict == VerdictAllowed {
		return "", "", false
	}
	switch f.CorsError.Canonical() {
	case ErrLocalNetworkAccessPermissionDenied:
		summary, fix = explainLNADenied(f)
		return summary, fix, true
	case ErrInsecureLocalNetwork:
		summary, fix = explainLNAInsecure(f)
		return summary, fix, true
	case "":
	default:
		return "", "", false
	}
	if f.Verdict == VerdictTimeout {
		summary, fix = explainTimeout(f)
		return summary, fix, true
	}
	if f.BlockedReason != "" {
		summary, fix = explainBlockedReason(f)
		return summary, fix, true
	}
	// Mixed content leaves no network events, so the browser may report
	// nothing more than a failed request.
	if netCode(f.NetError) == "" && IsMixedContent(f.PageOrigin, f.URL) {
		summary, fix = explainMixedContent(f)
		return summary, fix, true
	}
	if f.RefusedRedirect != "" && f.Verdict == VerdictNetworkError {
		summary, fix = explainRefusedRedirect(f)
		return summary, fix, true
	}
	if code := netCode(f.NetError); code != "" && code != "ERR_FAILED" {
		if f.RedirectedFrom != "" {
			summary, fix = explainRedirectedNetError(f, code)
			return summary, fix, true
		}
		summary, fix = explainNetError(f, code)
		return summary, fix, true
	}
	if t := targetOf(f.URL); f.Verdict == VerdictNetworkError && netCode(f.NetError) == "" && badPorts[t.port] {
		// Firefox refuses a bad port before the request exists: no
		// network event, no console line (measured on ESR 153.8 with
		// ports 1 and 6000, where Chromium 156 says ERR_UNSAFE_PORT).
		return fmt.Sprintf("Not a CORS verdict: the browser never connects to port %s, which is on the Fetch standard's list of bad ports (such as 25 for mail or 6000 for X11); it refused the request before sending anything, without naming an error.", quote(t.port)),
			"Serve the API on another port (8080, 3000, 443 …): the users' browsers refuse this port too.", true
	}
	if f.Verdict == VerdictNetworkError {
		return fmt.Sprintf("The request to %s failed before any CORS check, and the browser gave no specific reason%s.", quoteOr(f.URL, "the URL"), netSuffix(f.NetError)),
			"Check that the server is running and reachable at that URL (`curl -v` from this machine); run with `--debug-cdp DIR` to see every event the browser sent for this request.", true
	}
	return "", "", false
}

// netCode is a Chromium net error without its "net::" prefix, or "" when
// the text is not one. A Firefox error of firefoxNetErrors is the Chromium
// error of the same failure; another Firefox error is kept as it came.
func netCode(netError string) string {
	code := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(netError), "net::"))
	for fx, chromium := range firefoxNetErrors {
		if strings.Contains(code, fx) {
			return chromium
		}
	}
	if isFirefoxError(code) {
		return code
	}
	if !strings.HasPrefix(code, "ERR_") {
		return ""
	}
	return code
}

// firefoxNetErrors are Firefox's errors (BiDi network.fetchError
// errorText) with a Chromium net error for the same failure. Measured on
// ESR 153: a certificate from a CA Firefox does not know fails with
// "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY,
// SEC_ERROR_UNKNOWN_ISSUER)", and so do an expired leaf and one for
// another name when corsproof's --ca check refused them (no exception was
// written); a self-signed certificate fails with
// MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT, where Chromium 156 says
// ERR_CERT_AUTHORITY_INVALID. The diagnosis quotes the text as it came.
//
// Also measured on ESR 153.8 (BiDi network.fetchError errorText, beside
// Chromium 156's error for the same server): nothing listening,
// NS_ERROR_CONNECTION_REFUSED; a server that resets the connection or
// closes it without an answer, NS_ERROR_NET_RESET (Chromium:
// ERR_CONNECTION_RESET, ERR_EMPTY_RESPONSE); a host that does not
// resolve, NS_ERROR_UNKNOWN_HOST; an https URL on a plain http port,
// SSL_ERROR_RX_RECORD_TOO_LONG (Chromium: ERR_SSL_PROTOCOL_ERROR).
// NS_ERROR_DOM_BAD_URI is Firefox's error for every failed CORS check,
// no network failure: it says no more than Chromium's ERR_FAILED.
var firefoxNetErrors = map[string]string{
	"SEC_ERROR_UNKNOWN_ISSUER":            "ERR_CERT_AUTHORITY_INVALID",
	"MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT": "ERR_CERT_AUTHORITY_INVALID",
	"NS_ERROR_CONNECTION_REFUSED":         "ERR_CONNECTION_REFUSED",
	"NS_ERROR_NET_RESET":                  "ERR_CONNECTION_RESET",
	"NS_ERROR_UNKNOWN_HOST":               "ERR_NAME_NOT_RESOLVED",
	"SSL_ERROR_RX_RECORD_TOO_LONG":        "ERR_SSL_PROTOCOL_ERROR",
	"NS_ERROR_DOM_BAD_URI":                "ERR_FAILED",
}

// isFirefoxError reports whether a net error text is one of Firefox's
// (NS_ERROR_…, or a security module error inside one), which netCode
// passes on as it came when the table has no Chromium name for it.
func isFirefoxError(code string) bool {
	return strings.HasPrefix(code, "NS_") || strings.Contains(code, "NS_ERROR_")
}

func netSuffix(netError string) string {
	if strings.TrimSpace(netError) == "" {
		return ""
	}
	return " (" + quote(netError) + ")"
}

// plainOr is plain(s), or what s stands for when it is empty.
func plainOr(s, empty string) string {
	if s == "" {
		return empty
	}
	return plain(s)
}

func plainHost(t target) string {
	if !t.ok {
		return "HOST"
	}
	return plain(t.host)
}

// quoteOr quotes s, or says what it stands for when it is empty.
func quoteOr(s, empty string) string {
	if s == "" {
		return empty
	}
	return quote(s)
}

// target is the host and port a URL names, as they came (unrendered);
// ok is false when the URL has no host.
type target struct {
	host, port string
	ok         bool
}

func targetOf(rawURL string) target {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return target{}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443"}[strings.ToLower(u.Scheme)]
	}
	return target{host: u.Hostname(), port: port, ok: true}
}

// Host is the host, quoted for a message.
func (t target) Host() string {
	if !t.ok {
		return "the server"
	}
	return quote(t.host)
}

// HostPort is host:port, quoted for a message.
func (t target) HostPort() string {
	if !t.ok || t.port == "" {
		return t.Host()
	}
	return quote(net.JoinHostPort(t.host, t.port))
}

// command is host:port for inside a command line we tell the user to run.
func (t target) command() string {
	if !t.ok || t.port == "" {
		return "HOST:PORT"
	}
	return plain(net.JoinHostPort(t.host, t.port))
}

func explainNetError(f Failure, code string) (summary, fix string) {
	t := targetOf(f.URL)
	raw := quote(f.NetError)
	switch {
	case code == "ERR_CERT_AUTHORITY_INVALID":
		return explainUnknownCA(f, t, raw)
	case code == "ERR_CERT_COMMON_NAME_INVALID":
		return fmt.Sprintf("Not a CORS verdict: the server's certificate is not valid for %s (%s, a name mismatch), so the browser refused the connection before any request was sent.", t.Host(), raw),
			fmt.Sprintf("Serve a certificate whose subjectAltName lists %s (Chromium ignores the Common Name), or call the API by a name its certificate holds. `openssl s_client -connect %s -servername %s` shows what the server sends.", t.Host(), t.command(), plainHost(t))
	case code == "ERR_CERT_DATE_INVALID":
		return fmt.Sprintf("Not a CORS verdict: the server's certificate for %s has expired or is not valid yet (%s), so the browser refused the connection.", t.Host(), raw),
			"Renew the certificate (or install the renewed one: the server may still serve the old file); if it looks current, check the clocks of the server and of this machine."
	case strings.HasPrefix(code, "ERR_CERT_"):
		return fmt.Sprintf("Not a CORS verdict: the browser rejected the certificate of %s (%s) before any request was sent.", t.Host(), raw),
			fmt.Sprintf("Inspect the chain the server sends with `openssl s_client -connect %s -showcerts` and serve a valid certificate for the host; no CORS header is involved.", t.command())
	case code == "ERR_SSL_PROTOCOL_ERROR" || code == "ERR_SSL_VERSION_OR_CIPHER_MISMATCH" || strings.HasPrefix(code, "ERR_SSL_"):
		return fmt.Sprintf("Not a CORS verdict: the TLS handshake with %s failed (%s).", t.HostPort(), raw),
			"Check that the port serves https at all (an http server on an `https://` URL gives this error) and that it offers TLS 1.2 or later with a modern cipher."
	case code == "ERR_NAME_NOT_RESOLVED" || code == "ERR_NAME_RESOLUTION_FAILED":
		return fmt.Sprintf("Not a CORS verdict: the browser could not resolve the host %s (%s), so nothing was sent.", t.Host(), raw),
			"Check the host name in the case's URL. corsproof's browser resolves target hosts as this machine does (a name from a VPN, `/etc/hosts` or another machine must resolve here too; an IP address avoids DNS), and never resolves the page origins, which corsproof answers itself: request the API by its own host, not a page origin's."
	case code == "ERR_CONNECTION_REFUSED":
		return fmt.Sprintf("Not a CORS verdict: nothing accepted the connection on %s (%s).", t.HostPort(), raw),
			fmt.Sprintf("Check that the server is running and listening on %s: a server bound to 127.0.0.1 does not answer on [::1] (and `localhost` may resolve to either), and one bound to a container's interface does not answer on the host.", t.HostPort())
	case code == "ERR_CONNECTION_RESET" || code == "ERR_CONNECTION_CLOSED" || code == "ERR_EMPTY_RESPONSE" || code == "ERR_CONNECTION_ABORTED":
		return fmt.Sprintf("Not a CORS verdict: the server at %s closed the connection without an answer (%s).", t.HostPort(), raw),
			"Check the server's logs for a crash or a rejected request; a plain-http server behind an `https://` URL (or the reverse), or a proxy that drops the connection, gives this error too."
	case code == "ERR_CONNECTION_TIMED_OUT" || code == "ERR_TIMED_OUT" || code == "ERR_ADDRESS_UNREACHABLE" || code == "ERR_CONNECTION_FAILED" || code == "ERR_INTERNET_DISCONNECTED":
		return fmt.Sprintf("Not a CORS verdict: the browser could not reach %s (%s).", t.HostPort(), raw),
			"Check the address and the port, and that no firewall drops the connection between this machine and the server."
	case code == "ERR_UNSAFE_PORT":
		return fmt.Sprintf("Not a CORS verdict: the browser never connects to port %s (%s); it is on the browsers' list of restricted ports (such as 25 for mail or 6000 for X11).", quoteOr(t.port, "of this URL"), raw),
			"Serve the API on another port (8080, 3000, 443 …): the users' browsers refuse this port too."
	case code == "ERR_INVALID_HTTP_RESPONSE" || code == "ERR_RESPONSE_HEADERS_TRUNCATED" || code == "ERR_INVALID_CHUNKED_ENCODING" || code == "ERR_CONTENT_LENGTH_MISMATCH" || code == "ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH":
		return fmt.Sprintf("Not a CORS verdict: the answer of %s is not valid HTTP (%s).", t.HostPort(), raw),
			"Check the server (or the proxy in front of it): its status line, headers or body framing are malformed."
	case code == "ERR_BLOCKED_BY_CLIENT" || code == "ERR_BLOCKED_BY_ADMINISTRATOR":
		return fmt.Sprintf("Not a CORS verdict: the browser itself refused the request (%s), as an extension or a policy does.", raw),
			"Check the browser's extensions and enterprise policies; a clean profile (corsproof's default) has none."
	case code == "ERR_ABORTED":
		return fmt.Sprintf("Not a CORS verdict: the request to %s was cancelled before it finished (%s).", quoteOr(f.URL, "the URL"), raw),
			"The page or the browser aborted it, usually a navigation or a time-out; run with `--debug-cdp DIR` to see the events."
	}
	lookUp := "Look the error up in Chromium's net error list (`chrome://network-errors`)"
	if isFirefoxError(code) {
		lookUp = "Look the error up in Firefox's error list (`xpcom/base/ErrorList.py` in its source)"
	}
	return fmt.Sprintf("Not a CORS verdict: the request to %s failed with %s before any CORS check.", quoteOr(f.URL, "the URL"), raw),
		lookUp + " and check the server and the network path; no CORS header is involved."
}

// explainRedirectedNetError explains a net error at a URL a redirect led
// the request to: the host is the redirect's, not the case's, and --ca
// trusts only the hosts the cases name (their certificates are checked
// before the browser starts, when no redirect is known yet).
func explainRedirectedNetError(f Failure, code string) (summary, fix string) {
	t := targetOf(f.URL)
	raw := quote(f.NetError)
	from := fmt.Sprintf(" The request was redirected there from %s.", quote(f.RedirectedFrom))
	switch {
	case strings.HasPrefix(code, "ERR_CERT_"):
		return fmt.Sprintf("Not a CORS verdict: the browser refused the certificate of %s (%s), so the redirected request was not sent.%s", t.HostPort(), raw, from),
			fmt.Sprintf("`--ca` covers only the hosts the cases name, whose certificates corsproof checks before the browser starts; a host a redirect leads to is not one. If the page should use that server, call %s directly (then `--ca` covers it); otherwise fix the redirect's Location.", quote(f.URL))
	case (code == "ERR_NAME_NOT_RESOLVED" || code == "ERR_NAME_RESOLUTION_FAILED") && t.ok && strings.EqualFold(t.host, targetOf(f.PageOrigin).host):
		return fmt.Sprintf("Not a verdict of the page's browser: the redirect leads to %s, the host of the page origin %s, whose host corsproof's browser never resolves (corsproof answers the page itself), so the request failed here (%s) where a user's browser would follow the redirect.%s", t.HostPort(), quote(f.PageOrigin), raw, from),
			fmt.Sprintf("Probe %s directly: a target that shares the page's host on another port is one corsproof's browser reaches. Where the redirect is not meant (a trailing slash, http to https), the page should call that URL anyway.", quote(f.URL))
	case code == "ERR_NAME_NOT_RESOLVED" || code == "ERR_NAME_RESOLUTION_FAILED":
		return fmt.Sprintf("Not a CORS verdict: the browser could not resolve the host %s (%s), so the redirected request was not sent.%s", t.Host(), raw, from),
			"Check the redirect's Location: it names a host this machine cannot resolve (a name from a VPN, `/etc/hosts` or another machine must resolve here too). corsproof never resolves the page origins' hosts, which it answers itself, so a redirect to a page origin's host fails here too."
	}
	summary, fix = explainNetError(f, code)
	return summary + from, fix
}

// explainRefusedRedirect explains a redirect the browser would not follow
// and did not say why (Firefox).
func explainRefusedRedirect(f Failure) (summary, fix string) {
	why := "The browser named no reason; a CORS request may not follow a redirect to a URL with a user name or password in it, nor to a scheme other than http and https (Fetch standard)."
	fix = "Make the redirect's Location a plain http(s) URL without `user:password@` (send credentials in a header instead), or have the page call the final URL directly."
	if u, err := url.Parse(f.RefusedRedirect); err == nil && u.User != nil {
		why = "Its Location holds a user name or password, and a CORS request may not follow such a redirect (Fetch standard; Chromium calls it RedirectContainsCredentials)."
		fix = "Redirect to the URL without `user:password@` (send credentials in a header instead), or have the page call the final URL directly."
	}
	return fmt.Sprintf("The request stopped at a redirect: %s answered with a redirect to %s, which the browser refused to follow (%s), so no request went there. %s",
		quoteOr(f.URL, "the URL"), quote(f.RefusedRedirect), quote(f.NetError), why), fix
}

// explainUnknownCA covers ERR_CERT_AUTHORITY_INVALID. Chromium names the
// most serious of a chain's problems, so a chain from an unknown CA that is
// also for the wrong host is reported as this: corsproof's own check says
// which it is.
func explainUnknownCA(f Failure, t target, raw string) (summary, fix string) {
	lead := fmt.Sprintf("Not a CORS verdict: the browser does not trust the certificate of %s (%s)", t.Host(), raw)
	if !f.CAGiven {
		return lead + ": it is not signed by a certificate authority the browser knows, as with a self-signed, mkcert or company-internal CA (usual on staging APIs). The connection was refused before any request was sent.",
			"Pass the CA certificate that signed it, in PEM: `--ca FILE` (for mkcert, `--ca \"$(mkcert -CAROOT)/rootCA.pem\"`). corsproof then trusts that CA for this run's targets only, after checking the served chain, its host name and its dates itself; it never ignores certificate errors. Real users need the CA installed, or a publicly trusted certificate."
	}
	switch f.CertProblem {
	case CertNameMismatch:
		return lead + ": the chain is signed by a CA from `--ca`, but the certificate is not valid for " + t.Host() + " (a name mismatch), so corsproof did not trust it.",
			fmt.Sprintf("Issue the certificate for %s (a subjectAltName entry; for an IP address an IP SAN), or call the API by a name the certificate holds.", t.Host())
	case CertExpired:
		return lead + ": the chain is signed by a CA from `--ca`, but a certificate in it has expired, so corsproof did not trust it.",
			"Renew the certificate (for mkcert, run `mkcert` for the host again) and restart the server with it; check this machine's clock if it looks current."
	case CertNotYetValid:
		return lead + ": the chain is signed by a CA from `--ca`, but a certificate in it is not valid yet, so corsproof did not trust it.",
			"Check the clocks of the server and of this machine, or wait until the certificate's start date."
	case CertUnreachable:
		return lead + ": corsproof could not complete a TLS handshake with the server before the run to check its certificate against `--ca`, so it did not trust it.",
			"Check that the server was up and serving https on that port when the run started, then run again."
	case CertInvalid:
		return lead + ": the chain did not verify against the CAs from `--ca` (see the run's settings, `cert_checks`, for the reason).",
			"Check the chain with `openssl verify -CAfile FILE cert.pem`: the leaf must be a server certificate (extended key usage serverAuth) issued by one of the CAs in the file."
	case CertUnknownAuthority:
		return lead + ": no certificate authority in the `--ca` file signed the chain the server sent.",
			"Pass the CA that issued this certificate (for mkcert, `\"$(mkcert -CAROOT)/rootCA.pem\"`; for a company CA its root in PEM), and make the server send its intermediate certificates with the leaf."
	}
	return lead + ", although its chain verified against the `--ca` certificates before the run: the server may have changed its certificate since.",
		"Run again; if it persists, check that every server behind this address (a load balancer's pool) serves the same certificate."
}

func explainTimeout(f Failure) (summary, fix string) {
	within := "within the case's time limit"
	if f.Timeout > 0 {
		within = "within " + f.Timeout.String()
	}
	return fmt.Sprintf("Not a CORS verdict: no answer from %s came %s, so the browser never decided.", quoteOr(f.URL, "the URL"), within),
		"Check that the server answers at all (`curl -v` the URL from this machine) and is not waiting on something; if it is only slow, raise `--timeout` (for example `--timeout 30s`)."
}

func explainBlockedReason(f Failure) (summary, fix string) {
	reason := strings.ToLower(strings.TrimSpace(f.BlockedReason))
	switch {
	case reason == "mixed-content":
		return explainMixedContent(f)
	case reason == "csp":
		return fmt.Sprintf("Not a CORS verdict: the page's Content-Security-Policy does not allow it to connect to %s, so the browser blocked the request before sending it.", quoteOr(f.URL, "the URL")),
			"Add the API's origin to the page's `connect-src` directive; no header on the API can allow this."
	case strings.HasPrefix(reason, "corp-"):
		return fmt.Sprintf("Not a CORS verdict: the response's `Cross-Origin-Resource-Policy` header does not let this page (%s) use it (%s).", quoteOr(f.PageOrigin, "the page"), quote(f.BlockedReason)),
			"Send `Cross-Origin-Resource-Policy: cross-origin` (or `same-site` when the page and API share a site) on the response, or drop the header; a CORS-mode request is judged by the CORS headers instead."
	case strings.HasPrefix(reason, "coep-") || strings.HasPrefix(reason, "coop-"):
		return fmt.Sprintf("Not a CORS verdict: the browser blocked the response under the page's cross-origin isolation policy (%s).", quote(f.BlockedReason)),
			"Make the response acceptable to the page's `Cross-Origin-Embedder-Policy` (CORS headers, or `Cross-Origin-Resource-Policy: cross-origin`), or relax that policy on the page."
	}
	return fmt.Sprintf("Not a CORS verdict: the browser blocked the request to %s for a reason outside CORS (%s).", quoteOr(f.URL, "the URL"), quote(f.BlockedReason)),
		"See the browser console line for this request (the record's console) for the policy that blocked it; no CORS header is involved."
}

func explainMixedContent(f Failure) (summary, fix string) {
	https := "the same URL over https"
	if u, err := url.Parse(f.URL); err == nil && u.Host != "" {
		u.Scheme = "https"
		https = quote(u.String())
	}
	return fmt.Sprintf("Not a CORS verdict: the page (%s) is served over https and the URL (%s) is plain http, so the browser blocked it as mixed content before any request existed; no response header can allow it.", quoteOr(f.PageOrigin, "its origin"), quoteOr(f.URL, "the URL")),
		fmt.Sprintf("Serve the API over https and call %s. (Plain http to `localhost`, `127.0.0.1` or `[::1]` is not mixed content, so a local API may stay on http.)", https)
}

// localPageCaveat is what to add when corsproof's page stands for a page
// that would itself be on a local address and the verdict therefore does
// not describe the real page. Chromium puts a page that corsproof answers
// over the DevTools protocol in no address space (it reports Unknown and
// treats it as public), so its checks apply where the real page's would
// not: a loopback page reaches every address space unasked, a local page
// reaches local addresses unasked. It is empty when the verdict stands.
func localPageCaveat(f Failure) string {
	page := OriginAddressSpace(f.PageOrigin)
	switch {
	case page == SpaceLoopback:
		return fmt.Sprintf(" A page really served at %s is itself in the loopback address space and reaches loopback and local addresses without any check; corsproof's page is answered by the browser itself, which Chromium counts as public, so this verdict does not describe the real page.", quote(f.PageOrigin))
	case page == SpaceLocal && targetSpace(f) == SpaceLocal:
		return fmt.Sprintf(" A page really served at %s is itself in the local address space and reaches other local addresses without any check; corsproof's page is answered by the browser itself, which Chromium counts as public, so this verdict does not describe the real page.", quote(f.PageOrigin))
	}
	return ""
}

// localPageFix is the way forward when localPageCaveat applies.
func localPageFix(f Failure) string {
	if OriginAddressSpace(f.PageOrigin) == SpaceLoopback || f.PageSecure {
		return "Nothing to change on the server for the real page. Run with `--lna enforce`, which grants a local page origin what the real page has, or with `--lna off` (the default)."
	}
	// Measured with Chromium 156: no permission lets an http page reach a
	// more private address space, so enforce cannot stand in for it.
	return "Nothing to change on the server for the real page. Chromium cannot give corsproof's http page the address space the real one has, so run with `--lna off` (the default) to model a page on the same network."
}

// targetSpace is the target's address space: as Chromium reported it, or
// from the URL's host.
func targetSpace(f Failure) AddressSpace {
	if space := AddressSpace(strings.ToLower(f.TargetSpace)); space == SpaceLoopback || space == SpaceLocal || space == SpacePublic {
		return space
	}
	return OriginAddressSpace(f.URL)
}

// targetSpaceName is the target's address space in words.
func targetSpaceName(f Failure) string {
	switch targetSpace(f) {
	case SpaceLoopback:
		return "a loopback address (this machine)"
	case SpaceLocal:
		return "a local (private network) address"
	}
	return "a local or loopback address"
}

func explainLNADenied(f Failure) (summary, fix string) {
	summary = fmt.Sprintf("Local Network Access: the page (%s) may reach %s (%s) only with the user's permission, and it has none. Chromium 142+ asks the user first; this is what a user who has not (yet) allowed it sees. No response header can allow it.", quoteOr(f.PageOrigin, "its origin"), targetSpaceName(f), quoteOr(f.URL, "the URL"))
	if caveat := localPageCaveat(f); caveat != "" {
		return summary + caveat, localPageFix(f)
	}
	fix = "Real users who load the page from a public address see a permission prompt: call the API at a public address instead, or tell users to allow access to their local network. `--lna grant` models a user who allowed it; `--lna off` (the default) a page on the same network as the API."
	if f.LNA != "" && f.LNA != "enforce" {
		fix += fmt.Sprintf(" (This run used `--lna %s`.)", plain(f.LNA))
	}
	return summary, fix
}

func explainLNAInsecure(f Failure) (summary, fix string) {
	summary = fmt.Sprintf("Local Network Access: the page (%s) is not a secure context, and Chromium never lets such a page reach %s (%s); there is no prompt to accept. No response header can allow it.", quoteOr(f.PageOrigin, "its origin"), targetSpaceName(f), quoteOr(f.URL, "the URL"))
	if caveat := localPageCaveat(f); caveat != "" {
		return summary + caveat, localPageFix(f)
	}
	return summary, "Serve the page over https (http on `localhost` counts as secure too), so that users can be asked for permission; `--lna off` (the default) models a page on the same network as the API."
}

// badPorts is the Fetch standard's list of bad ports (fetch.spec.whatwg.org,
// "port blocking"), which browsers never connect to.
var badPorts = map[string]bool{}

func init() {
	for _, p := range []int{1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95,
		101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
		512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995,
		1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679,
		6697, 10080} {
		badPorts[fmt.Sprint(p)] = true
	}
}
