package harness

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"

	"github.com/corsproof/corsproof/pages"
)

// Firefox is the driver of the Firefox engine: WebDriver BiDi, which
// Firefox speaks natively (no geckodriver), over a WebSocket. Its tabs hand
// the capture the same CDP-shaped events the Chromium drivers do,
// translated from BiDi's network and log events, so records keep their
// shape. What BiDi cannot give is left out rather than made up: there are
// no ExtraInfo events (BiDi has no raw wire headers), no corsErrorStatus
// (the reason is in the console text, see cors.ClassifyFirefox) and no
// Audits issues.
type Firefox struct{}

// Name implements Driver.
func (Firefox) Name() string { return "bidi" }

// Transport implements Driver: Firefox listens on a WebSocket.
func (Firefox) Transport() Transport { return TransportBiDi }

// bidiEvents are the events every tab needs; subscribed once per session.
// script.realmDestroyed tells of the page's content process dying (see
// firefoxTab.event).
var bidiEvents = []string{"network.beforeRequestSent", "network.responseStarted", "network.responseCompleted", "network.fetchError", "log.entryAdded", "script.realmDestroyed"}

// Connect implements Driver: it opens a BiDi session on the browser's
// /session endpoint and subscribes to the network and log events.
func (Firefox) Connect(ctx context.Context, ep Endpoint) (Conn, error) {
	if ep.URL == "" {
		return nil, fmt.Errorf("connecting over webdriver bidi: no websocket address")
	}
	u := strings.TrimRight(ep.URL, "/")
	if strings.HasPrefix(u, "http://") {
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	if !strings.HasSuffix(u, "/session") {
		u += "/session"
	}
	client, err := dialBiDi(ctx, u)
	if err != nil {
		return nil, err
	}
	var session struct {
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := client.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, &session); err != nil {
		client.close()
		return nil, fmt.Errorf("starting a bidi session: %w", err)
	}
	if err := client.call(ctx, "session.subscribe", map[string]any{"events": bidiEvents}, nil); err != nil {
		client.close()
		return nil, fmt.Errorf("subscribing to events: %w", err)
	}
	name := session.Capabilities.BrowserName
	if name == "" {
		name = "firefox"
	}
	return &firefoxConn{client: client, launched: ep.Launched, product: "Firefox/" + session.Capabilities.BrowserVersion}, nil
}

type firefoxConn struct {
	client   *bidiClient
	product  string
	launched bool
	// pageCrashed is set once a tab's content process died (see
	// firefoxTab.event).
	pageCrashed atomic.Bool
}

// mustKill implements killer: a Firefox asked to close soon after a
// content process of its died often never exits. Measured on ESR 153.8
// (TestFirefoxContentCrashIsItsOwnReason, then Close): 2 of 4 closes
// within a second of the kill hung until killed 10 s later, 0 of 5 after
// 1.5 s; with the fork server off, 6 of 6 hung. Its profile is thrown
// away either way, so nothing is lost by killing it at once.
func (c *firefoxConn) mustKill() bool { return c.launched && c.pageCrashed.Load() }

func (c *firefoxConn) Product() string { return c.product }

func (c *firefoxConn) Ping(ctx context.Context) error {
	return c.client.call(ctx, "session.status", nil, nil)
}

func (c *firefoxConn) Close() error {
	var err error
	if c.launched {
		// browser.close answers, then Firefox exits and drops the socket.
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		err = c.client.call(ctx, "browser.close", nil, nil)
		cancel()
		if err != nil && strings.Contains(err.Error(), "connection to the browser lost") {
			// It exited before the answer reached us: closed all the same.
			err = nil
		}
		if err != nil {
			err = fmt.Errorf("asking the browser to close: %w", err)
		}
	} else {
		// A Firefox lent to the run (--browser-url) lives on, and takes
		// one WebDriver BiDi session at a time: a session left open
		// makes the next run's session.new fail with "Maximum number of
		// active sessions" (measured on ESR 153.8). End it; a browser
		// that is gone by now has ended it too.
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		if e := c.client.call(ctx, "session.end", nil, nil); e != nil && !strings.Contains(e.Error(), "connection to the browser lost") {
			err = fmt.Errorf("ending the bidi session: %w", e)
		}
		cancel()
	}
	_ = c.client.close()
	return err
}

func (c *firefoxConn) NewTab(sink func(ev any), opts TabOptions) Tab {
	return &firefoxTab{c: c, sink: sink, proxy: opts.Proxy, reqs: map[string]*bidiRequest{}, blocked: make(chan string, 4)}
}

// firefoxTab is a browsing context in a user context of its own.
type firefoxTab struct {
	c                    *firefoxConn
	sink                 func(ev any)
	userContext, context string
	stop                 func()
	// proxy is TabOptions.Proxy: the user context's proxy
	// (browser.createUserContext proxy, see Open).
	proxy string

	mu sync.Mutex
	// reqs follows each request across its redirects.
	reqs map[string]*bidiRequest
	// intercept is the page-document intercept while a page loads, and
	// blocked receives the requests it paused.
	intercept string
	blocked   chan string
	// realm is the page's script realm, the one the last evaluation ran
	// in; empty while a page loads.
	realm string
}

// bidiRequest is what a tab remembers of one request between events.
type bidiRequest struct {
	// redirect is the last redirect response, attached to the next hop.
	redirect *network.Response
	// started is a redirect response whose headers arrived
	// (responseStarted) and that has not completed: a preflight refused
	// for redirecting ends in fetchError, with this as its response.
	started *network.Response
	// failed is set by the request's fetchError. Firefox may start the
	// next hop of a redirect it has just refused (measured on ESR 153.8:
	// a redirect to a URL with user:password@ fails NS_ERROR_DOM_BAD_URI,
	// then a beforeRequestSent and a fetchError NS_ERROR_UNEXPECTED
	// follow for the Location, which never reaches the server); such a
	// hop is no request of the page's.
	failed bool
}

// call sends a command of the tab's, which with its answer belongs to the
// case the tab runs: both go to the sink as bidiLogged, for the case's
// debug log.
func (t *firefoxTab) call(ctx context.Context, method string, params, out any) error {
	return t.c.client.callTap(ctx, method, params, out, t.logged)
}

// logged hands one raw message of the tab's to the sink.
func (t *firefoxTab) logged(sent bool, method string, raw []byte) {
	t.sink(bidiLogged{sent: sent, method: method, raw: raw})
}

func (t *firefoxTab) Open(ctx context.Context) error {
	var uc struct {
		UserContext string `json:"userContext"`
	}
	var params any
	if t.proxy != "" {
		// Every request of the user context, http and https URLs alike
		// (CONNECT), goes to the proxy: Firefox's per-user-context filter
		// uses httpProxy for every channel, and no noProxy. No sslProxy:
		// Firefox makes that an https proxy, TLS to the proxy itself
		// (remote agent, ProxyPerUserContextManager, ESR 153). Loopback
		// targets need network.proxy.allow_hijacking_localhost
		// (Options.ContextProxies). ESR 140 accepts the parameter and
		// ignores it (its createUserContext reads acceptInsecureCerts
		// only): the caller must check that the proxy saw the requests
		// (runner's try-fix does).
		params = map[string]any{"proxy": map[string]any{"proxyType": "manual", "httpProxy": t.proxy}}
	}
	if err := t.call(ctx, "browser.createUserContext", params, &uc); err != nil {
		return fmt.Errorf("creating user context: %w", err)
	}
	t.userContext = uc.UserContext
	var bc struct {
		Context string `json:"context"`
	}
	var err error
	for attempt := 0; attempt < createTabAttempts; attempt++ {
		err = t.call(ctx, "browsingContext.create", map[string]any{"type": "tab", "userContext": t.userContext}, &bc)
		if !discardedWhileCreated(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("creating tab: %w", err)
	}
	t.context = bc.Context
	t.stop = t.c.client.listen(t.context, t.event)
	return nil
}

// createTabAttempts bounds the retries of a tab Firefox discarded while
// creating it.
const createTabAttempts = 3

// discardedWhileCreated reports Firefox's answer to browsingContext.create
// when the new tab's browsing context was replaced before the command
// finished ("no such frame: DiscardedBrowsingContextError"). Measured on
// ESR 153.8, 300 cases at two workers on a loaded machine, twice each: 1
// and 4 error records without a retry, 0 and 0 with it (it failed CI's
// TestFirefoxIsolation once). Nothing of the case has run yet, so trying
// again changes nothing the case observes.
func discardedWhileCreated(err error) bool {
	var be *bidiError
	return errors.As(err, &be) && be.Code == "no such frame" && strings.Contains(be.Message, "DiscardedBrowsingContext")
}

// Grant implements Tab. Firefox has no permission for Local Network Access
// to grant over BiDi; its checks are off by preference (firefoxPrefs).
func (t *firefoxTab) Grant(context.Context, string, []string) {}

func (t *firefoxTab) Load(ctx context.Context, page *pages.Page) error {
	// The navigation ends the old page's realm: that is no crash.
	t.mu.Lock()
	t.realm = ""
	t.mu.Unlock()
	var ic struct {
		Intercept string `json:"intercept"`
	}
	if err := t.call(ctx, "network.addIntercept", map[string]any{
		"phases":      []string{"beforeRequestSent"},
		"urlPatterns": []any{map[string]string{"type": "string", "pattern": page.URL}},
		"contexts":    []string{t.context},
	}, &ic); err != nil {
		return fmt.Errorf("enabling page interception: %w", err)
	}
	t.mu.Lock()
	t.intercept = ic.Intercept
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.intercept = ""
		t.mu.Unlock()
	}()
	served := make(chan error, 1)
	go func() {
		select {
		case id := <-t.blocked:
			headers := make([]any, 0, len(page.Headers))
			for _, k := range slices.Sorted(mapKeys(page.Headers)) {
				headers = append(headers, map[string]any{"name": k, "value": map[string]string{"type": "string", "value": page.Headers[k]}})
			}
			served <- t.call(ctx, "network.provideResponse", map[string]any{
				"request": id, "statusCode": 200, "reasonPhrase": "OK", "headers": headers,
				"body": map[string]string{"type": "base64", "value": base64.StdEncoding.EncodeToString(page.Body)},
			}, nil)
		case <-ctx.Done():
			served <- ctx.Err()
		}
	}()
	navErr := t.call(ctx, "browsingContext.navigate", map[string]any{"context": t.context, "url": page.URL, "wait": "complete"}, nil)
	if navErr != nil {
		return fmt.Errorf("loading page %s: %w", page.URL, navErr)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serving page %s: %w", page.URL, err)
	}
	// Interception off before the request under test, so that it goes to
	// the network untouched.
	if err := t.call(ctx, "network.removeIntercept", map[string]any{"intercept": ic.Intercept}, nil); err != nil {
		return fmt.Errorf("disabling page interception: %w", err)
	}
	return nil
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (t *firefoxTab) SetCookies(ctx context.Context, rawURL string, cookies map[string]string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("setting cookies: %w", err)
	}
	for _, name := range slices.Sorted(mapKeys(cookies)) {
		if err := t.call(ctx, "storage.setCookie", map[string]any{
			"cookie": map[string]any{
				"name": name, "value": map[string]string{"type": "string", "value": cookies[name]},
				"domain": u.Hostname(), "path": "/", "secure": true, "httpOnly": false, "sameSite": "none",
			},
			"partition": map[string]string{"type": "storageKey", "userContext": t.userContext},
		}, nil); err != nil {
			return fmt.Errorf("setting cookies: %w", err)
		}
	}
	return nil
}

func (t *firefoxTab) Eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Type   string `json:"type"`
		Realm  string `json:"realm"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	// The page's value comes back as JSON text: BiDi's own serialisation
	// of objects is typed and nested, and the caller wants plain JSON.
	wrapped := "(async () => JSON.stringify(await (" + expr + ")))()"
	if err := t.call(ctx, "script.evaluate", map[string]any{
		"expression": wrapped, "target": map[string]string{"context": t.context},
		"awaitPromise": true, "resultOwnership": "none",
	}, &res); err != nil {
		return err
	}
	if res.Type == "success" {
		t.mu.Lock()
		t.realm = res.Realm
		t.mu.Unlock()
	}
	if res.Type == "exception" {
		return fmt.Errorf("evaluating script: %s", res.ExceptionDetails.Text)
	}
	if res.Result.Type != "string" {
		return jsonValue("null").decode(out)
	}
	var text string
	if err := json.Unmarshal(res.Result.Value, &text); err != nil {
		return fmt.Errorf("evaluating script: %w", err)
	}
	return jsonValue(text).decode(out)
}

// Reset implements Tab: Firefox offers no way over BiDi to clear a user
// context's CORS preflight cache, so a used tab is never reused; every
// case gets a fresh user context.
func (t *firefoxTab) Reset(context.Context) (bool, error) { return false, nil }

func (t *firefoxTab) Close() {
	if t.stop != nil {
		t.stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if t.context != "" {
		_ = t.call(ctx, "browsingContext.close", map[string]any{"context": t.context}, nil)
	}
	if t.userContext != "" {
		_ = t.call(ctx, "browser.removeUserContext", map[string]any{"userContext": t.userContext}, nil)
	}
}

// BiDi event parameters, the fields corsproof reads.
type (
	bidiHeader struct {
		Name  string `json:"name"`
		Value struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"value"`
	}
	bidiRequestData struct {
		Request string       `json:"request"`
		URL     string       `json:"url"`
		Method  string       `json:"method"`
		Headers []bidiHeader `json:"headers"`
	}
	bidiResponseData struct {
		URL        string       `json:"url"`
		Status     int64        `json:"status"`
		StatusText string       `json:"statusText"`
		FromCache  bool         `json:"fromCache"`
		Headers    []bidiHeader `json:"headers"`
	}
	bidiNetworkEvent struct {
		Navigation    *string          `json:"navigation"`
		RedirectCount int              `json:"redirectCount"`
		Request       bidiRequestData  `json:"request"`
		Response      bidiResponseData `json:"response"`
		Timestamp     float64          `json:"timestamp"`
		IsBlocked     bool             `json:"isBlocked"`
		Intercepts    []string         `json:"intercepts"`
		ErrorText     string           `json:"errorText"`
	}
	bidiLogEntry struct {
		Level string `json:"level"`
		Text  string `json:"text"`
		Type  string `json:"type"`
	}
)

