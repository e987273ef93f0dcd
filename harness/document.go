package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/corsproof/corsproof/pages"
)

// OpenDocument loads a page whose document the caller wrote (a proof of
// concept, say) at its origin, in a browser context of its own with cookies
// for cookieURL in the jar as a logged-in user's browser holds them, then
// evaluates expr there, awaits the promise it returns and decodes the value
// into out. The page's own requests go to the network untouched, as a case's
// do; their verdict is the page's business, read through expr.
func (b *Browser) OpenDocument(ctx context.Context, page *pages.Page, cookieURL string, cookies map[string]string, expr string, out any) error {
	s := b.newSession()
	defer s.close()
	setup, cancel := context.WithTimeout(ctx, b.opts.Timeout+10*time.Second)
	defer cancel()
	// The page's script may make its request as it loads: the jar is
	// filled before.
	if err := s.start(setup); err != nil {
		return err
	}
	if len(cookies) > 0 {
		if err := s.tab.SetCookies(setup, cookieURL, cookies); err != nil {
			return err
		}
	}
	if err := s.openPage(setup, page); err != nil {
		return fmt.Errorf("opening page at %s: %w", page.Origin, err)
	}
	run, stop := context.WithTimeout(ctx, b.opts.Timeout)
	defer stop()
	if err := s.tab.Eval(run, expr, out); err != nil {
		return fmt.Errorf("evaluating %s at %s: %w", expr, page.Origin, err)
	}
	return nil
}
