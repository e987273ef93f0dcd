package result

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// TestConcludeStepsUsesTheBrowsersClock: the harness's times say the
// second call came 1.5 s after the first (its Max-Age 1 result expired);
// the browser's own timestamps say 0.6 s after its preflight ended, so it
// used the result, as the missing preflight shows. The model agrees only
// on the browser's clock.
func TestConcludeStepsUsesTheBrowsersClock(t *testing.T) {
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=1", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}}
	pre := &Exchange{Method: "OPTIONS", URL: req.URL, Status: 204, SentAt: 100.05, EndedAt: 100.1,
		ResponseHeaders: map[string]string{"Access-Control-Max-Age": "1", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token"}}
	actual := func(sent float64) *Exchange {
		return &Exchange{Method: "PUT", URL: req.URL, Status: 200, SentAt: sent, EndedAt: sent + 0.01,
			ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}}
	}
	step := func(at int64, pre, act *Exchange) Record {
		return Record{Name: "call", Origin: "https://app.example.test", Request: req, Verdict: cors.VerdictAllowed, AtMS: at, Preflight: pre, Actual: act, Mismatches: []string{}}
	}
	rec := Record{Name: "seq", Origin: "https://app.example.test", Request: req, Steps: []Record{
		step(0, pre, actual(100.0)),
		step(1500, nil, actual(100.7)),
	}}
	rec.TakeLastStep()
	ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 2)})
	pm := rec.Steps[1].PreflightModel
	assert.False(t, pm.Sent, pm.Reason)
	assert.True(t, pm.AgreesWithBrowser, pm.Reason)
	assert.Contains(t, pm.Reason, "0.6 s old")

	// Without the browser's times the harness's clock is all there is.
	rec.Steps[0].Actual.SentAt, rec.Steps[1].Actual.SentAt = 0, 0
	ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 2)})
	pm = rec.Steps[1].PreflightModel
	assert.True(t, pm.Sent, pm.Reason)
	assert.False(t, pm.AgreesWithBrowser)
}

// TestConcludeStepsBrowsersClockAtTheFirstHop: the cache is looked up when
// the request starts, before its redirect hop. Step 2 starts 1.0 s after
// step 1's preflight ended (Max-Age 2: cached, as the missing preflight
// shows), but its redirect hop takes 1.5 s; read at the final hop, the
// result would look 2.5 s old and expired.
func TestConcludeStepsBrowsersClockAtTheFirstHop(t *testing.T) {
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=2&redirect=/x", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}}
	pre := &Exchange{Method: "OPTIONS", URL: req.URL, Status: 204, SentAt: 100.0, EndedAt: 100.1,
		ResponseHeaders: map[string]string{"Access-Control-Max-Age": "2", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token"}}
	step := func(at int64, pre *Exchange, first, final float64) Record {
		return Record{Name: "call", Origin: "https://app.example.test", Request: req, Verdict: cors.VerdictAllowed, AtMS: at, Preflight: pre,
			Redirects: []Exchange{{Method: "PUT", URL: req.URL, Status: 307, SentAt: first}},
			Actual: &Exchange{Method: "PUT", URL: "http://127.0.0.1:8080/x", Status: 200, SentAt: final, EndedAt: final + 0.01,
				ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}},
			Mismatches: []string{}}
	}
	rec := Record{Name: "seq", Origin: "https://app.example.test", Request: req, Steps: []Record{
		step(0, pre, 100.0, 100.12),
		step(1100, nil, 101.1, 102.6),
	}}
	rec.TakeLastStep()
	ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 2)})
	pm := rec.Steps[1].PreflightModel
	assert.False(t, pm.Sent, pm.Reason)
	assert.True(t, pm.AgreesWithBrowser, pm.Reason)
	assert.Contains(t, pm.Reason, "1.0 s old")
}

// TestTakeLastStepTakesItsOrigin: a step may run from another page origin;
// the case's record then names that origin with the last step's request and
// verdict, so that "GET … from ORIGIN" and the reproduce command in every
// report are the request that got the verdict shown.
func TestTakeLastStepTakesItsOrigin(t *testing.T) {
	req := scenarios.Request{API: "fetch", Method: "GET", URL: "http://127.0.0.1:8080/api/allowlist", Credentials: "omit"}
	rec := Record{Name: "c", Origin: "https://app.example.test", Request: req, Steps: []Record{
		{Name: "step 1", Origin: "https://app.example.test", Request: req, Verdict: cors.VerdictAllowed},
		{Name: "step 2", Origin: "https://evil.example.test", Request: req, Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader"},
	}}
	rec.TakeLastStep()
	assert.Equal(t, "https://evil.example.test", rec.Origin)
	assert.Equal(t, cors.VerdictBlocked, rec.Verdict)
}

// TestConcludeStepsPreflightMismatchSaysWhy: a failed preflight
// expectation of a step says what the earlier steps left in the cache, for
// the reports that list mismatches but not steps (text, JUnit).
func TestConcludeStepsPreflightMismatchSaysWhy(t *testing.T) {
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=0", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}}
	pre := &Exchange{Method: "OPTIONS", URL: req.URL, Status: 204,
		ResponseHeaders: map[string]string{"Access-Control-Max-Age": "0", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token"}}
	step := func(name string, at int64) Record {
		return Record{Name: name, Origin: "https://app.example.test", Request: req, Verdict: cors.VerdictAllowed, AtMS: at, Preflight: pre,
			Actual: &Exchange{Method: "PUT", URL: req.URL, Status: 200, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}}, Mismatches: []string{}}
	}
	rec := Record{Name: "works on my machine", Steps: []Record{step("step 1", 0), step("step 2", 200)}}
	rec.TakeLastStep()
	no := false
	ConcludeSteps(&rec, scenarios.Case{Steps: []scenarios.Step{{}, {Expect: &scenarios.Expect{Preflight: &no}}}})
	assert.Equal(t, []string{"step 2: preflight: expected not sent, got sent; the preflight of step 1 answered Access-Control-Max-Age `0`, which caches nothing"}, rec.Mismatches)
	assert.Equal(t, []string{"preflight: expected not sent, got sent"}, rec.Steps[1].Mismatches, "the step's own stays as the expectation says")
}
