package cors

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// FixHeaders is the complete change to a server's responses that makes one
// request pass every CORS check, for the request exactly as the page makes
// it: every non-safelisted header it sends, the method as sent, its
// credentials mode and origin. It is computed from the request, not from
// the first failing check, so applying it once is enough; the responses
// recorded only decide what is already right and may stay.
//
// A fix is safe by construction: it never allows the origin "null", never
// pairs `*` with credentials and never reflects the Origin header blindly.
// Where the only header change that would work is unsafe, Preflight and
// Actual are nil and Notes say why and name a safer design.
type FixHeaders struct {
	// Preflight is the change to the OPTIONS response; nil when the request
	// needs no preflight or the preflight is already right.
	Preflight *HeaderChange `json:"preflight,omitempty"`
	// Actual is the change to every response of the request itself: the
	// final one and each redirect hop a CORS check runs on.
	Actual *HeaderChange `json:"actual,omitempty"`
	// Notes say what the header changes cannot: the caveats and, when no
	// safe header change exists, the design that works instead.
	Notes []string `json:"notes,omitempty"`
}

// HeaderChange is a change to one kind of response.
type HeaderChange struct {
	// Status is the status the response must have; zero when the status
	// may stay as it is.
	Status int `json:"status,omitempty"`
	// Set replaces every value of each named header with the one given.
	Set map[string]string `json:"set,omitempty"`
	// Remove names headers to drop entirely.
	Remove []string `json:"remove,omitempty"`
}

// Empty reports whether the change changes nothing.
func (c *HeaderChange) Empty() bool {
	return c == nil || c.Status == 0 && len(c.Set) == 0 && len(c.Remove) == 0
}

// Unsafe says how the fix breaks its own promise for a page at origin
// making a request with or without credentials — it allows "null", pairs
// "*" with credentials, or allows an origin other than the page's — or ""
// when it keeps it. Tests hold every fix corsproof writes to it.
func (f *FixHeaders) Unsafe(origin string, credentials bool) string {
	if f == nil {
		return ""
	}
	for _, c := range []*HeaderChange{f.Preflight, f.Actual} {
		if c == nil {
			continue
		}
		acao, ok := c.Set[hACAO]
		switch {
		case !ok:
		case acao == "null":
			return "it allows the origin null"
		case acao == "*" && (credentials || strings.EqualFold(c.Set[hACAC], "true")):
			return "it pairs * with credentials"
		case acao != "*" && acao != normalizeOrigin(origin):
			return fmt.Sprintf("it allows %q, not the page's origin %q", acao, origin)
		}
	}
	return ""
}

// HasChanges reports whether the fix changes any response.
func (f *FixHeaders) HasChanges() bool {
	return f != nil && (!f.Preflight.Empty() || !f.Actual.Empty())
}

// setValue returns the value the change sets for a header, or "".
func (c *HeaderChange) setValue(name string) string {
	if c == nil {
		return ""
	}
	return c.Set[name]
}

// Apply applies the change to a response's status and headers in place and
// returns the new status. A header set replaces every line of it.
func (c *HeaderChange) Apply(status int, h http.Header) int {
	if c == nil {
		return status
	}
	for _, name := range c.Remove {
		h.Del(name)
	}
	for _, name := range sortedKeys(c.Set) {
		h.Set(name, c.Set[name])
	}
	if c.Status != 0 {
		status = c.Status
	}
	return status
}

// applyTo returns a copy of r with the change applied; r may be nil when
// the response was never seen (a request blocked at its preflight), and
// then the changed response is a plain 200 with the headers set.
func (c *HeaderChange) applyTo(r *Response) *Response {
	if c.Empty() {
		return r
	}
	out := Response{Status: http.StatusOK}
	h := http.Header{}
	if r != nil {
		out = Response{URL: r.URL, Status: r.Status}
		for k, v := range r.Headers {
			for _, line := range strings.Split(v, "\n") {
				h.Add(k, line)
			}
		}
	}
	out.Status = c.Apply(out.Status, h)
	out.Headers = make(map[string]string, len(h))
	for k, v := range h {
		out.Headers[k] = strings.Join(v, "\n")
	}
	return &out
}

