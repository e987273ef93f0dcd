package cors

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// infrastructureHeaders are response headers nobody expects script to read;
// leaving them unexposed is not worth a warning.
var infrastructureHeaders = []string{
	"accept-ranges", "age", "alt-svc", "connection", "content-encoding",
	"content-security-policy", "cross-origin-embedder-policy",
	"cross-origin-opener-policy", "cross-origin-resource-policy", "date",
	"keep-alive", "nel", "permissions-policy", "referrer-policy", "report-to",
	"server", "set-cookie", "set-cookie2", "strict-transport-security",
	"timing-allow-origin", "transfer-encoding", "vary", "via",
	"x-content-type-options", "x-frame-options", "x-xss-protection",
}

// configWarnings flags risky or misleading server configurations seen in the
// responses, whether or not the request was allowed.
func configWarnings(in Input, p *Prediction, creds bool) []string {
	if !p.CrossOrigin {
		return nil
	}
	var w []string
	add := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		if !slices.Contains(w, s) {
			w = append(w, s)
		}
	}
	var preflights []*Response
	if in.Preflight != nil {
		preflights = append(preflights, in.Preflight)
	}
	for i := range in.RedirectPreflights {
		preflights = append(preflights, &in.RedirectPreflights[i])
	}
	for _, r := range preflights {
		if v, ok := headerValue(r.Headers, hMaxAge); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil {
				add("Access-Control-Max-Age %s is not an integer; Chromium ignores it and caches the preflight for %d s", quote(v), DefaultMaxAge)
			} else if n > MaxMaxAge {
				add("Access-Control-Max-Age is %d s but Chromium caps it at %d s (2 hours; Firefox at 24 hours), so in Chromium the preflight repeats more often than the server asks", n, MaxMaxAge)
			}
		}
		if creds {
			if methods, ok := listHeader(r.Headers, hACAM); ok && slices.Contains(methods, "*") {
				add("Access-Control-Allow-Methods: * does not act as a wildcard for requests with credentials: it only allows a method literally named \"*\"; list the methods")
			}
			if names, ok := listHeader(r.Headers, hACAH); ok && slices.Contains(names, "*") {
				add("Access-Control-Allow-Headers: * does not act as a wildcard for requests with credentials: it only allows a header literally named \"*\"; list the headers")
			}
		}
		if v, _ := headerValue(r.Headers, hACAO); v == "null" {
			add("the preflight allows the origin \"null\": sandboxed iframes, data: URLs and local files all send Origin: null, so any site can obtain that origin")
		}
	}
	r := in.Actual
	if r == nil || p.Verdict == VerdictError {
		return w
	}
	acao, ok := headerValue(r.Headers, hACAO)
	if !ok {
		return w
	}
	acac, _ := headerValue(r.Headers, hACAC)
	switch {
	case acao == "null":
		add("the response allows the origin \"null\": sandboxed iframes, data: URLs and local files all send Origin: null, so any site can obtain that origin")
	case acao == p.RequestOrigin && acao != "*":
		// One response cannot tell a static value from one chosen per
		// request, nor an allow-list from blind reflection: only the
		// missing Vary is a risk visible here (verify and audit probe other
		// origins to find reflection).
		if !varyHasOrigin(r.Headers) {
			add("the response allows exactly the origin %s but has no `Vary: Origin`: if the value depends on the request's Origin (an allow-list), a shared cache can serve this answer to another origin, which the browser then blocks; add `Vary: Origin` (not needed if the value never changes)", quote(acao))
		}
	case acao == "*" && acac == "true" && !creds:
		add("Access-Control-Allow-Credentials: true has no effect with Access-Control-Allow-Origin: *; the same request with credentials would be blocked (WildcardOriginNotAllowed)")
	}
	if creds {
		if v, ok := headerValue(r.Headers, hACEH); ok && slices.Contains(ParseExposeHeaders(v), "*") {
			add("Access-Control-Expose-Headers: * exposes nothing extra for requests with credentials (it names a header called \"*\"); list the headers to expose")
		}
	}
	if p.Verdict == VerdictAllowed {
		var hidden []string
		for _, n := range p.UnreadableHeaders {
			if !strings.HasPrefix(n, "access-control-") && !slices.Contains(infrastructureHeaders, n) {
				hidden = append(hidden, n)
			}
		}
		if len(hidden) > 0 {
			add("script cannot read the response header(s) %s because they are not exposed; if the page needs them, add `Access-Control-Expose-Headers: %s`", quoteList(hidden), plain(strings.Join(hidden, ", ")))
		}
	}
	return w
}

// varyHasOrigin reports whether a Vary header covers the Origin header.
func varyHasOrigin(h map[string]string) bool {
	v, _ := headerValue(h, hVary)
	for _, item := range ParseExposeHeaders(v) {
		if item == "origin" || item == "*" {
			return true
		}
	}
	return false
}
