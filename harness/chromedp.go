package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/chromedp/cdproto/audits"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/corsproof/corsproof/pages"
)

// Chromedp is the default driver, github.com/chromedp/chromedp.
type Chromedp struct{}

// Name implements Driver.
func (Chromedp) Name() string { return "chromedp" }

// Transport implements Driver: chromedp takes a pipe, so nothing listens
// on a port for the run's duration.
func (Chromedp) Transport() Transport { return TransportPipe }

// Connect implements Driver. chromedp talks to a launched browser over its
// pipe, and to a remote one over its WebSocket.
func (Chromedp) Connect(ctx context.Context, ep Endpoint) (Conn, error) {
	c := &chromedpConn{launched: ep.Launched}
	var allocCtx context.Context
	switch {
	case ep.Pipe != nil:
		allocCtx, c.allocCancel = chromedp.NewAllocatorContext(context.WithoutCancel(ctx), &pipeAllocator{pipe: ep.Pipe})
	case ep.URL != "" && !ep.Launched:
		allocCtx, c.allocCancel = remote.NewAllocator(context.WithoutCancel(ctx), ep.URL)
	default:
		return nil, fmt.Errorf("connecting chromedp: a launched browser must offer a pipe")
	}
	// chromedp logs protocol hiccups with the log package; corsproof's
	// errors come back through its own return values instead.
	quiet := func(string, ...any) {}
	c.ctx, c.cancel = chromedp.NewContext(allocCtx, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
	version, err := within(ctx, func() (cdpbrowser.GetVersionResult, error) {
		return chromedp.CallBrowser(c.ctx, cdpbrowser.GetVersion, cdp.Empty{})
	})
	if err != nil {
		c.cancel()
		c.allocCancel()
		return nil, err
	}
	c.product = version.Product
	if c.launched {
		c.closeInitialTab(ctx)
	}
	return c, nil
}

// pipeAllocator gives chromedp the pipe of a browser the launcher started:
// chromedp's ExecAllocator speaks over a pipe only to a process it starts
// itself, with a command line and clean-up of its own. It attaches
// (chromedp.Attacher) because the process is the launcher's: chromedp then
// neither closes the browser when its context ends nor waits for it.
type pipeAllocator struct {
	pipe *Pipe
	once sync.Once
}

func (a *pipeAllocator) Allocate(ctx context.Context, opts ...chromedp.BrowserOption) (*chromedp.Browser, error) {
	var b *chromedp.Browser
	err := errors.New("connecting chromedp: the browser's pipe is already in use")
	a.once.Do(func() {
		b, err = chromedp.NewBrowserTransport(ctx, chromedp.NewPipeConn(a.pipe.FromBrowser, a.pipe.ToBrowser), opts...)
	})
	return b, err
}

func (a *pipeAllocator) Wait() {}

func (a *pipeAllocator) Attaches() bool { return true }

// closeInitialTab closes the blank tab a launched browser opens with. Cases
// run in browser contexts of their own, so the tab is never used, but in
// full Chromium its window costs a renderer and an omnibox WebUI renderer
// (about 75 MB). A failure only costs that memory.
func (c *chromedpConn) closeInitialTab(ctx context.Context) {
	_, _ = within(ctx, func() (struct{}, error) {
		res, err := chromedp.CallBrowser(c.ctx, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			return struct{}{}, err
		}
		for _, ti := range res.TargetInfos {
			if ti.Type == "page" && ti.BrowserContextID != "" {
				_, _ = chromedp.CallBrowser(c.ctx, target.CloseTarget, target.CloseTargetParams{TargetID: ti.TargetID})
			}
		}
		return struct{}{}, nil
	})
}

type chromedpConn struct {
	ctx         context.Context // the browser's first chromedp context
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	product     string
	// launched is true for a browser corsproof started, which Close asks
	// to exit; a remote one is only disconnected from.
	launched bool
}

func (c *chromedpConn) Product() string { return c.product }

func (c *chromedpConn) Close() error {
	var err error
	if c.launched {
		// Browser.close is the clean way out: a killed Chromium leaves
		// its org.chromium.Chromium.* folder behind in $TMPDIR. Chromium
		// answers before it drops the pipe (measured: 156).
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		_, err = within(ctx, func() (cdp.Empty, error) {
			return chromedp.CallBrowser(c.ctx, cdpbrowser.Close, cdp.Empty{})
		})
		cancel()
		if err != nil {
			err = fmt.Errorf("asking the browser to close: %w", err)
		}
	}
	c.cancel()
	c.allocCancel()
	return err
}

func (c *chromedpConn) NewTab(sink func(ev any), opts TabOptions) Tab {
	t := &chromedpTab{paused: make(chan *fetch.EventRequestPaused, 4)}
	t.ctx, t.cancel = chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
		if opts.Proxy != "" {
			p.ProxyServer = "http://" + opts.Proxy
			p.ProxyBypassList = ContextProxyBypass
		}
	}), chromedp.WithListener(func(ev any) {
		if p, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case t.paused <- p:
			default:
				// Only the page document is paused, once per load; a
				// full buffer means a stray navigation, which the load's
				// own time limit reports.
			}
			return
		}
		sink(ev)
	}))
	return t
}

