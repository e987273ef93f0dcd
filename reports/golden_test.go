package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the golden files: go test ./reports -update.
var update = flag.Bool("update", false, "rewrite golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./reports -update")
	assert.Equal(t, string(want), string(got), "output differs from %s; run go test ./reports -update if the change is intended", path)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		format string
		opts   Options
		golden string
	}{
		{desc: "json", format: "json", golden: "run.json"},
		{desc: "json lines", format: "jsonl", golden: "run.jsonl"},
		{desc: "junit", format: "junit", golden: "run.junit.xml"},
		{desc: "markdown", format: "markdown", golden: "run.md"},
		{desc: "plain text", format: "text", golden: "run.txt"},
		{desc: "coloured text", format: "text", opts: Options{Color: true}, golden: "run.color.txt"},
		{desc: "quiet text", format: "text", opts: Options{Quiet: true}, golden: "run.quiet.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			rep, err := New(tc.format, tc.opts)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, rep.Report(&buf, fixtureRun()))
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
}

func TestGoldenRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		index  int
		render func(*bytes.Buffer, int) error
		golden string
	}{
		{desc: "text record of a blocked preflight", index: 1, golden: "record-preflight.txt",
			render: func(b *bytes.Buffer, i int) error { return TextRecord(b, &fixtureRun().Records[i], Options{}) }},
		{desc: "text record of hostile values", index: 3, golden: "record-hostile.txt",
			render: func(b *bytes.Buffer, i int) error { return TextRecord(b, &fixtureRun().Records[i], Options{}) }},
		{desc: "markdown case with a failed expectation", index: 2, golden: "case-missing-origin.md",
			render: func(b *bytes.Buffer, i int) error { return MarkdownCase(b, &fixtureRun().Records[i], Options{}) }},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, tc.render(&buf, tc.index))
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
}
