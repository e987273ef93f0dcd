package compare

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

func TestBaselineForScripts(t *testing.T) {
	t.Parallel()
	old := &result.Run{Settings: result.Settings{Browser: "Chromium 150"}, Records: []result.Record{
		{Suite: "api", Name: "same", Verdict: cors.VerdictAllowed},
		{Suite: "api", Name: "flipped", Verdict: cors.VerdictAllowed},
		{Suite: "api", Name: "gone", Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader"},
	}}
	run := &result.Run{Records: []result.Record{
		{Suite: "api", Name: "same", Verdict: cors.VerdictAllowed},
		{Suite: "api", Name: "flipped", Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader"},
		{Suite: "api", Name: "new", Verdict: cors.VerdictAllowed},
	}}
	d := Baseline("base.json", old, run, 2, true)
	assert.Equal(t, "base.json", d.File)
	assert.Equal(t, "Chromium 150", d.Browser)
	assert.Equal(t, 2, d.NotCompared)
	assert.True(t, d.Allowed)
	require.Len(t, d.Changes, 3)
	assert.Equal(t, result.BaselineChange{Suite: "api", Case: "flipped", Kind: "changed", Fields: []result.BaselineField{
		{Field: "verdict", Old: "allowed", New: "blocked"},
		{Field: "cors_error", Old: "none", New: "MissingAllowOriginHeader"},
	}}, d.Changes[0])
	assert.Equal(t, "added", d.Changes[1].Kind)
	assert.Equal(t, "new", d.Changes[1].Case)
	assert.Equal(t, "removed", d.Changes[2].Kind)
	assert.Equal(t, "gone", d.Changes[2].Case)

	// No change is an empty list in the JSON, not a missing one.
	b, err := json.Marshal(Baseline("base.json", old, old, 0, false))
	require.NoError(t, err)
	assert.JSONEq(t, `{"file": "base.json", "browser": "Chromium 150", "changes": []}`, string(b))
}
