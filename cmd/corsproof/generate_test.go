package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/scenarios"
)

const examplePolicy = "../../examples/policy.yaml"

func generate(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := newGenerateCmd(&factory{stdout: &stdout, stderr: &stderr}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

func TestGenerateCommand(t *testing.T) {
	t.Parallel()
	out, _, err := generate(t, "--policy", examplePolicy, "--target", "http://127.0.0.1:8080")
	require.NoError(t, err)
	s, err := scenarios.Parse("stdout", []byte(out))
	require.NoError(t, err)
	assert.Equal(t, "contract policy.yaml", s.Name)
	assert.Equal(t, "http://127.0.0.1:8080", s.Target)
	assert.NotEmpty(t, s.Cases)

	// -o writes the same bytes to a file.
	path := filepath.Join(t.TempDir(), "suite.yaml")
	_, stderr, err := generate(t, "--policy", examplePolicy, "--target", "http://127.0.0.1:8080", "-o", path)
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, out, string(data))
	assert.Contains(t, stderr, "cases to "+path)
}

// TestGenerateCommandLint: lint warnings name the entry's file:line:col,
// field and value, and say "warning" once.
func TestGenerateCommandLint(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nroutes:\n  - path: /a\n    allow_origins:\n      - https://a.example.com\n      - \"null\"\n"), 0o644))
	_, stderr, err := generate(t, "--policy", path, "--target", "http://127.0.0.1:8080")
	require.NoError(t, err)
	assert.Contains(t, stderr, "corsproof: "+path+`:6:9: warning: route /a: allow_origins[1] "null": allowing the "null" origin`)
	assert.Equal(t, 1, strings.Count(stderr, "warning"), stderr)
}

func TestGenerateCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: 1\nroutes:\n  - path: /a\n    allow_origins: [\"*\"]\n    allow_credentials: true\n"), 0o644))
	for _, tc := range []struct {
		desc string
		args []string
		want []string
	}{
		{"wildcard with credentials is no contract", []string{"--policy", bad, "--target", "http://127.0.0.1:8080"},
			[]string{"bad.yaml:4:21: routes[0].allow_origins[0]", "wildcard-origin-with-credentials"}},
		{"missing policy file", []string{"--policy", filepath.Join(dir, "none.yaml"), "--target", "http://127.0.0.1:8080"},
			[]string{"loading policy", "none.yaml"}},
		{"bad target", []string{"--policy", examplePolicy, "--target", "localhost:8080"},
			[]string{`target "localhost:8080"`}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"generate"}, tc.args...), &stdout, &stderr)
			assert.Equal(t, ExitUsage, code)
			assert.Empty(t, stdout.String())
			for _, w := range tc.want {
				assert.Contains(t, stderr.String(), w)
			}
			assert.Contains(t, stderr.String(), "corsproof: hint:")
		})
	}
}
