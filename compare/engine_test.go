package compare

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

// TestMatrixFirefoxCellsNameFirefoxsReason: a Firefox column shows what
// Firefox reported, its own code beside the Chromium name of the same
// check, in every format, as the run's reports do; the row is compared by
// the common name and does not differ.
func TestMatrixFirefoxCellsNameFirefoxsReason(t *testing.T) {
	t.Parallel()
	firefox := func(r *result.Record) { r.EngineReason = "CORSMissingAllowHeaderFromPreflight" }
	m, err := NewMatrix(
		labelled("chromium", "Chromium 156", rec("a.yaml", "header", blocked("HeaderDisallowedByPreflightResponse", "x-token"))),
		labelled("firefox", "Firefox 153.8.0", rec("a.yaml", "header", blocked("HeaderDisallowedByPreflightResponse", "x-token"), firefox)),
	)
	require.NoError(t, err)
	require.Len(t, m.Rows, 1)
	assert.False(t, m.Rows[0].Differs, "the same check in both engines")
	for _, format := range []string{"text", "markdown", "html", "json"} {
		var out bytes.Buffer
		require.NoError(t, Render(&out, m, format, Options{}), format)
		s := out.String()
		switch format {
		case "json":
			assert.Contains(t, s, `"engine_reason": "CORSMissingAllowHeaderFromPreflight"`, format)
		case "text":
			// The text table cuts cells at maxCell.
			assert.Contains(t, s, "blocked CORSMissingAllowHeaderFromPreflight = H…", format)
		default:
			assert.Contains(t, s, "blocked CORSMissingAllowHeaderFromPreflight = HeaderDisallowedByPreflightResponse (x-token)", format)
		}
		assert.Equal(t, 1, strings.Count(s, "CORSMissingAllowHeaderFromPreflight"), "only the Firefox cell, %s", format)
	}
}
