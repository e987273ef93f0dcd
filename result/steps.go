package result

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// PreflightModel is the model's prediction of a step's preflight and how
// it compares with what the browser did.
type PreflightModel struct {
	cors.CachedPreflight
	// AgreesWithBrowser is true when the browser sent a preflight exactly
	// when the model said it would.
	AgreesWithBrowser bool `json:"agrees_with_browser"`
}

// TakeLastStep makes a case record with steps repeat its last step — the
// page origin and request, verdict, exchanges and what the page saw — so
// that every report that knows nothing of steps still shows where the
// sequence ended, and "REQUEST from ORIGIN" names the request that got that
// verdict. The origins contacted are those of every step.
func (r *Record) TakeLastStep() {
	if len(r.Steps) == 0 {
		return
	}
	last := r.Steps[len(r.Steps)-1]
	r.Origin, r.Request = last.Origin, last.Request
	r.Verdict, r.CorsError, r.FailedParameter = last.Verdict, last.CorsError, last.FailedParameter
	r.NetError, r.BlockedReason, r.Console = last.NetError, last.BlockedReason, last.Console
	r.Preflight, r.Actual, r.Redirects = last.Preflight, last.Actual, last.Redirects
	r.Page, r.AddressSpaces = last.Page, last.AddressSpaces
	r.Contacted = nil
	for _, s := range r.Steps {
		for _, o := range s.Contacted {
			if !slices.Contains(r.Contacted, o) {
				r.Contacted = append(r.Contacted, o)
			}
		}
	}
}

// ConcludeSteps concludes a case record with steps: each step against its
// own expectations, with its diagnosis and the model's prediction of its
// preflight given the steps before it; then the case, whose mismatches are
// its steps' (each prefixed with the step's name), and which agrees with
// the model only when every step does.
func ConcludeSteps(rec *Record, c scenarios.Case) {
	for i := range rec.Steps {
		st := &rec.Steps[i]
		var exp *scenarios.Expect
		fresh := false
		if i < len(c.Steps) {
			exp, fresh = c.Steps[i].Expect, c.Steps[i].Fresh
		}
		st.Fresh = fresh && i > 0
		Conclude(st, exp)
	}
	preds := PredictStepPreflights(rec.Steps)
	rec.Expect = nil
	rec.Mismatches = []string{}
	var disagree []string
	for i := range rec.Steps {
		st := &rec.Steps[i]
		pm := preds[i]
		st.PreflightModel = pm
		if !pm.AgreesWithBrowser {
			what := fmt.Sprintf("the model predicted no preflight (%s) but the browser sent one", pm.Reason)
			if pm.Sent {
				what = fmt.Sprintf("the model predicted a preflight (%s) but the browser sent none: it used a cached result", pm.Reason)
			}
			st.Diagnosis.AgreesWithBrowser = false
			st.Diagnosis.Summary += " The preflight disagrees: " + what + "."
			disagree = append(disagree, st.Name+": "+what)
		} else if st.Diagnosis != nil && !st.Diagnosis.AgreesWithBrowser {
			disagree = append(disagree, st.Name+": the verdict disagrees")
		}
		for _, m := range st.Mismatches {
			// A preflight expectation that failed is about the cache: say
			// what the earlier steps left in it, where a report shows no
			// steps (text, a JUnit message).
			if strings.HasPrefix(m, "preflight: ") && pm.AgreesWithBrowser && !pm.Uncertain && pm.Cause != cors.CauseNotNeeded {
				m += "; " + pm.Reason
			}
			rec.Mismatches = append(rec.Mismatches, st.Name+": "+m)
		}
	}
	rec.ExpectMet = len(rec.Mismatches) == 0
	if n := len(rec.Steps); n > 0 && rec.Steps[n-1].Diagnosis != nil {
		d := *rec.Steps[n-1].Diagnosis
		d.Warnings = slices.Clone(d.Warnings)
		d.AgreesWithBrowser = len(disagree) == 0
		for _, w := range disagree {
			d.Warnings = append(d.Warnings, "model disagreement at "+w)
		}
		rec.Diagnosis = &d
	}
	rec.Economy = EconomyOf(rec.Steps)
}

// PredictStepPreflights runs the model of the preflight cache over the
// recorded steps of a case, on the browser's clock where the record has
// it, and compares each prediction with whether the step sent a preflight.
// A step that never ran agrees whatever the model said.
func PredictStepPreflights(steps []Record) []*PreflightModel {
	seq := make([]cors.SequenceStep, len(steps))
	for i := range steps {
		st := &steps[i]
		seq[i] = cors.SequenceStep{Name: st.Name, Fresh: st.Fresh, Input: st.ModelInput(), At: time.Duration(st.AtMS) * time.Millisecond, CorsError: st.CorsError}
	}
	browserClock(steps, seq)
	preds := cors.PredictPreflights(seq)
	out := make([]*PreflightModel, len(steps))
	for i := range steps {
		st := &steps[i]
		run := !(st.Verdict == cors.VerdictError && st.Actual == nil && st.Preflight == nil)
		out[i] = &PreflightModel{CachedPreflight: preds[i], AgreesWithBrowser: !run || preds[i].Uncertain || preds[i].Sent == (st.Preflight != nil)}
	}
	return out
}

// browserClock puts the browser's own times on the sequence where the
// driver gave them: a request is looked up in the preflight cache when the
// browser starts it (the actual request's first requestWillBeSent, before
// any redirect hop) and a result is stored when its preflight ends
// (loadingFinished), each a little after the times the harness records,
// and by more on a loaded machine. The browser's clock is tied to the
// harness's at the first step it timed.
func browserClock(steps []Record, seq []cors.SequenceStep) {
	var base float64
	var baseAt time.Duration
	at := func(t float64) time.Duration {
		return baseAt + time.Duration((t-base)*float64(time.Second))
	}
	for i := range steps {
		st := &steps[i]
		// The first hop is the URL the cache is looked up for; a slow
		// redirect would make the final hop's time seconds late.
		var sent float64
		switch {
		case len(st.Redirects) > 0:
			sent = st.Redirects[0].SentAt
		case st.Actual != nil:
			sent = st.Actual.SentAt
		}
		if sent <= 0 {
			continue
		}
		if base == 0 {
			base, baseAt = sent, seq[i].At
		}
		seq[i].At = at(sent)
		if st.Preflight != nil && st.Preflight.EndedAt > sent {
			seq[i].StoredAt = at(st.Preflight.EndedAt)
		}
	}
}
