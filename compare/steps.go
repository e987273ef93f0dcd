package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// FieldStepPreflights is the compared field of a case with steps: which
// of its steps sent a preflight. A step that preflights where it did not
// (or the reverse) is what a new header, a new method or a changed Max-Age
// does to a client: its cached preflight results stop (or start) serving.
const FieldStepPreflights = "steps.preflight"

// stepPreflights renders which steps sent a preflight, "" for a case
// without steps.
func stepPreflights(rec *result.Record) string {
	if len(rec.Steps) == 0 {
		return ""
	}
	parts := make([]string, len(rec.Steps))
	for i, st := range rec.Steps {
		parts[i] = "not sent"
		if st.Preflight != nil {
			parts[i] = "sent"
		}
	}
	return strings.Join(parts, ", ")
}

// StepReasons explains every step whose preflight differs between two
// records of the same case: what changed in the step's request (a header
// or method the cached result does not cover), in the Access-Control-Max-Age
// the earlier steps received, and the model's reading of the new record.
// Plain text from the network: escape it for the medium.
func StepReasons(before, after *result.Record) []string {
	var out []string
	for i := 0; i < min(len(before.Steps), len(after.Steps)); i++ {
		o, n := &before.Steps[i], &after.Steps[i]
		if (o.Preflight != nil) == (n.Preflight != nil) || uncertain(o) || uncertain(n) {
			continue
		}
		what := "now sends a preflight"
		if n.Preflight == nil {
			what = "no longer sends a preflight"
		}
		var why []string
		op, np := cors.Predict(cors.Input{Request: o.Request.Model(o.Origin)}), cors.Predict(cors.Input{Request: n.Request.Model(n.Origin)})
		if op.Method != np.Method {
			why = append(why, fmt.Sprintf("method %s → %s", op.Method, np.Method))
		}
		for _, h := range np.RequestHeaderNames {
			if !slices.Contains(op.RequestHeaderNames, h) {
				why = append(why, "new header "+h)
			}
		}
		for _, h := range op.RequestHeaderNames {
			if !slices.Contains(np.RequestHeaderNames, h) {
				why = append(why, "header "+h+" dropped")
			}
		}
		if om, nm := cachedMaxAge(before, i), cachedMaxAge(after, i); om != nm {
			why = append(why, fmt.Sprintf("Access-Control-Max-Age %s → %s", om, nm))
		}
		if pm := n.PreflightModel; pm != nil && pm.Reason != "" {
			switch {
			case pm.AgreesWithBrowser:
				why = append(why, "now "+pm.Reason)
			case n.Preflight != nil:
				// The model's reading is what the browser should have
				// done, not why it sent one (Firefox ESR 153 preflights
				// every call despite Max-Age).
				why = append(why, "the browser did not use its preflight cache, although "+pm.Reason)
			default:
				why = append(why, "the browser answered it from its preflight cache, although "+pm.Reason)
			}
		}
		line := fmt.Sprintf("%s %s", n.Name, what)
		if len(why) > 0 {
			line += ": " + strings.Join(why, "; ")
		}
		out = append(out, line)
	}
	return out
}

// uncertain reports whether the model found the step within the jitter of
// a cached result's expiry: the browser's clock decides its preflight.
func uncertain(st *result.Record) bool {
	return st.PreflightModel != nil && st.PreflightModel.Uncertain
}

// cachedMaxAge is the Access-Control-Max-Age of the last preflight before
// step i to the same URL: the entry step i could be served from. "none"
// when that preflight had none, "no preflight" when there was none.
func cachedMaxAge(rec *result.Record, i int) string {
	for j := i - 1; j >= 0; j-- {
		st := rec.Steps[j]
		if st.Preflight == nil || st.Request.URL != rec.Steps[i].Request.URL {
			continue
		}
		for k, v := range st.Preflight.ResponseHeaders {
			if strings.EqualFold(k, "Access-Control-Max-Age") {
				return v
			}
		}
		return "none"
	}
	return "no preflight"
}
