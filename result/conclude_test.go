package result

import (
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
