package harness

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/audits"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// request gathers every event of one network request, keyed by requestId.
// A redirected request keeps its id, so sent and the ExtraInfo slices hold
// one entry per hop.
type request struct {
	id        network.RequestID
	sent      []*network.EventRequestWillBeSent
	extraReq  []*network.EventRequestWillBeSentExtraInfo
	extraResp []*network.EventResponseReceivedExtraInfo
	response  *network.EventResponseReceived
	finished  bool
	failed    *network.EventLoadingFailed
	// ended is the browser's timestamp of loadingFinished or loadingFailed.
	ended float64
	// noWire is set for a driver that sends no ExtraInfo events.
	noWire bool
}

func (r *request) preflight() bool {
	return len(r.sent) > 0 && r.sent[0].Initiator != nil && r.sent[0].Initiator.Type == network.InitiatorTypePreflight
}

func (r *request) underTest() bool {
	if len(r.sent) == 0 {
		return false
	}
	t := r.sent[0].Type
	return t == network.ResourceTypeFetch || t == network.ResourceTypeXHR
}

func (r *request) terminal() bool { return r.finished || r.failed != nil }

// responses is how many responses the request is known to have had, each of
// which brings its own responseReceivedExtraInfo.
func (r *request) responses() int {
	n := 0
	for _, s := range r.sent {
		if s.RedirectResponse != nil && s.RedirectHasExtraInfo {
			n++
		}
	}
	switch {
	case r.response != nil:
		if r.response.HasExtraInfo {
			n++
		}
	case r.preflight() && r.finished:
		// A preflight whose answer failed the CORS check still ends with
		// loadingFinished and has no responseReceived for us to see.
		n++
	case r.failed != nil && r.failed.CorsErrorStatus != nil && responseBasedError(cors.CorsError(r.failed.CorsErrorStatus.CorsError)):
		n++
	}
	return n
}

// responseBasedError reports whether a CorsError is raised by looking at the
// actual response, which means the response reached the browser.
func responseBasedError(e cors.CorsError) bool {
	switch e.Canonical() {
	case cors.ErrWildcardOriginNotAllowed, cors.ErrMissingAllowOriginHeader, cors.ErrMultipleAllowOriginValues,
		cors.ErrInvalidAllowOriginValue, cors.ErrAllowOriginMismatch, cors.ErrInvalidAllowCredentials, cors.ErrInvalidResponse:
		return true
	}
	return false
}

// complete reports whether every ExtraInfo the request will get has arrived.
// With open true, a response whose headers are in is complete without its
// end: the page stopped reading a body that is still coming (a stream).
func (r *request) complete(open bool) bool {
	if !r.terminal() && !(open && r.response != nil) {
		return false
	}
	if r.noWire {
		// No ExtraInfo is coming (WebDriver BiDi has none).
		return true
	}
	want := r.responses()
	if len(r.extraResp) < want {
		return false
	}
	if want > 0 && len(r.extraReq) == 0 {
		return false
	}
	return true
}

// collector receives a tab's events on chromedp's reader goroutine, so it
// only stores them; everything else happens after the page settles.
type collector struct {
	mu      sync.Mutex
	reqs    map[network.RequestID]*request
	order   []network.RequestID
	issues  []*audits.CorsIssueDetails
	console []consoleLine
	changed chan struct{}
	// pageURL is the page document's URL, which never reaches the network.
	pageURL string
	// noWire is set for a driver that sends no ExtraInfo events (BiDi):
	// headers are the ones the request and response events carry.
	noWire bool
	// debug, when set, receives every event of the case as a JSON line,
	// credentials redacted unless debugSecrets. With debugBiDi it receives
	// the raw BiDi messages (bidiLogged) instead of the CDP-shaped events
	// they were translated to, which Firefox never sent.
	debug        io.WriteCloser
	debugStart   time.Time
	debugSecrets bool
	debugBiDi    bool
}

func newCollector() *collector {
	return &collector{
		reqs:    map[network.RequestID]*request{},
		changed: make(chan struct{}, 1),
	}
}

