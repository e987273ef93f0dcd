package harness

import (
	"context"
	"time"

	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/scenarios"
)

// worker is one of RunCases' concurrent lanes. It holds the session that ran
// its last case and, at most, one more prepared for the case it took ahead:
// with every case at a new page origin (as generated and audit suites are)
// most of a case's time is the navigation, which the browser can do while
// the previous case's request is in flight.
type worker struct {
	b   *Browser
	iso Isolation
	// cur ran the last case; ahead, when set, delivers the session prepared
	// for the next one; spare is a used session waiting to be recycled for
	// the case after, so two contexts alternate instead of one being made
	// and thrown away per case.
	cur, spare *session
	ahead      <-chan *session
}

// sessionFor returns the session to run c in: the one prepared ahead for
// it, else the last one reset (IsolationClean) or a new one. A session that
// cannot be reused is closed here.
func (w *worker) sessionFor(ctx context.Context, c scenarios.Case) *session {
	if w.ahead != nil {
		s := <-w.ahead
		w.ahead = nil
		if w.spare != nil {
			w.spare.close()
		}
		w.spare, w.cur = w.cur, s
		return s
	}
	w.cur = w.recycle(ctx, w.cur)
	return w.cur
}

// prepare starts getting a session ready for next, the case after cur,
// when that saves time: under IsolationFresh always (each case needs a new
// context anyway), under IsolationClean when next's page is at another
// origin (for the same origin the reset session keeps its page). The
// session is reset or new, so it is as clean as any other, and its page
// is loaded before next begins; a page that fails to load here is loaded
// again, and its failure recorded, when next runs.
func (w *worker) prepare(ctx context.Context, cur, next scenarios.Case) {
	if w.iso == IsolationClean && samePageOrigin(cur.Origin, next.Origin) {
		return
	}
	page, err := pages.For(next.Origin)
	if err != nil {
		return
	}
	ch := make(chan *session, 1)
	w.ahead = ch
	spare := w.spare
	w.spare = nil
	go func() {
		setup, cancel := context.WithTimeout(ctx, w.b.opts.Timeout+10*time.Second)
		defer cancel()
		s := w.recycle(setup, spare)
		if err := s.start(setup); err == nil {
			_ = s.loadPage(setup, page)
		}
		if s.rendererCrashed() {
			// A crash while preparing belongs to no case; start over.
			s.close()
			s = w.b.newSession()
		}
		ch <- s
	}()
}

// recycle makes s ready for another case: reset under IsolationClean, or
// replaced by a new session when it cannot be reused (or is nil).
func (w *worker) recycle(ctx context.Context, s *session) *session {
	if s != nil && w.iso == IsolationClean {
		if ok, err := s.reset(ctx); ok && err == nil {
			return s
		}
	}
	if s != nil {
		s.close()
	}
	return w.b.newSession()
}

// close closes the worker's sessions, waiting for one still being prepared.
func (w *worker) close() {
	for _, s := range []*session{w.cur, w.spare} {
		if s != nil {
			s.close()
		}
	}
	if w.ahead != nil {
		(<-w.ahead).close()
	}
}
