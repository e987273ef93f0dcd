package reports

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

// TestOutputStreamsJSONLines: JSON Lines go out as records arrive, to
// stdout in that format and to every jsonl file; the other reports are
// written at Finish; Write gives a finished run the same lines.
func TestOutputStreamsJSONLines(t *testing.T) {
	run := fixtureRun()
	dir := t.TempDir()
	lines, html := filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.html")
	targets, err := ParseTargets([]string{"jsonl=" + lines, "html=" + html})
	require.NoError(t, err)

	var stdout bytes.Buffer
	o, err := OpenOutput(&stdout, "jsonl", targets, Options{})
	require.NoError(t, err)
	o.Begin(run)
	o.Record(&run.Records[0])
	streamed, err := os.ReadFile(lines)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(streamed), "\n"), "the header and the first record are on disk before the run ends")
	assert.Equal(t, string(streamed), stdout.String())
	_, err = os.Stat(html)
	require.ErrorIs(t, err, fs.ErrNotExist, "ParseTargets checked the path and left no empty report behind")
	for i := 1; i < len(run.Records); i++ {
		o.Record(&run.Records[i])
	}
	require.NoError(t, o.Finish(run))
	o.Close()
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<html")

	var whole bytes.Buffer
	w, err := OpenOutput(&whole, "jsonl", nil, Options{})
	require.NoError(t, err)
	require.NoError(t, w.Write(run))
	w.Close()
	assert.Equal(t, stdout.String(), whole.String(), "Write of a finished run gives what streaming gave")

	_, err = OpenOutput(&stdout, "pdf", nil, Options{})
	assert.ErrorContains(t, err, `unknown report format "pdf"`)
}

// TestWriteProbe: one record is written as a record (json) or the text
// card; several (a probe over --via paths) as a run.
func TestWriteProbe(t *testing.T) {
	run := fixtureRun()
	one := &result.Run{Settings: run.Settings, Records: run.Records[:1]}
	var b bytes.Buffer
	require.NoError(t, WriteProbe(&b, "json", one, Options{}))
	var rec map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &rec))
	assert.Equal(t, run.Records[0].Name, rec["name"], "a record, not a run")

	b.Reset()
	require.NoError(t, WriteProbe(&b, "text", one, Options{Quiet: true}))
	assert.Equal(t, OneLine(&run.Records[0])+"\n", b.String())

	// A failed expectation says why in quiet mode too: the line alone is
	// the same whether the probe met its --expect or not.
	failed := *one
	failed.Records = []result.Record{run.Records[0]}
	failed.Records[0].ExpectMet = false
	failed.Records[0].Mismatches = []string{"verdict: expected allowed, got \x1b[31mblocked"}
	b.Reset()
	require.NoError(t, WriteProbe(&b, "text", &failed, Options{Quiet: true}))
	assert.True(t, strings.HasPrefix(b.String(), OneLine(&failed.Records[0])+"\n  ✗ verdict: expected allowed, got "), b.String())
	assert.NotContains(t, b.String(), "\x1b", "network data is escaped on a terminal")

	b.Reset()
	require.NoError(t, WriteProbe(&b, "json", run, Options{}))
	var whole map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &whole))
	assert.Len(t, whole["records"], len(run.Records), "several records: the run")
}

// TestSplitAuditTargets: findings' formats go one way, run formats the
// other, and every path is checked before the audit runs.
func TestSplitAuditTargets(t *testing.T) {
	dir := t.TempDir()
	findings, runs, err := SplitAuditTargets([]string{"sarif=" + filepath.Join(dir, "a.sarif"), "MD=" + filepath.Join(dir, "a.md"), "junit=" + filepath.Join(dir, "j.xml")})
	require.NoError(t, err)
	assert.Equal(t, []Target{{"sarif", filepath.Join(dir, "a.sarif")}, {"md", filepath.Join(dir, "a.md")}}, findings)
	assert.Equal(t, []Target{{"junit", filepath.Join(dir, "j.xml")}}, runs)
	_, _, err = SplitAuditTargets([]string{"sarif=" + filepath.Join(dir, "no-such-dir", "a.sarif")})
	assert.ErrorContains(t, err, "no such file or directory")
}

// TestCheckedReportPathsLeaveNoFile: checking --report paths up front
// creates no file a run that then fails or is interrupted would leave
// empty (an interrupted audit left a 0-byte SARIF); a file that was there
// is left as it was; a path that cannot be written is refused.
func TestCheckedReportPathsLeaveNoFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kept := filepath.Join(dir, "old.xml")
	require.NoError(t, os.WriteFile(kept, []byte("<old/>"), 0o644))
	junit, sarif, html := filepath.Join(dir, "j.xml"), filepath.Join(dir, "a.sarif"), filepath.Join(dir, "c.html")
	_, err := ParseTargets([]string{"junit=" + junit, "junit=" + kept})
	require.NoError(t, err)
	_, _, err = SplitAuditTargets([]string{"sarif=" + sarif, "html=" + html})
	require.NoError(t, err)
	for _, p := range []string{junit, sarif, html} {
		_, err := os.Stat(p)
		assert.ErrorIs(t, err, fs.ErrNotExist, p)
	}
	old, err := os.ReadFile(kept)
	require.NoError(t, err)
	assert.Equal(t, "<old/>", string(old))
	_, err = ParseTargets([]string{"junit=" + filepath.Join(dir, "missing", "j.xml")})
	assert.ErrorContains(t, err, "no such file or directory")
}
