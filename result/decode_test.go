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

// A record corsproof never writes (a null entry, no name, a verdict outside
// the taxonomy) is refused where it is, in each shape: explain --from
// explained such a file as a browser's verdict, exit 0, and --baseline
// compared with it.
func TestDecodeRefusesRecordsCorsproofNeverWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ desc, data, want string }{
		{desc: "null record", data: `{"records":[{"name":"a","verdict":"allowed"},null]}`, want: "records[1]: a record without a name"},
		{desc: "empty record", data: `{"records":[{}]}`, want: "records[0]: a record without a name"},
		{desc: "made-up verdict", data: `{"records":[{"name":"a","verdict":"bogus"}]}`, want: `records[0]: record "a": verdict "bogus" is not one corsproof writes (allowed, blocked, network-error, timeout, error, not-run)`},
		{desc: "model's verdict", data: `{"name":"probe","verdict":"unknown"}`, want: `record "probe": verdict "unknown" is not one`},
		{desc: "JSON Lines", data: `{"run":{}}` + "\n" + `{"name":"a","verdict":"allowed"}` + "\n" + `{"name":"b","verdict":""}`, want: `line 3: record "b": verdict "" is not one`},
	} {
		_, _, err := Decode([]byte(tc.data))
		require.Error(t, err, tc.desc)
		assert.Contains(t, err.Error(), tc.want, tc.desc)
	}
	run, _, err := Decode([]byte(`{"records":[{"name":"a","verdict":"not-run"},{"name":"b","verdict":"timeout"}]}`))
	require.NoError(t, err)
	assert.Len(t, run.Records, 2)
}

func TestDecodeRefusesTotalsThatContradictRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ desc, data, want string }{
		{desc: "totals with no records", data: `{"suites":[],"records":[],"totals":{"cases":1}}`, want: "cases 1, the records 0"},
		{desc: "totals that undercount", data: `{"records":[{"name":"a","verdict":"allowed"},{"name":"b","verdict":"blocked"}],"totals":{"cases":1,"by_verdict":{"allowed":1},"expect_failed":2}}`,
			want: "cases 1, the records 2; blocked 0, the records 1"},
		{desc: "verdicts moved", data: `{"records":[{"name":"a","verdict":"allowed"}],"totals":{"cases":1,"by_verdict":{"blocked":1},"expect_failed":1}}`,
			want: "allowed 0, the records 1; blocked 1, the records 0"},
		{desc: "JSON Lines with a totals line that lies", data: `{"run":{"tool":"corsproof"}}` + "\n" + `{"name":"a","verdict":"allowed"}` + "\n" + `{"totals":{"cases":3}}`,
			want: "line 3: the totals contradict the records"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, _, err := Decode([]byte(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// Without totals the records are counted; with true ones they pass.
	for _, data := range []string{
		`{"records":[{"name":"a","verdict":"allowed"}]}`,
		`{"records":[{"name":"a","verdict":"allowed","expect_met":true}],"totals":{"cases":1,"by_verdict":{"allowed":1},"expect_met":1}}`,
		`{"run":{}}` + "\n" + `{"name":"a","verdict":"allowed"}`,
	} {
		run, _, err := Decode([]byte(data))
		require.NoError(t, err, data)
		assert.Equal(t, 1, run.Totals.Cases)
	}
}
