package result

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
)

func TestConcludeCacheCheck(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.example.test", "https://b.example.test"
	step := func(origin string, v cors.Verdict, hdr map[string]string) Record {
		return Record{Origin: origin, Verdict: v, Actual: &Exchange{Status: 200, ResponseHeaders: hdr}}
	}
	tests := []struct {
		desc     string
		b        Record
		poisoned bool
		cause    string
	}{
		{desc: "own answer", b: step(b, cors.VerdictAllowed, map[string]string{"Access-Control-Allow-Origin": b, "Vary": "Origin"})},
		{desc: "wildcard is no poisoning", b: step(b, cors.VerdictAllowed, map[string]string{"Access-Control-Allow-Origin": "*"})},
		{desc: "denied, no ACAO", b: step(b, cors.VerdictBlocked, map[string]string{})},
		{desc: "A's ACAO without Vary", b: step(b, cors.VerdictBlocked, map[string]string{"access-control-allow-origin": a, "Cache-Control": "public, max-age=60"}),
			poisoned: true, cause: "Cause: the response's Access-Control-Allow-Origin depends on Origin but it has no `Vary: Origin`; `Cache-Control: public, max-age=60` allows shared caching."},
		{desc: "A's ACAO, Vary ignored", b: step(b, cors.VerdictBlocked, map[string]string{"Access-Control-Allow-Origin": a, "Vary": "Accept-Encoding, Origin"}),
			poisoned: true, cause: "Cause: the response says `Vary: Origin` but a cache on the path ignored it (a cache key without Origin); no Cache-Control forbids shared caching."},
	}
	cachedPreflight := step(b, cors.VerdictBlocked, nil)
	cachedPreflight.Actual = nil
	cachedPreflight.Preflight = &Exchange{Status: 204, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": a, "Cache-Control": "public, max-age=600", "Vary": "Origin"}}
	tests = append(tests, struct {
		desc     string
		b        Record
		poisoned bool
		cause    string
	}{desc: "a cached preflight", b: cachedPreflight, poisoned: true,
		cause: "Cause: the response says `Vary: Origin` but a cache on the path ignored it (a cache key without Origin); `Cache-Control: public, max-age=600` allows shared caching."})
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := &Record{ExpectMet: true, Mismatches: []string{}, Steps: []Record{step(a, cors.VerdictAllowed, nil), tc.b}}
			ConcludeCacheCheck(rec)
			require.NotNil(t, rec.CacheCheck)
			assert.Equal(t, tc.poisoned, rec.CacheCheck.Poisoned, rec.CacheCheck.Summary)
			assert.Equal(t, !tc.poisoned, rec.ExpectMet)
			assert.Equal(t, tc.cause, rec.CacheCheck.Cause)
			assert.Equal(t, a, rec.CacheCheck.PrimedBy)
			assert.Equal(t, b, rec.CacheCheck.Origin)
			if tc.desc == "a cached preflight" {
				assert.Equal(t, "preflight", rec.CacheCheck.Exchange)
			}
		})
	}
}

func TestConcludeErrorPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc            string
		rec             Record
		reached, hidden bool
		exchange        string
	}{
		{desc: "401 without CORS", rec: Record{Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader", Actual: &Exchange{Status: 401}}, reached: true, hidden: true, exchange: "actual"},
		{desc: "401 with CORS", rec: Record{Verdict: cors.VerdictAllowed, Actual: &Exchange{Status: 401}}, reached: true, exchange: "actual"},
		{desc: "no error reached", rec: Record{Verdict: cors.VerdictAllowed, Actual: &Exchange{Status: 200}}, exchange: "actual"},
		{desc: "preflight refused by auth", rec: Record{Verdict: cors.VerdictBlocked, CorsError: "PreflightMissingAllowOriginHeader", Preflight: &Exchange{Status: 403}}, reached: true, hidden: true, exchange: "preflight"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rec := tc.rec
			rec.ExpectMet = true
			ConcludeErrorPath(&rec, "bad-token")
			require.NotNil(t, rec.ErrorPath)
			assert.Equal(t, tc.reached, rec.ErrorPath.Reached)
			assert.Equal(t, tc.hidden, rec.ErrorPath.Hidden, rec.ErrorPath.Summary)
			assert.Equal(t, tc.exchange, rec.ErrorPath.Exchange)
			assert.Equal(t, !tc.hidden, rec.ExpectMet)
			assert.Equal(t, tc.hidden, rec.ErrorPath.Fix != "")
		})
	}
}