// bidiHeaders turns BiDi's header list into a map; a name listed twice
// keeps both values joined with "\n", as Chromium's ExtraInfo has them
// (Firefox itself already merges most duplicates into "a, b").
func bidiHeaders(hs []bidiHeader) network.Headers {
	m := network.Headers{}
	for _, h := range hs {
		v := h.Value.Value
		if h.Value.Type == "base64" {
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				v = string(b)
			}
		}
		if old, ok := m[h.Name]; ok {
			v = fmt.Sprint(old) + "\n" + v
		}
		m[h.Name] = v
	}
	return m
}

func hasHeader(hs []bidiHeader, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// event translates one BiDi event of the tab's browsing context into the
// CDP event the capture understands, on the client's reading goroutine;
// the event as it came goes to the sink first, for the debug log.
func (t *firefoxTab) event(method string, params json.RawMessage, raw []byte) {
	if method == "script.realmDestroyed" {
		// corsproof navigates a loaded page only to load another (a step
		// at another origin), and Load forgets the old realm first, so a
		// realm of ours ends otherwise only when the content process
		// holding it dies (killed, out of
		// memory, a crash). BiDi has no crash event: measured on ESR 153
		// and 140 with kill -9 of the page's process mid-request, the
		// realm is destroyed at once, the tab goes to about:blank, no
		// network event ends the request, and the pending script.evaluate
		// is re-run in the new about:blank realm.
		var e struct {
			Realm string `json:"realm"`
		}
		if json.Unmarshal(params, &e) != nil {
			return
		}
		t.mu.Lock()
		gone := e.Realm != "" && e.Realm == t.realm
		if gone {
			t.realm = ""
		}
		t.mu.Unlock()
		if gone {
			// Every tab hears of every realm's end; only its page's is
			// the case's.
			t.logged(false, method, raw)
			t.c.pageCrashed.Store(true)
			t.sink(pageProcessGone{})
		}
		return
	}
	t.logged(false, method, raw)
	if method == "log.entryAdded" {
		var e bidiLogEntry
		if json.Unmarshal(params, &e) == nil {
			t.sink(&cdplog.EventEntryAdded{Entry: &cdplog.Entry{Source: cdplog.EntrySourceOther, Level: cdplog.EntryLevel(e.Level), Text: e.Text}})
		}
		return
	}
	var e bidiNetworkEvent
	if json.Unmarshal(params, &e) != nil {
		return
	}
	id := network.RequestID(e.Request.Request)
	ts := cdp.MonotonicTime(e.Timestamp / 1000)
	t.mu.Lock()
	r := t.reqs[e.Request.Request]
	if r == nil {
		r = &bidiRequest{}
		t.reqs[e.Request.Request] = r
	}
	intercept := t.intercept
	failed := r.failed
	t.mu.Unlock()
	if failed {
		return // the debug log has it; the request ended at its fetchError
	}
	switch method {
	case "network.beforeRequestSent":
		if e.IsBlocked && intercept != "" && slices.Contains(e.Intercepts, intercept) {
			select {
			case t.blocked <- e.Request.Request:
			default:
			}
		}
		ev := &network.EventRequestWillBeSent{
			RequestID: id, Timestamp: ts,
			Request:   &network.Request{URL: e.Request.URL, Method: e.Request.Method, Headers: bidiHeaders(e.Request.Headers)},
			Initiator: &network.Initiator{Type: network.InitiatorTypeScript},
			Type:      network.ResourceTypeFetch,
		}
		switch {
		case !strings.HasPrefix(e.Request.URL, "http:") && !strings.HasPrefix(e.Request.URL, "https:"):
			// data: (the page's empty favicon), blob: and the like reach
			// no host and are not the request under test.
			ev.Type = network.ResourceTypeOther
			ev.Initiator.Type = network.InitiatorTypeOther
		case e.Navigation != nil:
			ev.Type = network.ResourceTypeDocument
			ev.Initiator.Type = network.InitiatorTypeOther
		case e.Request.Method == "OPTIONS" && hasHeader(e.Request.Headers, "Access-Control-Request-Method"):
			// Firefox says "other" for a preflight's initiator; an OPTIONS
			// request asking Access-Control-Request-Method is one by the
			// Fetch standard's definition.
			ev.Type = network.ResourceTypeOther
			ev.Initiator.Type = network.InitiatorTypePreflight
		}
		if e.RedirectCount > 0 {
			t.mu.Lock()
			ev.RedirectResponse, r.redirect = r.redirect, nil
			t.mu.Unlock()
		}
		t.sink(ev)
	case "network.responseStarted":
		resp := bidiResponse(e.Response)
		if isRedirect(e.Response) {
			// Held until the next hop or the failure says what it was.
			t.mu.Lock()
			r.started = resp
			t.mu.Unlock()
			return
		}
		// Headers are in: a stream that never ends is answered now.
		t.sink(&network.EventResponseReceived{RequestID: id, Timestamp: ts, Response: resp})
	case "network.responseCompleted":
		resp := bidiResponse(e.Response)
		t.mu.Lock()
		r.started = nil
		t.mu.Unlock()
		if isRedirect(e.Response) {
			// A redirect: the next hop's beforeRequestSent carries it, as
			// CDP's redirectResponse does.
			t.mu.Lock()
			r.redirect = resp
			t.mu.Unlock()
			return
		}
		t.sink(&network.EventResponseReceived{RequestID: id, Timestamp: ts, Response: resp})
		t.sink(&network.EventLoadingFinished{RequestID: id, Timestamp: ts})
	case "network.fetchError":
		t.mu.Lock()
		started := r.started
		r.started = nil
		r.failed = true
		t.mu.Unlock()
		if started != nil {
			t.sink(&network.EventResponseReceived{RequestID: id, Timestamp: ts, Response: started})
		}
		t.sink(&network.EventLoadingFailed{RequestID: id, Timestamp: ts, ErrorText: e.ErrorText})
	}
}

func bidiResponse(r bidiResponseData) *network.Response {
	return &network.Response{
		URL: r.URL, Status: r.Status, StatusText: r.StatusText,
		Headers: bidiHeaders(r.Headers), FromDiskCache: r.FromCache,
	}
}

func isRedirect(r bidiResponseData) bool {
	return r.Status >= 300 && r.Status < 400 && hasHeader(r.Headers, "Location")
}
