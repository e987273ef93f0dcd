package result

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		file      string
		wantSrc   Source
		wantCases []string
		browser   string
	}{
		{"a whole run", "testdata/run.json", SourceRun, []string{"simple GET is allowed", "custom header with credentials", "missing allow-origin"}, "Chromium 156.0.8078.108"},
		{"a single record becomes a run of one", "testdata/record.json", SourceRecord, []string{"missing allow-origin"}, "Chromium 156.0.8078.108"},
		{"json lines cut short by a killed run", "testdata/run.jsonl", SourceRunLines, []string{"simple GET is allowed", "custom header with credentials"}, "Chromium 156.0.8078.108"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			run, src, err := Load(tt.file)
			require.NoError(t, err)
			assert.Equal(t, tt.wantSrc, src)
			var names []string
			for _, r := range run.Records {
				names = append(names, r.Name)
			}
			assert.Equal(t, tt.wantCases, names)
			assert.Equal(t, tt.browser, run.Browser)
			assert.Equal(t, len(tt.wantCases), run.Totals.Cases, "totals are recomputed from the records")
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		data string
		want string
	}{
		{"empty", "  \n", "empty file"},
		{"not an object", "[1,2]", "not a JSON object"},
		{"syntax error with position", "{\n  \"records\": [\n    {\"name\": }\n  ]\n}", "line 3, column"},
		{"wrong type with position", "{\"records\": [{\"name\": 5, \"verdict\": \"allowed\"}]}", "parsing run: line 1, column"},
		{"some other JSON object", `{"hello": "world"}`, "neither a run"},
		{"bad json lines", "{\"run\": {}}\n{\"name\": \"a\", \"verdict\": \"allowed\"}\n{oops\n", "line 3: parsing JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, _, err := Decode([]byte(tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.json"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/run.json", "testdata/record.json", "testdata/run.jsonl"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"run":{}}` + "\n" + `{"totals":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, src, err := Decode(data)
		if err != nil {
			return
		}
		require.NotNil(t, run)
		require.NotEmpty(t, src)
		assert.Equal(t, len(run.Records), run.Totals.Cases)
		// Whatever decodes must merge: merge reads what Decode returns. A
		// run that repeats a case may be refused, but never with a panic.
		if m, err := Merge(run); err == nil {
			assert.Equal(t, run.Totals.Cases, m.Totals.Cases)
		}
	})
}

func TestDecodeRecomputesSavedTotals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, data string
		cases      int
	}{
		{desc: "totals with no records", data: `{"suites":[],"totals":{"cases":1}}`, cases: 0},
		{desc: "totals that undercount", data: `{"records":[{"name":"a","verdict":"allowed"},{"name":"b","verdict":"blocked"}],"totals":{"cases":1}}`, cases: 2},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			run, src, err := Decode([]byte(tc.data))
			require.NoError(t, err)
			assert.Equal(t, SourceRun, src)
			assert.Equal(t, tc.cases, run.Totals.Cases, "totals count the records present, not what the file claims")
		})
	}
}
