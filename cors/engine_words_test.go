package cors

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDisagreementNamesNoEngine: the model's disagreement is with the
// browser that ran the case, Firefox as well as Chromium; the text must
// not say Chromium gave a verdict it did not.
func TestDisagreementNamesNoEngine(t *testing.T) {
	t.Parallel()
	in := Input{
		Request:   Request{Method: "PUT", URL: "http://127.0.0.1:8080/x", Origin: "https://app.example.test"},
		Preflight: &Response{URL: "http://127.0.0.1:8080/x", Status: 204, Headers: map[string]string{}},
	}
	// Firefox's CORSMissingAllowHeaderFromPreflight read as its Chromium
	// equivalent, where the model sees no Allow-Origin on the preflight.
	d := Diagnose(in, Observation{Verdict: VerdictBlocked, CorsError: ErrHeaderDisallowedByPreflightResponse, FailedParameter: "x-token"})
	assert.False(t, d.AgreesWithBrowser)
	assert.Contains(t, d.Summary, "where the browser says blocked (HeaderDisallowedByPreflightResponse)")
	assert.NotContains(t, d.Summary, "Chromium")
}

// TestAuthorizationUnderStarWarningNamesBothEngines: both engines let
// Authorization through under Access-Control-Allow-Headers: * (measured
// on Chromium 156 and Firefox ESR 140 and 153, docs/firefox.md); the
// warning of a Firefox run must not say only Chromium does.
func TestAuthorizationUnderStarWarningNamesBothEngines(t *testing.T) {
	t.Parallel()
	p := Predict(Input{
		Request: Request{Method: "GET", URL: "http://127.0.0.1:8080/x", Origin: "https://app.example.test", Headers: map[string]string{"Authorization": "Bearer x"}},
		Preflight: &Response{URL: "http://127.0.0.1:8080/x", Status: 204, Headers: map[string]string{
			"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}},
		Actual: &Response{URL: "http://127.0.0.1:8080/x", Status: 200, Headers: map[string]string{"Access-Control-Allow-Origin": "*"}},
	})
	assert.Equal(t, VerdictAllowed, p.Verdict)
	assert.Contains(t, strings.Join(p.Warnings, "\n"), "Chromium and Firefox let Authorization through")
}