// ApplyFix returns the input as it would be had the server applied the
// fix: the preflight and every response of the actual request changed. It
// lets the model check a fix before corsproof proves it in the browser.
func ApplyFix(in Input, f *FixHeaders) Input {
	if !f.HasChanges() {
		return in
	}
	out := in
	if f.Preflight != nil {
		out.Preflight = f.Preflight.applyTo(in.Preflight)
		out.RedirectPreflights = nil
		for i := range in.RedirectPreflights {
			out.RedirectPreflights = append(out.RedirectPreflights, *f.Preflight.applyTo(&in.RedirectPreflights[i]))
		}
	}
	if f.Actual != nil {
		out.Actual = f.Actual.applyTo(in.Actual)
		out.Redirects = nil
		for i := range in.Redirects {
			out.Redirects = append(out.Redirects, *f.Actual.applyTo(&in.Redirects[i]))
		}
	}
	return out
}

// Fix computes the complete, safe fix for a request the browser blocked
// with a CORS error. It returns nil when the request is not cross-origin in
// cors mode, or when the model cannot tell what the page sends (the API
// refuses the request before sending it).
func Fix(in Input) *FixHeaders {
	p := Predict(in)
	if p.Verdict == VerdictError || !p.CrossOrigin || p.Blocker != "" {
		return nil
	}
	mode := strings.ToLower(in.Request.Mode)
	if mode != "" && mode != "cors" {
		return nil
	}
	creds := strings.EqualFold(in.Request.Credentials, "include")
	page := normalizeOrigin(in.Request.Origin)
	f := &FixHeaders{}

	// Which Access-Control-Allow-Origin value is safe to ask for.
	allow := p.RequestOrigin
	switch {
	case p.RequestOrigin == "null" && page != "null":
		// A redirect across origins tainted the Origin: only `null` or `*`
		// could match, and `null` is every sandboxed page's origin.
		f.Notes = append(f.Notes, fmt.Sprintf("The request was redirected across origins after leaving the page's origin, so the browser sends `Origin: null`. Allowing `null` would let any sandboxed iframe or data: page read the response, so do not: make the page call the final URL directly (or keep the redirect within one origin), and allow %s there.", quote(page)))
		return f
	case p.RequestOrigin == "null" && creds:
		f.Notes = append(f.Notes, "The page has an opaque origin (`Origin: null`: a sandboxed iframe, a data: or file: page), and the request carries credentials. No safe header allows that: `Access-Control-Allow-Origin: null` with credentials lets every sandboxed page on the web read this user's data. Serve the page from a real origin and allow exactly that origin, or authenticate with a token the page sends in a header instead of cookies.")
		return f
	case p.RequestOrigin == "null":
		allow = "*"
		f.Notes = append(f.Notes, "The page has an opaque origin (`Origin: null`), which is never safe to allow by name: the fix uses `*`, which is right only if the resource is public. Otherwise serve the page from a real origin and allow exactly that origin.")
	}

	// A redirect the browser stopped at: headers on it only move the
	// block when the next hop crosses origins.
	skip := ""
	if r, next, ok := stoppedRedirect(in); ok {
		from := r.URL
		if from == "" {
			from = in.Request.URL
		}
		switch {
		case !sameOrigin(originOf(from), originOf(next)) && !sameOrigin(page, originOf(from)) && creds:
			follow := "With CORS headers on the redirect the browser would follow it, but"
			if r != in.Actual {
				follow = "The browser never follows a redirected preflight, and once the preflight is answered here the request itself meets the same redirect:"
			}
			f.Notes = append(f.Notes, fmt.Sprintf("%s redirects (status %d) to %s, another origin. %s a redirect across origins makes the request's Origin `null`, and a request with credentials from `null` passes only with `Access-Control-Allow-Origin: null`, which would let any sandboxed iframe or data: page read this user's data: no safe header change works here. Make the page call %s directly (common causes: http to https, another host name), and allow %s there.", quote(from), r.Status, quote(next), follow, quote(next), quote(page)))
			return f
		case !sameOrigin(originOf(from), originOf(next)) && !sameOrigin(page, originOf(from)):
			skip = fmt.Sprintf("%s redirects (status %d) to %s, another origin: after that redirect the request carries `Origin: null` (a redirect across origins taints it), so it passes there only if %s answers `Access-Control-Allow-Origin: *`, which is right only for public data. Better: make the page call %s directly (common causes: http to https, another host name), and allow %s there.", quote(from), r.Status, quote(next), quote(next), quote(next), quote(page))
		default:
			skip = fmt.Sprintf("%s redirects (status %d) to %s. Calling %s directly avoids the redirect and these changes.", quote(from), r.Status, quote(next), quote(next))
		}
		if changesMethod(r.Status, p.Method) {
			skip += fmt.Sprintf(" Mind that a %d redirect turns the %s into a GET without its body, so the server never sees the %s.", r.Status, p.Method, p.Method)
		}
	}

	// The actual request: each response a CORS check runs on.
	actual := &HeaderChange{Set: map[string]string{}}
	checked := []*Response{in.Actual}
	for i := range in.Redirects {
		checked = append(checked, &in.Redirects[i])
	}
	allowActual := allow
	if in.Actual == nil && !creds && in.Preflight != nil {
		// The actual response was never seen; a server that answers its
		// preflight with a public `*` most likely answers the request so.
		if v, _ := headerValue(in.Preflight.Headers, hACAO); v == "*" {
			allowActual = "*"
		}
	}
	needOriginFix(actual, checked, allowActual, creds)
	if !actual.Empty() {
		f.Actual = actual
		if in.Actual == nil {
			f.Notes = append(f.Notes, "The actual response was not seen (the browser stopped before it), so its headers are listed in full; the server may already send some.")
		}
	}

	if p.PreflightNeeded {
		pre := &HeaderChange{Set: map[string]string{}}
		preflights := []*Response{in.Preflight}
		for i := range in.RedirectPreflights {
			preflights = append(preflights, &in.RedirectPreflights[i])
		}
		for _, r := range preflights {
			if r == nil {
				continue
			}
			if r.Status < 200 || r.Status > 299 {
				pre.Status = http.StatusNoContent
			}
			if _, ok := headerValue(r.Headers, hLocation); ok {
				pre.Remove = appendOnce(pre.Remove, hLocation)
			}
		}
		needOriginFix(pre, preflights, allow, creds)
		if !IsSafelistedMethod(p.Method) {
			if list, ok := allowList(preflights, hACAM, p.Method, creds, false); !ok {
				pre.Set[hACAM] = list
				if up := strings.ToUpper(p.Method); up != p.Method && strings.Contains(list, up) {
					f.Notes = append(f.Notes, fmt.Sprintf("Methods are case-sensitive: the page sends %s, which %s does not cover. Sending %s from the page works without this server change.", quote(p.Method), quote(up), quote(up)))
				}
			}
		}
		for _, n := range p.RequestHeaderNames {
			if list, ok := allowList(preflights, hACAH, n, creds, true); !ok {
				pre.Set[hACAH] = list
				break
			}
		}
		if v, ok := pre.Set[hACAH]; ok {
			// One header missing means the whole list is rewritten: name
			// every header the request sends, so none is left for later.
			pre.Set[hACAH] = mergeList(v, p.RequestHeaderNames, true)
		}
		if !pre.Empty() {
			f.Preflight = pre
		}
	}
	for _, c := range []*HeaderChange{f.Preflight, f.Actual} {
		if v := c.setValue(hACAO); v != "" && v != "*" {
			f.Notes = append(f.Notes, fmt.Sprintf("Send %s when the request's Origin is on your allow-list; never copy the Origin header back unchecked.", quote(v)))
			break
		}
	}
	if skip != "" {
		f.Notes = append(f.Notes, skip)
	}
	if !f.HasChanges() {
		f.Notes = append(f.Notes, "The recorded responses already allow this request as the model reads them; the browser's reason lies elsewhere (see the summary).")
	}
	return f
}

