package cors

import (
	"fmt"
	"slices"
	"strings"
)

// Predict runs the model over one request and the responses it got, and
// says what Chromium does: the verdict, whether and why a preflight is
// needed, the CorsError and failed parameter of the failing check, and which
// response headers script can read. It never panics on hostile input.
func Predict(in Input) Prediction {
	m := newMachine(in)
	m.run()
	m.p.Warnings = append(m.p.Warnings, configWarnings(in, &m.p, m.creds)...)
	return m.p
}

// machine holds the state of one request as it walks through the algorithm.
type machine struct {
	in         Input
	p          Prediction
	pageOrigin string            // the page's serialized origin
	origin     string            // the Origin the next request carries
	headers    map[string]string // request headers after the API's filtering
	creds      bool              // credentials mode include
	mode       string
	url        string // the current URL
	corsFlag   bool   // CORS applies from here on (response tainting cors)
	tainted    bool
	preflights []*Response // preflights not yet matched to a URL
}

func newMachine(in Input) *machine {
	m := &machine{in: in, mode: strings.ToLower(in.Request.Mode)}
	if m.mode == "" {
		m.mode = "cors"
	}
	m.creds = strings.EqualFold(in.Request.Credentials, "include")
	m.pageOrigin = normalizeOrigin(in.Request.Origin)
	m.origin = m.pageOrigin
	m.url = strings.TrimSpace(in.Request.URL)
	if in.Preflight != nil {
		m.preflights = append(m.preflights, in.Preflight)
	}
	for i := range in.RedirectPreflights {
		m.preflights = append(m.preflights, &in.RedirectPreflights[i])
	}
	m.p.Method = NormalizeMethod(in.Request.Method)
	m.p.RequestOrigin = m.origin
	return m
}

func (m *machine) note(format string, args ...any) {
	m.p.Notes = append(m.p.Notes, fmt.Sprintf(format, args...))
}

func (m *machine) warn(format string, args ...any) {
	m.p.Warnings = append(m.p.Warnings, fmt.Sprintf(format, args...))
}

// block records the failing check.
func (m *machine) block(corsError CorsError, param, stage string, r *Response) {
	m.p.Verdict = VerdictBlocked
	m.p.CorsError = corsError
	m.p.FailedParameter = param
	m.p.FailedAt = stage
	m.p.FailedURL = m.url
	if r != nil {
		if r.URL != "" {
			m.p.FailedURL = r.URL
		}
		m.p.FailedStatus = r.Status
	}
}

// refuse records a request the page's API throws on before sending it.
func (m *machine) refuse(format string, args ...any) {
	m.p.Verdict = VerdictError
	m.p.FailedAt = StageRequest
	m.note(format, args...)
}

func (m *machine) run() {
	if !m.prepareRequest() {
		return
	}
	if !strings.Contains(m.url, ":") {
		m.refuse("the request URL %s is not absolute; give the full URL", quote(m.url))
		return
	}
	target := originOf(m.url)
	m.corsFlag = !sameOrigin(m.pageOrigin, target)
	scheme, _, _ := strings.Cut(strings.ToLower(m.url), ":")
	switch {
	case !m.corsFlag:
		m.note("the URL is same-origin with the page (%s), so CORS does not apply until a redirect leaves the origin", m.pageOrigin)
	case scheme == "data":
		m.corsFlag = false
		m.note("data: URLs are fetched without CORS")
	case m.mode == "same-origin":
		m.block(ErrDisallowedByMode, "", StageRequest, nil)
		return
	case m.mode == "no-cors":
		m.corsFlag = false
		m.note("mode no-cors: the page gets an opaque response (status 0, no headers, no body) and no CORS check runs")
	case scheme != "http" && scheme != "https":
		m.block(ErrCorsDisabledScheme, "", StageRequest, nil)
		return
	}
	if IsMixedContent(m.pageOrigin, m.url) {
		// Chromium blocks it before any request exists: no preflight, no
		// network events, no CorsError (measured in Chromium 156).
		m.p.Verdict = VerdictBlocked
		m.p.Blocker = BlockerMixedContent
		m.p.FailedAt = StageRequest
		m.p.FailedURL = m.url
		m.note("the page %s is a secure context and the URL %s is plain http on a host that is not potentially trustworthy, so the browser blocks it as mixed content before sending anything", m.pageOrigin, m.url)
		return
	}
	m.p.CrossOrigin = m.corsFlag
	m.computePreflightNeed()
	if m.corsFlag && m.p.PreflightNeeded {
		if !m.preflight() {
			return
		}
	}
	for i := range m.in.Redirects {
		if !m.redirect(&m.in.Redirects[i]) {
			return
		}
	}
	m.final()
}

