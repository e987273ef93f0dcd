package harness

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/corsproof/corsproof/result"
)

// Isolation says how cases are kept from seeing each other's state.
type Isolation string

// Isolation modes. Both give every case an empty preflight cache, HTTP
// cache and cookie jar; they differ in cost.
const (
	// IsolationFresh gives every case a new browser context, as a
	// Playwright newContext() per test does.
	IsolationFresh Isolation = "fresh"
	// IsolationClean reuses a browser context after clearing what can carry
	// over between cases (HTTP cache, which holds the preflight cache, and
	// cookies) and checking that the cookie jar is empty. A context is
	// retired, not reused, after a time-out, a harness error, or a response
	// whose headers leave state that clearing does not reach (HSTS,
	// Alt-Svc, client hints, reporting endpoints).
	IsolationClean Isolation = "clean"
)

// maxUses bounds how many cases one context serves, so that nothing the
// browser keeps per context grows without limit over a long run.
const maxUses = 250

// session is one tab in its own browser context.
type session struct {
	b       *Browser
	ctx     context.Context
	cancel  context.CancelFunc
	col     atomic.Pointer[collector]
	granted map[string]bool
	started bool
	dirty   bool
	uses    int
}

func (b *Browser) newSession() *session {
	s := &session{b: b, granted: map[string]bool{}}
	s.ctx, s.cancel = chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		if c := s.col.Load(); c != nil {
			c.handle(ev)
		}
	}))
	return s
}

// start creates the browser context and tab on first use.
func (s *session) start() error {
	if s.started {
		return nil
	}
	if err := chromedp.Do(s.ctx); err != nil {
		return fmt.Errorf("creating browser context: %w", err)
	}
	if _, err := chromedp.Call(s.ctx, audits.Enable, cdp.Empty{}); err != nil {
		return fmt.Errorf("enabling audits: %w", err)
	}
	s.started = true
	return nil
}

// reset makes a used session as good as new for the next case, or reports
// that it cannot be reused.
func (s *session) reset() (bool, error) {
	if !s.started || s.uses == 0 {
		return true, nil
	}
	if s.dirty || s.uses >= maxUses {
		return false, nil
	}
	s.col.Store(nil)
	// The preflight cache lives with the HTTP cache: clearing it makes the
	// next request send a new preflight (measured in Chromium 150 and 156).
	if _, err := chromedp.Call(s.ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		return false, fmt.Errorf("clearing cache: %w", err)
	}
	if _, err := chromedp.Call(s.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return false, fmt.Errorf("clearing cookies: %w", err)
	}
	left, err := chromedp.CallBrowser(s.ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(s.ctx).BrowserContextID})
	if err != nil {
		return false, fmt.Errorf("checking cookies: %w", err)
	}
	return len(left.Cookies) == 0, nil
}

func (s *session) close() {
	s.cancel()
}

// stateHeaders are response headers whose effect outlives the response and
// is not undone by clearing the cache and cookies.
var stateHeaders = []string{"strict-transport-security", "alt-svc", "accept-ch", "critical-ch", "nel", "report-to", "reporting-endpoints", "clear-site-data", "use-as-dictionary"}

// leavesState reports whether a case's responses may have changed the
// browser context in a way a reset cannot undo.
func leavesState(rec *result.Record) bool {
	exchanges := append([]result.Exchange{}, rec.Redirects...)
	if rec.Preflight != nil {
		exchanges = append(exchanges, *rec.Preflight)
	}
	if rec.Actual != nil {
		exchanges = append(exchanges, *rec.Actual)
	}
	for _, ex := range exchanges {
		for name := range ex.ResponseHeaders {
			for _, h := range stateHeaders {
				if strings.EqualFold(name, h) {
					return true
				}
			}
		}
	}
	return false
}
