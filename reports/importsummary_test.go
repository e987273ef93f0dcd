package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/scenarios"
)

// TestImportSummaryDropped: the summary names the recorded headers a case
// leaves out and why, and the notes on what was inferred, so the reader
// can check the case is the request the page made.
func TestImportSummaryDropped(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	ImportSummary(&buf, &scenarios.ImportReport{File: "user.har", Entries: 1, Cases: []scenarios.ImportedCase{{
		Entry: 0, Preflight: -1, Name: "PUT api.test/x",
		Dropped: []string{"Referer", "sec-ch-ua", ":authority", "User-Agent", "Accept"},
		Notes:   []string{"credentials: include, because the request carried cookies (their values are not replayed)"},
	}}})
	out := buf.String()
	assert.Contains(t, out, "    dropped Referer, sec-ch-ua, :authority (forbidden: only the browser sets them); User-Agent, Accept (the browser or DevTools adds them; replaying them would change the request)\n")
	assert.Contains(t, out, "    credentials: include, because the request carried cookies")

	buf.Reset()
	ImportSummary(&buf, &scenarios.ImportReport{File: "user.har", Entries: 1, Cases: []scenarios.ImportedCase{{Name: "GET api.test/\x1b[31m"}}})
	assert.NotContains(t, buf.String(), "dropped")
	assert.NotContains(t, buf.String(), "\x1b[31m")
}
