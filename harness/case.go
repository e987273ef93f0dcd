package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// settleGrace bounds the wait for events that Chromium sends after the
// page's promise settles. Completion is decided by the events themselves;
// this only ends the wait when an expected event never comes.
const settleGrace = 2 * time.Second

// permissions granted to a page origin under LNAGrant: loopback-network
// covers loopback targets, local-network private ones (Chromium 142+).
var lnaPermissions = []string{"loopback-network", "local-network"}

// lnaGrants is what a page origin is granted before its page loads.
//
// Under LNAEnforce a page gets what the real page at its origin would have
// without ever being asked. corsproof answers the page over CDP, so
// Chromium puts it in no address space (Unknown, checked like public)
// whatever its origin says; the grants stand in for the address space the
// real page sits in. Measured with Chromium 156.0.8078 (enforce, page
// answered over CDP, private targets made with
// --ip-address-space-overrides=127.0.0.1:PORT=local):
//   - loopback page origins (localhost, *.localhost, 127.0.0.0/8, [::1];
//     secure contexts even over http): unasked, loopback targets were
//     denied (LocalNetworkAccessPermissionDenied); loopback-network let
//     them through and local-network let private ones through. A real
//     loopback page reaches both without a prompt, so it gets both.
//   - private page origins (10/8, 172.16/12, 192.168/16, link-local,
//     fc00::/7): a real one reaches private targets unasked and needs the
//     user's permission for loopback, so it gets local-network only. Over
//     https that gave exactly that (private allowed, loopback denied). Over
//     http no permission helped: every local and loopback target stayed
//     InsecureLocalNetwork, which the real page gets for loopback but not
//     for private targets; --lna off models such a page (see
//     cors.ExplainFailure).
//   - public and named page origins get nothing, as a user who never
//     answered the prompt.
func lnaGrants(mode LNAMode, origin string) []string {
	if origin == "null" {
		return nil
	}
	switch mode {
	case LNAGrant:
		return lnaPermissions
	case LNAEnforce:
		switch cors.OriginAddressSpace(origin) {
		case cors.SpaceLoopback:
			return lnaPermissions
		case cors.SpaceLocal:
			return []string{"local-network"}
		}
	}
	return nil
}

// Run makes the case's request from a page at the case's origin in a fresh
// browser context, and returns the record. Faults of the request itself
// (refused connection, time-out) are verdicts in the record; err is only
// for faults of the harness or the browser.
func (b *Browser) Run(ctx context.Context, c scenarios.Case) (result.Record, error) {
	s := b.newSession()
	defer s.close()
	return s.run(ctx, c)
}

// run makes one case's request in the session's tab, or its steps in turn.
func (s *session) run(ctx context.Context, c scenarios.Case) (result.Record, error) {
	if len(c.Steps) > 0 {
		return s.runSteps(ctx, c)
	}
	return s.runRequest(ctx, c, needsPreflight(c))
}

// runRequest makes one request in the session's tab; wantPreflight says
// whether to wait for a preflight's events.
func (s *session) runRequest(ctx context.Context, c scenarios.Case, wantPreflight bool) (result.Record, error) {
	start := time.Now()
	rec := result.Record{
		Name:           c.Name,
		Origin:         c.Origin,
		Request:        c.Request,
		Cookies:        c.Cookies,
		Browser:        s.b.Version(),
		BrowserProduct: s.b.Product(),
		Driver:         s.b.driver.Name(),
		Mismatches:     []string{},
	}
	rec.Page.ReadableHeaders = map[string]string{}
	err := s.runCase(ctx, c, &rec, wantPreflight)
	if err != nil {
		s.dirty = true
	}
	rec.CertCheck = s.b.certCheckFor(c.Request.URL)
	rec.DurationMS = time.Since(start).Milliseconds()
	return rec, err
}