// prepareRequest applies what the page's API does to the request before it
// leaves: method normalisation, refusing forbidden methods and invalid
// headers, dropping forbidden headers, the default Content-Type of a body and
// the no-cors header filter. It returns false when the API refuses.
func (m *machine) prepareRequest() bool {
	r := m.in.Request
	if !IsToken(m.p.Method) {
		m.refuse("the method %s is not a valid HTTP token, so the API throws", quote(r.Method))
		return false
	}
	if IsForbiddenMethod(m.p.Method) {
		m.refuse("the method %s is forbidden: the API throws before sending anything", quote(m.p.Method))
		return false
	}
	if m.mode == "no-cors" && !IsSafelistedMethod(m.p.Method) {
		m.refuse("mode no-cors allows only GET, HEAD and POST; the API throws for %s", quote(m.p.Method))
		return false
	}
	m.headers = map[string]string{}
	for _, name := range sortedKeys(r.Headers) {
		value := strings.Trim(r.Headers[name], " \t\r\n")
		if !IsToken(name) || strings.ContainsAny(value, "\x00\r\n") {
			m.refuse("the header %s: %s is not a valid header, so the API throws", quote(name), quote(value))
			return false
		}
		if IsForbiddenRequestHeader(name) {
			m.warn("the page sets %s, a forbidden request header: the browser drops it, so it neither reaches the server nor needs a preflight", quote(name))
			continue
		}
		if m.mode == "no-cors" && (!isNoCorsSafelistedName(name) || func() bool { k, _ := safelistVerdict(name, value); return k != "" }()) {
			m.warn("mode no-cors silently drops the header %s", quote(strings.ToLower(name)))
			continue
		}
		if prev, dup := headerValueFold(m.headers, name); dup {
			m.headers[prev] += ", " + value
			continue
		}
		m.headers[name] = value
	}
	if r.Body != "" && m.p.Method != "GET" && m.p.Method != "HEAD" {
		if _, ok := headerValueFold(m.headers, "Content-Type"); !ok {
			m.headers["Content-Type"] = "text/plain;charset=UTF-8"
		}
	}
	if r.Body != "" && (m.p.Method == "GET" || m.p.Method == "HEAD") && !strings.EqualFold(r.API, "xhr") {
		m.refuse("fetch throws for a %s request with a body", m.p.Method)
		return false
	}
	return true
}

