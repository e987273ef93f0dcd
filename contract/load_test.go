package contract

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestLintInTheReport: the policy's lint findings, which verify prints on
// stderr, are in the report's JSON too, located, for tools that read only
// stdout.
func TestLintInTheReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nroutes:\n  - path: /api/me\n    allow_origins: [\"http://app.example.test\"]\n    allow_credentials: true\n"), 0o644))
	c, lint, err := Load(context.Background(), path, "http://127.0.0.1:8080")
	require.NoError(t, err)
	require.NotEmpty(t, lint, "http with credentials is a lint finding")
	var buf bytes.Buffer
	require.NoError(t, Evaluate(c, nil).WriteJSON(&buf))
	var got struct {
		Lint []struct {
			Rule string `json:"rule"`
			Line int    `json:"line"`
		} `json:"lint"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.Len(t, got.Lint, len(lint))
	assert.Equal(t, lint[0].Rule, got.Lint[0].Rule)
	assert.Positive(t, got.Lint[0].Line)
}