func (c *collector) get(id network.RequestID) *request {
	r, ok := c.reqs[id]
	if !ok {
		r = &request{id: id, noWire: c.noWire}
		c.reqs[id] = r
		c.order = append(c.order, id)
	}
	return r
}

func (c *collector) handle(ev any) {
	c.mu.Lock()
	if c.debug != nil {
		var line []byte
		var err error
		ms := time.Since(c.debugStart).Milliseconds()
		if m, ok := ev.(bidiLogged); ok {
			line, err = debugBiDi(ms, m, c.debugSecrets)
		} else if !c.debugBiDi {
			line, err = debugEvent(ms, ev, c.debugSecrets)
		}
		if err == nil && line != nil {
			_, _ = c.debug.Write(append(line, '\n'))
		}
	}
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := c.get(e.RequestID)
		r.sent = append(r.sent, e)
	case *network.EventRequestWillBeSentExtraInfo:
		r := c.get(e.RequestID)
		r.extraReq = append(r.extraReq, e)
	case *network.EventResponseReceivedExtraInfo:
		r := c.get(e.RequestID)
		r.extraResp = append(r.extraResp, e)
	case *network.EventResponseReceived:
		c.get(e.RequestID).response = e
	case *network.EventLoadingFinished:
		r := c.get(e.RequestID)
		r.finished, r.ended = true, float64(e.Timestamp)
	case *network.EventLoadingFailed:
		r := c.get(e.RequestID)
		r.failed, r.ended = e, float64(e.Timestamp)
	case *audits.EventIssueAdded:
		if e.Issue != nil && e.Issue.Details != nil && e.Issue.Details.CorsIssueDetails != nil {
			c.issues = append(c.issues, e.Issue.Details.CorsIssueDetails)
		}
	case *cdplog.EventEntryAdded:
		if e.Entry != nil && e.Entry.Source != cdplog.EntrySourceViolation {
			c.console = append(c.console, consoleLine{id: e.Entry.NetworkRequestID, text: e.Entry.Text})
		}
	default:
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// snapshot is a consistent view of the requests that matter for the case.
type snapshot struct {
	actual    *request
	preflight *request
	issues    []*audits.CorsIssueDetails
	console   []string
	// contacted are the origins of every request the tab's network events
	// show, each redirect hop included, but for the page document, which
	// the harness answers itself.
	contacted []string
	// noWire is set for a driver without ExtraInfo events (BiDi).
	noWire bool
}

func (c *collector) snapshot() snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := snapshot{noWire: c.noWire}
	for _, id := range c.order {
		// A copy: handle keeps appending to the live request while the
		// caller reads this one outside the lock. Events are never changed
		// after they arrive, so copying the slices is enough.
		live := c.reqs[id]
		r := &request{
			id: live.id, response: live.response, finished: live.finished, failed: live.failed, ended: live.ended, noWire: live.noWire,
			sent:      slices.Clone(live.sent),
			extraReq:  slices.Clone(live.extraReq),
			extraResp: slices.Clone(live.extraResp),
		}
		for _, sent := range r.sent {
			if sent.Request == nil || sent.Request.URL == c.pageURL {
				continue
			}
			if o := originOf(sent.Request.URL); o != "" && !slices.Contains(s.contacted, o) {
				s.contacted = append(s.contacted, o)
			}
		}
		switch {
		case r.preflight():
			if s.preflight == nil {
				s.preflight = r
			}
		case r.underTest():
			if s.actual == nil {
				s.actual = r
			}
		}
	}
	// A reused tab can still deliver a late issue or console line of the
	// previous case; keep only those about this case's requests.
	ours := func(id network.RequestID) bool {
		return id == "" || (s.actual != nil && id == s.actual.id) || (s.preflight != nil && id == s.preflight.id)
	}
	for _, is := range c.issues {
		if is.Request == nil || ours(is.Request.RequestID) {
			s.issues = append(s.issues, is)
		}
	}
	for _, l := range c.console {
		if ours(l.id) {
			s.console = append(s.console, l.text)
		}
	}
	return s
}

