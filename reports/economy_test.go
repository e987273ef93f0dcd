package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// stepsRun is a run of one sequence of three calls with Max-Age 0 — a
// preflight storm — whose step name and header value are hostile.
func stepsRun() *result.Run {
	const hostile = "<script>alert(1)</script>\x1b[31m"
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=0", Credentials: "omit",
		Headers: map[string]string{"X-Token": "secret-value"}}
	pre := &result.Exchange{Method: "OPTIONS", URL: req.URL, Status: 204, TimeMS: 1.5,
		RequestHeaders: map[string]string{"X-Token": "secret-value"},
		ResponseHeaders: map[string]string{"Access-Control-Max-Age": "0", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token", "X-Evil": hostile}}
	rec := result.Record{Name: "poll " + hostile, Origin: "https://app.example.test", Request: req, Verdict: "allowed", Mismatches: []string{}}
	for i := range 3 {
		st := result.Record{Name: "call " + hostile, Origin: rec.Origin, Request: req, Verdict: "allowed", Preflight: pre, AtMS: int64(i * 100),
			Actual:     &result.Exchange{Method: "PUT", URL: req.URL, Status: 200, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}},
			Mismatches: []string{}}
		rec.Steps = append(rec.Steps, st)
	}
	rec.TakeLastStep()
	result.ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 3)})
	run := &result.Run{Records: []result.Record{rec}}
	run.Tally()
	return run
}

func TestEconomyInEveryReport(t *testing.T) {
	t.Parallel()
	run := stepsRun()
	require.NotNil(t, run.Records[0].Economy)
	require.Equal(t, 1, run.Records[0].Economy.Storms)
	for _, format := range []string{"text", "markdown", "html", "junit", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			r, err := New(format, Options{})
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, r.Report(&b, run))
			out := b.String()
			assert.NotContains(t, out, "secret-value", "secrets in steps are redacted")
			switch format {
			case "text":
				assert.NotContains(t, out, "\x1b[31m", "no raw escape sequence on a terminal")
			case "html":
				assert.NotContains(t, out, "<li>call <script>", "no raw markup")
				assert.Contains(t, out, "<li>call &lt;script&gt;")
			case "markdown":
				assert.Contains(t, out, "1. call &lt;script&gt;")
			case "junit":
				var v struct{}
				assert.NoError(t, xml.Unmarshal(b.Bytes(), &v), "well-formed XML")
			}
			if format == "json" {
				assert.Contains(t, out, `"storm": true`)
				return
			}
			assert.Contains(t, out, "3 preflights", "the economy section")
			assert.Contains(t, out, "PREFLIGHT STORM")
			assert.True(t, strings.Contains(out, "Raise Access-Control-Max-Age"), "the fix")
		})
	}
	var b bytes.Buffer
	require.NoError(t, TextRecord(&b, &run.Records[0], Options{}))
	assert.Contains(t, b.String(), "Steps\n")
	assert.Contains(t, b.String(), "Preflight economy\n  3 calls cost 3 preflights: 3 extra round trips and 4.5 ms spent waiting for them")
}

func TestEconomyAgreesWithModel(t *testing.T) {
	t.Parallel()
	rec := stepsRun().Records[0]
	assert.True(t, rec.Diagnosis.AgreesWithBrowser, rec.Diagnosis.Warnings)
	g := rec.Economy.Groups[0]
	assert.Equal(t, 3, g.Calls)
	assert.Equal(t, 3, g.Preflights)
	assert.True(t, g.Honoured)
	assert.True(t, g.Storm)
}

// TestEconomyQuiet: -q keeps the economy's totals line, storm count
// included, and leaves out the per-case block.
func TestEconomyQuiet(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	r, err := New("text", Options{Quiet: true})
	require.NoError(t, err)
	require.NoError(t, r.Report(&b, stepsRun()))
	assert.Contains(t, b.String(), "1 preflight storm")
	assert.NotContains(t, b.String(), "PREFLIGHT STORM:")
	assert.NotContains(t, b.String(), "fix:")
}

// TestExplainRecordWithSteps: explain --from a case with steps explains
// every step, not only the last, each with the model's prediction of its
// preflight given the steps before it.
func TestExplainRecordWithSteps(t *testing.T) {
	run := stepsRun()
	e := ExplainRecord(&run.Records[0], false)
	require.Len(t, e.Steps, 3)
	for i, st := range e.Steps {
		require.NotNil(t, st.PreflightCache, "step %d", i+1)
		require.NotNil(t, st.PreflightSent)
		assert.True(t, *st.PreflightSent)
		assert.True(t, st.PreflightCache.Sent)
		assert.True(t, st.PreflightCache.AgreesWithBrowser)
		assert.NotContains(t, st.Input.Request.Headers["X-Token"], "secret", "redacted")
	}
	assert.Contains(t, e.Steps[1].PreflightCache.Reason, "answered Access-Control-Max-Age `0`, which caches nothing")
	var b bytes.Buffer
	require.NoError(t, WriteExplanations(&b, []Explanation{e}, false, true))
	out := b.String()
	assert.Equal(t, 3, strings.Count(out, "\nRequest:    PUT "), out)
	assert.Equal(t, 3, strings.Count(out, "\nCache:      preflight sent; the model predicts a preflight: "), out)
	assert.Contains(t, out, "which caches nothing · agrees with the browser")
	assert.Equal(t, 3, strings.Count(out, "\n── call "), "each step titled by its name")
	assert.Equal(t, "call <script>alert(1)</script>\x1b[31m", e.Steps[0].Step)
	assert.Equal(t, run.Records[0].Name, e.Steps[0].Case)
	assert.NotContains(t, out, "\x1b", "names from the network are sanitized")
}

