package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// runSteps makes a case's steps in turn in the session's tab: one page,
// one browser context, so that what the browser keeps — the preflight
// cache, the HTTP cache, cookies — carries from one step to the next. The
// session was reset before the case, so the first step starts as any case
// does, with nothing cached. A step that times out or cannot run ends the
// sequence: its request may still be in flight, and what the later steps
// would see is no longer known.
func (s *session) runSteps(ctx context.Context, c scenarios.Case) (result.Record, error) {
	start := time.Now()
	rec := result.Record{
		Name:           c.Name,
		Origin:         c.Origin,
		Request:        c.Request,
		Cookies:        c.Cookies,
		Browser:        s.b.Version(),
		BrowserProduct: s.b.Product(),
		Driver:         s.b.driver.Name(),
		Mismatches:     []string{},
	}
	// The model's view of the cache says whether a step's record should
	// wait for a preflight's events: a step the cache covers sends none.
	cache := cors.NewPreflightCache()
	var stop string
	for i, st := range c.Steps {
		sc := c.StepCase(i)
		if i == 0 {
			sc.Cookies = c.Cookies
		}
		if stop == "" && st.Wait > 0 {
			t := time.NewTimer(time.Duration(st.Wait))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				stop = "not run: the run was interrupted"
			}
		}
		if stop != "" {
			rec.Steps = append(rec.Steps, notRun(sc, st.Label(i), stop))
			continue
		}
		if st.Fresh && i > 0 {
			// Another user's browser: nothing the earlier steps left in
			// this context (HTTP and preflight cache, cookies) carries
			// over, and the page loads anew.
			ok, err := s.tab.Reset(ctx)
			s.pageOrigin = ""
			if err != nil || !ok {
				s.dirty = true
				why := fmt.Sprintf("not run: %s could not start with empty caches and cookie jar", st.Label(i))
				if err != nil {
					why += ": " + err.Error()
				}
				rec.Steps = append(rec.Steps, notRun(sc, st.Label(i), why))
				stop = why
				continue
			}
			cache = cors.NewPreflightCache()
		}
		model := sc.Request.Model(sc.Origin)
		// Opening a page takes a while; the cache's clock is when the
		// request goes out, which is known only once it has.
		// An uncertain prediction waits for nothing: a preflight that was
		// sent shows before the actual request ends, and waiting for one
		// that was not would cost the grace and a dirty session.
		p := cache.Lookup(model, time.Since(start))
		want := p.Sent && !p.Uncertain
		s.sentAt = time.Time{}
		srec, err := s.runRequest(ctx, sc, want)
		at := time.Since(start)
		if !s.sentAt.IsZero() {
			at = s.sentAt.Sub(start)
		}
		srec.Name, srec.WaitMS, srec.AtMS = st.Label(i), time.Duration(st.Wait).Milliseconds(), at.Milliseconds()
		srec.Browser, srec.BrowserProduct, srec.Driver = "", "", ""
		if err != nil {
			srec.Verdict = cors.VerdictError
			srec.Page.Error = err.Error()
		}
		rec.Steps = append(rec.Steps, srec)
		in := srec.ModelInput()
		cache.Observe(model, in.Preflight, srec.CorsError, at, i)
		// A later step to where this one was redirected waits for no
		// preflight the record would not hold anyway.
		cache.NoteRedirects(in, i)
		switch {
		case ctx.Err() != nil:
			stop = "not run: the run was interrupted"
		case srec.Verdict == cors.VerdictTimeout:
			stop = fmt.Sprintf("not run: %s timed out", st.Label(i))
		case err != nil:
			stop = fmt.Sprintf("not run: %s could not run", st.Label(i))
		}
	}
	rec.TakeLastStep()
	rec.DurationMS = time.Since(start).Milliseconds()
	if stop != "" && ctx.Err() != nil {
		return rec, ctx.Err()
	}
	return rec, nil
}

// notRun is the record of a step the sequence never reached.
func notRun(c scenarios.Case, label, why string) result.Record {
	r := result.Record{Name: label, Origin: c.Origin, Request: c.Request, Verdict: cors.VerdictError, Mismatches: []string{}}
	r.Page.Error = why
	r.Page.ReadableHeaders = map[string]string{}
	return r
}
