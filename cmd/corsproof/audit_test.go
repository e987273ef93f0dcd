package main

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

	"github.com/corsproof/corsproof/internal/sariftest"
	"github.com/corsproof/corsproof/testapi"
)

// TestAuditSARIF audits a reflecting and a correct route of the built-in
// target and validates the SARIF it writes against the SARIF 2.1.0 schema.
func TestAuditSARIF(t *testing.T) {
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	sarif := filepath.Join(dir, "audit.sarif")
	var stdout, stderr bytes.Buffer
	ao := auditOptions{f: &factory{stdout: &stdout, stderr: &stderr, browser: testBrowser(t)}, browser: defaultBrowserFlags(),
		urls: []string{srv.URL + "/api/reflect-credentials", srv.URL + "/api/allowlist"}, origins: []string{"https://app.example.test"},
		cookies: []string{"session=abc"}, method: "GET", failOn: "high", rate: 50, maxRequests: 1000, pocDir: filepath.Join(dir, "poc"),
		output: "json", reports: []string{"sarif=" + sarif}, quiet: true}
	err = runAudit(context.Background(), &ao)
	require.True(t, errors.Is(err, errExpectations), "a high finding fails --fail-on high: %v", err)

	var rep struct {
		Findings []struct{ Rule, Severity, URL, PoC string }
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	require.Len(t, rep.Findings, 1, "the allow-list route has none")
	assert.Equal(t, srv.URL+"/api/reflect-credentials", rep.Findings[0].URL)
	assert.Equal(t, "high", rep.Findings[0].Severity)
	assert.FileExists(t, rep.Findings[0].PoC)

	doc, err := os.ReadFile(sarif)
	require.NoError(t, err)
	sariftest.Validate(t, doc)
}
