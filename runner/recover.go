package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Crash recovery, as web-platform-tests' runner does it: a browser that
// dies or stops answering is noticed (a DevTools health check with a short
// deadline of its own, every second and after every case that failed),
// killed, and replaced by a new one, at most Config.Relaunches times a
// run. The cases that were in flight run once more on the new browser and
// say so (Record.Retried); the cases not yet started simply run. When no
// new browser can be had, every case left is recorded as not run and the
// run is incomplete (IncompleteError).

// DefaultRelaunches is how many new browsers a run starts, at most, after
// its browser died.
const DefaultRelaunches = 3

// healthEvery is how often a running browser is checked.
const healthEvery = time.Second

// IncompleteError is a run that could not run every case: its browser died
// and could not be replaced. The run holds a not-run record for each case
// it did not run.
type IncompleteError struct {
	NotRun, Cases int
	Cause         error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("run incomplete: %d of %d cases not run: %v", e.NotRun, e.Cases, e.Cause)
}

func (e *IncompleteError) Unwrap() error { return e.Cause }

// recovery runs cases on a browser it replaces when the browser dies.
type recovery struct {
	cfg   Config
	hooks Hooks
	b     *harness.Browser
	// owned is false for a browser the caller lent (Config.Reuse) or one
	// corsproof connected to: it is never killed or replaced.
	owned bool
	cases []scenarios.Case
	from  []*scenarios.Suite
	iso   harness.Isolation
	// pace holds case starts to Config.Rate; nil without a rate.
	pace *pacer

	mu      sync.Mutex
	records []result.Record
	done    []bool
	retried []bool
	// interrupted counts the cases recorded as not run because the run
	// was interrupted.
	interrupted int
}

// interruptedWhy is what a case the run was interrupted before says.
const interruptedWhy = "not run: the run was interrupted"

func (r *recovery) notice(format string, args ...any) {
	if r.hooks.Notice != nil {
		r.hooks.Notice(fmt.Sprintf(format, args...))
	}
}

// run runs every case and returns the records in case order, and an
// *IncompleteError when some could not run.
func (r *recovery) run(ctx context.Context) ([]result.Record, error) {
	n := len(r.cases)
	r.records, r.done, r.retried = make([]result.Record, n), make([]bool, n), make([]bool, n)
	max := r.cfg.Relaunches
	if max == 0 {
		max = DefaultRelaunches
	}
	relaunches := 0
	var incomplete error
	for {
		pending := r.pending()
		if len(pending) == 0 {
			break
		}
		inFlight, gone := r.attempt(ctx, pending)
		if ctx.Err() != nil || gone == nil {
			break
		}
		finished := n - len(r.pending())
		r.notice("the browser died or stopped answering after %d of %d cases (%v)", finished, n, gone)
		for _, i := range inFlight {
			if r.retried[i] {
				// It was in flight at both faults: it may be the cause.
				// Running it a third time would risk the rest of the run.
				r.conclude(i, faultRecord(r.cases[i], cors.VerdictError, "the browser died while this case ran, twice"), true)
				continue
			}
			r.retried[i] = true
		}
		switch {
		case !r.owned:
			incomplete = fmt.Errorf("%w; corsproof did not launch it, so it cannot start another", gone)
		case relaunches >= max:
			incomplete = fmt.Errorf("%w; it was relaunched %d times already, the most a run does", gone, relaunches)
		}
		if incomplete == nil {
			relaunches++
			nb, err := r.b.Relaunch(ctx)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				incomplete = fmt.Errorf("relaunching the browser: %w", err)
			} else {
				r.b = nb
				if r.hooks.Launched != nil {
					r.hooks.Launched(nb)
				}
				r.notice("relaunched the browser (%d of at most %d); re-running %d case(s) that were in flight", relaunches, max, len(inFlight))
				continue
			}
		}
		left := r.pending()
		for _, i := range left {
			r.conclude(i, faultRecord(r.cases[i], cors.VerdictNotRun, "not run: "+incomplete.Error()), false)
		}
		r.notice("%d case(s) not run: %v", len(left), incomplete)
		return r.collect(), &IncompleteError{NotRun: len(left), Cases: n, Cause: incomplete}
	}
	if ctx.Err() != nil {
		// Every case the run did not finish (those in flight at the
		// signal too) is in the reports as not run: a JUnit of the
		// finished cases alone would show a short, green run.
		for _, i := range r.pending() {
			rec := faultRecord(r.cases[i], cors.VerdictNotRun, interruptedWhy)
			rec.Fault = ""
			rec.Diagnosis = &cors.Diagnosis{ModelVerdict: cors.VerdictUnknown, Summary: "Not run: the run was interrupted (a signal, or the CI job cancelled) before this case finished, so there is nothing to diagnose."}
			r.interrupted++
			r.conclude(i, rec, false)
		}
	}
	return r.collect(), nil
}

