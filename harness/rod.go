package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-rod/rod"
	rodcdp "github.com/go-rod/rod/lib/cdp"
	"github.com/go-rod/rod/lib/proto"

	"github.com/corsproof/corsproof/pages"
)

// Rod is the second driver, github.com/go-rod/rod. It speaks to the browser
// through rod's own WebSocket client and protocol types, so a record that
// comes out the same through both drivers does not depend on the library.
//
// It uses rod.Browser for the connection and the browser-level calls, but
// not rod.Page: a rod.Page emulates a device by default (which rewrites
// User-Agent and Accept-Language and drops sec-ch-ua*, changing the request
// under test), is cached by the browser for its whole life, and has every
// call's parameters recorded per session, which grows with every case. Tab
// calls go over the page's session with rod's proto types instead.
type Rod struct{}

// Name implements Driver.
func (Rod) Name() string { return "rod" }

// rodCloseTimeout bounds the close of a tab.
const rodCloseTimeout = 5 * time.Second

// Transport implements Driver: rod's client speaks WebSocket only, so a
// launched browser listens on a free port on 127.0.0.1. The launcher, not
// rod's own, starts it: rod's would add flags of its own (one disables
// site isolation, which changes the process model) and put its "leakless"
// helper between us and the browser.
func (Rod) Transport() Transport { return TransportPort }

// Connect implements Driver.
func (Rod) Connect(ctx context.Context, ep Endpoint) (Conn, error) {
	if ep.URL == "" {
		return nil, fmt.Errorf("connecting rod: the browser must offer a DevTools address")
	}
	c := &rodConn{launched: ep.Launched}
	wsURL := ep.URL
	if !strings.HasPrefix(wsURL, "ws://") && !strings.HasPrefix(wsURL, "wss://") {
		u, err := resolveDevTools(ctx, ep.URL)
		if err != nil {
			return nil, err
		}
		wsURL = u
	}
	c.wsURL = wsURL
	if err := c.connect(ctx, wsURL); err != nil {
		c.abort()
		return nil, err
	}
	version, err := proto.BrowserGetVersion{}.Call(c.browser.Context(ctx))
	if err != nil {
		c.abort()
		return nil, fmt.Errorf("asking the browser for its version: %w", err)
	}
	c.product = version.Product
	return c, nil
}

// resolveDevTools asks a browser's HTTP endpoint (http://host:port) for
// its WebSocket address, as chromedp's remote allocator does.
func resolveDevTools(ctx context.Context, endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("reading DevTools address %q: want ws://… or http://host:port", endpoint)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("reading DevTools address %q: scheme %q is not ws, wss, http or https", endpoint, u.Scheme)
	}
	u.Path, u.RawQuery, u.Fragment = "/json/version", "", ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("asking %s for its DevTools address: %w", endpoint, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("asking %s for its DevTools address: %w", endpoint, err)
	}
	defer res.Body.Close()
	var v struct {
		URL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return "", fmt.Errorf("asking %s for its DevTools address: %s: %w", endpoint, res.Status, err)
	}
	if v.URL == "" {
		return "", fmt.Errorf("asking %s for its DevTools address: no webSocketDebuggerUrl in its answer", endpoint)
	}
	return v.URL, nil
}

type rodConn struct {
	browser *rod.Browser
	tee     *rodTee
	// launched is true for a browser corsproof started, which Close asks
	// to exit; a remote one is only disconnected from.
	launched bool
	wsURL    string
	product  string
	closed   sync.Once
	err      error
}