func (s *session) runCase(ctx context.Context, c scenarios.Case, rec *result.Record, wantPreflight bool) error {
	b := s.b
	page, err := pages.For(c.Origin)
	if err != nil {
		return fmt.Errorf("preparing page for %s: %w", c.Origin, err)
	}
	col := newCollector()
	col.pageURL = page.URL
	col.noWire = b.Engine() == EngineFirefox
	if dir := b.opts.DebugDir; dir != "" {
		// Firefox's log holds the BiDi messages themselves, Chromium's the
		// CDP events.
		col.debugBiDi = b.Engine() == EngineFirefox
		kind := "cdp"
		if col.debugBiDi {
			kind = "bidi"
		}
		f, err := openDebugLog(dir, c.Name, kind)
		if err != nil {
			return err
		}
		col.debug, col.debugStart, col.debugSecrets = f, time.Now(), b.opts.DebugSecrets
		defer col.closeDebug()
	}
	s.col.Store(col)

	deadline, stop := context.WithTimeout(ctx, b.opts.Timeout)
	defer stop()

	// Setting up the page is the harness's business, not the case's: a
	// fault here is an error, not a verdict.
	setup, setupCancel := context.WithTimeout(ctx, b.opts.Timeout+10*time.Second)
	defer setupCancel()
	if s.pageOrigin != page.Origin {
		// A reset session keeps its page when the next case has the same
		// origin: the page holds no state a case can change (the runner
		// keeps nothing between calls), and what the browser keeps for
		// the context — caches and cookies — was cleared by the reset.
		if err := s.loadPage(setup, page); err != nil {
			rec.Verdict = cors.VerdictError
			if oe := (*openPageError)(nil); errors.As(err, &oe) {
				rec.Page.Error = oe.err.Error()
			}
			return err
		}
	}
	rec.Page.Origin, rec.Page.SecureContext = s.pageReported, s.pageSecure
	if len(c.Cookies) > 0 {
		if err := s.tab.SetCookies(setup, c.Request.URL, c.Cookies); err != nil {
			rec.Verdict = cors.VerdictError
			return err
		}
	}

	spec, _ := json.Marshal(runSpec(c.Request))
	var outcome pages.Outcome
	s.sentAt = time.Now()
	evalCtx, stopWatch := s.untilCrash(deadline)
	err = s.tab.Eval(evalCtx, "self.__corsproof.run("+string(spec)+")", &outcome)
	stopWatch()
	answered := time.Now()
	if s.rendererCrashed() {
		rendererCrashed(rec, s.crashCause)
		s.dirty = true
		return nil
	}
	timedOut := errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil
	if err != nil && !timedOut {
		rec.Verdict = cors.VerdictError
		return fmt.Errorf("running request: %w", err)
	}
	if timedOut {
		// The request is still in flight in this tab; nothing about the
		// tab is known to be clean any more.
		s.dirty = true
	}

	open := outcome.Status != 0 && !outcome.BodyComplete
	failed := !outcome.OK && outcome.Type != "opaque" && !(outcome.Error == "" && outcome.Status > 0)
	snap, complete := col.wait(ctx, wantPreflight, open, failed, timedOut || thrown(outcome))
	if b.opts.Timings {
		rec.Timing = &result.Timing{ResetMS: msOf(s.resetTime), PageMS: msOf(s.pageTime),
			RequestMS: msOf(answered.Sub(s.sentAt)), EventsMS: msOf(time.Since(answered))}
	}
	s.resetTime, s.pageTime = 0, 0
	fill(rec, snap, outcome, timedOut)
	if !complete || (snap.actual != nil && !snap.actual.terminal()) || leavesState(rec) {
		// Events still owed to this case could land in the next one's
		// record, and a request still in flight is state: start afresh.
		s.dirty = true
	}
	return nil
}

// msOf is d in milliseconds, to the microsecond.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// thrown reports whether the page's API threw before any request existed
// (an invalid header value, a forbidden method): no network event will
// come, so there is nothing to wait for.
func thrown(out pages.Outcome) bool {
	return out.Status == 0 && out.Error != "" && !networkFailure(out.Error)
}

// networkFailure reports whether a page error is the one the fetch and XHR
// APIs give for every failed request, CORS or network: the reason is in
// the network events.
func networkFailure(pageError string) bool {
	// Firefox says "NetworkError when attempting to fetch resource."
	return strings.Contains(pageError, "Failed to fetch") || strings.Contains(pageError, "NetworkError when attempting to fetch resource") ||
		strings.HasPrefix(pageError, "XMLHttpRequest error event")
}

// openPageError is a failure to load the page itself (as opposed to a page
// that loaded somewhere else): the record's page error carries its cause.
type openPageError struct {
	origin string
	err    error
}

