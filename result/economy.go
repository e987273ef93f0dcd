package result

import (
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// Economy is what the preflights of a case with steps cost: each step is a
// call, and calls of the same request (origin, URL, credentials, method,
// the headers that need a preflight) form a group, since they share one
// preflight cache entry.
type Economy struct {
	Calls      int `json:"calls"`
	Preflights int `json:"preflights"`
	// PreflightMS is the wall time the preflights took, by the browser's
	// clock: each one is a round trip the call waited for.
	PreflightMS float64        `json:"preflight_ms"`
	Groups      []EconomyGroup `json:"groups"`
	// Storms counts the groups that are a preflight storm.
	Storms int `json:"storms,omitempty"`
}

// EconomyGroup is the preflight cost of calls of one request.
type EconomyGroup struct {
	Origin string `json:"origin"`
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are the request headers the calls preflight for, and
	// Credentials is true for calls with credentials: with the above they
	// tell apart groups of the same method and URL.
	Headers     []string `json:"headers,omitempty"`
	Credentials bool     `json:"credentials,omitempty"`
	// Calls and Preflights count the group's steps and the preflights
	// they sent; every preflight is an extra round trip.
	Calls       int     `json:"calls"`
	Preflights  int     `json:"preflights"`
	PreflightMS float64 `json:"preflight_ms"`
	// WindowMS is the time from the group's first call to its last.
	WindowMS int64 `json:"window_ms"`
	// MaxAge is the Access-Control-Max-Age the server last sent, empty
	// when it sent none; MaxAgeSeconds is how long Chromium keeps the
	// result for it (5 s without one, at most 7200 s).
	MaxAge        string `json:"max_age,omitempty"`
	MaxAgeSeconds int64  `json:"max_age_seconds"`
	// FailedPreflights counts the preflights that failed their checks (or
	// got no answer): Chromium caches nothing for them, whatever their
	// Max-Age.
	FailedPreflights int `json:"failed_preflights,omitempty"`
	// Honoured is true when Chromium reused the cached result exactly as
	// long as that Max-Age says: every call preflighted when the model,
	// which applies it, said it would.
	Honoured bool `json:"max_age_honoured"`
	// Storm is true for more than one preflight per cors.StormCalls calls.
	Storm bool `json:"storm,omitempty"`
	// Cause says why the calls kept preflighting; empty for one preflight.
	Cause string `json:"cause,omitempty"`
	// Fixes are the changes that remove the preflights.
	Fixes []string `json:"fixes,omitempty"`
}

// EconomyOf counts the preflights of steps; nil when there are none.
func EconomyOf(steps []Record) *Economy {
	if len(steps) == 0 {
		return nil
	}
	e := &Economy{Groups: []EconomyGroup{}}
	var members [][]int
	for i, st := range steps {
		if st.Verdict == cors.VerdictError && st.Actual == nil && st.Preflight == nil {
			continue // never ran, or the page refused it: not a call
		}
		req := st.Request.Model(st.Origin)
		g := -1
		for j, m := range members {
			first := steps[m[0]]
			if cors.SameShape(first.Request.Model(first.Origin), req) {
				g = j
				break
			}
		}
		if g < 0 {
			members = append(members, nil)
			g = len(members) - 1
		}
		members[g] = append(members[g], i)
	}
	for _, m := range members {
		first := steps[m[0]]
		grp := EconomyGroup{Origin: first.Origin, Method: first.Request.Method, URL: first.Request.URL, Honoured: true,
			Headers:     cors.Predict(cors.Input{Request: first.Request.Model(first.Origin)}).RequestHeaderNames,
			Credentials: strings.EqualFold(string(first.Request.Credentials), "include")}
		var causes []string
		ignored := 0
		var maxAge string
		present := false
		for _, i := range m {
			st := steps[i]
			grp.Calls++
			grp.WindowMS = st.AtMS - first.AtMS
			if st.PreflightModel != nil && !st.PreflightModel.AgreesWithBrowser {
				grp.Honoured = false
			}
			if st.Preflight == nil {
				continue
			}
			if grp.Preflights > 0 && st.PreflightModel != nil {
				if st.PreflightModel.Cause == cors.CauseCached {
					// A cached result covered the call and the browser
					// preflighted anyway: no header of the server's
					// would have spared it.
					ignored++
				} else {
					causes = append(causes, st.PreflightModel.Cause)
				}
			}
			grp.Preflights++
			grp.PreflightMS += st.Preflight.TimeMS
			if st.Preflight.Status == 0 || st.CorsError.AboutPreflight() {
				grp.FailedPreflights++
			}
			if st.Preflight.Status != 0 {
				maxAge, present = "", false
				for k, v := range st.Preflight.ResponseHeaders {
					if strings.EqualFold(k, "Access-Control-Max-Age") {
						maxAge, present = v, true
					}
				}
			}
		}
		grp.MaxAge = maxAge
		grp.MaxAgeSeconds = cors.ParseMaxAge(maxAge, present)
		grp.Storm = cors.IsStorm(grp.Calls, grp.Preflights)
		if grp.Preflights > 0 {
			cause, fixes := cors.PreflightAdvice(first.Request.Model(first.Origin), causes, maxAge, present)
			if grp.Preflights > 1 {
				grp.Cause = cause
			}
			if ignored > 0 && len(causes) == 0 {
				// Firefox ESR 153 preflights the first three identical
				// calls of a page, whatever Access-Control-Max-Age says
				// (docs/firefox.md); the advice of a longer Max-Age
				// would not change that.
				grp.Cause = "the browser preflighted calls that a result it had cached covered: it did not use its preflight cache for them (Firefox ESR 153 preflights the first three identical calls of a page whatever Access-Control-Max-Age says), and no response header changes that"
			}
			grp.Fixes = fixes
		}
		e.Calls += grp.Calls
		e.Preflights += grp.Preflights
		e.PreflightMS += grp.PreflightMS
		if grp.Storm {
			e.Storms++
		}
		e.Groups = append(e.Groups, grp)
	}
	return e
}
