package result

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

func TestConclude(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		rec    Record
		expect *scenarios.Expect
		met    bool
	}{
		{"no expectation, a verdict", Record{Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader"}, nil, true},
		{"no expectation, the harness failed", Record{Verdict: cors.VerdictError, Page: Page{Error: "opening page: boom"}}, nil, false},
		{"an error expected", Record{Verdict: cors.VerdictError}, &scenarios.Expect{Verdict: cors.VerdictError}, true},
		{"expectation met", Record{Verdict: cors.VerdictAllowed}, &scenarios.Expect{Verdict: cors.VerdictAllowed}, true},
		{"expectation failed", Record{Verdict: cors.VerdictAllowed}, &scenarios.Expect{Verdict: cors.VerdictBlocked}, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec := tc.rec
			Conclude(&rec, tc.expect)
			assert.Equal(t, tc.met, rec.ExpectMet, "%v", rec.Mismatches)
			assert.Equal(t, tc.met, len(rec.Mismatches) == 0)
			assert.NotNil(t, rec.Diagnosis)
		})
	}
}

// TestConcludeWarnsOfCookiesNotSent: cookies the case puts in the jar are
// sent only with credentials include on a cross-origin request (measured,
// Chromium 156: --cookie session=abc with the default same-origin mode
// reached the server without a Cookie header, and nothing said so).
func TestConcludeWarnsOfCookiesNotSent(t *testing.T) {
	t.Parallel()
	const warning = "sends no cookies"
	for _, tc := range []struct {
		desc  string
		creds scenarios.Credentials
		url   string
		warn  bool
	}{
		{"cross-origin, same-origin mode", scenarios.CredentialsSameOrigin, "http://127.0.0.1:8080/x", true},
		{"cross-origin, the default mode", "", "http://127.0.0.1:8080/x", true},
		{"cross-origin, omit", scenarios.CredentialsOmit, "http://127.0.0.1:8080/x", true},
		{"cross-origin, include", scenarios.CredentialsInclude, "http://127.0.0.1:8080/x", false},
		{"same-origin, same-origin mode", scenarios.CredentialsSameOrigin, "http://localhost:5173/x", false},
		{"same-origin, omit", scenarios.CredentialsOmit, "http://localhost:5173/x", true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := Record{Origin: "http://localhost:5173", Cookies: map[string]string{"session": "abc"}, Verdict: cors.VerdictAllowed,
				Request: scenarios.Request{URL: tc.url, Credentials: tc.creds}, Actual: &Exchange{URL: tc.url, Status: 200}}
			Conclude(&rec, nil)
			found := false
			for _, w := range rec.Diagnosis.Warnings {
				if assert.NotContains(t, w, "abc", "a cookie's value is a secret") && strings.Contains(w, warning) {
					found = true
					assert.Contains(t, w, "`session`")
				}
			}
			assert.Equal(t, tc.warn, found, "%v", rec.Diagnosis.Warnings)
		})
	}
}
