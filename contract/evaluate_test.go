package contract

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// conforming returns the records a server following the policy would
// produce: allowed cases echo the origin with Vary, denied ones get no
// CORS headers and are blocked.
func conforming(c *Contract) []result.Record {
	recs := make([]result.Record, len(c.Checks))
	for i, ck := range c.Checks {
		rec := result.Record{Name: ck.Case, Origin: ck.Origin, Request: c.Suite.Cases[i].Request, Browser: "Chromium test",
			Page: result.Page{ReadableHeaders: map[string]string{}}}
		hdr := map[string]string{"X-Request-Id": "1"}
		if ck.Vary {
			hdr["Vary"] = "Origin"
		}
		if ck.Allowed {
			rec.Verdict = cors.VerdictAllowed
			hdr["Access-Control-Allow-Origin"] = ck.Origin
			if ck.Credentials {
				hdr["Access-Control-Allow-Credentials"] = "true"
			}
			for _, h := range ck.Expose {
				rec.Page.ReadableHeaders[h] = "1"
			}
		} else {
			rec.Verdict = cors.VerdictBlocked
			rec.CorsError = "MissingAllowOriginHeader"
		}
		rec.Actual = &result.Exchange{Method: ck.Method, Status: 200, ResponseHeaders: hdr}
		if ck.Rule == RuleMaxAge {
			pre := &result.Exchange{Method: "OPTIONS", Status: 204, ResponseHeaders: map[string]string{
				"Access-Control-Allow-Origin": ck.Origin, "Access-Control-Max-Age": strconv.Itoa(*ck.MaxAge)}}
			first, second := rec, rec
			first.Preflight = pre
			first.PreflightModel = &result.PreflightModel{CachedPreflight: cors.CachedPreflight{Sent: true, Cause: cors.CauseNoEntry}, AgreesWithBrowser: true}
			second.PreflightModel = &result.PreflightModel{CachedPreflight: cors.CachedPreflight{Cause: cors.CauseCached}, AgreesWithBrowser: true}
			rec.Steps = []result.Record{first, second}
		}
		recs[i] = rec
	}
	return recs
}

func exampleContract(t *testing.T) *Contract {
	t.Helper()
	c, err := Build(loadPolicy(t, examplePolicy), "http://127.0.0.1:8080")
	require.NoError(t, err)
	return c
}

