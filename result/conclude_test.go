package result

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/scenarios"
)

func TestConclude(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		rec    Record
		expect *scenarios.Expect
		met    bool
	}{
		{"no expectation, a verdict", Record{Verdict: scenarios.VerdictBlocked, CorsError: "MissingAllowOriginHeader"}, nil, true},
		{"no expectation, the harness failed", Record{Verdict: scenarios.VerdictError, Page: Page{Error: "opening page: boom"}}, nil, false},
		{"an error expected", Record{Verdict: scenarios.VerdictError}, &scenarios.Expect{Verdict: scenarios.VerdictError}, true},
		{"expectation met", Record{Verdict: scenarios.VerdictAllowed}, &scenarios.Expect{Verdict: scenarios.VerdictAllowed}, true},
		{"expectation failed", Record{Verdict: scenarios.VerdictAllowed}, &scenarios.Expect{Verdict: scenarios.VerdictBlocked}, false},
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
