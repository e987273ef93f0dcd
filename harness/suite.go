package harness

import (
	"context"
	"runtime"
	"sync"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// DefaultJobs is how many cases run at once unless asked otherwise: one per
// core, at least 2 (a case waits on the network as much as on the CPU) and
// at most 8 (each worker holds a tab and its renderer in memory). Each case
// has its own browser context, so concurrency never trades isolation.
func DefaultJobs() int {
	return min(8, max(2, runtime.NumCPU()))
}

// RunCases runs the cases, up to jobs at once, each with an empty
// preflight cache, HTTP cache and cookie jar (iso says how), and returns
// the records in case order. The records are observations: concluding
// them (expectations, diagnosis) is the runner's part. each, if set, is
// called as every case finishes, one call at a time, so a reporter can
// stream. A case whose page could not be set up becomes an error record
// and the run goes on; only a cancelled ctx stops it early, and the
// records returned are then those of the cases that finished.
func (b *Browser) RunCases(ctx context.Context, cases []scenarios.Case, jobs int, iso Isolation, each func(i int, rec *result.Record)) []result.Record {
	return b.RunCasesWatched(ctx, cases, jobs, iso, nil, each)
}

// RunCasesWatched is RunCases that also calls started(i), if set, as case
// i begins: the runner, which relaunches a browser that dies, must know
// which cases were in flight.
func (b *Browser) RunCasesWatched(ctx context.Context, cases []scenarios.Case, jobs int, iso Isolation, started func(i int), each func(i int, rec *result.Record)) []result.Record {
	if jobs < 1 {
		jobs = DefaultJobs()
	}
	if iso == "" {
		iso = IsolationClean
	}
	records := make([]result.Record, len(cases))
	done := make([]bool, len(cases))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sched := newScheduler(cases)
	for range min(jobs, max(1, len(cases))) {
		wg.Go(func() {
			var s *session
			// With fresh isolation every case needs a new context: the next
			// one is prepared while the current case runs.
			var spare <-chan *session
			if iso == IsolationFresh {
				spare = b.prepare(ctx)
			}
			defer func() {
				if s != nil {
					s.close()
				}
				if spare != nil {
					(<-spare).close()
				}
			}()
			cur := -1
			for ctx.Err() == nil {
				i, ok := sched.next(cur)
				if !ok {
					break
				}
				cur = i
				if s != nil && iso == IsolationClean {
					if ok, err := s.reset(ctx); !ok || err != nil {
						s.close()
						s = nil
					}
				} else if s != nil {
					s.close()
					s = nil
				}
				if s == nil && spare != nil {
					s = <-spare
					spare = b.prepare(ctx)
				}
				if s == nil {
					s = b.newSession()
				}
				if started != nil {
					started(i)
				}
				rec := s.runOne(ctx, cases[i])
				s.uses++
				if ctx.Err() != nil && rec.Verdict == cors.VerdictError {
					// Cut short by the interrupt: not a result, and the
					// tab is in no known state.
					s.dirty = true
					continue
				}
				mu.Lock()
				records[i] = rec
				done[i] = true
				if each != nil {
					each(i, &records[i])
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out := records[:0]
	for i := range records {
		if done[i] {
			out = append(out, records[i])
		}
	}
	return out
}

// RunCasesThrough is RunCases with every case in a browser context whose
// requests all go to the HTTP proxy at proxy (host:port, TabOptions.Proxy),
// in this same browser: --try-fix's re-run against its mirror. Chromium
// only; the Firefox driver answers each case with an error record.
func (b *Browser) RunCasesThrough(ctx context.Context, cases []scenarios.Case, jobs int, iso Isolation, proxy string, each func(i int, rec *result.Record)) []result.Record {
	// A view of b that differs only in the contexts it opens; it shares
	// b's connection and process and is never closed itself.
	v := *b
	v.tabs = TabOptions{Proxy: proxy}
	return v.RunCasesWatched(ctx, cases, jobs, iso, nil, each)
}

// prepare opens a session in the background: its browser context and tab
// exist by the time a case needs them. A failure to open is left for the
// case to meet and report.
func (b *Browser) prepare(ctx context.Context) <-chan *session {
	ch := make(chan *session, 1)
	go func() {
		s := b.newSession()
		_ = s.start(ctx)
		ch <- s
	}()
	return ch
}

// RunOne runs one case in a browser context of its own and returns its
// record: a harness fault becomes a record with verdict error, so a run
// always has one record per case.
func (b *Browser) RunOne(ctx context.Context, c scenarios.Case) result.Record {
	s := b.newSession()
	defer s.close()
	return s.runOne(ctx, c)
}

func (s *session) runOne(ctx context.Context, c scenarios.Case) result.Record {
	rec, err := s.run(ctx, c)
	if err != nil {
		rec.Verdict = cors.VerdictError
		rec.Page.Error = err.Error()
	}
	return rec
}