func (c *rodConn) connect(ctx context.Context, wsURL string) error {
	ws := &rodcdp.WebSocket{}
	if err := ws.Connect(ctx, wsURL, nil); err != nil {
		return fmt.Errorf("connecting to %s: %w", wsURL, err)
	}
	c.tee = newRodTee(ws)
	// Every setting rod would otherwise take from its "rod" environment
	// variable (monitor, trace, slow motion, device) is fixed here, so the
	// environment cannot change what the browser does.
	c.browser = rod.New().ControlURL("").Client(c.tee).NoDefaultDevice().
		Monitor("").Trace(false).SlowMotion(0).Context(context.Background())
	// Connect ties rod's event hub to the browser's context, which must
	// outlive ctx, so ctx is applied from outside.
	if _, err := within(ctx, func() (struct{}, error) { return struct{}{}, c.browser.Connect() }); err != nil {
		return fmt.Errorf("connecting to %s: %w", wsURL, err)
	}
	return nil
}

// abort drops a connection that never worked. A launched browser is the
// launcher's to stop.
func (c *rodConn) abort() {
	c.closed.Do(func() {
		if c.tee != nil {
			_ = c.tee.ws.Close()
		}
	})
}

func (c *rodConn) Product() string { return c.product }

// Close asks a launched browser to exit and disconnects; a remote browser
// is only disconnected from.
func (c *rodConn) Close() error {
	c.closed.Do(func() { c.err = c.close() })
	return c.err
}

func (c *rodConn) close() error {
	var err error
	if c.launched {
		// Browser.close is the clean way out: a killed Chromium leaves
		// its org.chromium.Chromium.* folder behind in $TMPDIR. Chromium
		// answers before it drops the connection (measured: 156).
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		if cerr := (proto.BrowserClose{}).Call(c.browser.Context(ctx)); cerr != nil {
			err = fmt.Errorf("asking the browser to close: %w", cerr)
		}
		cancel()
	}
	_ = c.tee.ws.Close()
	return err
}

func (c *rodConn) NewTab(sink func(ev any), opts TabOptions) Tab {
	return &rodTab{
		conn:   c,
		opts:   opts,
		sink:   sink,
		paused: make(chan *fetch.EventRequestPaused, 4),
		loads:  map[cdp.LoaderID]bool{},
		loaded: make(chan struct{}, 1),
	}
}

// rodTee stands between rod's CDP client and rod.Browser: on the client's
// reading goroutine it hands each event of a tab's session to that tab,
// decoded into cdproto types exactly as the chromedp driver decodes them,
// in arrival order and before rod sees it.
type rodTee struct {
	*rodcdp.Client
	ws  *rodcdp.WebSocket
	out chan *rodcdp.Event

	mu       sync.Mutex
	targets  map[proto.TargetTargetID]func(ev any)
	sessions map[proto.TargetSessionID]func(ev any)
}

func newRodTee(ws *rodcdp.WebSocket) *rodTee {
	t := &rodTee{
		Client:   rodcdp.New().Start(ws),
		ws:       ws,
		out:      make(chan *rodcdp.Event),
		targets:  map[proto.TargetTargetID]func(ev any){},
		sessions: map[proto.TargetSessionID]func(ev any){},
	}
	go t.run()
	return t
}

// Event implements rod.CDPClient: rod reads the events after the tee.
func (t *rodTee) Event() <-chan *rodcdp.Event { return t.out }

func (t *rodTee) run() {
	defer close(t.out)
	for e := range t.Client.Event() {
		t.dispatch(e)
		// rod.Browser drains this channel into an unbounded queue, so
		// the send does not hold up the reader for long.
		t.out <- e
	}
}

// watch registers the handler of a target before it is attached to, so
// that no event of its session is missed.
func (t *rodTee) watch(id proto.TargetTargetID, h func(ev any)) {
	t.mu.Lock()
	t.targets[id] = h
	t.mu.Unlock()
}

// attached maps a session to its target's handler; the attachedToTarget
// event usually does it first.
func (t *rodTee) attached(id proto.TargetTargetID, sid proto.TargetSessionID) {
	t.mu.Lock()
	if h, ok := t.targets[id]; ok {
		t.sessions[sid] = h
	}
	t.mu.Unlock()
}

