package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

func TestHeaders(t *testing.T) {
	t.Parallel()
	const a = "https://app.example.test"
	tests := []struct {
		desc     string
		ref, got map[string]string
		want     []result.HeaderDiff
	}{
		{desc: "passed through, other headers ignored", ref: map[string]string{"Access-Control-Allow-Origin": a, "Date": "x", "Server": "go"},
			got: map[string]string{"access-control-allow-origin": a, "Date": "y", "Server": "nginx", "Via": "1.1 edge"}},
		{desc: "duplicate ACAO", ref: map[string]string{"Access-Control-Allow-Origin": a},
			got:  map[string]string{"Access-Control-Allow-Origin": a + "\n*"},
			want: []result.HeaderDiff{{Name: "access-control-allow-origin", Change: result.HeaderDuplicated, Reference: a, Value: a + "\n*"}}},
		{desc: "ACAO dropped, Vary dropped", ref: map[string]string{"Access-Control-Allow-Origin": a, "Vary": "Origin"},
			got: map[string]string{},
			want: []result.HeaderDiff{{Name: "access-control-allow-origin", Change: result.HeaderRemoved, Reference: a},
				{Name: "vary", Change: result.HeaderRemoved, Reference: "Origin"}}},
		{desc: "list headers compare as sets", ref: map[string]string{"Access-Control-Allow-Methods": "GET, PUT", "Vary": "Origin, Accept-Encoding"},
			got: map[string]string{"access-control-allow-methods": "put,get", "Vary": "Accept-Encoding\nOrigin"}},
		{desc: "changed value and added caching", ref: map[string]string{"Access-Control-Allow-Origin": a, "Cache-Control": "no-store"},
			got: map[string]string{"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60", "Expires": "Thu"},
			want: []result.HeaderDiff{{Name: "access-control-allow-origin", Change: result.HeaderChanged, Reference: a, Value: "*"},
				{Name: "cache-control", Change: result.HeaderChanged, Reference: "no-store", Value: "public, max-age=60"},
				{Name: "expires", Change: result.HeaderAdded, Value: "Thu"}}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Headers(tc.ref, tc.got))
		})
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	const a = "https://app.example.test"
	ref := &result.Record{Verdict: cors.VerdictAllowed,
		Preflight: &result.Exchange{Status: 204, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": a}},
		Actual:    &result.Exchange{Status: 401, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": a}}}
	edge := &result.Record{Verdict: cors.VerdictBlocked, CorsError: cors.CorsError("MissingAllowOriginHeader"),
		Preflight: &result.Exchange{Status: 204, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": a}},
		Actual:    &result.Exchange{Status: 401, ResponseHeaders: map[string]string{}}}
	d := Paths("direct", ref, edge)
	require.True(t, d.VerdictChanged)
	require.Len(t, d.Exchanges, 1)
	assert.Equal(t, "actual", d.Exchanges[0].Exchange)
	mm, warn := PathFindings("edge", edge, d)
	require.Len(t, mm, 1)
	assert.Equal(t, `path edge: the browser's verdict is blocked (MissingAllowOriginHeader), on direct it is allowed; first difference: actual: access-control-allow-origin removed (was "https://app.example.test")`, mm[0])
	assert.Equal(t, []string{`path edge differs from direct: actual: access-control-allow-origin removed (was "https://app.example.test")`}, warn)

	same := Paths("direct", ref, ref)
	assert.False(t, same.VerdictChanged)
	assert.Empty(t, same.Exchanges)

	nginx := &result.Record{Verdict: cors.VerdictAllowed, Preflight: &result.Exchange{Status: 200, ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": a}}, Actual: ref.Actual}
	d = Paths("direct", ref, nginx)
	assert.False(t, d.VerdictChanged)
	_, warn = PathFindings("edge", nginx, d)
	assert.Equal(t, []string{"path edge differs from direct: preflight: status 200, was 204"}, warn)

	noPreflight := &result.Record{Verdict: cors.VerdictAllowed, Actual: ref.Actual}
	_, warn = PathFindings("edge", noPreflight, Paths("direct", ref, noPreflight))
	assert.Equal(t, []string{"path edge differs from direct: preflight: sent on the reference only"}, warn)
}
