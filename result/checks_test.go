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
		cause: "Cause: a shared cache on the path keeps preflights (OPTIONS) under a key without Origin. And the preflight response says `Vary: Origin` but the cache ignored it; `Cache-Control: public, max-age=600` allows shared caching."})
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
				assert.Equal(t, PreflightCacheFix, rec.CacheCheck.Fix)
			} else if tc.poisoned {
				assert.Equal(t, CacheFix, rec.CacheCheck.Fix)
			}
		})
	}
}

// TestConcludePreflightCacheCheck is B's preflight answered by a Varnish
// that keeps OPTIONS: the browser refused it, the headers say a cache
// answered (a hit's two transaction ids, the primer's X-Request-Id and
// ACAO), and Vary was gone.
func TestConcludePreflightCacheCheck(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.example.test", "https://b.example.test"
	pf := func(origin string, v cors.Verdict, reason cors.CorsError, hdr map[string]string) Record {
		return Record{Origin: origin, Verdict: v, CorsError: reason, Preflight: &Exchange{Status: 204, ResponseHeaders: hdr}}
	}
	primer := pf(a, cors.VerdictAllowed, "", map[string]string{"Access-Control-Allow-Origin": a, "X-Request-Id": "3", "X-Varnish": "32770", "Cache-Control": "no-store"})
	primer.Actual = &Exchange{Status: 200}
	poisoned := pf(b, cors.VerdictBlocked, "PreflightAllowOriginMismatch",
		map[string]string{"Access-Control-Allow-Origin": a, "X-Request-Id": "3", "X-Varnish": "32775 32771", "Age": "2", "Cache-Control": "no-store"})
	rec := &Record{ExpectMet: true, Steps: []Record{primer, poisoned}}
	ConcludeCacheCheck(rec)
	cc := rec.CacheCheck
	require.NotNil(t, cc)
	assert.True(t, cc.Poisoned)
	assert.False(t, rec.ExpectMet)
	assert.Equal(t, "preflight", cc.Exchange)
	assert.Equal(t, cors.CorsError("PreflightAllowOriginMismatch"), cc.CorsError)
	assert.Equal(t, []string{
		"X-Varnish: 32775 32771 (a Varnish hit: this transaction and the one that stored the object)",
		"Age: 2 (seconds the response spent in a cache)",
		"X-Request-Id: 3, the same as the priming origin's response",
		"Access-Control-Allow-Origin: " + a + ", the priming origin's own",
	}, cc.Evidence)
	assert.Contains(t, cc.Cause, "keeps preflights (OPTIONS) under a key without Origin. The answer's headers show it came from a cache: X-Varnish: 32775 32771")
	assert.Contains(t, cc.Cause, "has no `Vary: Origin`")
	assert.Contains(t, cc.Cause, "despite `Cache-Control: no-store`")
	assert.Contains(t, cc.Summary, "blocked the request without sending it (PreflightAllowOriginMismatch)")
	assert.Equal(t, PreflightCacheFix, cc.Fix)
	require.Len(t, rec.Mismatches, 1)

	// B's own preflight from the same cache, keyed on Origin: a miss
	// with B's ACAO is no finding.
	own := pf(b, cors.VerdictAllowed, "", map[string]string{"Access-Control-Allow-Origin": b, "X-Varnish": "32780", "Vary": "Origin"})
	rec = &Record{ExpectMet: true, Steps: []Record{primer, own}}
	ConcludeCacheCheck(rec)
	assert.False(t, rec.CacheCheck.Poisoned)
	assert.Empty(t, rec.CacheCheck.Evidence)
	assert.True(t, rec.ExpectMet)
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