// find returns the record of the case named name.
func find(t *testing.T, recs []result.Record, name string) *result.Record {
	t.Helper()
	for i := range recs {
		if recs[i].Name == name {
			return &recs[i]
		}
	}
	require.FailNow(t, "no case "+name)
	return nil
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	type want struct {
		rule    string
		outcome Outcome
		message []string
	}
	for _, tc := range []struct {
		desc     string
		mutate   func(t *testing.T, recs []result.Record)
		want     []want
		conforms bool
	}{
		{"a conforming API", func(*testing.T, []result.Record) {}, nil, true},
		{"a Max-Age other than the policy's", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders max-age PUT twice from https://shop.example.com")
			r.Steps[0].Preflight.ResponseHeaders["Access-Control-Max-Age"] = "60"
		}, []want{{RuleMaxAge, OutcomeViolation, []string{"the policy sets max_age 600 on /api/orders, but the API's preflight sends Access-Control-Max-Age: 60, which Chromium keeps 60 s"}}}, false},
		{"no Max-Age, and a browser that preflights again", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders max-age PUT twice from https://shop.example.com")
			delete(r.Steps[0].Preflight.ResponseHeaders, "Access-Control-Max-Age")
			r.Steps[1].Preflight = r.Steps[0].Preflight
			r.Steps[1].PreflightModel = &result.PreflightModel{CachedPreflight: cors.CachedPreflight{Reason: "the result cached by step 1 covers it"}}
		}, []want{
			{RuleMaxAge, OutcomeViolation, []string{"sends no Access-Control-Max-Age, which Chromium keeps 5 s"}},
			{RuleMaxAge, OutcomeWarning, []string{"the browser sent a new preflight for the second identical call"}},
		}, false},
		{"wildcard with credentials", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/session credentials-allowed https://shop.example.com")
			r.Verdict, r.CorsError, r.FailedParameter = cors.VerdictBlocked, "WildcardOriginNotAllowed", "*"
			r.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "*"
		}, []want{{RuleCredentialsAllowed, OutcomeViolation, []string{
			"the policy allows https://shop.example.com with credentials on /api/session, but the API answered Access-Control-Allow-Origin: *"}}}, false},
		{"a look-alike let in", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders origin-denied/prefix-lookalike https://evilshop.example.com")
			r.Verdict, r.CorsError = cors.VerdictAllowed, ""
			r.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "https://evilshop.example.com"
			r.Actual.ResponseHeaders["Access-Control-Allow-Credentials"] = "true"
		}, []want{{RuleOriginDenied + "/" + KindPrefix, OutcomeSecurity, []string{
			"the API allows https://evilshop.example.com on /api/orders, which the policy does not (a prefix look-alike of https://shop.example.com)",
			"with Access-Control-Allow-Credentials: true"}}}, false},
		{"an echoed origin without Vary", func(t *testing.T, recs []result.Record) {
			for i := range recs {
				if strings.HasPrefix(recs[i].Name, "/api/partner ") {
					delete(recs[i].Actual.ResponseHeaders, "Vary")
				}
			}
		}, []want{{RuleVaryOrigin, OutcomeViolation, []string{
			"the policy requires Vary: Origin on /api/partner, but the API echoed Access-Control-Allow-Origin: https://partner.example.net in the response to GET without it (Vary: none)"}}}, false},
		{"a trailing slash", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/partner origin-allowed https://partner.example.net")
			r.Verdict, r.CorsError = cors.VerdictBlocked, "AllowOriginMismatch"
			r.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "https://partner.example.net/"
		}, []want{{RuleOriginAllowed, OutcomeViolation, []string{
			"but the API answered Access-Control-Allow-Origin: https://partner.example.net/ (with a trailing slash, which never matches an origin)"}}}, false},
		{"a method missing from the preflight", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders method-allowed DELETE from https://shop.example.com")
			r.Verdict, r.CorsError = cors.VerdictBlocked, "MethodDisallowedByPreflightResponse"
			r.Preflight = &result.Exchange{Method: "OPTIONS", Status: 204, ResponseHeaders: map[string]string{
				"Access-Control-Allow-Origin": "https://shop.example.com", "Access-Control-Allow-Methods": "GET, POST, PUT", "Vary": "Origin"}}
		}, []want{{RuleMethodAllowed, OutcomeViolation, []string{
			"the policy allows method DELETE from https://shop.example.com on /api/orders, but the preflight's Access-Control-Allow-Methods is GET, POST, PUT"}}}, false},
		{"an exposed header not listed", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders expose-header X-Request-Id from https://shop.example.com")
			r.Page.ReadableHeaders = map[string]string{}
		}, []want{{RuleExposeHeader, OutcomeViolation, []string{
			"the policy exposes X-Request-Id on /api/orders, but a page at https://shop.example.com could not read it: the API answered no Access-Control-Expose-Headers"}}}, false},
		{"an exposed header the API never sends is a warning", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/orders expose-header X-Request-Id from https://shop.example.com")
			r.Page.ReadableHeaders = map[string]string{}
			delete(r.Actual.ResponseHeaders, "X-Request-Id")
		}, []want{{RuleExposeHeader, OutcomeWarning, []string{"carried no X-Request-Id"}}}, true},
		{"wildcard on a restricted route is one finding", func(t *testing.T, recs []result.Record) {
			for i := range recs {
				if strings.HasPrefix(recs[i].Name, "/api/partner origin-denied/") {
					recs[i].Verdict, recs[i].CorsError = cors.VerdictAllowed, ""
					recs[i].Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "*"
				}
			}
		}, []want{{RuleOriginDenied, OutcomeSecurity, []string{
			"the API lets any origin read /api/partner (it answered Access-Control-Allow-Origin: *), which the policy does not: 8 origins"}}}, false},
		{"an API that is down is one error", func(t *testing.T, recs []result.Record) {
			for i := range recs {
				recs[i].Verdict, recs[i].CorsError, recs[i].NetError = cors.VerdictNetworkError, "", "net::ERR_CONNECTION_REFUSED"
				recs[i].Actual = nil
			}
		}, []want{{RuleUnchecked, OutcomeError, []string{"could not check 61 cases: the request ended in network-error (net::ERR_CONNECTION_REFUSED)"}}}, false},
		{"hostile header values are quoted", func(t *testing.T, recs []result.Record) {
			r := find(t, recs, "/api/partner origin-allowed https://partner.example.net")
			r.Verdict, r.CorsError = cors.VerdictBlocked, "AllowOriginMismatch"
			r.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "x\x1b[31m\r\nFAKE"
		}, []want{{RuleOriginAllowed, OutcomeViolation, []string{`Access-Control-Allow-Origin: "x\x1b[31m\r, FAKE"`}}}, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			c := exampleContract(t)
			recs := conforming(c)
			tc.mutate(t, recs)
			rep := Evaluate(c, recs)
			assert.Equal(t, tc.conforms, rep.Conforms)
			require.Len(t, rep.Findings, len(tc.want), "findings: %+v", rep.Findings)
			for i, w := range tc.want {
				f := rep.Findings[i]
				assert.Equal(t, w.rule, f.Rule)
				assert.Equal(t, w.outcome, f.Outcome)
				for _, m := range w.message {
					assert.Contains(t, f.Message, m)
				}
				assert.NotContains(t, f.Message, "\x1b")
				assert.NotContains(t, f.Message, "\n")
			}
			var text bytes.Buffer
			require.NoError(t, rep.WriteText(&text))
			assert.NotContains(t, text.String(), "\x1b")
			if tc.conforms {
				assert.Contains(t, text.String(), "the API conforms to the policy: 61 cases")
			} else if rep.Security+rep.Violations == 0 {
				assert.Contains(t, text.String(), "could not check the API against the policy")
			} else {
				assert.Contains(t, text.String(), "the API departs from the policy")
			}
		})
	}
}