// originOf is the origin (scheme://host[:port]) of a network URL, or ""
// for data:, blob: and other URLs that do not reach a host.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// consoleLine is a browser log entry and the request it is about, if any.
type consoleLine struct {
	id   network.RequestID
	text string
}

// ready reports whether the events the record needs have all arrived.
// wantPreflight is the model's view that the request needs one.
func (s snapshot) ready(wantPreflight, open bool) bool {
	if s.actual == nil {
		return false
	}
	if !s.actual.complete(open) {
		return false
	}
	if s.preflight != nil && !s.preflight.complete(false) {
		return false
	}
	if wantPreflight && s.preflight == nil {
		return false
	}
	return true
}

func headerMap(h network.Headers) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		switch v := v.(type) {
		case string:
			m[k] = v
		default:
			m[k] = fmt.Sprint(v)
		}
	}
	return m
}

// exchanges turns one request's events into wire-level exchanges, one per
// hop: the redirects first, then the final one.
func (r *request) exchanges() []result.Exchange {
	var out []result.Exchange
	for i, s := range r.sent {
		ex := result.Exchange{}
		if s.Request != nil {
			ex.Method = s.Request.Method
			ex.URL = s.Request.URL + s.Request.URLFragment
			ex.RequestHeaders = headerMap(s.Request.Headers)
		}
		if i < len(r.extraReq) {
			ex.RequestHeaders = headerMap(r.extraReq[i].Headers)
			for _, ac := range r.extraReq[i].AssociatedCookies {
				if ac.Cookie == nil {
					continue
				}
				if len(ac.BlockedReasons) == 0 {
					ex.CookiesSent = append(ex.CookiesSent, ac.Cookie.Name)
					continue
				}
				reasons := make([]string, len(ac.BlockedReasons))
				for j, br := range ac.BlockedReasons {
					reasons[j] = string(br)
				}
				ex.CookiesBlocked = append(ex.CookiesBlocked, result.Cookie{Name: ac.Cookie.Name, Reasons: reasons})
			}
		}
		if r.noWire && len(r.extraReq) == 0 {
			// No ExtraInfo to say which cookies went out: the Cookie
			// header the request event carries names them.
			ex.CookiesSent = cookieNames(ex.RequestHeaders)
		}
		if i < len(r.extraResp) {
			ex.Status = int(r.extraResp[i].StatusCode)
			ex.ResponseHeaders = headerMap(r.extraResp[i].Headers)
		} else if i+1 < len(r.sent) && r.sent[i+1].RedirectResponse != nil {
			rr := r.sent[i+1].RedirectResponse
			ex.Status = int(rr.Status)
			ex.ResponseHeaders = headerMap(rr.Headers)
		} else if i == len(r.sent)-1 && r.response != nil && r.response.Response != nil {
			ex.Status = int(r.response.Response.Status)
			ex.StatusText = r.response.Response.StatusText
			ex.ResponseHeaders = headerMap(r.response.Response.Headers)
			ex.FromCache = r.response.Response.FromDiskCache || r.response.Response.FromPrefetchCache
		}
		if i == len(r.sent)-1 && r.failed != nil {
			ex.Error = r.failed.ErrorText
		}
		ex.SentAt = float64(s.Timestamp)
		if i == len(r.sent)-1 {
			ex.TimeMS = r.timeMS()
			ex.EndedAt = r.ended
		}
		sort.Strings(ex.CookiesSent)
		out = append(out, ex)
	}
	return out
}

// timeMS is how long the request took to its response headers, by the
// browser's own timing of it, or else from requestWillBeSent to its end.
// A preflight's requestWillBeSent can carry a timestamp later than its
// loadingFinished (measured with Chromium 156), so the difference is used
// only when it is positive.
func (r *request) timeMS() float64 {
	if r.response != nil && r.response.Response != nil && r.response.Response.Timing != nil {
		if t := r.response.Response.Timing.ReceiveHeadersEnd; t > 0 {
			return math.Round(t*10) / 10
		}
	}
	if len(r.sent) > 0 && r.ended > float64(r.sent[0].Timestamp) && r.sent[0].Timestamp > 0 {
		return math.Round((r.ended-float64(r.sent[0].Timestamp))*1e4) / 10
	}
	return 0
}

