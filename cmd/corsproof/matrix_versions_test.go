package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMatrixAcrossVersions runs the demo suite on two real Chromium versions
// and the headless shell (`make browsers` installs them; CI runs it). It
// fails in CI when they are missing, so the matrix is never silently
// untested there.
func TestMatrixAcrossVersions(t *testing.T) {
	old, _ := filepath.Abs("../../browsers/chromium-150/usr/lib/chromium/chromium")
	browsers := map[string]string{
		"c150":  old,
		"c156":  "/usr/lib/chromium/chromium",
		"shell": "/usr/lib/chromium/chromium-headless-shell",
	}
	for label, path := range browsers {
		if _, err := os.Stat(path); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s: %v (CI runs `make browsers` first)", label, err)
			}
			t.Skipf("%s missing: run `make browsers`", label)
		}
	}
	stdout, stderr, code := execute(t, newMatrixCmd, "--demo", "-q", "-o", "json",
		"--browser", "c150="+browsers["c150"], "--browser", "c156="+browsers["c156"], "--browser", "shell="+browsers["shell"])
	require.Equal(t, ExitOK, code, stderr)
	var m struct {
		Columns []struct {
			Label   string `json:"label"`
			Browser string `json:"browser"`
		} `json:"columns"`
		Rows []json.RawMessage `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &m), stdout)
	require.Len(t, m.Columns, 3)
	assert.Contains(t, m.Columns[0].Browser, "150.0.7871")
	assert.Contains(t, m.Columns[1].Browser, "Chromium 156")
	assert.Contains(t, m.Columns[2].Browser, "headless-shell")
	assert.Len(t, m.Rows, 18, "every demo case on every browser")
}