func (e *openPageError) Error() string { return "opening page at " + e.origin + ": " + e.err.Error() }
func (e *openPageError) Unwrap() error { return e.err }

// loadPage loads page in the session's tab and checks that the page is at
// the origin it must be; on success the session remembers the page, so
// cases of the same origin reuse it.
func (s *session) loadPage(ctx context.Context, page *pages.Page) error {
	s.pageOrigin = ""
	start := time.Now()
	defer func() { s.pageTime += time.Since(start) }()
	if err := s.openPage(ctx, page); err != nil {
		return &openPageError{origin: page.Origin, err: err}
	}
	var info pages.Info
	if err := s.tab.Eval(ctx, "self.__corsproof.info()", &info); err != nil {
		return fmt.Errorf("reading page origin: %w", err)
	}
	if info.Origin != page.Origin && !(page.Origin != "null" && samePageOrigin(info.Origin, page.Origin)) {
		return fmt.Errorf("page reports origin %q, want %q: the page is not where the case says", info.Origin, page.Origin)
	}
	s.pageOrigin, s.pageReported, s.pageSecure = page.Origin, info.Origin, info.Secure
	return nil
}

// openPage loads the case's page in the session's tab, granting Local
// Network Access permissions to its origin first when asked to.
func (s *session) openPage(ctx context.Context, page *pages.Page) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if perms := lnaGrants(s.b.opts.LNA, page.Origin); len(perms) > 0 && !s.granted[page.Origin] {
		// Older Chromium does not know these permissions; then there is
		// nothing to grant and the checks do not apply either.
		s.tab.Grant(ctx, page.Origin, perms)
		s.granted[page.Origin] = true
	}
	return s.tab.Load(ctx, page)
}

// samePageOrigin compares serialized origins after normalisation, so that a
// case written as https://App.example.test:443 matches the page.
func samePageOrigin(got, want string) bool {
	g, err1 := pages.Normalize(got)
	w, err2 := pages.Normalize(want)
	return err1 == nil && err2 == nil && g == w
}

func runSpec(r scenarios.Request) pages.RunSpec {
	s := pages.RunSpec{
		API: string(r.API), Method: r.Method, URL: r.URL, Headers: r.Headers,
		Credentials: string(r.Credentials), Mode: string(r.Mode), Body: r.Body, HasBody: r.Body != "",
	}
	if s.API == "" {
		s.API = string(scenarios.APIFetch)
	}
	if s.Method == "" {
		s.Method = "GET"
	}
	if s.Credentials == "" {
		s.Credentials = string(scenarios.CredentialsSameOrigin)
	}
	if s.Headers == nil {
		s.Headers = map[string]string{}
	}
	if s.API == string(scenarios.APIXHR) {
		s.Mode = ""
	}
	return s
}

// wait returns once the record's events are all in, the grace period ends,
// or ctx is done. After a time-out nothing more is coming, so it does not wait.
// complete is false when the wait ended before the events did.
func (c *collector) wait(ctx context.Context, wantPreflight, open, failed, nothingComing bool) (snap snapshot, complete bool) {
	if nothingComing {
		return c.snapshot(), true
	}
	grace := time.NewTimer(settleGrace)
	defer grace.Stop()
	for {
		s := c.snapshot()
		if (s.ready(wantPreflight, open) && s.reasonIn(failed)) || (s.actual == nil && s.blockedReason() != "") {
			return s, true
		}
		select {
		case <-c.changed:
		case <-grace.C:
			return c.snapshot(), false
		case <-ctx.Done():
			return c.snapshot(), false
		}
	}
}

