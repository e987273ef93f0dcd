package harness

import (
	"context"
	"errors"

	"github.com/chromedp/chromedp"
)

// ChromedpTab opens a tab of its own browser context in b, for a program
// or test that drives a page itself with chromedp (the corsproof ui test
// plays the user of the playground page with it). b must have been
// launched or connected with the chromedp driver. The cancel function
// closes the tab and its context; b stays up.
func (b *Browser) ChromedpTab() (context.Context, context.CancelFunc, error) {
	c, ok := b.conn.(*chromedpConn)
	if !ok {
		return nil, nil, errors.New("opening a chromedp tab: the browser uses the " + b.Driver() + " driver")
	}
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	return ctx, cancel, nil
}
