package reports

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/corsproof/corsproof/result"
)

// progressDelay is how long a run goes before a progress bar appears: short
// runs finish before a bar would help and would only flicker.
const progressDelay = 1500 * time.Millisecond

// Progress shows a progress bar with rate and ETA while a run goes on. It
// draws only when its writer is a terminal, the run is not quiet, and the
// run has lasted longer than about 1.5 s; otherwise every method is a
// no-op, so callers use it unconditionally. Its methods are safe for
// concurrent use.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	enabled bool
	delay   time.Duration
	start   time.Time
	now     func() time.Time
	done    int
	bar     *progressbar.ProgressBar
}

// NewProgress returns a progress display for a run of total cases writing to
// w, usually os.Stderr. A total of 0 or less means unknown and shows a
// spinner with a count instead of a bar.
func NewProgress(w io.Writer, total int, opts Options) *Progress {
	return newProgress(w, total, !opts.Quiet && isTerminal(w), progressDelay, time.Now)
}

// newProgress is NewProgress with the decisions injected, for tests.
func newProgress(w io.Writer, total int, enabled bool, delay time.Duration, now func() time.Time) *Progress {
	return &Progress{w: w, total: total, enabled: enabled, delay: delay, start: now(), now: now}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add counts a finished case and, once the run has gone on long enough,
// draws the bar with the case's name.
func (p *Progress) Add(rec *result.Record) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if !p.enabled {
		return
	}
	if p.bar == nil {
		if p.now().Sub(p.start) < p.delay {
			return
		}
		p.bar = p.newBar()
	}
	if rec != nil {
		p.bar.Describe(truncate(SanitizeTerminal(rec.Name), 30))
	}
	// Errors here only mean the terminal went away; progress is cosmetic.
	_ = p.bar.Set(p.done)
}

// newBar creates the bar. Its rate and ETA count from when it appears, which
// is close enough after the short delay.
func (p *Progress) newBar() *progressbar.ProgressBar {
	n := p.total
	if n <= 0 {
		n = -1 // Unknown: progressbar shows a spinner.
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("cases"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		// No throttle: cases finish at most a few dozen a second, and a
		// throttled render would show the previous count.
		progressbar.OptionThrottle(0),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(false),
	)
}

// Finish removes the bar, if one was drawn, so the report that follows
// starts on a clean line.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
		p.enabled = false
	}
}

// Done returns how many cases have been added.
func (p *Progress) Done() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}