func (t *rodTee) forget(id proto.TargetTargetID, sid proto.TargetSessionID) {
	t.mu.Lock()
	delete(t.targets, id)
	delete(t.sessions, sid)
	t.mu.Unlock()
}

func (t *rodTee) dispatch(e *rodcdp.Event) {
	if e.SessionID == "" {
		switch e.Method {
		case (&proto.TargetAttachedToTarget{}).ProtoEvent():
			var a proto.TargetAttachedToTarget
			if json.Unmarshal(e.Params, &a) == nil && a.TargetInfo != nil {
				t.attached(a.TargetInfo.TargetID, a.SessionID)
			}
		case (&proto.TargetDetachedFromTarget{}).ProtoEvent():
			var d proto.TargetDetachedFromTarget
			if json.Unmarshal(e.Params, &d) == nil {
				t.mu.Lock()
				delete(t.sessions, d.SessionID)
				t.mu.Unlock()
			}
		}
		return
	}
	t.mu.Lock()
	h := t.sessions[proto.TargetSessionID(e.SessionID)]
	t.mu.Unlock()
	if h == nil {
		return
	}
	ev, err := cdproto.UnmarshalMessage(&cdproto.Message{
		Method: cdproto.MethodType(e.Method),
		Params: jsonv2.Value(e.Params),
	}, chromedp.DefaultUnmarshalOptions)
	if err != nil {
		// An event cdproto does not know carries nothing the capture
		// reads; chromedp drops those too.
		return
	}
	h(ev)
}

// rodSession sends commands over one page session with rod's proto types.
// It talks to the CDP client directly, bypassing rod.Browser.Call, which
// would keep every call's parameters for the life of the browser.
type rodSession struct {
	client proto.Client
	id     proto.TargetSessionID
	ctx    context.Context
}

func (s rodSession) Call(ctx context.Context, sessionID, method string, params any) ([]byte, error) {
	return s.client.Call(ctx, sessionID, method, params)
}

func (s rodSession) GetSessionID() proto.TargetSessionID { return s.id }

func (s rodSession) GetContext() context.Context { return s.ctx }

func (s rodSession) with(ctx context.Context) rodSession {
	s.ctx = ctx
	return s
}

type rodTab struct {
	conn   *rodConn
	opts   TabOptions
	sink   func(ev any)
	paused chan *fetch.EventRequestPaused

	bcid     proto.BrowserBrowserContextID
	targetID proto.TargetTargetID
	sess     rodSession

	// loads holds the loaders whose main frame fired its load event.
	mu     sync.Mutex
	loads  map[cdp.LoaderID]bool
	loaded chan struct{}
}

// handle runs on the CDP client's reading goroutine: it keeps what Load
// waits for and passes everything else on, as the chromedp driver does.
func (t *rodTab) handle(ev any) {
	switch e := ev.(type) {
	case *fetch.EventRequestPaused:
		select {
		case t.paused <- e:
		default:
			// Only the page document is paused, once per load; a full
			// buffer means a stray navigation, which the load's own time
			// limit reports.
		}
		return
	case *page.EventLifecycleEvent:
		if e.Name == "load" && string(e.FrameID) == string(t.targetID) {
			t.mu.Lock()
			t.loads[e.LoaderID] = true
			t.mu.Unlock()
			select {
			case t.loaded <- struct{}{}:
			default:
			}
		}
	}
	t.sink(ev)
}

func (t *rodTab) browser(ctx context.Context) *rod.Browser { return t.conn.browser.Context(ctx) }