// fill joins the page's outcome and the network events into the record.
func fill(rec *result.Record, s snapshot, out pages.Outcome, timedOut bool) {
	rec.Page.OK = out.OK
	rec.Page.Status = out.Status
	rec.Page.Type = out.Type
	rec.Page.Error = out.Error
	rec.Page.Body = out.Body
	if out.Headers != nil {
		rec.Page.ReadableHeaders = out.Headers
	}
	if s.preflight != nil {
		ex := s.preflight.exchanges()
		last := ex[len(ex)-1]
		rec.Preflight = &ex[0]
		if len(ex) > 1 {
			// A redirected preflight is an error in itself; keep the hop
			// that redirected, which is what the server said.
			rec.Preflight.Error = last.Error
		}
	}
	if s.actual != nil {
		ex := s.actual.exchanges()
		final := ex[len(ex)-1]
		rec.Actual = &final
		if len(ex) > 1 {
			rec.Redirects = ex[:len(ex)-1]
		}
		// A request refused before it went out (after a failed preflight)
		// has no wire headers: it was never sent. Firefox's events carry
		// no wire headers at all: a hop after a redirect, which failed
		// (nothing listening there), was sent as surely as Chromium's,
		// whose ExtraInfo of the first hop keeps it; it is where the
		// request failed, and the diagnosis names its host.
		if len(s.actual.extraReq) == 0 && s.actual.failed != nil && rec.Actual.Status == 0 && !(s.noWire && len(ex) > 1) {
			rec.Actual = nil
		}
	}
	corsError, param := s.corsStatus()
	fx := s.firefoxReason()
	if s.noWire {
		rec.HeadersSource = result.HeadersFromEvents
	}
	rec.BlockedReason = s.blockedReason()
	rec.AddressSpaces = s.addressSpaces()
	rec.Contacted = s.contacted
	for _, line := range s.console {
		if strings.Contains(line, "CORS") || strings.Contains(line, "Mixed Content") || strings.Contains(line, "mixed active content") || strings.Contains(line, "Local Network") {
			rec.Console = append(rec.Console, line)
		}
	}
	switch {
	case timedOut:
		rec.Verdict = cors.VerdictTimeout
		rec.Page.Error = "no answer before the time-out"
	case out.OK || (out.Error == "" && out.Status > 0) || out.Type == "opaque":
		rec.Verdict = cors.VerdictAllowed
	case corsError != "" || fx.CORS():
		rec.Verdict = cors.VerdictBlocked
	case rec.BlockedReason != "":
		// A browser policy that is not CORS refused it (mixed content,
		// CSP, CORP…): blocked, with the reason in BlockedReason.
		rec.Verdict = cors.VerdictBlocked
	case s.actual == nil && rec.BlockedReason == "" && thrown(out):
		// The page's API refused the request before it existed: not a
		// network fault, and not the browser's CORS checks.
		rec.Verdict = cors.VerdictError
	default:
		rec.Verdict = cors.VerdictNetworkError
	}
	if rec.Verdict == cors.VerdictBlocked {
		rec.CorsError, rec.FailedParameter = cors.CorsError(corsError), param
		if fx.CORS() {
			rec.CorsError, rec.FailedParameter = fx.CorsError, firefoxParam(rec, fx)
			rec.EngineReason, rec.ReasonText = string(fx.Code), fx.Text
		}
	}
	// After an allowed answer, a request that ends early (an opaque body
	// nobody reads, say) is no reason for anything.
	if rec.Verdict != cors.VerdictAllowed {
		if s.actual != nil && s.actual.failed != nil {
			rec.NetError = s.actual.failed.ErrorText
		} else if s.preflight != nil && s.preflight.failed != nil {
			rec.NetError = s.preflight.failed.ErrorText
		}
	}

	for _, is := range s.issues {
		// Chromium also files issues for requests it let through, such as a
		// Local Network Access warning once the permission is granted.
		if is.CorsErrorStatus != nil && cors.CorsError(is.CorsErrorStatus.CorsError) != rec.CorsError {
			rec.Console = append(rec.Console, "issue: "+string(is.CorsErrorStatus.CorsError)+" "+is.CorsErrorStatus.FailedParameter)
		}
	}
}

// firefoxParam is the failed parameter of a Firefox reason, in Chromium's
// terms: what the text names, else what the request or response holds.
func firefoxParam(rec *result.Record, fx cors.FirefoxFinding) string {
	ex := rec.Actual
	if rec.Actual == nil {
		ex = rec.Preflight
	}
	switch fx.Code {
	case cors.FxMethodNotFound:
		if rec.Preflight != nil {
			return rec.Preflight.RequestHeaders["Access-Control-Request-Method"]
		}
	case cors.FxMultipleAllowOriginNotAllowed:
		if ex != nil {
			return ex.ResponseHeaders["Access-Control-Allow-Origin"]
		}
	}
	return fx.Param
}
