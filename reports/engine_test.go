package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func firefoxRecord() *result.Record {
	return &result.Record{
		Name: "header", Origin: "https://app.example.test", Verdict: cors.VerdictBlocked,
		Request:   scenarios.Request{Method: "PUT", URL: "http://127.0.0.1:8080/x"},
		CorsError: cors.ErrHeaderDisallowedByPreflightResponse, FailedParameter: "x-token",
		EngineReason: "CORSMissingAllowHeaderFromPreflight", ReasonText: "header ‘x-token’ is not allowed …",
		HeadersSource: result.HeadersFromEvents, Browser: "Firefox 153.8.0", Mismatches: []string{},
		Preflight: &result.Exchange{Method: "OPTIONS", URL: "http://127.0.0.1:8080/x", Status: 204,
			RequestHeaders: map[string]string{"Origin": "https://app.example.test"}},
	}
}

func TestEngineReasonShowsBothNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		rec  func() *result.Record
		want string
	}{
		{"a Firefox reason and its Chromium equivalent", firefoxRecord, "CORSMissingAllowHeaderFromPreflight = HeaderDisallowedByPreflightResponse (x-token)"},
		{"a Firefox reason with no Chromium equivalent", func() *result.Record {
			r := firefoxRecord()
			r.CorsError, r.FailedParameter, r.EngineReason = "", "", "CORSOriginHeaderNotAdded"
			return r
		}, "CORSOriginHeaderNotAdded (no Chromium equivalent)"},
		{"an unclassified reason, verbatim", func() *result.Record {
			r := firefoxRecord()
			r.CorsError, r.FailedParameter, r.EngineReason, r.ReasonText = "", "", "", "a reason from a future Firefox"
			return r
		}, "unclassified: a reason from a future Firefox"},
		{"Chromium's own", func() *result.Record {
			return &result.Record{Verdict: cors.VerdictBlocked, CorsError: cors.ErrMissingAllowOriginHeader}
		}, "MissingAllowOriginHeader"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, reason(tc.rec()))
		})
	}
}

func TestHeadersNoteForBiDiRecords(t *testing.T) {
	t.Parallel()
	var text, md bytes.Buffer
	require.NoError(t, TextRecord(&text, firefoxRecord(), Options{}))
	require.NoError(t, MarkdownCase(&md, firefoxRecord(), Options{}))
	for _, out := range []string{text.String(), md.String()} {
		assert.Contains(t, out, "not the raw wire headers")
	}
	text.Reset()
	chromium := firefoxRecord()
	chromium.HeadersSource, chromium.EngineReason, chromium.ReasonText = "", "", ""
	require.NoError(t, TextRecord(&text, chromium, Options{}))
	assert.NotContains(t, text.String(), "raw wire headers", "Chromium's headers are the wire's")
}

// TestExplainFirefoxRecordShowsFirefoxReason: explain --from a Firefox
// record says what Firefox reported, its code beside the Chromium
// equivalent, as the run's reports do, not a Chromium name alone.
func TestExplainFirefoxRecordShowsFirefoxReason(t *testing.T) {
	t.Parallel()
	e := ExplainRecord(firefoxRecord(), false)
	js, err := json.Marshal(e.Browser)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"engine_reason":"CORSMissingAllowHeaderFromPreflight"`, "explain -o json")
	var out bytes.Buffer
	require.NoError(t, WriteExplanation(&out, &e, false))
	assert.Contains(t, out.String(), "Browser:    blocked CORSMissingAllowHeaderFromPreflight = HeaderDisallowedByPreflightResponse (x-token) · Firefox 153.8.0")

	chromium := firefoxRecord()
	chromium.EngineReason, chromium.ReasonText, chromium.Browser = "", "", "Chromium 156"
	e = ExplainRecord(chromium, false)
	out.Reset()
	require.NoError(t, WriteExplanation(&out, &e, false))
	assert.Contains(t, out.String(), "Browser:    blocked HeaderDisallowedByPreflightResponse (x-token) · Chromium 156")
}

// TestModelDisagreementLineWithoutCorsError: a step whose preflight the
// model did not foresee (Firefox ESR 153 preflights the first three
// identical calls) disagrees with an allowed verdict; the line has no
// stray space where no CorsError is.
func TestModelDisagreementLineWithoutCorsError(t *testing.T) {
	t.Parallel()
	rec := firefoxRecord()
	rec.Verdict, rec.CorsError, rec.FailedParameter, rec.EngineReason, rec.ReasonText = cors.VerdictAllowed, "", "", "", ""
	rec.Diagnosis = &cors.Diagnosis{Summary: "Allowed.", ModelVerdict: cors.VerdictAllowed, AgreesWithBrowser: false}
	var out bytes.Buffer
	require.NoError(t, TextRecord(&out, rec, Options{}))
	assert.Contains(t, out.String(), "model:      predicted allowed, the browser disagrees")
}

// TestEconomyOfAFirefoxRunNamesNoChromiumCache: the economy line of a
// Firefox record does not say Chromium kept the preflight result.
func TestEconomyOfAFirefoxRunNamesNoChromiumCache(t *testing.T) {
	t.Parallel()
	rec := firefoxRecord()
	rec.Economy = &result.Economy{Calls: 3, Preflights: 3, Groups: []result.EconomyGroup{{Origin: "https://app.example.test", Method: "PUT",
		URL: "http://127.0.0.1:8080/x", Calls: 3, Preflights: 3, MaxAge: "600", MaxAgeSeconds: 600}}}
	lines := strings.Join(economyLines(rec), "\n")
	assert.Contains(t, lines, "kept 600 s by the model")
	assert.NotContains(t, lines, "by Chromium")
	rec.Browser = "Chromium 156.0.8078.114"
	assert.Contains(t, strings.Join(economyLines(rec), "\n"), "kept 600 s by Chromium")
}