// addressSpaces reads Local Network Access address spaces off the events.
func (s snapshot) addressSpaces() *result.AddressSpaces {
	as := &result.AddressSpaces{}
	for _, r := range []*request{s.preflight, s.actual} {
		if r == nil {
			continue
		}
		for _, e := range r.extraReq {
			if e.ClientSecurityState != nil {
				as.Page = string(e.ClientSecurityState.InitiatorIPAddressSpace)
				as.Policy = string(e.ClientSecurityState.LocalNetworkAccessRequestPolicy)
			}
		}
		for _, e := range r.extraResp {
			if e.ResourceIPAddressSpace != "" {
				as.Target = string(e.ResourceIPAddressSpace)
			}
		}
	}
	for _, is := range s.issues {
		if is.ClientSecurityState != nil && as.Page == "" {
			as.Page = string(is.ClientSecurityState.InitiatorIPAddressSpace)
			as.Policy = string(is.ClientSecurityState.LocalNetworkAccessRequestPolicy)
		}
		if is.ResourceIPAddressSpace != "" && as.Target == "" {
			as.Target = string(is.ResourceIPAddressSpace)
		}
	}
	if *as == (result.AddressSpaces{}) {
		return nil
	}
	return as
}

// reasonIn reports whether the reason of a failed request has arrived:
// always for Chromium, whose reason is in the network events; for Firefox
// it is a console line, which can come after the request's last event.
func (s snapshot) reasonIn(failed bool) bool {
	if !s.noWire || !failed {
		return true
	}
	return s.firefoxReason().Text != ""
}

// firefoxReason is Firefox's CORS reason, from its console text (BiDi has
// no structured one); empty for a Chromium driver.
func (s snapshot) firefoxReason() cors.FirefoxFinding {
	if !s.noWire {
		return cors.FirefoxFinding{}
	}
	// The preflight's failure when the actual request got no answer: it
	// was never sent.
	preflight := s.preflight != nil && (s.actual == nil || s.actual.response == nil)
	return cors.ClassifyFirefox(s.console, preflight)
}

// corsStatus returns the browser's CORS reason: from the actual request,
// else the preflight, else an Audits issue.
func (s snapshot) corsStatus() (corsError, param string) {
	for _, r := range []*request{s.actual, s.preflight} {
		if r != nil && r.failed != nil && r.failed.CorsErrorStatus != nil {
			return string(r.failed.CorsErrorStatus.CorsError), r.failed.CorsErrorStatus.FailedParameter
		}
	}
	for _, is := range s.issues {
		if is.CorsErrorStatus != nil && !is.IsWarning {
			return string(is.CorsErrorStatus.CorsError), is.CorsErrorStatus.FailedParameter
		}
	}
	return "", ""
}

// blockedReason returns a non-CORS reason the browser gave for refusing
// the request, from the network events or, for mixed content, which
// leaves no network events, from the console.
func (s snapshot) blockedReason() string {
	for _, r := range []*request{s.actual, s.preflight} {
		if r != nil && r.failed != nil && r.failed.BlockedReason != "" {
			return string(r.failed.BlockedReason)
		}
	}
	for _, line := range s.console {
		// Chromium's and Firefox's words for it.
		if strings.HasPrefix(line, "Mixed Content:") || strings.HasPrefix(line, "Blocked loading mixed active content") {
			return "mixed-content"
		}
	}
	return ""
}

// closeDebug ends the case's CDP log; events that come later belong to no
// case and are not written.
func (c *collector) closeDebug() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.debug == nil {
		return nil
	}
	err := c.debug.Close()
	c.debug = nil
	return err
}

// cookieNames lists the names in a request's Cookie header.
func cookieNames(h map[string]string) []string {
	var names []string
	for k, v := range h {
		if !strings.EqualFold(k, "Cookie") {
			continue
		}
		for _, line := range strings.Split(v, "\n") {
			for _, pair := range strings.Split(line, ";") {
				if name, _, _ := strings.Cut(strings.TrimSpace(pair), "="); name != "" {
					names = append(names, name)
				}
			}
		}
	}
	return names
}
