package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// pathsRun is a run over two paths, direct and edge: a GET whose 401 lost
// its ACAO on the edge (verdict changed), a preflighted PUT whose edge
// preflight answered with another status and a hostile header (drift
// only), and a cache check poisoned on the edge.
func pathsRun() *result.Run {
	const a = "https://app.example.test"
	ex := func(method string, status int, hdr map[string]string) *result.Exchange {
		return &result.Exchange{Method: method, URL: "http://127.0.0.1:8080/api/items", RequestHeaders: map[string]string{"Origin": a}, Status: status, ResponseHeaders: hdr}
	}
	rec := func(name, path string, v cors.Verdict, ce cors.CorsError, pre, act *result.Exchange) result.Record {
		r := result.Record{Name: scenarios.PathCaseName(name, path), Path: path, Suite: "paths", File: "paths.yaml", Origin: a,
			Request: scenarios.Request{API: scenarios.APIFetch, Method: act.Method, URL: act.URL, Credentials: scenarios.CredentialsOmit},
			Verdict: v, CorsError: ce, Preflight: pre, Actual: act, ExpectMet: true, Mismatches: []string{},
			Diagnosis: &cors.Diagnosis{Summary: "s", AgreesWithBrowser: true, ModelVerdict: v}, Browser: "Chromium 156.0.8078.108"}
		r.Page.ReadableHeaders = map[string]string{}
		return r
	}
	withACAO := map[string]string{"Access-Control-Allow-Origin": a}
	recs := []result.Record{
		rec("get 401", "direct", cors.VerdictAllowed, "", nil, ex("GET", 401, withACAO)),
		rec("get 401", "edge", cors.VerdictBlocked, "MissingAllowOriginHeader", nil, ex("GET", 401, map[string]string{})),
		rec("put", "direct", cors.VerdictAllowed, "", ex("OPTIONS", 204, withACAO), ex("PUT", 200, withACAO)),
		rec("put", "edge", cors.VerdictAllowed, "", ex("OPTIONS", 200, map[string]string{"Access-Control-Allow-Origin": a, "Access-Control-Allow-Headers": hostileImg}), ex("PUT", 200, withACAO)),
	}
	for _, i := range []int{1, 3} {
		d := &result.PathDiff{Reference: "direct", ReferenceVerdict: recs[i-1].Verdict}
		d.VerdictChanged = recs[i].Verdict != recs[i-1].Verdict
		for _, x := range []struct {
			n    string
			r, g *result.Exchange
		}{{"preflight", recs[i-1].Preflight, recs[i].Preflight}, {"actual", recs[i-1].Actual, recs[i].Actual}} {
			if x.r == nil {
				continue
			}
			ed := result.ExchangeDiff{Exchange: x.n}
			if x.r.Status != x.g.Status {
				ed.ReferenceStatus, ed.Status = x.r.Status, x.g.Status
			}
			if _, ok := x.g.ResponseHeaders["Access-Control-Allow-Origin"]; !ok {
				ed.Headers = append(ed.Headers, result.HeaderDiff{Name: "access-control-allow-origin", Change: result.HeaderRemoved, Reference: a})
			}
			if v, ok := x.g.ResponseHeaders["Access-Control-Allow-Headers"]; ok {
				ed.Headers = append(ed.Headers, result.HeaderDiff{Name: "access-control-allow-headers", Change: result.HeaderAdded, Value: v})
			}
			if ed.Status != 0 || len(ed.Headers) > 0 {
				d.Exchanges = append(d.Exchanges, ed)
			}
		}
		recs[i].PathDiff = d
	}
	recs[1].ExpectMet = false
	recs[1].Mismatches = []string{"path edge: the browser's verdict is blocked (MissingAllowOriginHeader), on direct it is allowed"}
	poisoned := rec("get › cache check from https://b.example.test", "edge", cors.VerdictBlocked, "AllowOriginMismatch", nil, ex("GET", 200, withACAO))
	poisoned.CacheCheck = &result.CacheCheck{PrimedBy: a, Origin: "https://b.example.test", Poisoned: true, ACAO: a, Exchange: "actual",
		Summary: "Origin https://b.example.test was answered with A's ACAO.", Fix: result.CacheFix}
	poisoned.ExpectMet = false
	poisoned.Mismatches = []string{"cache poisoning: " + poisoned.CacheCheck.Summary}
	recs = append(recs, poisoned)
	run := &result.Run{Settings: result.Settings{Tool: "corsproof", Suites: []string{"paths"}, Browser: "Chromium 156.0.8078.108", LNA: "off",
		Started: time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC)}, DurationMS: 1000, Records: recs}
	run.Tally()
	return run
}

func TestPathsGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, format, golden string
		opts                 Options
	}{
		{desc: "text", format: "text", golden: "run-paths.txt"},
		{desc: "quiet text", format: "text", golden: "run-paths.quiet.txt", opts: Options{Quiet: true}},
		{desc: "markdown", format: "markdown", golden: "run-paths.md"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rep, err := New(tc.format, tc.opts)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, rep.Report(&buf, pathsRun()))
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
}

func TestPathsGrid(t *testing.T) {
	t.Parallel()
	g := pathsOf(pathsRun())
	require.NotNil(t, g)
	assert.Equal(t, []string{"direct", "edge"}, g.Paths)
	require.Len(t, g.Rows, 3)
	assert.Equal(t, "get 401", g.Rows[0].Case)
	assert.Equal(t, "allowed", g.Rows[0].Cells[0].Text())
	assert.Equal(t, "blocked MissingAllowOriginHeader ✗", g.Rows[0].Cells[1].Text())
	assert.Equal(t, "allowed ~", g.Rows[1].Cells[1].Text())
	assert.Equal(t, "-", g.Rows[2].Cells[0].Text(), "the cache check ran on the edge only")
	assert.Nil(t, pathsOf(fixtureRun()), "a run without paths has no grid")
}

func TestPathsHTML(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, pathsRun(), Options{})
	assert.Contains(t, page, `<section id="paths">`)
	assert.Contains(t, page, `<th scope="col">direct</th><th scope="col">edge</th>`)
	assert.Contains(t, page, `<td class="changed"><a href="#case-2">blocked MissingAllowOriginHeader ✗</a>`)
	assert.Contains(t, page, `<td class="drift"><a href="#case-4">allowed ~</a><ul class="drift"><li>preflight: status 200, was 204</li>`)
	assert.NotContains(t, page, hostileImg, "a header value from the wire stays text")
	assert.Contains(t, page, `<dt>Path</dt><dd class="path">edge</dd>`)
	assert.Contains(t, page, `<dt>Cache check</dt><dd class="check warn">`)
	assert.NotContains(t, renderHTML(t, fixtureRun(), Options{}), `id="paths"`)
}

func TestPathsJSON(t *testing.T) {
	t.Parallel()
	rep, err := New("json", Options{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rep.Report(&buf, pathsRun()))
	var back result.Run
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	require.NotNil(t, back.Records[1].PathDiff)
	assert.Equal(t, "edge", back.Records[1].Path)
	assert.True(t, back.Records[1].PathDiff.VerdictChanged)
	assert.True(t, back.Records[4].CacheCheck.Poisoned)
	assert.True(t, strings.Contains(buf.String(), `"path_diff"`))
}
