package harness

import (
	"context"

	"github.com/corsproof/corsproof/pages"
)

// Driver is a CDP client library the harness speaks through. Every driver
// delivers the same protocol events (as cdproto types) to the capture, so
// records do not depend on the library. Drivers do not start browsers: the
// launcher (launch.go) does, the same way for each.
type Driver interface {
	// Name is the driver's name on the command line (chromedp, rod).
	Name() string
	// Transport is how a browser corsproof launches must offer the
	// DevTools protocol to this driver.
	Transport() Transport
	// Connect connects to the browser at ep and waits until it answers.
	Connect(ctx context.Context, ep Endpoint) (Conn, error)
}

// Endpoint is where a driver reaches a browser's DevTools protocol.
type Endpoint struct {
	// URL is a DevTools address: the ws://… a launched browser printed
	// (TransportPort), or the ws://… or http://host:port of a running
	// browser corsproof connects to.
	URL string
	// Pipe is a launched browser's DevTools pipe (TransportPipe).
	Pipe *Pipe
	// Launched is true for a browser corsproof started: closing the
	// connection then asks the browser to exit.
	Launched bool
}

// Conn is a connection to one browser.
type Conn interface {
	// Product is the browser's own product string (HeadlessChrome/156…).
	Product() string
	// NewTab prepares a tab in a new browser context configured by opts;
	// nothing is created until Open. sink receives every protocol event of
	// the tab, on the driver's reading goroutine: it must be quick and
	// must not block.
	NewTab(sink func(ev any), opts TabOptions) Tab
	// Ping makes one cheap DevTools call, to tell a browser that answers
	// from one that died or hangs; ctx bounds it.
	Ping(ctx context.Context) error
	// Close disconnects. For a launched browser it first asks the
	// browser to exit (Browser.close) and returns an error when it could
	// not ask; the launcher then waits for the process to end.
	Close() error
}

// TabOptions configure the browser context of one tab.
type TabOptions struct {
	// Proxy, when set, is the host:port of an HTTP proxy on loopback that
	// every request of the context goes to, loopback targets included:
	// --try-fix's mirror (mirror.Front). Chromium takes it per browser
	// context (Target.createBrowserContext proxyServer), so the rest of
	// the browser keeps connecting directly. Empty means the browser's own
	// settings.
	Proxy string
}

// ContextProxyBypass is the bypass list of a context with a Proxy:
// "<-loopback>" removes the loopback bypass Chromium applies to every
// proxy (measured, 156: without it a request to 127.0.0.1 or localhost
// goes direct, around the proxy), and nothing else bypasses it.
const ContextProxyBypass = "<-loopback>"

// Tab is one page in its own browser context.
type Tab interface {
	// Open creates the browser context and the tab and enables the
	// Network, Log, Runtime, Page and Audits domains.
	Open(ctx context.Context) error
	// Grant grants permissions to an origin in the tab's browser context.
	// Names a browser does not know are ignored.
	Grant(ctx context.Context, origin string, names []string)
	// Load navigates to the page's URL and answers that one document
	// request itself; interception is off again when Load returns, so the
	// request under test goes to the network untouched.
	Load(ctx context.Context, page *pages.Page) error
	// SetCookies puts cookies for url in the tab's browser context
	// (SameSite=None, Secure, Path=/), as a logged-in user's browser
	// holds them; the browser decides whether a request carries them.
	SetCookies(ctx context.Context, url string, cookies map[string]string) error
	// Eval evaluates a JavaScript expression, awaits a promise it returns,
	// and decodes the value into out.
	Eval(ctx context.Context, expr string, out any) error
	// Reset clears the HTTP cache (and with it the preflight cache) and the
	// cookies of the browser context, and reports whether it is verifiably
	// clean afterwards.
	Reset(ctx context.Context) (bool, error)
	// Close closes the tab and disposes of its browser context.
	Close()
}

// Drivers lists the drivers by name.
var Drivers = map[string]Driver{
	"chromedp": Chromedp{},
	"rod":      Rod{},
}
