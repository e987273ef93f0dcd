package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testca"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

// corsOpen allows every origin, as a staging API behind its own CA does.
var corsOpen = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write([]byte(`{"ok":true}`))
})

// TestProbeWithCA: an https API whose certificate a CA of the test signed
// is refused without --ca, with a diagnosis that names the CA problem and
// the flag, and allowed with --ca. The --ca run launches its own browser:
// the pin is a launch switch.
func TestProbeWithCA(t *testing.T) {
	ca := testca.New(t, "corsproof test staging CA")
	srv := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), corsOpen)
	caFile := ca.WriteFile(t)
	probe := func(t *testing.T, f *factory, caPath string) result.Record {
		t.Helper()
		bf := defaultBrowserFlags()
		bf.ca = caPath
		opts := &probeOptions{f: f, url: srv.URL + "/v1/items", req: requestFlags{origin: "http://app.example.test", method: "GET",
			credentials: "same-origin", api: "fetch"}, browser: bf, out: outputFlags{output: "json"}}
		require.NoError(t, runProbe(context.Background(), opts))
		var rec result.Record
		require.NoError(t, json.Unmarshal(f.stdout.(*bytes.Buffer).Bytes(), &rec))
		return rec
	}

	t.Run("without --ca the diagnosis names the CA and the flag", func(t *testing.T) {
		f, _, _ := testFactory(t)
		rec := probe(t, f, "")
		assert.Equal(t, cors.VerdictNetworkError, rec.Verdict)
		assert.Equal(t, "net::ERR_CERT_AUTHORITY_INVALID", rec.NetError)
		assert.Nil(t, rec.CertCheck)
		summary, fix, ok := cors.ExplainFailure(rec.Failure())
		require.True(t, ok)
		assert.Contains(t, summary, "not signed by a certificate authority the browser knows")
		assert.Contains(t, fix, "`--ca FILE`")
	})

	t.Run("with --ca it is allowed", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		rec := probe(t, &factory{stdout: &stdout, stderr: &stderr}, caFile)
		assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "%s %s", rec.NetError, stderr.String())
		assert.Equal(t, 200, rec.Page.Status)
		require.NotNil(t, rec.CertCheck)
		assert.True(t, rec.CertCheck.Trusted)
		assert.Equal(t, strings.TrimPrefix(srv.URL, "https://"), rec.CertCheck.Target)
	})
}

// TestRunWithCARefusesWhatDoesNotVerify: --ca trusts a chain only when it
// verifies for the host; a certificate the same CA issued for another
// name is still refused in the browser, and the diagnosis says it is the
// name. One browser runs both targets, and the run's settings record the
// file and both checks.
func TestRunWithCARefusesWhatDoesNotVerify(t *testing.T) {
	ca := testca.New(t, "corsproof test company CA")
	good := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}), corsOpen)
	wrongName := testca.Serve(t, ca.Issue(t, testca.Leaf{Hosts: []string{"api.staging.example.test"}}), corsOpen)
	caFile := ca.WriteFile(t)
	suite := &scenarios.Suite{Name: "ca", Cases: []scenarios.Case{
		{Name: "good", Origin: "https://app.example.test", Request: scenarios.Request{URL: good.URL + "/v1"}},
		{Name: "wrong name", Origin: "https://app.example.test", Request: scenarios.Request{URL: wrongName.URL + "/v1"}},
	}}
	bf := defaultBrowserFlags()
	bf.ca = caFile
	cfg, err := bf.config(nil)
	require.NoError(t, err)
	run, err := runner.Run(context.Background(), cfg, []*scenarios.Suite{suite}, runner.Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, 2)
	byName := map[string]result.Record{}
	for _, rec := range run.Records {
		byName[rec.Name] = rec
	}

	assert.Equal(t, cors.VerdictAllowed, byName["good"].Verdict, byName["good"].NetError)
	bad := byName["wrong name"]
	assert.Equal(t, cors.VerdictNetworkError, bad.Verdict)
	// Chromium names the most serious problem: the CA it does not know.
	assert.Equal(t, "net::ERR_CERT_AUTHORITY_INVALID", bad.NetError)
	require.NotNil(t, bad.CertCheck)
	assert.False(t, bad.CertCheck.Trusted)
	assert.Equal(t, cors.CertNameMismatch, bad.CertCheck.Problem)
	summary, fix, ok := cors.ExplainFailure(bad.Failure())
	require.True(t, ok)
	assert.Contains(t, summary, "name mismatch")
	assert.Contains(t, fix, "Issue the certificate for `127.0.0.1`")

	assert.Equal(t, caFile, run.CAFile)
	assert.Len(t, run.CertChecks, 2)
	launch := strings.Join(run.Launch, "\n")
	assert.Contains(t, launch, "--ignore-certificate-errors-spki-list="+byName["good"].CertCheck.SPKI+"  # --ca")
	assert.NotContains(t, launch, "--ignore-certificate-errors ")
}

// TestCAFlagErrors: a bad --ca is a usage error naming the file, with a
// hint, before any browser starts.
func TestCAFlagErrors(t *testing.T) {
	dir := t.TempDir()
	keyOnly := filepath.Join(dir, "rootCA-key.pem")
	require.NoError(t, os.WriteFile(keyOnly, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600))
	notPEM := filepath.Join(dir, "ca.der")
	require.NoError(t, os.WriteFile(notPEM, []byte{0x30, 0x82, 0x01}, 0o600))
	tests := []struct {
		desc, path, want, hint string
	}{
		{desc: "missing", path: filepath.Join(dir, "nope.pem"), want: "does not exist", hint: "mkcert -CAROOT"},
		{desc: "not PEM", path: notPEM, want: "is not a PEM file", hint: "openssl x509 -inform der"},
		{desc: "key only", path: keyOnly, want: "holds no certificate", hint: "not its key"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main([]string{"probe", "https://127.0.0.1:1/", "--origin", "https://app.example.test", "--ca", tt.path}, &stdout, &stderr)
			assert.Equal(t, ExitUsage, code)
			assert.Contains(t, stderr.String(), "corsproof: error: --ca: \""+tt.path+"\" "+tt.want)
			assert.Contains(t, stderr.String(), "corsproof: hint: ")
			assert.Contains(t, stderr.String(), tt.hint)
		})
	}
}