// stoppedRedirect is the redirect the browser stopped at, if any: a
// preflight answered with a redirect (browsers never follow one, and the
// request itself most likely meets the same redirect), or a redirect of
// the request whose CORS check failed, so that the browser never followed
// its Location. It returns the response and the absolute URL it names.
func stoppedRedirect(in Input) (*Response, string, bool) {
	candidates := []*Response{in.Preflight}
	for i := range in.RedirectPreflights {
		candidates = append(candidates, &in.RedirectPreflights[i])
	}
	candidates = append(candidates, in.Actual)
	for _, r := range candidates {
		if r == nil || !isRedirectStatus(r.Status) {
			continue
		}
		loc, ok := headerValue(r.Headers, hLocation)
		if !ok || strings.TrimSpace(loc) == "" {
			continue
		}
		from := r.URL
		if from == "" {
			from = in.Request.URL
		}
		return r, resolveURL(from, strings.TrimSpace(loc)), true
	}
	return nil, "", false
}

// changesMethod reports whether a redirect with this status turns the
// request into a GET without a body, as the Fetch standard's HTTP-redirect
// fetch does.
func changesMethod(status int, method string) bool {
	return status == 303 && method != "HEAD" && method != "GET" || (status == 301 || status == 302) && method == "POST"
}

// needOriginFix adds to c the origin, credentials and Vary headers each of
// the responses needs for the request's origin.
func needOriginFix(c *HeaderChange, responses []*Response, allow string, creds bool) {
	for _, r := range responses {
		var h map[string]string
		if r != nil {
			h = r.Headers
		}
		acao, ok := headerValue(h, hACAO)
		keep := ok && (acao == allow || acao == "*" && !creds && !strings.Contains(acao, ","))
		if !keep {
			c.Set[hACAO] = allow
		}
		if creds {
			if v, _ := headerValue(h, hACAC); v != "true" {
				c.Set[hACAC] = "true"
			}
		}
		// A value chosen per request must tell caches so; a value already
		// right may be static, and then Vary is not needed.
		if !keep && allow != "*" && !varyHasOrigin(h) {
			vary, _ := headerValue(h, hVary)
			c.Set[hVary] = mergeList(vary, []string{"Origin"}, true)
		}
	}
}

