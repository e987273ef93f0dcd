package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// TestPolicyLimits: a 20,000-route policy (generate ran out of memory on
// one), nested brackets, and a FIFO each fail at once with a positioned
// error.
func TestPolicyLimits(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nroutes:\n")
	for i := range 20_000 {
		fmt.Fprintf(&b, "  - {path: /r%d}\n", i)
	}
	for _, tc := range []struct{ desc, in, want string }{
		{"20,000 routes", b.String(), "is route 1001 of 20000; the limit for one policy is 1000"},
		{"200 KB of [", "version: 1\nroutes: " + strings.Repeat("[", 200_000), "nests collections more than 64 deep"},
	} {
		start := time.Now()
		_, err := Parse("p.yaml", []byte(tc.in))
		assert.Less(t, time.Since(start), 10*time.Second)
		probs := fileerr.Problems(err)
		require.NotEmpty(t, probs, "%s: %v", tc.desc, err)
		assert.Contains(t, probs[0].Message, tc.want, tc.desc)
		assert.Equal(t, "p.yaml", probs[0].File)
		assert.NotZero(t, probs[0].Line, tc.desc)
		assert.NotEmpty(t, probs[0].Hint)
	}
	fifo := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err := Load(fifo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a named pipe (FIFO), not a policy file")
	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
