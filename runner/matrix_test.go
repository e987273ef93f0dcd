package runner

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/scenarios"
)

// TestMatrix runs one suite in two columns of the same browser, clean and
// fresh isolation, which must not differ; a column whose configuration is
// wrong fails the matrix before any browser runs.
func TestMatrix(t *testing.T) {
	base := api(t)
	suite := &scenarios.Suite{Name: "m", Cases: []scenarios.Case{
		{Name: "open", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/open"}},
		{Name: "closed", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/closed"}},
	}}
	b := testbrowser.Get(t)
	var started []string
	m, err := Matrix(context.Background(), []Column{
		{Label: "clean", Config: Config{Reuse: b, Isolation: harness.IsolationClean}},
		{Label: "fresh", Config: Config{Reuse: b, Isolation: harness.IsolationFresh}},
	}, []*scenarios.Suite{suite}, func(c Column) Hooks { started = append(started, c.Label); return Hooks{} })
	require.NoError(t, err)
	assert.Equal(t, []string{"clean", "fresh"}, started)
	require.Len(t, m.Rows, 2)
	for _, r := range m.Rows {
		assert.False(t, r.Differs, "%s: %v", r.Case, r.Fields)
		require.Len(t, r.Cells, 2)
	}

	started = nil
	_, err = Matrix(context.Background(), []Column{
		{Label: "ok", Config: Config{Reuse: b}},
		{Label: "bad", Config: Config{Reuse: b, Jobs: -1}},
	}, []*scenarios.Suite{suite}, func(c Column) Hooks { started = append(started, c.Label); return Hooks{} })
	require.ErrorContains(t, err, "--browser bad:")
	assert.Empty(t, started, "nothing ran")
}