func TestEvaluateCountsRules(t *testing.T) {
	t.Parallel()
	c := exampleContract(t)
	recs := conforming(c)
	r := find(t, recs, "/api/orders origin-denied/other-scheme http://shop.example.com")
	r.Verdict, r.CorsError = cors.VerdictAllowed, ""
	r.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "http://shop.example.com"
	recs = recs[1:] // the first case did not run
	rep := Evaluate(c, recs)
	assert.Equal(t, 61, rep.Cases)
	assert.Equal(t, 1, rep.Security)
	assert.Equal(t, 1, rep.Errors)
	byRule := map[string]RuleResult{}
	for _, rr := range rep.Rules {
		byRule[rr.Rule] = rr
	}
	assert.Equal(t, RuleResult{Rule: RuleOriginDenied + "/" + KindScheme, Cases: 4, Passed: 3, Outcome: OutcomeSecurity}, byRule[RuleOriginDenied+"/"+KindScheme])
	assert.Equal(t, OutcomeError, byRule[RuleOriginAllowed].Outcome)
	assert.Equal(t, RuleOriginAllowed, rep.Rules[0].Rule, "rules come in a fixed order")

	var out bytes.Buffer
	require.NoError(t, rep.WriteJSON(&out))
	var back Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &back))
	assert.False(t, back.Conforms)
	assert.Len(t, back.Findings, 2)
}

