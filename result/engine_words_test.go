package result

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// TestStepDisagreementNamesNoEngine: Firefox ESR 153 preflights again a
// request whose cached result (Max-Age 600) covers it. The step's
// disagreement is what the browser that ran it did; a Firefox run's
// record must not say Chromium sent the preflight.
func TestStepDisagreementNamesNoEngine(t *testing.T) {
	req := scenarios.Request{API: "fetch", Method: "PUT", URL: "http://127.0.0.1:8080/api/open?max_age=600", Credentials: "omit",
		Headers: map[string]string{"X-Token": "a"}}
	pre := func(sent float64) *Exchange {
		return &Exchange{Method: "OPTIONS", URL: req.URL, Status: 204, SentAt: sent, EndedAt: sent + 0.01,
			ResponseHeaders: map[string]string{"Access-Control-Max-Age": "600", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
				"Access-Control-Allow-Headers": "x-token"}}
	}
	actual := func(sent float64) *Exchange {
		return &Exchange{Method: "PUT", URL: req.URL, Status: 200, SentAt: sent, EndedAt: sent + 0.01,
			ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}}
	}
	step := func(at int64, sent float64) Record {
		return Record{Name: "call", Origin: "https://app.example.test", Request: req, Verdict: cors.VerdictAllowed, AtMS: at,
			Preflight: pre(sent), Actual: actual(sent + 0.02), Mismatches: []string{}, Browser: "Firefox 153.8.0"}
	}
	rec := Record{Name: "seq", Origin: "https://app.example.test", Request: req, Browser: "Firefox 153.8.0",
		Steps: []Record{step(0, 100.0), step(100, 100.1)}}
	rec.TakeLastStep()
	ConcludeSteps(&rec, scenarios.Case{Steps: make([]scenarios.Step, 2)})
	st := rec.Steps[1]
	assert.False(t, st.PreflightModel.AgreesWithBrowser, st.PreflightModel.Reason)
	assert.Contains(t, st.Diagnosis.Summary, "but the browser sent one")
	for _, text := range append([]string{st.Diagnosis.Summary, rec.Diagnosis.Summary}, rec.Diagnosis.Warnings...) {
		assert.False(t, strings.Contains(text, "Chromium"), "a Firefox record names Chromium: %s", text)
	}

	// The economy: a preflight the browser sent although its cache
	// covered the call is no Max-Age's fault, and a longer one is no fix.
	require.NotNil(t, rec.Economy)
	require.Len(t, rec.Economy.Groups, 1)
	g := rec.Economy.Groups[0]
	assert.True(t, g.Storm)
	assert.Contains(t, g.Cause, "did not use its preflight cache")
	for _, f := range g.Fixes {
		assert.NotContains(t, f, "Access-Control-Max-Age", "no header fix for a browser that ignored its cache")
	}
	assert.NotEmpty(t, g.Fixes, "avoiding the preflight still helps")
}
