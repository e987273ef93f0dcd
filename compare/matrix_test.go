package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

func labelled(label, browser string, recs ...result.Record) Column {
	r := runOf(recs...)
	r.Browser = browser
	return Column{Label: label, Run: r}
}

func TestNewMatrix(t *testing.T) {
	t.Parallel()
	type row struct {
		name    string
		differs bool
		fields  []string
		present []bool
	}
	tests := []struct {
		desc string
		cols []Column
		want []row
	}{
		{
			desc: "agreeing browsers keep the suite order",
			cols: []Column{
				labelled("old", "Chromium 150", rec("a.yaml", "one"), rec("a.yaml", "two")),
				labelled("new", "Chromium 156", rec("a.yaml", "one"), rec("a.yaml", "two")),
			},
			want: []row{
				{"one", false, nil, []bool{true, true}},
				{"two", false, nil, []bool{true, true}},
			},
		},
		{
			desc: "differing cases come first, in suite order",
			cols: []Column{
				labelled("old", "Chromium 150", rec("a.yaml", "one"), rec("a.yaml", "two"), rec("a.yaml", "three", withPreflight)),
				labelled("new", "Chromium 156", rec("a.yaml", "one"), rec("a.yaml", "two", blocked("MissingAllowOriginHeader", "")), rec("a.yaml", "three")),
			},
			want: []row{
				{"two", true, []string{FieldVerdict, FieldCorsError}, []bool{true, true}},
				{"three", true, []string{FieldPreflight}, []bool{true, true}},
				{"one", false, nil, []bool{true, true}},
			},
		},
		{
			desc: "a case only one browser ran differs, with a missing cell",
			cols: []Column{
				labelled("a", "A", rec("a.yaml", "one")),
				labelled("b", "B", rec("a.yaml", "one"), rec("a.yaml", "extra")),
				labelled("c", "C", rec("a.yaml", "one")),
			},
			want: []row{
				{"extra", true, nil, []bool{false, true, false}},
				{"one", false, nil, []bool{true, true, true}},
			},
		},
		{
			desc: "three browsers where only the last differs",
			cols: []Column{
				labelled("a", "A", rec("a.yaml", "one")),
				labelled("b", "B", rec("a.yaml", "one")),
				labelled("c", "C", rec("a.yaml", "one", status(500))),
			},
			want: []row{{"one", true, []string{FieldStatus}, []bool{true, true, true}}},
		},
		{
			desc: "one browser alone has no differences",
			cols: []Column{labelled("only", "A", rec("a.yaml", "one"), rec("a.yaml", "two"))},
			want: []row{{"one", false, nil, []bool{true}}, {"two", false, nil, []bool{true}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			m, err := NewMatrix(tt.cols...)
			require.NoError(t, err)
			var got []row
			for _, r := range m.Rows {
				var present []bool
				for _, c := range r.Cells {
					present = append(present, c != nil)
				}
				got = append(got, row{r.Case, r.Differs, r.Fields, present})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNewMatrixErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		cols []Column
		want string
	}{
		{"no runs", nil, "no runs given"},
		{"empty label", []Column{{Label: "", Run: runOf()}}, "column 1 has no label"},
		{"duplicate label", []Column{{Label: "x", Run: runOf()}, {Label: "x", Run: runOf()}}, `label "x" used twice`},
		{"nil run", []Column{{Label: "x"}}, `column "x" has no run`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, err := NewMatrix(tt.cols...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// hostileMatrix has values that would act on a terminal, break a Markdown
// table or inject HTML, and a credential header that must stay redacted.
func hostileMatrix(t *testing.T) *Matrix {
	t.Helper()
	evil := func(r *result.Record) {
		r.Verdict = "blocked"
		r.CorsError = "AllowOriginMismatch"
		r.FailedParameter = "\x1b]0;pwned\x07https://x.test|<script>alert(1)</script>"
		r.Actual.ResponseHeaders = map[string]string{"Set-Cookie": "session=SECRET", "X-Evil": "a\x1b[31mred\nsecond line"}
		r.Diagnosis = nil
	}
	m, err := NewMatrix(
		labelled("chromium-150", "Chromium 150.0.7871.100", rec("a.yaml", "case | one", evil), rec("a.yaml", "plain")),
		labelled("chromium-156", "Chromium 156.0.8078.108", rec("a.yaml", "case | one"), rec("a.yaml", "plain")),
	)
	require.NoError(t, err)
	return m
}

func TestRenderText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, Render(&b, hostileMatrix(t), "text", Options{}))
	out := b.String()
	assert.NotContains(t, out, "\x1b", "escape sequences must not reach the terminal")
	assert.NotContains(t, out, "\x07")
	assert.Contains(t, out, "2 cases on 2 browsers · 1 differ")
	assert.Contains(t, out, "chromium-150  Chromium 150.0.7871.100")
	lines := strings.Split(out, "\n")
	var tableRows []string
	for _, l := range lines {
		if strings.Contains(l, "case | one") || strings.Contains(l, "plain") {
			tableRows = append(tableRows, l)
		}
	}
	require.GreaterOrEqual(t, len(tableRows), 2)
	assert.True(t, strings.HasPrefix(tableRows[0], "≠"), "the differing case is the first row: %q", tableRows[0])
	assert.Contains(t, out, "differs in: verdict, cors_error, failed_parameter")
}

func TestRenderMarkdown(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, Render(&b, hostileMatrix(t), "md", Options{}))
	out := b.String()
	assert.NotContains(t, out, "<script>")
	assert.NotContains(t, out, "\x1b")
	assert.Contains(t, out, `case \| one`, "a pipe in a value must not split the table cell")
	assert.Contains(t, out, `Set-Cookie: \[redacted\]`)
	assert.NotContains(t, out, "SECRET")
	assert.Contains(t, out, "red<br>X-Evil: second line", "a multi-line value becomes one line per value in the cell")
	// Every row of the case table has as many cells as its header: the
	// unescaped pipes are the cell borders.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| ≠ |") || strings.HasPrefix(l, "|   |") {
			assert.Equal(t, 5, strings.Count(l, "|")-strings.Count(l, `\|`), "row %q", l)
		}
	}
}

func TestRenderHTML(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, Render(&b, hostileMatrix(t), "html", Options{}))
	out := b.String()
	assert.NotContains(t, out, "<script>")
	assert.Contains(t, out, "&lt;script&gt;")
	assert.NotContains(t, out, "SECRET")
	assert.Contains(t, out, `<section class="difference" id="case-1">`)
	assert.Equal(t, 1, strings.Count(out, `<section class="difference"`))
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		desc        string
		showSecrets bool
		wantCookie  string
	}{
		{"redacted by default", false, "[redacted]"},
		{"shown on request", true, "session=SECRET"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, Render(&b, hostileMatrix(t), "json", Options{ShowSecrets: tt.showSecrets}))
			var got jsonMatrix
			require.NoError(t, json.Unmarshal(b.Bytes(), &got))
			assert.Equal(t, 2, got.Cases)
			assert.Equal(t, 1, got.Differing)
			require.Len(t, got.Rows, 2)
			require.True(t, got.Rows[0].Differs)
			require.NotNil(t, got.Rows[0].Cells[0].Record, "differing cases carry the full records")
			assert.Equal(t, tt.wantCookie, got.Rows[0].Cells[0].Record.Actual.ResponseHeaders["Set-Cookie"])
			assert.Nil(t, got.Rows[1].Cells[0].Record, "agreeing cases carry outcomes only")
			assert.Equal(t, "allowed", got.Rows[1].Cells[0].Outcome.Verdict)
		})
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	err := Render(&bytes.Buffer{}, hostileMatrix(t), "pdf", Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"pdf"`)
	assert.Contains(t, err.Error(), "text, json, markdown, html")
}

func TestWriteChanges(t *testing.T) {
	t.Parallel()
	changes := Diff(
		runOf(rec("a.yaml", "one"), rec("a.yaml", "gone")),
		runOf(rec("a.yaml", "one", blocked("AllowOriginMismatch", "\x1b[2Jhttps://x.test")), rec("a.yaml", "new")),
	)
	var b bytes.Buffer
	require.NoError(t, WriteChanges(&b, changes))
	assert.NotContains(t, b.String(), "\x1b")
	assert.Equal(t, []string{
		"  ~ demo / one: verdict allowed → blocked; cors_error none → AllowOriginMismatch; failed_parameter none → \uFFFDhttps://x.test",
		"  + demo / new: only in the new run (allowed)",
		"  - demo / gone: only in the old run (allowed)",
	}, strings.Split(strings.TrimRight(b.String(), "\n"), "\n"))
}
