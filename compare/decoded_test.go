package compare

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
)

// FuzzCompareDecoded checks that whatever result.Decode accepts compares
// and renders without panicking: matrix and baseline read saved runs
// through it.
func FuzzCompareDecoded(f *testing.F) {
	for _, name := range []string{"../result/testdata/run.json", "../result/testdata/record.json", "../result/testdata/run.jsonl"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"run":{}}` + "\n" + `{"totals":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, _, err := result.Decode(data)
		if err != nil {
			return
		}
		assert.Empty(t, Diff(run, run), "a run never differs from itself")
		m, err := NewMatrix(Column{Label: "a", Run: run})
		require.NoError(t, err)
		for _, format := range Formats() {
			require.NoError(t, Render(io.Discard, m, format, Options{}))
		}
	})
}
