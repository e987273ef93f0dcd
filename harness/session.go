package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
var maxUses = 250

// session is one tab in its own browser context, reused across cases
// under IsolationClean.
type session struct {
	b       *Browser
	tab     Tab
	col     atomic.Pointer[collector]
	granted map[string]bool
	// pageOrigin is the origin of the page loaded in the tab, and
	// pageReported what the page said its origin is; empty when no page
	// is loaded or its state is unknown.
	pageOrigin, pageReported string
	pageSecure               bool
	// sentAt is when the last case's request was handed to the page.
	sentAt time.Time
	// resetTime and pageTime are spent getting the session ready for its
	// next case, reported in that case's Timing.
	resetTime, pageTime time.Duration
	started             bool
	dirty               bool
	uses                int
	// crashed is closed when the tab's renderer crashes; crashCause,
	// set before, says how that was known.
	crashed    chan struct{}
	crashOnce  sync.Once
	crashCause string
}

func (b *Browser) newSession() *session {
	s := &session{b: b, granted: map[string]bool{}, crashed: make(chan struct{})}
	s.tab = b.conn.NewTab(func(ev any) {
		s.watchCrash(ev)
		if c := s.col.Load(); c != nil {
			c.handle(ev)
		}
	}, b.tabs)
	return s
}

// start creates the browser context and tab on first use.
func (s *session) start(ctx context.Context) error {
	if s.started {
		return nil
	}
	start := time.Now()
	defer func() { s.resetTime += time.Since(start) }()
	if err := s.tab.Open(ctx); err != nil {
		return err
	}
	s.started = true
	return nil
}

// reset makes a used session as good as new for the next case, or reports
// that it cannot be reused.
func (s *session) reset(ctx context.Context) (bool, error) {
	if !s.started || s.uses == 0 {
		return true, nil
	}
	if s.dirty || s.uses >= maxUses {
		return false, nil
	}
	s.col.Store(nil)
	start := time.Now()
	defer func() { s.resetTime += time.Since(start) }()
	return s.tab.Reset(ctx)
}

func (s *session) close() {
	s.tab.Close()
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

// debugSeq numbers the debug logs of a process, so that cases of the same
// name do not overwrite each other's.
var debugSeq atomic.Int64

// openDebugLog creates the debug log file of one case in dir:
// NNNN-case.KIND.jsonl, KIND cdp (Chromium) or bidi (Firefox).
func openDebugLog(dir, name, kind string) (*os.File, error) {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
	if len(safe) > 60 {
		safe = safe[:60]
	}
	path := filepath.Join(dir, fmt.Sprintf("%04d-%s.%s.jsonl", debugSeq.Add(1), safe, kind))
	// The log can hold what --show-secrets lets through, and always the
	// URLs and bodies of the run: for the user's eyes only.
	f, err := openPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s log: %w", strings.ToUpper(kind), err)
	}
	return f, nil
}
