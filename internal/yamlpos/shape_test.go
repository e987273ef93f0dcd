package yamlpos

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func blockNest(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String()
}

func keys(n int) string {
	var b strings.Builder
	b.WriteString("headers:\n")
	for i := range n {
		fmt.Fprintf(&b, "  X-H%d: v\n", i)
	}
	return b.String()
}

func TestCheckShape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, in  string
		want      string // "" for no error
		line, col int
	}{
		{desc: "200 KB of nested [", in: strings.Repeat("[", 200_000), want: "nests collections more than 64 deep", line: 1, col: 65},
		{desc: "nested { under a key", in: "a: " + strings.Repeat("{b: ", 100), want: "more than 64 deep", line: 1, col: 4 + 64*4},
		{desc: "block mappings 100 deep", in: blockNest(100), want: "more than 64 deep", line: 65, col: 65},
		{desc: "block sequences on one line", in: strings.Repeat("- ", 100) + "a\n", want: "more than 64 deep"},
		{desc: "block mappings 60 deep", in: blockNest(60)},
		{desc: "10,000 keys", in: keys(10_000)},
		{desc: "10,001 keys", in: keys(10_001), want: "is key 10001 of one mapping; the limit is 10000", line: 10_002, col: 11},
		{desc: "100,000 keys in a flow mapping", in: "h: {" + strings.Repeat("a: 1, ", 100_000) + "}", want: "the limit is 10000"},
		{desc: "a long sequence is no mapping", in: strings.Repeat("- {name: a, url: /x}\n", 50_000)},
		{desc: "brackets in quotes and comments", in: "a: '" + strings.Repeat("[", 500) + "'\nb: \"" + strings.Repeat("{", 500) + "\" # " + strings.Repeat("[", 500) + "\n"},
		{desc: "a quote inside a plain scalar", in: "a: it's [x]\nb: " + strings.Repeat("[", 70), want: "more than 64 deep", line: 2},
		{desc: "sibling keys of sequence items count per item", in: strings.Repeat("- a: 1\n  b: 2\n", 20_000)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := CheckShape("f.yaml", []byte(tc.in), DefaultShape)
			assert.Less(t, time.Since(start), 5*time.Second, "linear in the file")
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			var le *LimitError
			require.True(t, errors.As(err, &le), "%v", err)
			assert.Contains(t, le.Message, tc.want)
			assert.Equal(t, "f.yaml", le.File)
			assert.NotEmpty(t, le.Hint)
			if tc.line != 0 {
				assert.Equal(t, tc.line, le.Line, "line")
			}
			if tc.col != 0 {
				assert.Equal(t, tc.col, le.Col, "col")
			}
		})
	}
}

func TestCheckShapeTokens(t *testing.T) {
	t.Parallel()
	err := CheckShape("f.yaml", []byte(strings.Repeat("- a\n", 1000)), Shape{Depth: 64, Keys: 10, Tokens: 100})
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Contains(t, le.Message, "more than 100 YAML tokens")
}

// TestCheckShapePassesRealFiles: every suite and policy in the repository
// is well inside the limits.
func TestCheckShapePassesRealFiles(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pat := range []string{"../../examples/*.yaml", "../../scenarios/testdata/*.yaml", "../../contract/testdata/*.yaml", "../../testdata/*.yaml", "../../policy/testdata/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NoError(t, CheckShape(f, data, DefaultShape), f)
	}
}