// TestEconomyFailedPreflightCachesNothing: a group whose preflights all
// failed is not "kept 600 s by Chromium": a failed preflight caches
// nothing, and the PUT's second preflight is blamed on the refused DELETE
// that dropped its entry, not on Max-Age.
func TestEconomyFailedPreflightCachesNothing(t *testing.T) {
	put := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=600", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}}
	del := put
	del.Method = "DELETE"
	pre := &result.Exchange{Method: "OPTIONS", URL: put.URL, Status: 204, TimeMS: 1,
		ResponseHeaders: map[string]string{"Access-Control-Max-Age": "600", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token"}}
	actual := &result.Exchange{Method: "PUT", URL: put.URL, Status: 200, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}}
	const page = "https://app.example.test"
	rec := result.Record{Name: "save, delete, save", Mismatches: []string{}, Steps: []result.Record{
		{Name: "step 1", Origin: page, Request: put, Verdict: "allowed", Preflight: pre, Actual: actual, Mismatches: []string{}},
		{Name: "step 2", Origin: page, Request: del, Verdict: "blocked", CorsError: "MethodDisallowedByPreflightResponse", FailedParameter: "DELETE",
			Preflight: pre, AtMS: 10, Mismatches: []string{}},
		{Name: "step 3", Origin: page, Request: put, Verdict: "allowed", Preflight: pre, Actual: actual, AtMS: 20, Mismatches: []string{}},
	}}
	rec.TakeLastStep()
	result.ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 3)})
	out := strings.Join(economyLines(&rec), "\n")
	assert.Contains(t, out, "DELETE http://127.0.0.1:8080/api/open?max_age=600 (x-token) from https://app.example.test: 1 call, 1 preflight in 0.0 s; Access-Control-Max-Age 600, the preflight failed, so Chromium cached nothing\n", out)
	assert.Contains(t, out, "PUT http://127.0.0.1:8080/api/open?max_age=600 (x-token) from https://app.example.test: 2 calls, 2 preflights in 0.0 s; Access-Control-Max-Age 600, kept 600 s by Chromium; Max-Age honoured")
	assert.Contains(t, out, "made Chromium drop the result")
	assert.NotContains(t, out, "less than the time the calls span")
}

// TestEconomyGroupsNameTheirHeaders: calls of the same method and URL
// with another set of headers (or credentials) are another group, since
// they need another cache entry; the groups say so, rather than show the
// same "PUT URL from ORIGIN" twice.
func TestEconomyGroupsNameTheirHeaders(t *testing.T) {
	t.Parallel()
	const page = "https://app.example.test"
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=60", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a", "Content-Type": "text/plain"}}
	other, creds := req, req
	other.Headers = map[string]string{"X-Token": "a", "X-Other": "b"}
	creds.Credentials = "include"
	pre := &result.Exchange{Method: "OPTIONS", URL: req.URL, Status: 204, ResponseHeaders: map[string]string{"Access-Control-Max-Age": "60",
		"Access-Control-Allow-Origin": page, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "x-token, x-other"}}
	actual := &result.Exchange{Method: "PUT", URL: req.URL, Status: 200, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": page}}
	var steps []result.Record
	for i, r := range []scenarios.Request{req, other, creds} {
		steps = append(steps, result.Record{Name: fmt.Sprintf("step %d", i+1), Origin: page, Request: r, Verdict: "allowed", Preflight: pre, Actual: actual, Mismatches: []string{}})
	}
	rec := result.Record{Name: "shapes", Mismatches: []string{}, Steps: steps}
	rec.TakeLastStep()
	result.ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 3)})
	out := strings.Join(economyLines(&rec), "\n")
	assert.Contains(t, out, "\nPUT http://127.0.0.1:8080/api/open?max_age=60 (x-token) from https://app.example.test: 1 call", out)
	assert.Contains(t, out, "\nPUT http://127.0.0.1:8080/api/open?max_age=60 (x-other, x-token) from https://app.example.test: 1 call")
	assert.Contains(t, out, "\nPUT http://127.0.0.1:8080/api/open?max_age=60 (x-token) with credentials from https://app.example.test: 1 call")
}

// TestTextRunShowsTheStepsOfAFailedCase: the text report of a run lists
// the steps of a case with steps that failed, under its economy, so the
// reader sees which step preflighted and why without another report; a
// case that passed keeps to its economy.
func TestTextRunShowsTheStepsOfAFailedCase(t *testing.T) {
	t.Parallel()
	text := func(run *result.Run) string {
		r, err := New("text", Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Report(&b, run))
		return b.String()
	}
	run := stepsRun()
	assert.NotContains(t, text(run), " at 0.1 s: allowed, preflight sent", "a case that passed")
	run.Records[0].ExpectMet = false
	run.Records[0].Mismatches = []string{"step 2: preflight: expected not sent, got sent"}
	out := text(run)
	assert.Contains(t, out, " at 0.1 s: allowed, preflight sent; the preflight of call ", out)
	assert.Contains(t, out, " answered Access-Control-Max-Age `0`, which caches nothing\n")
	assert.NotContains(t, out, "\x1b[31m", "step names from the network are sanitized")
}
