package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMarkdownCaseLongBody: a HAR's upload (megabytes of multipart) must
// not make the repro too long to paste into a ticket: the body is shown
// clipped, once in the command and once in the suite case, and the report
// says so.
func TestMarkdownCaseLongBody(t *testing.T) {
	t.Parallel()
	rec := fixtureRun().Records[1]
	rec.Request.Body = "------B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + strings.Repeat("é", 200_000)
	var buf bytes.Buffer
	require.NoError(t, MarkdownCase(&buf, &rec, Options{}))
	out := buf.String()
	assert.Less(t, len(out), 20_000, "the case stays small enough for a ticket")
	assert.Contains(t, out, "The body is 400053 bytes: the command and the suite case show its first 2048")
	assert.Contains(t, out, `Content-Disposition: form-data`)
	assert.True(t, strings.Contains(out, "é…") || strings.Contains(out, `\u00e9…`) || strings.Contains(out, `é\u2026`), "clipped on a character boundary and marked")

	short := fixtureRun().Records[1]
	short.Request.Body = `{"a":1}`
	buf.Reset()
	require.NoError(t, MarkdownCase(&buf, &short, Options{}))
	assert.NotContains(t, buf.String(), "The body is")
	assert.Contains(t, buf.String(), `{"a":1}`)
}
