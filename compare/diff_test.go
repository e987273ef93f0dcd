package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// rec builds a record; opts adjust it.
func rec(file, name string, opts ...func(*result.Record)) result.Record {
	r := result.Record{
		Name: name, Suite: "demo", File: file, Origin: "https://app.example.test",
		Verdict: cors.VerdictAllowed,
		Actual:  &result.Exchange{Method: "GET", URL: "https://api.example.test/x", Status: 200},
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func blocked(corsError cors.CorsError, param string) func(*result.Record) {
	return func(r *result.Record) {
		r.Verdict = cors.VerdictBlocked
		r.CorsError = corsError
		r.FailedParameter = param
	}
}

func withPreflight(r *result.Record) {
	r.Preflight = &result.Exchange{Method: "OPTIONS", URL: "https://api.example.test/x", Status: 204}
}

func noActual(r *result.Record) { r.Actual = nil }

func status(n int) func(*result.Record) {
	return func(r *result.Record) { r.Actual.Status = n }
}

func suite(name string) func(*result.Record) {
	return func(r *result.Record) { r.Suite = name }
}

func runOf(recs ...result.Record) *result.Run {
	r := &result.Run{Settings: result.Settings{Tool: "corsproof", Browser: "Chromium 156.0.0.0"}, Records: recs}
	r.Tally()
	return r
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		old     *result.Run
		new     *result.Run
		want    []Change
		wantStr []string
	}{
		{
			desc: "equal runs give no changes",
			old:  runOf(rec("a.yaml", "one"), rec("a.yaml", "two", withPreflight)),
			new:  runOf(rec("a.yaml", "one"), rec("a.yaml", "two", withPreflight)),
		},
		{
			desc: "timings and request headers are not compared",
			old:  runOf(rec("a.yaml", "one", func(r *result.Record) { r.DurationMS = 5; r.Actual.RequestHeaders = map[string]string{"A": "1"} })),
			new:  runOf(rec("a.yaml", "one", func(r *result.Record) { r.DurationMS = 900 })),
		},
		{
			desc: "a verdict change names verdict, CorsError and failed parameter",
			old:  runOf(rec("a.yaml", "one"), rec("a.yaml", "two")),
			new:  runOf(rec("a.yaml", "one"), rec("a.yaml", "two", blocked("AllowOriginMismatch", "https://x.test"))),
			want: []Change{{
				Suite: "demo", File: "a.yaml", Case: "two", Kind: Changed,
				Fields: []FieldChange{
					{FieldVerdict, "allowed", "blocked"},
					{FieldCorsError, "none", "AllowOriginMismatch"},
					{FieldFailedParameter, "none", "https://x.test"},
				},
				Old: &Outcome{Verdict: "allowed", Status: 200},
				New: &Outcome{Verdict: "blocked", CorsError: "AllowOriginMismatch", FailedParameter: "https://x.test", Status: 200},
			}},
			wantStr: []string{"demo / two: verdict allowed → blocked; cors_error none → AllowOriginMismatch; failed_parameter none → https://x.test"},
		},
		{
			desc:    "a preflight no longer sent is a change even with the same verdict",
			old:     runOf(rec("a.yaml", "one", withPreflight)),
			new:     runOf(rec("a.yaml", "one")),
			wantStr: []string{"demo / one: preflight sent → not sent"},
		},
		{
			desc:    "a status change",
			old:     runOf(rec("a.yaml", "one")),
			new:     runOf(rec("a.yaml", "one", status(500))),
			wantStr: []string{"demo / one: status 200 → 500"},
		},
		{
			desc:    "a failed parameter change alone",
			old:     runOf(rec("a.yaml", "one", blocked("HeaderDisallowedByPreflightResponse", "x-a"))),
			new:     runOf(rec("a.yaml", "one", blocked("HeaderDisallowedByPreflightResponse", "x-b"))),
			wantStr: []string{"demo / one: failed_parameter x-a → x-b"},
		},
		{
			desc:    "the actual request no longer sent",
			old:     runOf(rec("a.yaml", "one", withPreflight)),
			new:     runOf(rec("a.yaml", "one", withPreflight, noActual, blocked("PreflightInvalidStatus", ""))),
			wantStr: []string{"demo / one: verdict allowed → blocked; cors_error none → PreflightInvalidStatus; status 200 → none"},
		},
		{
			desc: "added and removed cases, added in the new order and removed last",
			old:  runOf(rec("a.yaml", "gone"), rec("a.yaml", "kept")),
			new:  runOf(rec("a.yaml", "fresh", blocked("MissingAllowOriginHeader", "")), rec("a.yaml", "kept")),
			wantStr: []string{
				"demo / fresh: only in the new run (blocked MissingAllowOriginHeader)",
				"demo / gone: only in the old run (allowed)",
			},
		},
		{
			desc: "the same case name in two files is matched by file",
			old:  runOf(rec("a.yaml", "same"), rec("b.yaml", "same", blocked("MissingAllowOriginHeader", ""))),
			new:  runOf(rec("b.yaml", "same", blocked("MissingAllowOriginHeader", "")), rec("a.yaml", "same", status(204))),
			wantStr: []string{
				"demo / same: status 200 → 204",
			},
		},
		{
			desc:    "a suite file given by another path is matched by suite and case name",
			old:     runOf(rec("/home/ci/suites/a.yaml", "one")),
			new:     runOf(rec("suites/a.yaml", "one", status(404))),
			wantStr: []string{"demo / one: status 200 → 404"},
		},
		{
			desc:    "./a.yaml and a.yaml are the same file",
			old:     runOf(rec("./a.yaml", "one", suite("x")), rec("a.yaml", "two", suite("y"))),
			new:     runOf(rec("a.yaml", "one", suite("x")), rec("a.yaml", "two", suite("y"))),
			wantStr: nil,
		},
		{
			desc: "a suite given twice matches occurrence by occurrence",
			old:  runOf(rec("a.yaml", "one"), rec("a.yaml", "one")),
			new:  runOf(rec("a.yaml", "one"), rec("a.yaml", "one", status(503))),
			wantStr: []string{
				"demo / one: status 200 → 503",
			},
		},
		{
			desc:    "a nil old run reports every case as added",
			old:     nil,
			new:     runOf(rec("a.yaml", "one")),
			wantStr: []string{"demo / one: only in the new run (allowed)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			got := Diff(tt.old, tt.new)
			if tt.want != nil {
				assert.Equal(t, tt.want, got)
			}
			var strs []string
			for _, c := range got {
				strs = append(strs, c.String())
			}
			assert.Equal(t, tt.wantStr, strs)
		})
	}
}

func TestDiffKinds(t *testing.T) {
	t.Parallel()
	got := Diff(runOf(rec("a.yaml", "gone")), runOf(rec("a.yaml", "new")))
	require.Len(t, got, 2)
	assert.Equal(t, Added, got[0].Kind)
	assert.Nil(t, got[0].Old)
	require.NotNil(t, got[0].New)
	assert.Equal(t, Removed, got[1].Kind)
	assert.Nil(t, got[1].New)
	require.NotNil(t, got[1].Old)
}

func TestOutcomeField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc  string
		o     Outcome
		field string
		want  string
	}{
		{"preflight sent", Outcome{PreflightSent: true}, FieldPreflight, "sent"},
		{"preflight not sent", Outcome{}, FieldPreflight, "not sent"},
		{"no status", Outcome{}, FieldStatus, "none"},
		{"status", Outcome{Status: 418}, FieldStatus, "418"},
		{"no CorsError", Outcome{}, FieldCorsError, "none"},
		{"unknown field", Outcome{Verdict: "allowed"}, "nope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.o.Field(tt.field))
		})
	}
}
