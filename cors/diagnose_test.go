package cors

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiagnose(t *testing.T) {
	t.Parallel()
	blockedHeader := Input{Request: Request{Origin: page, Method: "POST", URL: api, Headers: map[string]string{"X-Token": "1"}},
		Preflight: resp(204, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Headers", "content-type")}
	allowed := Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "*")}
	cases := []struct {
		desc                        string
		in                          Input
		verdict                     Verdict
		corsError                   CorsError
		param, blockedReason        string
		agrees                      bool
		modelVerdict                Verdict
		modelError                  CorsError
		summaryHas, fixHas, summary []string
		noFix                       bool
	}{
		{desc: "agreeing block follows the browser's reason with the issue's wording",
			in: blockedHeader, verdict: "blocked", corsError: ErrHeaderDisallowedByPreflightResponse, param: "x-token",
			agrees: true, modelVerdict: VerdictBlocked, modelError: ErrHeaderDisallowedByPreflightResponse,
			summaryHas: []string{"The OPTIONS (preflight) response for `https://api.example.com/v1/login` does not allow the request header `x-token`"},
			fixHas:     []string{"On the OPTIONS (preflight) response for `https://api.example.com/v1/login`: send `Access-Control-Allow-Headers: content-type, x-token`", "On the `POST` response", "`Access-Control-Allow-Origin: https://app.example.com`, `Vary: Origin`", "allow-list"}},
		{desc: "a lower-case patch is not covered by PATCH: the model agrees with Chromium",
			in:      Input{Request: Request{Origin: page, Method: "patch", URL: api}, Preflight: resp(204, "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PATCH")},
			verdict: "blocked", corsError: ErrMethodDisallowedByPreflightResponse, param: "patch",
			agrees: true, modelVerdict: VerdictBlocked, modelError: ErrMethodDisallowedByPreflightResponse,
			fixHas: []string{"`Access-Control-Allow-Methods: PATCH, patch`"}},
		{desc: "an undecided model is not agreement",
			in:      Input{Request: Request{Origin: page, Method: "PUT", URL: api}},
			verdict: "blocked", corsError: ErrLocalNetworkAccessPermissionDenied,
			agrees: false, modelVerdict: VerdictUnknown, summaryHas: []string{"Local Network Access"}},
		{desc: "mixed content is predicted and explained, with no CORS fix",
			in:      Input{Request: Request{Origin: page, URL: "http://api.example.com/v1"}},
			verdict: "blocked", blockedReason: BlockerMixedContent, agrees: true, modelVerdict: VerdictBlocked,
			summaryHas: []string{"mixed content"}, fixHas: []string{"over https"}},
		{desc: "browser blocks with another error: explanation follows the browser, disagreement said plainly",
			in: blockedHeader, verdict: "blocked", corsError: ErrPreflightInvalidStatus,
			agrees: false, modelVerdict: VerdictBlocked, modelError: ErrHeaderDisallowedByPreflightResponse,
			summaryHas: []string{"a preflight must answer with a 2xx status", "model disagrees", "model bug or a browser deviation"}},
		{desc: "agreeing allow has no fix",
			in: allowed, verdict: "allowed", agrees: true, modelVerdict: VerdictAllowed,
			summaryHas: []string{"Allowed", "no preflight"}, noFix: true},
		{desc: "browser allows what the model blocks",
			in: blockedHeader, verdict: "allowed", agrees: false, modelVerdict: VerdictBlocked, modelError: ErrHeaderDisallowedByPreflightResponse,
			summaryHas: []string{"model disagrees", "HeaderDisallowedByPreflightResponse"}},
		{desc: "network error is no opinion: agrees when the model would allow",
			in: allowed, verdict: "network-error", agrees: true, modelVerdict: VerdictAllowed,
			summaryHas: []string{"Not a CORS verdict"}},
		{desc: "network error disagrees when the model would block for a CORS reason",
			in: blockedHeader, verdict: "timeout", agrees: false, modelVerdict: VerdictBlocked, modelError: ErrHeaderDisallowedByPreflightResponse,
			summaryHas: []string{"Not a CORS verdict", "model bug or a browser deviation"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			d := Diagnose(tc.in, Observation{Verdict: tc.verdict, CorsError: tc.corsError, FailedParameter: tc.param, BlockedReason: tc.blockedReason})
			assert.Equal(t, tc.agrees, d.AgreesWithBrowser)
			assert.Equal(t, tc.modelVerdict, d.ModelVerdict)
			assert.Equal(t, tc.modelError, d.ModelCorsError)
			for _, s := range tc.summaryHas {
				assert.Contains(t, d.Summary, s)
			}
			for _, s := range tc.fixHas {
				assert.Contains(t, d.Fix, s)
			}
			if tc.noFix {
				assert.Empty(t, d.Fix)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	has := func(ws []string, sub string) bool {
		for _, w := range ws {
			if strings.Contains(w, sub) {
				return true
			}
		}
		return false
	}
	cases := []struct {
		desc string
		in   Input
		want string // substring of one warning; empty means no warning at all
	}{
		{desc: "echoed origin without Vary",
			in:   Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", page)},
			want: "Vary: Origin"},
		{desc: "a correct allow-list answer with credentials warns about nothing",
			in: Input{Request: Request{Origin: page, URL: api, Credentials: "include"}, Actual: resp(200, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Vary", "Accept, Origin")}},
		{desc: "null origin allowed",
			in:   Input{Request: Request{Origin: "null", URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "null")},
			want: "\"null\""},
		{desc: "max-age above the cap",
			in:   Input{Request: Request{Origin: page, Method: "PUT", URL: api}, Preflight: resp(204, "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT", "Access-Control-Max-Age", "86400"), Actual: resp(200, "Access-Control-Allow-Origin", "*")},
			want: "caps it at 7200"},
		{desc: "ACAH star with credentials",
			in:   Input{Request: Request{Origin: page, Method: "PUT", URL: api, Credentials: "include"}, Preflight: resp(204, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "*")},
			want: "Access-Control-Allow-Headers: * does not act as a wildcard"},
		{desc: "ACAM star with credentials",
			in:   Input{Request: Request{Origin: page, Method: "PUT", URL: api, Credentials: "include"}, Preflight: resp(204, "Access-Control-Allow-Origin", page, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "*")},
			want: "Access-Control-Allow-Methods: * does not act as a wildcard"},
		{desc: "unexposed application header",
			in:   Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "*", "X-Request-Id", "1", "Date", "now")},
			want: "Access-Control-Expose-Headers: x-request-id"},
		{desc: "clean star response warns about nothing",
			in: Input{Request: Request{Origin: page, URL: api}, Actual: resp(200, "Access-Control-Allow-Origin", "*", "Content-Type", "text/plain")}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := Predict(tc.in)
			if tc.want == "" {
				assert.Empty(t, p.Warnings)
				return
			}
			assert.True(t, has(p.Warnings, tc.want), "want %q in %v", tc.want, p.Warnings)
			assert.Subset(t, Diagnose(tc.in, Observation{Verdict: p.Verdict, CorsError: p.CorsError, FailedParameter: p.FailedParameter}).Warnings, p.Warnings)
		})
	}
}

func TestDiagnoseExplainsFailuresOutsideCORS(t *testing.T) {
	t.Parallel()
	in := Input{Request: Request{Origin: page, URL: "http://127.0.0.1:9/x"}}
	refused := Failure{Verdict: VerdictNetworkError, NetError: "net::ERR_CONNECTION_REFUSED", URL: "http://127.0.0.1:9/x", PageOrigin: page}
	d := Diagnose(in, Observation{Verdict: refused.Verdict, NetError: refused.NetError, Failure: &refused})
	assert.True(t, strings.HasPrefix(d.Summary, "Not a CORS verdict: "), d.Summary)
	assert.Contains(t, d.Summary, "nothing accepted the connection")
	assert.NotEmpty(t, d.Fix, "a way forward")
	assert.True(t, d.ModelUndecided())

	lna := Failure{Verdict: VerdictBlocked, CorsError: ErrLocalNetworkAccessPermissionDenied, URL: "http://127.0.0.1:9/x", PageOrigin: page, LNA: "enforce"}
	d = Diagnose(in, Observation{Verdict: lna.Verdict, CorsError: lna.CorsError, Failure: &lna})
	assert.True(t, strings.HasPrefix(d.Summary, "Blocked: "), d.Summary)
	assert.Contains(t, d.Summary, "Local Network Access")
	assert.Nil(t, d.FixHeaders, "no response header allows it")
	assert.NotEmpty(t, d.Fix)
}