type chromedpTab struct {
	ctx    context.Context
	cancel context.CancelFunc
	paused chan *fetch.EventRequestPaused
}

// The chromedp context of a tab must not carry a deadline on its first use
// (the tab would die with it), so every call applies ctx from outside.
func (t *chromedpTab) Open(ctx context.Context) error {
	_, err := within(ctx, func() (struct{}, error) {
		if err := chromedp.Do(t.ctx); err != nil {
			return struct{}{}, fmt.Errorf("creating browser context: %w", err)
		}
		if _, err := chromedp.Call(t.ctx, audits.Enable, cdp.Empty{}); err != nil {
			return struct{}{}, fmt.Errorf("enabling audits: %w", err)
		}
		return struct{}{}, nil
	})
	return err
}

func (t *chromedpTab) Grant(ctx context.Context, origin string, names []string) {
	bcid := chromedp.FromContext(t.ctx).BrowserContextID
	for _, name := range names {
		_, _ = within(ctx, func() (cdp.Empty, error) {
			return chromedp.CallBrowser(t.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission:       &cdpbrowser.PermissionDescriptor{Name: name},
				Setting:          cdpbrowser.PermissionSettingGranted,
				Origin:           origin,
				BrowserContextID: bcid,
			})
		})
	}
}

func (t *chromedpTab) Load(ctx context.Context, page *pages.Page) error {
	_, err := within(ctx, func() (struct{}, error) { return struct{}{}, t.load(page) })
	return err
}

func (t *chromedpTab) load(page *pages.Page) error {
	if _, err := chromedp.Call(t.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
		URLPattern:   page.URL,
		ResourceType: network.ResourceTypeDocument,
		RequestStage: fetch.RequestStageRequest,
	}}}); err != nil {
		return fmt.Errorf("enabling page interception: %w", err)
	}
	served := make(chan error, 1)
	go func() {
		select {
		case p := <-t.paused:
			_, err := chromedp.Call(t.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: p.RequestID, ResponseCode: 200, ResponseHeaders: headerEntries(page.Headers), Body: page.Body,
			})
			served <- err
		case <-t.ctx.Done():
			served <- t.ctx.Err()
		}
	}()
	if err := chromedp.Do(t.ctx, chromedp.Navigate(page.URL)); err != nil {
		return fmt.Errorf("loading page %s: %w", page.URL, err)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serving page %s: %w", page.URL, err)
	}
	if _, err := chromedp.Call(t.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		return fmt.Errorf("disabling page interception: %w", err)
	}
	return nil
}

func headerEntries(h map[string]string) []*fetch.HeaderEntry {
	out := make([]*fetch.HeaderEntry, 0, len(h))
	for k, v := range h {
		out = append(out, &fetch.HeaderEntry{Name: k, Value: v})
	}
	return out
}

func (t *chromedpTab) Eval(ctx context.Context, expr string, out any) error {
	_, err := within(ctx, func() (struct{}, error) {
		raw, err := chromedp.Run(t.ctx, chromedp.Evaluate[jsonValue](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, raw.decode(out)
	})
	return err
}

func (t *chromedpTab) SetCookies(ctx context.Context, url string, cookies map[string]string) error {
	params := network.SetCookiesParams{}
	for name, value := range cookies {
		params.Cookies = append(params.Cookies, &network.CookieParam{
			Name: name, Value: value, URL: url, Path: "/", Secure: true, SameSite: network.CookieSameSiteNone,
		})
	}
	_, err := within(ctx, func() (cdp.Empty, error) { return chromedp.Call(t.ctx, network.SetCookies, params) })
	if err != nil {
		return fmt.Errorf("setting cookies: %w", err)
	}
	return nil
}

func (t *chromedpTab) Reset(ctx context.Context) (bool, error) {
	return within(ctx, func() (bool, error) {
		// The preflight cache lives with the HTTP cache: clearing it makes
		// the next request send a new preflight (measured in Chromium 150
		// and 156).
		// Both clears are sent at once (one round trip less; reset p50
		// 1.8–2.2 → 1.5–1.8 ms, measured on 156); the cookie check
		// follows both.
		cookies := make(chan error, 1)
		go func() {
			_, err := chromedp.Call(t.ctx, network.ClearBrowserCookies, cdp.Empty{})
			cookies <- err
		}()
		_, cacheErr := chromedp.Call(t.ctx, network.ClearBrowserCache, cdp.Empty{})
		cookieErr := <-cookies
		if cacheErr != nil {
			return false, fmt.Errorf("clearing cache: %w", cacheErr)
		}
		if cookieErr != nil {
			return false, fmt.Errorf("clearing cookies: %w", cookieErr)
		}
		left, err := chromedp.CallBrowser(t.ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(t.ctx).BrowserContextID})
		if err != nil {
			return false, fmt.Errorf("checking cookies: %w", err)
		}
		return len(left.Cookies) == 0, nil
	})
}

func (t *chromedpTab) Close() { t.cancel() }
