package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/chromedp"
	"github.com/go-rod/rod/lib/proto"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// A browser can die under a run (killed, out of memory, a crash) or stop
// answering (stopped, wedged). These are what the runner needs to notice
// it, get rid of it and start another: a health check with a short
// deadline of its own, a kill that leaves nothing behind, and the process
// id for tests that play the part of the fault.

// pingLimit bounds the health check. Chromium answers Browser.getVersion
// in about a millisecond, even while it runs cases; a second is plenty on
// a busy machine, and short next to a case's time-out.
const pingLimit = 2 * time.Second

// ErrBrowserGone is the health check's error for a browser that died or
// stopped answering.
var ErrBrowserGone = errors.New("the browser is gone")

// Alive checks that the browser answers over DevTools within a short
// deadline of its own, and, for one corsproof launched, that its process
// is still running. The error wraps ErrBrowserGone.
func (b *Browser) Alive(ctx context.Context) error {
	if b.proc != nil {
		select {
		case <-b.proc.exited:
			return fmt.Errorf("%w: its process exited (%v)", ErrBrowserGone, b.proc.exitErr)
		default:
		}
	}
	pctx, cancel := context.WithTimeout(ctx, pingLimit)
	defer cancel()
	err := b.conn.Ping(pctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if b.proc != nil {
		// A killed browser's pipe closes a moment before its exit is
		// seen: the exit says more than the closed connection.
		select {
		case <-b.proc.exited:
			return fmt.Errorf("%w: its process exited (%v)", ErrBrowserGone, b.proc.exitErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: it did not answer a DevTools call within %s", ErrBrowserGone, pingLimit)
	}
	return fmt.Errorf("%w: its DevTools connection failed (%v)", ErrBrowserGone, err)
}

// Kill ends a browser that is dead or wedged without asking it anything:
// the process and its children get SIGKILL, and its profile and every
// temporary folder it made are removed. A browser corsproof connected to
// is only disconnected from. Close after Kill does nothing more.
func (b *Browser) Kill() error {
	if b.proc == nil {
		return b.Close()
	}
	p := b.proc
	p.killed = true
	killTree(p.cmd)
	// The driver's connection ends with the pipe; its clean-up must not
	// hold up the run if the driver waits on a browser that is gone.
	conn := b.conn
	go func() { _ = conn.Close() }()
	return p.stop(false)
}

// PID is the process id of a browser corsproof launched, 0 otherwise.
func (b *Browser) PID() int {
	if b.proc == nil || b.proc.cmd.Process == nil {
		return 0
	}
	return b.proc.cmd.Process.Pid
}

// Relaunch starts a browser like b: the same binary, driver and options.
func (b *Browser) Relaunch(ctx context.Context) (*Browser, error) {
	opts := b.opts
	if b.path != "" {
		opts.Path = b.path
	}
	return LaunchWith(ctx, b.driver, opts)
}

// Owned reports whether corsproof launched the browser (and so may kill
// and relaunch it), as opposed to connecting to one.
func (b *Browser) Owned() bool { return b.proc != nil }

// browserTmp is the $TMPDIR a launched browser gets: a folder inside its
// profile, so that what Chromium keeps in $TMPDIR (its
// org.chromium.Chromium.* singleton folder, left behind when it is
// killed) goes with the profile. Chromium aborts when the singleton
// socket's path passes the 107 bytes a Unix socket address holds
// (measured: 156), so a profile too deep for that keeps the inherited
// $TMPDIR, where removeSingleton finds the folder instead.
func browserTmp(profile string) (string, error) {
	dir := filepath.Join(profile, "t")
	if len(dir)+len("/org.chromium.Chromium.XXXXXX/SingletonSocket") > 100 {
		return os.TempDir(), nil
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating browser temporary folder: %w", err)
	}
	return dir, nil
}

// Ping implements Conn.
func (c *chromedpConn) Ping(ctx context.Context) error {
	_, err := within(ctx, func() (browser.GetVersionResult, error) {
		return chromedp.CallBrowser(c.ctx, browser.GetVersion, cdp.Empty{})
	})
	return err
}

// Ping implements Conn.
func (c *rodConn) Ping(ctx context.Context) error {
	_, err := within(ctx, func() (*proto.BrowserGetVersionResult, error) {
		return proto.BrowserGetVersion{}.Call(c.browser)
	})
	return err
}

// pageProcessGone is the Firefox tab's event for its page's content
// process dying: Firefox says so over BiDi only by destroying the page's
// script realm (see firefoxTab.event).
type pageProcessGone struct{}

// Why each engine's crash is known, as the record says it.
const (
	crashChromium = "Inspector.targetCrashed"
	crashFirefox  = "Firefox's content process of the page went away: BiDi script.realmDestroyed without a navigation"
)

// watchCrash notes the tab's renderer crashing: Chromium sends
// Inspector.targetCrashed, Firefox destroys the page's realm; either way
// the page's promise then never settles.
func (s *session) watchCrash(ev any) {
	var cause string
	switch ev.(type) {
	case *inspector.EventTargetCrashed:
		cause = crashChromium
	case pageProcessGone:
		cause = crashFirefox
	default:
		return
	}
	s.crashOnce.Do(func() {
		s.crashCause = cause
		close(s.crashed)
	})
}

// rendererCrashed reports whether the tab's renderer has crashed.
func (s *session) rendererCrashed() bool {
	select {
	case <-s.crashed:
		return true
	default:
		return false
	}
}

// untilCrash is ctx, ended early when the renderer crashes: a crashed
// page answers nothing, and waiting out the time-out would record the
// crash as a timeout.
func (s *session) untilCrash(ctx context.Context) (context.Context, context.CancelFunc) {
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.crashed:
			cancel()
		case <-cctx.Done():
		}
	}()
	return cctx, cancel
}

// rendererCrashed makes rec the record of a case whose page crashed, for
// the reason cause (crashChromium, crashFirefox).
func rendererCrashed(rec *result.Record, cause string) {
	rec.Verdict = cors.VerdictError
	rec.Fault = result.FaultRendererCrashed
	rec.Page.Error = "the page's renderer process crashed while the request ran (" + cause + ")"
}