// Open creates the browser context and the tab as chromedp's
// WithNewBrowserContext does (disposed of on detach, in a window of its
// own) and enables the domains the capture needs.
func (t *rodTab) Open(ctx context.Context) error {
	params := proto.TargetCreateBrowserContext{DisposeOnDetach: true}
	if t.opts.Proxy != "" {
		params.ProxyServer, params.ProxyBypassList = "http://"+t.opts.Proxy, ContextProxyBypass
	}
	bc, err := params.Call(t.browser(ctx))
	if err != nil {
		return fmt.Errorf("creating browser context: %w", err)
	}
	t.bcid = bc.BrowserContextID
	target, err := proto.TargetCreateTarget{URL: "about:blank", BrowserContextID: t.bcid, NewWindow: true}.Call(t.browser(ctx))
	if err != nil {
		return fmt.Errorf("creating tab: %w", err)
	}
	t.targetID = target.TargetID
	t.conn.tee.watch(t.targetID, t.handle)
	session, err := proto.TargetAttachToTarget{TargetID: t.targetID, Flatten: true}.Call(t.browser(ctx))
	if err != nil {
		return fmt.Errorf("attaching to tab: %w", err)
	}
	t.conn.tee.attached(t.targetID, session.SessionID)
	t.sess = rodSession{client: t.conn.tee, id: session.SessionID, ctx: context.Background()}
	steps := []struct {
		name string
		call func(c proto.Client) error
	}{
		{"runtime", proto.RuntimeEnable{}.Call},
		{"log", proto.LogEnable{}.Call},
		{"network", proto.NetworkEnable{}.Call},
		{"page", proto.PageEnable{}.Call},
		{"page lifecycle events", proto.PageSetLifecycleEventsEnabled{Enabled: true}.Call},
		{"audits", proto.AuditsEnable{}.Call},
	}
	for _, s := range steps {
		if err := s.call(t.sess.with(ctx)); err != nil {
			return fmt.Errorf("enabling %s: %w", s.name, err)
		}
	}
	return nil
}

func (t *rodTab) Grant(ctx context.Context, origin string, names []string) {
	for _, name := range names {
		// A browser that does not know the permission says so; there is
		// nothing to grant then, as with the chromedp driver.
		_ = proto.BrowserSetPermission{
			Permission:       &proto.BrowserPermissionDescriptor{Name: name},
			Setting:          proto.BrowserPermissionSettingGranted,
			Origin:           origin,
			BrowserContextID: t.bcid,
		}.Call(t.browser(ctx))
	}
}

func (t *rodTab) Load(ctx context.Context, pg *pages.Page) error {
	s := t.sess.with(ctx)
	if err := (proto.FetchEnable{Patterns: []*proto.FetchRequestPattern{{
		URLPattern:   pg.URL,
		ResourceType: proto.NetworkResourceTypeDocument,
		RequestStage: proto.FetchRequestStageRequest,
	}}}).Call(s); err != nil {
		return fmt.Errorf("enabling page interception: %w", err)
	}
	t.mu.Lock()
	clear(t.loads)
	t.mu.Unlock()
	// A request paused for an earlier load that gave up is stale now.
	select {
	case <-t.paused:
	default:
	}
	served := make(chan error, 1)
	go func() {
		select {
		case p := <-t.paused:
			served <- proto.FetchFulfillRequest{
				RequestID: proto.FetchRequestID(p.RequestID), ResponseCode: 200,
				ResponseHeaders: rodHeaderEntries(pg.Headers), Body: pg.Body,
			}.Call(s)
		case <-ctx.Done():
			served <- ctx.Err()
		}
	}()
	nav, err := proto.PageNavigate{URL: pg.URL}.Call(s)
	if err != nil {
		return fmt.Errorf("loading page %s: %w", pg.URL, err)
	}
	if nav.ErrorText != "" {
		return fmt.Errorf("loading page %s: %s", pg.URL, nav.ErrorText)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serving page %s: %w", pg.URL, err)
	}
	if err := t.waitLoad(ctx, cdp.LoaderID(nav.LoaderID)); err != nil {
		return fmt.Errorf("loading page %s: %w", pg.URL, err)
	}
	if err := (proto.FetchDisable{}).Call(s); err != nil {
		return fmt.Errorf("disabling page interception: %w", err)
	}
	return nil
}

