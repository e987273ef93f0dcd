package cors

import "strings"

// secretHeaders are the headers whose values are credentials by definition.
var secretHeaders = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"cookie2":             true,
	"set-cookie":          true,
	"set-cookie2":         true,
}

// secretWords mark names whose values are credentials by convention
// (X-Api-Key, X-Auth-Token, X-CSRF-Token, X-Session-Id, ?access_token=…).
var secretWords = []string{
	"auth", "token", "secret", "session", "csrf", "xsrf", "api-key", "apikey", "api_key",
	"password", "passwd", "signature", "credential", "cookie",
}

// notSecretHeaders hold words of secretWords but carry no credential: the
// CORS headers are what corsproof is about (Access-Control-Allow-Credentials
// must stay readable), and an authentication challenge names a scheme, not
// a secret, and explains a 401 preflight.
var notSecretHeaders = map[string]bool{
	"www-authenticate":   true,
	"proxy-authenticate": true,
}

// IsSecretHeader reports whether a header's value is a credential that
// anyone reading it could replay, so that corsproof hides it by default:
// reports, explain's echo of its input, the CDP debug log and the suites the
// importers write all ask this one function. It covers Authorization,
// Proxy-Authorization, Cookie and Set-Cookie, and every name containing a
// credential word (token, secret, session, api-key, csrf …) except the
// Access-Control-* headers and authentication challenges. The name is
// compared case-insensitively; the value is never looked at, because a
// secret's format is not recognisable.
func IsSecretHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case secretHeaders[n]:
		return true
	case strings.HasPrefix(n, "access-control-"), notSecretHeaders[n]:
		return false
	}
	return hasSecretWord(n)
}

// IsSecretQueryParam reports whether a URL query parameter's value is a
// credential (?token=, ?api_key=, ?session=…) by the same words as
// IsSecretHeader, so that a URL copied from a browser does not leak a token
// into a suite file. The name is compared case-insensitively.
func IsSecretQueryParam(name string) bool {
	return hasSecretWord(strings.ToLower(name))
}

// hasSecretWord reports whether a lower-cased name contains a secretWord.
func hasSecretWord(n string) bool {
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