// pending lists the cases without a record, in case order.
func (r *recovery) pending() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for i, d := range r.done {
		if !d {
			out = append(out, i)
		}
	}
	return out
}

// attempt runs the pending cases on the current browser until they are
// done or the browser is found gone; it returns the cases that were in
// flight then, and why the browser is taken for gone (nil if it is not).
func (r *recovery) attempt(ctx context.Context, pending []int) (inFlight []int, gone error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	started := map[int]bool{}
	fault := func(err error) {
		mu.Lock()
		first := gone == nil && runCtx.Err() == nil
		if first {
			gone = err
			cancel()
		}
		mu.Unlock()
		if first && r.owned {
			// At once: a frozen browser would hold every call the
			// workers still make (closing their tabs) until it is gone.
			if err := r.b.Kill(); err != nil {
				r.notice("cleaning up after the browser: %v", err)
			}
		}
	}
	isGone := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return gone != nil
	}
	var monitor sync.WaitGroup
	monitor.Go(func() {
		t := time.NewTicker(healthEvery)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := r.b.Alive(runCtx); errors.Is(err, harness.ErrBrowserGone) {
					fault(err)
					return
				}
			}
		}
	})
	sub := make([]scenarios.Case, len(pending))
	for j, i := range pending {
		sub[j] = r.cases[i]
	}
	r.b.RunCasesWatched(runCtx, sub, r.cfg.Jobs, r.iso, func(j int) {
		// The harness calls this as the case begins, on the worker
		// that runs it: waiting here delays that case only.
		r.pace.wait(runCtx)
		mu.Lock()
		started[pending[j]] = true
		mu.Unlock()
	}, func(j int, rec *result.Record) {
		i := pending[j]
		if isGone() {
			return
		}
		if rec.Verdict == cors.VerdictError || rec.Verdict == cors.VerdictTimeout {
			// A case that failed may have failed because the browser is
			// gone: then it is no result, only in flight.
			if err := r.b.Alive(runCtx); errors.Is(err, harness.ErrBrowserGone) {
				fault(err)
				return
			}
		}
		mu.Lock()
		delete(started, i)
		mu.Unlock()
		rec.Retried = r.retried[i]
		r.conclude(i, *rec, true)
	})
	cancel()
	monitor.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i := range started {
		if !r.isDone(i) {
			inFlight = append(inFlight, i)
		}
	}
	return inFlight, gone
}

func (r *recovery) isDone(i int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[i]
}

// conclude records case i's record and hands it to the hook; a not-run
// record has nothing for the model to diagnose.
func (r *recovery) conclude(i int, rec result.Record, diagnose bool) {
	if diagnose {
		Conclude(&rec, r.from[i], r.cases[i])
	} else {
		if r.from[i] != nil {
			rec.Suite = r.from[i].Name
		}
		rec.File, rec.Line, rec.Path = r.cases[i].File, r.cases[i].Line, r.cases[i].Path
		rec.Expect = r.cases[i].Expect
		// The error already says "not run: …".
		rec.Mismatches = []string{"verdict: " + rec.Page.Error}
		if rec.Diagnosis == nil {
			rec.Diagnosis = &cors.Diagnosis{ModelVerdict: cors.VerdictUnknown, Summary: "Not run: the browser died and no new one could be started, so there is nothing to diagnose."}
		}
	}
	r.mu.Lock()
	r.records[i], r.done[i] = rec, true
	r.mu.Unlock()
	if r.hooks.Record != nil {
		r.hooks.Record(&rec)
	}
}

// collect returns the records of the cases that have one, in case order.
func (r *recovery) collect() []result.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []result.Record
	for i, d := range r.done {
		if d {
			out = append(out, r.records[i])
		}
	}
	return out
}

// faultRecord is the record of a case the browser's death kept from a
// result.
func faultRecord(c scenarios.Case, v cors.Verdict, why string) result.Record {
	rec := result.Record{Name: c.Name, Origin: c.Origin, Request: c.Request, Cookies: c.Cookies, Verdict: v, Fault: result.FaultBrowserGone}
	rec.Page.Error = why
	rec.Page.ReadableHeaders = map[string]string{}
	return rec
}