// waitLoad waits for the load event of the navigation's own loader, which
// may have come before Page.navigate answered.
func (t *rodTab) waitLoad(ctx context.Context, loader cdp.LoaderID) error {
	for {
		t.mu.Lock()
		done := t.loads[loader]
		t.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-t.loaded:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func rodHeaderEntries(h map[string]string) []*proto.FetchHeaderEntry {
	out := make([]*proto.FetchHeaderEntry, 0, len(h))
	for k, v := range h {
		out = append(out, &proto.FetchHeaderEntry{Name: k, Value: v})
	}
	return out
}

// rodEvalResult is Runtime.evaluate's answer with the value kept as raw
// JSON; rod's own result type would re-encode it.
type rodEvalResult struct {
	Result struct {
		Value jsonValue `json:"value"`
	} `json:"result"`
	ExceptionDetails *struct {
		Text      string `json:"text"`
		Exception *struct {
			Description string `json:"description"`
		} `json:"exception"`
	} `json:"exceptionDetails"`
}

func (t *rodTab) Eval(ctx context.Context, expr string, out any) error {
	raw, err := t.sess.Call(ctx, string(t.sess.id), proto.RuntimeEvaluate{}.ProtoReq(), proto.RuntimeEvaluate{
		Expression: expr, AwaitPromise: true, ReturnByValue: true,
	})
	if err != nil {
		return err
	}
	var res rodEvalResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("reading evaluation result: %w", err)
	}
	if d := res.ExceptionDetails; d != nil {
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		return fmt.Errorf("exception %q", msg)
	}
	if len(res.Result.Value) == 0 {
		// undefined has no value; decode it as null, as chromedp does.
		res.Result.Value = jsonValue("null")
	}
	return res.Result.Value.decode(out)
}

func (t *rodTab) SetCookies(ctx context.Context, url string, cookies map[string]string) error {
	params := proto.NetworkSetCookies{}
	for name, value := range cookies {
		params.Cookies = append(params.Cookies, &proto.NetworkCookieParam{
			Name: name, Value: value, URL: url, Path: "/", Secure: true, SameSite: proto.NetworkCookieSameSiteNone,
		})
	}
	if err := params.Call(t.sess.with(ctx)); err != nil {
		return fmt.Errorf("setting cookies: %w", err)
	}
	return nil
}

func (t *rodTab) Reset(ctx context.Context) (bool, error) {
	s := t.sess.with(ctx)
	// The preflight cache lives with the HTTP cache: clearing it makes the
	// next request send a new preflight (measured in Chromium 150 and 156).
	if err := (proto.NetworkClearBrowserCache{}).Call(s); err != nil {
		return false, fmt.Errorf("clearing cache: %w", err)
	}
	if err := (proto.NetworkClearBrowserCookies{}).Call(s); err != nil {
		return false, fmt.Errorf("clearing cookies: %w", err)
	}
	left, err := proto.StorageGetCookies{BrowserContextID: t.bcid}.Call(t.browser(ctx))
	if err != nil {
		return false, fmt.Errorf("checking cookies: %w", err)
	}
	return len(left.Cookies) == 0, nil
}

// Close detaches, closes the tab and disposes of its browser context, as
// chromedp does when a WithNewBrowserContext context is cancelled.
func (t *rodTab) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), rodCloseTimeout)
	defer cancel()
	b := t.browser(ctx)
	if t.sess.id != "" {
		_ = proto.TargetDetachFromTarget{SessionID: t.sess.id}.Call(b)
	}
	if t.targetID != "" {
		_, _ = proto.TargetCloseTarget{TargetID: t.targetID}.Call(b)
		t.conn.tee.forget(t.targetID, t.sess.id)
	}
	if t.bcid != "" {
		_ = proto.TargetDisposeBrowserContext{BrowserContextID: t.bcid}.Call(b)
	}
}
