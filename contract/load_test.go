package contract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	c, _, err := Load(ctx, "../examples/policy.yaml", "http://127.0.0.1:8080")
	require.NoError(t, err)
	assert.NotEmpty(t, c.Suite.Cases)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nroutes:\n  - path: 7\n    nonsense: true\n"), 0o644))
	_, _, err = Load(ctx, bad, "http://127.0.0.1:8080")
	var le *LoadError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, PolicyHint, le.Hint())
	assert.NotEmpty(t, fileerr.Problems(err), "the policy's problems keep their positions")

	_, _, err = Load(ctx, "../examples/policy.yaml", "not a url")
	var te *TargetError
	require.True(t, errors.As(err, &te), "a target the generator refuses: %v", err)
	assert.False(t, errors.As(err, &le), "with its own hint, not the policy's")
	assert.Contains(t, te.Hint(), "base URL")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = Load(cctx, "../examples/policy.yaml", "http://127.0.0.1:8080")
	require.ErrorIs(t, err, context.Canceled)
}
