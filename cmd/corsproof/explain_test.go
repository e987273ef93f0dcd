package main

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

// execute runs a command the way Main does and returns its output and the
// exit code Main would choose.
func execute(t *testing.T, newCmd func(stdout, stderr io.Writer) *cobra.Command, args ...string) (stdout, stderr string, code ExitCode) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newCmd(&out, &errOut)
	cmd.SetArgs(args)
	cmd.SetOut(&errOut)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	var ue *usageError
	switch {
	case err == nil:
		code = ExitOK
	case errors.Is(err, errExpectations):
		code = ExitFailed
	case errors.As(err, &ue), isCobraUsage(err):
		printError(&errOut, err)
		code = ExitUsage
	default:
		printError(&errOut, err)
		code = ExitInternal
	}
	return out.String(), errOut.String(), code
}

func TestExplainTry(t *testing.T) {
	for _, args := range [][]string{
		{"--origin", "https://app.example.test", "--url", "https://api.example.test/x"},
		{"--origin", "https://app.example.test", "--url", "https://api.example.test/x", "--status", "200"},
		{"--origin", "https://app.example.test", "--url", "https://api.example.test/x", "-X", "PUT", "-H", "X-Token: a", "--credentials", "include", "--preflight-header", "Access-Control-Allow-Origin: *", "--preflight-header", "Access-Control-Allow-Methods: PUT"},
		{"--from", "testdata/baseline-new.json"},
		{"--from", "testdata/baseline-new.json", "-o", "json", "--case", "missing allow-origin"},
		{"--origin", "https://app.example.test/", "--url", "ftp://x", "-H", "bad header"},
		{"--origin", "htp:/app", "--url", "ftp://x", "-X", "GE T"},
	} {
		o, e, c := execute(t, newExplainCmd, args...)
		t.Logf("%v\n%s%s=> %d", args, o, e, c)
	}
	require.True(t, true)
}