// allowList checks whether the preflights allow item (a method, or a
// lower-cased header name) in the list header name, and returns the list
// to send when they do not: the valid items already sent plus item.
// Methods compare case-sensitively and header names case-insensitively; a
// `*` covers either only without credentials. Authorization is never
// counted under `*`: Chromium 156 lets it through with a deprecation
// warning, the Fetch standard does not, so a fix names it.
func allowList(preflights []*Response, name, item string, creds, foldCase bool) (string, bool) {
	var existing []string
	allowed := len(preflights) > 0
	seen := false
	for _, r := range preflights {
		if r == nil {
			continue
		}
		seen = true
		v, _ := headerValue(r.Headers, name)
		list, ok := ParseHeaderList(v)
		if !ok {
			list = nil
		}
		existing = list
		match := slices.ContainsFunc(list, func(s string) bool {
			if foldCase {
				return strings.EqualFold(s, item)
			}
			return s == item
		})
		star := !creds && slices.Contains(list, "*") && item != "authorization"
		if !match && !star {
			allowed = false
		}
	}
	if seen && allowed {
		return "", true
	}
	if creds {
		existing = slices.DeleteFunc(slices.Clone(existing), func(s string) bool { return s == "*" })
	}
	return mergeList(strings.Join(existing, ", "), []string{item}, foldCase), false
}

// mergeList adds items to a comma-separated list, keeping the order and
// dropping duplicates: header names compare case-insensitively (fold),
// methods exactly, since "patch" and "PATCH" are two methods.
func mergeList(list string, items []string, fold bool) string {
	var out []string
	add := func(s string) {
		s = strings.Trim(s, httpWhitespace)
		if s != "" && !slices.ContainsFunc(out, func(o string) bool { return o == s || fold && strings.EqualFold(o, s) }) {
			out = append(out, s)
		}
	}
	for _, s := range strings.Split(list, ",") {
		add(s)
	}
	for _, s := range items {
		add(s)
	}
	return strings.Join(out, ", ")
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// RenderFix says the fix in words, naming each response and each header
// line to send, values escaped for display.
func RenderFix(f *FixHeaders, method, url string) string {
	if f == nil {
		return ""
	}
	var parts []string
	if !f.Preflight.Empty() {
		parts = append(parts, fmt.Sprintf("On the OPTIONS (preflight) response%s: %s.", forURL(url), renderChange(f.Preflight)))
	}
	if !f.Actual.Empty() {
		if method == "" {
			method = "GET"
		}
		parts = append(parts, fmt.Sprintf("On the %s response%s (and any redirect before it): %s.", quote(method), forURL(url), renderChange(f.Actual)))
	}
	parts = append(parts, f.Notes...)
	return strings.Join(parts, " ")
}

func renderChange(c *HeaderChange) string {
	var items []string
	if c.Status != 0 {
		items = append(items, fmt.Sprintf("answer with status %d", c.Status))
	}
	if len(c.Set) > 0 {
		lines := make([]string, 0, len(c.Set))
		for _, name := range fixOrder(c.Set) {
			lines = append(lines, "`"+name+": "+plain(c.Set[name])+"`")
		}
		items = append(items, "send "+strings.Join(lines, ", "))
	}
	for _, name := range c.Remove {
		items = append(items, "remove `"+name+"`")
	}
	return strings.Join(items, "; ")
}

// fixOrder lists a change's header names in the order people read them:
// the origin first, then credentials, methods, headers, the rest sorted.
func fixOrder(set map[string]string) []string {
	order := []string{hACAO, hACAC, hACAM, hACAH, hVary}
	var out []string
	for _, n := range order {
		if _, ok := set[n]; ok {
			out = append(out, n)
		}
	}
	for _, n := range sortedKeys(set) {
		if !slices.Contains(order, n) {
			out = append(out, n)
		}
	}
	return out
}