// TestPolicyFixForAnyOrigin: a route open to any origin without
// credentials is fixed with "*", not with the one origin the case came
// from (and its Vary and allow-list note); other routes keep the model's
// fix.
func TestPolicyFixForAnyOrigin(t *testing.T) {
	rec := &result.Record{Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/api/catalog"}, Diagnosis: &cors.Diagnosis{
		Fix: "model fix",
		FixHeaders: &cors.FixHeaders{Actual: &cors.HeaderChange{Set: map[string]string{
			"Access-Control-Allow-Origin": "https://app.corsproof.test", "Vary": "Origin", "Access-Control-Expose-Headers": "X-Request-Id"}},
			Notes: []string{"Send `https://app.corsproof.test` when the request's Origin is on your allow-list; never copy the Origin header back unchecked."}},
	}}
	got := policyFix(Check{Route: "/api/catalog", From: "*", Origin: "https://app.corsproof.test"}, rec)
	assert.Contains(t, got, "`Access-Control-Allow-Origin: *`")
	assert.Contains(t, got, "`Access-Control-Expose-Headers: X-Request-Id`")
	assert.NotContains(t, got, "Vary")
	assert.NotContains(t, got, "allow-list")
	assert.Equal(t, "https://app.corsproof.test", rec.Diagnosis.FixHeaders.Actual.Set["Access-Control-Allow-Origin"], "the record's own fix is left alone")
	assert.Equal(t, "model fix", policyFix(Check{Route: "/api/orders", From: "https://shop.example.com"}, rec))
	assert.Equal(t, "model fix", policyFix(Check{Route: "/api/catalog", From: "*", Credentials: true}, rec))

	// A fix that leaves the origin alone (it is right) is the model's.
	headersOnly := &result.Record{Request: rec.Request, Diagnosis: &cors.Diagnosis{Fix: "headers fix", FixHeaders: &cors.FixHeaders{
		Preflight: &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Headers": "x-token"}}}}}
	assert.Equal(t, "headers fix", policyFix(Check{Route: "/api/catalog", From: "*"}, headersOnly))
	// A preflight's origin becomes * too.
	both := &result.Record{Request: scenarios.Request{Method: "PUT", URL: rec.Request.URL}, Diagnosis: &cors.Diagnosis{Fix: "x", FixHeaders: &cors.FixHeaders{
		Preflight: &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Origin": "https://a.test", "Access-Control-Allow-Methods": "PUT"}},
		Actual:    &cors.HeaderChange{Set: map[string]string{"Access-Control-Allow-Origin": "https://a.test", "Vary": "Origin"}}}}}
	got = policyFix(Check{Route: "/api/catalog", From: "*"}, both)
	assert.Contains(t, got, "On the OPTIONS (preflight) response for `http://127.0.0.1:8080/api/catalog`: send `Access-Control-Allow-Origin: *`, `Access-Control-Allow-Methods: PUT`.")
	assert.NotContains(t, got, "https://a.test")
}

// TestAnnotate: the --report files of verify are written from the run's
// records, so a departure the report finds on a case whose verdict met its
// expectation (an echoed origin without Vary) must fail that record too,
// and every failed record says which rule broke and the fix, or CI shows
// green tests for a run verify failed.
func TestAnnotate(t *testing.T) {
	t.Parallel()
	c := exampleContract(t)
	recs := conforming(c)
	for i := range recs {
		recs[i].ExpectMet = true
		if strings.HasPrefix(recs[i].Name, "/api/partner ") {
			delete(recs[i].Actual.ResponseHeaders, "Vary")
		}
	}
	lookalike := find(t, recs, "/api/orders origin-denied/prefix-lookalike https://evilshop.example.com")
	lookalike.Verdict, lookalike.CorsError, lookalike.ExpectMet = cors.VerdictAllowed, "", false
	lookalike.Mismatches = []string{"verdict: expected blocked, got allowed"}
	lookalike.Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "https://evilshop.example.com"
	run := &result.Run{Records: recs}
	rep := EvaluateRun(c, run)
	require.False(t, rep.Conforms)
	rep.Annotate(run)

	vary := find(t, recs, "/api/partner origin-allowed https://partner.example.net")
	assert.False(t, vary.ExpectMet, "the Vary violation fails its case")
	require.NotEmpty(t, vary.Mismatches)
	assert.Equal(t, "violation vary-origin: the policy requires Vary: Origin on /api/partner, but the API echoed Access-Control-Allow-Origin: https://partner.example.net in the response to GET without it (Vary: none); a shared cache may serve that answer to another origin; fix: add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request's Origin", vary.Mismatches[0])

	require.Len(t, lookalike.Mismatches, 2)
	assert.True(t, strings.HasPrefix(lookalike.Mismatches[0], "security origin-denied/prefix-lookalike: the API allows https://evilshop.example.com on /api/orders"), lookalike.Mismatches[0])
	assert.Equal(t, "verdict: expected blocked, got allowed", lookalike.Mismatches[1], "the runner's own mismatch stays")

	failed := 0
	for _, r := range recs {
		if !r.ExpectMet {
			failed++
		}
	}
	assert.Equal(t, 2, failed, "the cases the findings name, no more")
	rep.Annotate(run)
	assert.Len(t, lookalike.Mismatches, 2, "annotating twice adds nothing")
}