// headerValueFold finds a key of h equal to name ignoring case.
func headerValueFold(h map[string]string, name string) (string, bool) {
	for k := range h {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// computePreflightNeed fills PreflightNeeded, its reasons and the header list.
func (m *machine) computePreflightNeed() {
	if m.mode != "cors" && m.mode != "same-origin" {
		return
	}
	names, reasons := unsafeHeaders(m.headers)
	m.p.PreflightReasons = nil
	if !IsSafelistedMethod(m.p.Method) {
		detail := fmt.Sprintf("%s is not GET, HEAD or POST", m.p.Method)
		if up := strings.ToUpper(m.p.Method); IsSafelistedMethod(up) || up != m.p.Method {
			detail += fmt.Sprintf(" (methods are case-sensitive and only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased for you, so %s stays %s)", quote(m.in.Request.Method), m.p.Method)
		}
		m.p.PreflightReasons = append(m.p.PreflightReasons, PreflightReason{Kind: ReasonMethod, Name: m.p.Method, Detail: detail})
	}
	m.p.PreflightReasons = append(m.p.PreflightReasons, reasons...)
	m.p.RequestHeaderNames = names
	m.p.PreflightNeeded = len(m.p.PreflightReasons) > 0
}

// takePreflight returns the recorded preflight for the current URL.
func (m *machine) takePreflight() *Response {
	for i, r := range m.preflights {
		if r.URL != "" && r.URL == m.url {
			m.preflights = slices.Delete(m.preflights, i, i+1)
			return r
		}
	}
	for i, r := range m.preflights {
		if r.URL == "" || len(m.in.Redirects) == 0 {
			m.preflights = slices.Delete(m.preflights, i, i+1)
			return r
		}
	}
	return nil
}

// preflight checks the preflight for the current URL; false means blocked.
func (m *machine) preflight() bool {
	r := m.takePreflight()
	if r == nil {
		m.note("a preflight to %s is needed but none was recorded: the browser may have used a cached preflight result; the model assumes it allowed the request", m.url)
		return true
	}
	if isRedirectStatus(r.Status) {
		if _, ok := headerValue(r.Headers, hLocation); ok {
			m.block(ErrPreflightDisallowedRedirect, "", StagePreflight, r)
			return false
		}
	}
	if e, param := accessCheck(r.Headers, m.origin, m.creds); e != "" {
		m.block(preflightVariant(e), param, StagePreflight, r)
		return false
	}
	if r.Status < 200 || r.Status > 299 {
		m.block(ErrPreflightInvalidStatus, "", StagePreflight, r)
		return false
	}
	methods, ok := listHeader(r.Headers, hACAM)
	if !ok {
		v, _ := headerValue(r.Headers, hACAM)
		m.block(ErrInvalidAllowMethodsPreflightResponse, v, StagePreflight, r)
		return false
	}
	allowHeaders, ok := listHeader(r.Headers, hACAH)
	if !ok {
		v, _ := headerValue(r.Headers, hACAH)
		m.block(ErrInvalidAllowHeadersPreflightResponse, v, StagePreflight, r)
		return false
	}
	maxAge, present := headerValue(r.Headers, hMaxAge)
	m.p.MaxAgeSeconds = ParseMaxAge(maxAge, present)

	// Methods compare case-sensitively, as the Fetch standard says: the
	// page's API upper-cases only the six names NormalizeMethod knows, so a
	// request made with "patch" sends "patch", and Chromium 156 blocks it
	// with MethodDisallowedByPreflightResponse when the preflight allows only
	// "PATCH" (measured; ../shared/BROWSER-FACTS.md). Older models here
	// assumed Chromium upper-cased every method before comparing; it does not.
	method := m.p.Method
	switch {
	case IsSafelistedMethod(method) || slices.Contains(methods, method):
	case !m.creds && slices.Contains(methods, "*"):
	default:
		m.block(ErrMethodDisallowedByPreflightResponse, method, StagePreflight, r)
		return false
	}
	lower := make([]string, len(allowHeaders))
	for i, h := range allowHeaders {
		lower[i] = strings.ToLower(h)
	}
	if !m.creds && slices.Contains(lower, "*") {
		if slices.Contains(m.p.RequestHeaderNames, "authorization") && !slices.Contains(lower, "authorization") {
			m.warn("Chromium and Firefox let Authorization through because Access-Control-Allow-Headers is *; the Fetch standard does not count Authorization under * and other browsers may block, so list authorization explicitly")
		}
		return true
	}
	for _, n := range headerCheckOrder(m.p) {
		if !slices.Contains(lower, n) {
			m.block(ErrHeaderDisallowedByPreflightResponse, n, StagePreflight, r)
			return false
		}
	}
	return true
}

// listHeader parses an Access-Control-Allow-{Methods,Headers} header; an
// absent header is an empty list.
func listHeader(h map[string]string, name string) ([]string, bool) {
	v, present := headerValue(h, name)
	if !present {
		return nil, true
	}
	return ParseHeaderList(v)
}

// accessCheck is Chromium's CORS check of one response against the request
// origin: it returns the CorsError and its failed parameter, or "".
func accessCheck(h map[string]string, origin string, creds bool) (CorsError, string) {
	acao, ok := headerValue(h, hACAO)
	switch {
	case !ok:
		return ErrMissingAllowOriginHeader, ""
	case acao == "*":
		if creds {
			return ErrWildcardOriginNotAllowed, ""
		}
		return "", ""
	case acao != origin:
		switch {
		case strings.ContainsAny(acao, " ,"):
			return ErrMultipleAllowOriginValues, acao
		case acao == "null":
			return ErrAllowOriginMismatch, acao
		case !looksLikeURL(acao):
			return ErrInvalidAllowOriginValue, acao
		}
		return ErrAllowOriginMismatch, acao
	}
	if creds {
		acac, _ := headerValue(h, hACAC)
		if acac != "true" {
			return ErrInvalidAllowCredentials, acac
		}
	}
	return "", ""
}

func isRedirectStatus(s int) bool {
	switch s {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// redirect follows one redirect hop of the actual request; false means
// blocked (or the chain cannot be followed further).
func (m *machine) redirect(r *Response) bool {
	if r.URL != "" {
		m.url = r.URL
	}
	if m.corsFlag && m.mode == "cors" {
		if e, param := accessCheck(r.Headers, m.origin, m.creds); e != "" {
			m.block(e, param, StageRedirect, r)
			return false
		}
	}
	loc, ok := headerValue(r.Headers, hLocation)
	if !ok || loc == "" {
		m.note("the redirect from %s has no Location header; the model stops there", m.url)
		return false
	}
	next := resolveURL(m.url, loc)
	nextOrigin := originOf(next)
	if m.mode == "cors" && hasUserinfo(next) && (m.tainted || m.corsFlag || !sameOrigin(m.pageOrigin, nextOrigin)) {
		m.block(ErrRedirectContainsCredentials, "", StageRedirect, r)
		return false
	}
	// Fetch's tainted origin: a redirect to another origin from a URL that is
	// not the page's own origin makes the Origin header "null".
	if m.mode == "cors" && !sameOrigin(originOf(m.url), nextOrigin) && !sameOrigin(m.pageOrigin, originOf(m.url)) {
		if !m.tainted {
			m.note("the redirect from %s to %s crosses origins after the request had already left the page's origin, so the Origin becomes \"null\"", m.url, next)
		}
		m.tainted = true
		m.origin = "null"
		m.p.RequestOrigin = "null"
	}
	switch {
	case r.Status == 303 && m.p.Method != "HEAD",
		(r.Status == 301 || r.Status == 302) && m.p.Method == "POST":
		m.p.Method = "GET"
		for _, n := range []string{"content-type", "content-language", "content-encoding", "content-location"} {
			if k, ok := headerValueFold(m.headers, n); ok {
				delete(m.headers, k)
			}
		}
	}
	m.url = next
	if !m.corsFlag && m.mode == "cors" && !sameOrigin(m.pageOrigin, nextOrigin) {
		m.corsFlag = true
		m.p.CrossOrigin = true
	}
	if m.corsFlag && m.mode == "cors" {
		m.computePreflightNeed()
		if m.p.PreflightNeeded {
			return m.preflight()
		}
	}
	return true
}

// final checks the final response.
func (m *machine) final() {
	r := m.in.Actual
	if r == nil {
		m.p.Verdict = VerdictUnknown
		m.note("no actual response was recorded, so the model cannot check it")
		return
	}
	if r.URL != "" {
		m.url = r.URL
	}
	if m.corsFlag && m.mode == "cors" {
		if e, param := accessCheck(r.Headers, m.origin, m.creds); e != "" {
			m.block(e, param, StageActual, r)
			return
		}
		m.p.ReadableHeaders, m.p.UnreadableHeaders = readableHeaders(r.Headers, m.creds)
	} else if m.mode == "no-cors" && !sameOrigin(m.pageOrigin, originOf(m.url)) {
		m.p.UnreadableHeaders = headerNames(r.Headers)
	} else {
		for _, n := range headerNames(r.Headers) {
			if n == "set-cookie" || n == "set-cookie2" {
				m.p.UnreadableHeaders = append(m.p.UnreadableHeaders, n)
			} else {
				m.p.ReadableHeaders = append(m.p.ReadableHeaders, n)
			}
		}
	}
	m.p.Verdict = VerdictAllowed
}

// headerCheckOrder is the order Chromium checks a preflight's request
// headers against Access-Control-Allow-Headers, so the header it names
// when several are missing is the model's too: headers whose names are
// not safelisted first, then safelisted names with values that are not,
// then those only over the safelisted values' total length (Chromium's
// CorsUnsafeNotForbiddenRequestHeaderNames adds them last), each group by
// name. Measured with Chromium 156: X-Token with an application/json
// Content-Type fails on x-token, Zz with one on zz, X-B with X-A on x-a,
// Zz with an unsafe Content-Language on zz (the total-length group is
// read from Chromium's source, not measured).
func headerCheckOrder(p Prediction) []string {
	group := map[string]int{}
	for _, n := range p.RequestHeaderNames {
		group[n] = 2
	}
	for _, r := range p.PreflightReasons {
		switch {
		case r.Kind == ReasonHeader:
			group[r.Name] = 0
		case r.Kind != ReasonTotalLength && r.Kind != ReasonMethod && group[r.Name] > 1:
			group[r.Name] = 1
		}
	}
	out := make([]string, 0, len(p.RequestHeaderNames))
	for g := 0; g <= 2; g++ {
		for _, n := range p.RequestHeaderNames {
			if group[n] == g {
				out = append(out, n)
			}
		}
	}
	return out
}
