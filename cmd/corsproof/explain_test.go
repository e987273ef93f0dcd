package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/reports"
)

// execute runs a command the way Main does and returns its output and the
// exit code Main would choose for the error: 1 for failed expectations,
// 2 for everything the user can fix.
func execute[O any](t *testing.T, newCmd func(*factory, func(context.Context, *O) error) *cobra.Command, args ...string) (stdout, stderr string, code ExitCode) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newCmd(&factory{stdout: &out, stderr: &errOut}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&errOut)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil && !errors.Is(err, errExpectations) {
		printError(&errOut, err)
	}
	return out.String(), errOut.String(), exitCode(context.Background(), err)
}

const (
	pageOrigin = "https://app.example.test"
	apiURL     = "https://api.example.test/v1/items"
)

func TestExplainText(t *testing.T) {
	t.Parallel()
	req := []string{"--origin", pageOrigin, "--url", apiURL}
	tests := []struct {
		desc    string
		args    []string
		want    []string
		notWant []string
	}{
		{
			desc: "a response without Access-Control-Allow-Origin",
			args: append(req[:4:4], "--status", "200", "--response-header", "Content-Type: application/json"),
			want: []string{
				"Model:      blocked MissingAllowOriginHeader at the actual response (model only, no browser)",
				"Preflight:  not needed",
				"has no Access-Control-Allow-Origin header",
				"Fix:        On the `GET` response for `https://api.example.test/v1/items` (and any redirect before it): send `Access-Control-Allow-Origin: https://app.example.test`, `Vary: Origin`.",
			},
			notWant: []string{"Browser:"},
		},
		{
			desc: "a request header the preflight does not allow",
			args: append(req[:4:4], "-H", "X-Token: abc", "-H", "Content-Type: text/plain",
				"--preflight-status", "204",
				"--preflight-header", "Access-Control-Allow-Origin: "+pageOrigin,
				"--preflight-header", "Access-Control-Allow-Headers: x-other",
				"--status", "200", "--response-header", "Access-Control-Allow-Origin: "+pageOrigin),
			want: []string{
				"Model:      blocked HeaderDisallowedByPreflightResponse (x-token) at the preflight",
				"Preflight:  needed",
				"x-token is not a CORS-safelisted request header",
				"Access-Control-Request-Headers: x-token",
				"On the OPTIONS (preflight) response for `https://api.example.test/v1/items`: send `Access-Control-Allow-Headers: x-other, x-token`.",
			},
			notWant: []string{"content-type is not"},
		},
		{
			desc: "credentials with a wildcard origin",
			args: append(req[:4:4], "--credentials", "include", "--status", "200",
				"--response-header", "Access-Control-Allow-Origin: *", "--response-header", "Access-Control-Allow-Credentials: true"),
			want: []string{
				"Model:      blocked WildcardOriginNotAllowed at the actual response",
				"sends `Access-Control-Allow-Origin: *`, but the request includes credentials",
				"send `Access-Control-Allow-Origin: https://app.example.test`, `Vary: Origin`",
			},
		},
		{
			desc: "an allowed echo without Vary warns about caches",
			args: append(req[:4:4], "--status", "200", "--response-header", "Access-Control-Allow-Origin: "+pageOrigin),
			want: []string{
				"Model:      allowed (model only, no browser)",
				"Summary:    Allowed: no preflight was needed",
				"Warnings:",
				"Vary",
			},
			notWant: []string{"Fix:"},
		},
		{
			desc: "no responses: only whether a preflight is needed and why",
			args: append(req[:4:4], "-X", "PUT", "-H", "Content-Type: application/json"),
			want: []string{
				"Model:      unknown",
				"Preflight:  needed",
				"PUT is not GET, HEAD or POST",
				`Content-Type "application/json" is not`,
				"A preflight is needed. Give the server's OPTIONS answer",
			},
		},
		{
			desc: "a preflight given but no actual response",
			args: append(req[:4:4], "-X", "DELETE", "--preflight-header", "Access-Control-Allow-Origin: "+pageOrigin,
				"--preflight-header", "Access-Control-Allow-Methods: DELETE"),
			want: []string{"Model:      unknown", "The preflight allows the request. Give the actual response"},
		},
		{
			desc: "an actual response with a needed preflight left out says the model assumed it passed",
			args: append(req[:4:4], "-X", "PUT", "--status", "200", "--response-header", "Access-Control-Allow-Origin: "+pageOrigin),
			want: []string{"no preflight response was given", "assumed the preflight allowed the request"},
		},
		{
			desc: "several lines of one header are one list",
			args: append(req[:4:4], "-H", "X-A: 1", "-H", "X-B: 2",
				"--preflight-header", "Access-Control-Allow-Origin: "+pageOrigin,
				"--preflight-header", "Access-Control-Allow-Headers: x-a",
				"--preflight-header", "access-control-allow-headers: x-b",
				"--status", "200", "--response-header", "Access-Control-Allow-Origin: "+pageOrigin),
			want: []string{"Model:      allowed", "Access-Control-Request-Headers: x-a,x-b"},
		},
		{
			desc: "a saved record, as probe -o json writes it",
			args: []string{"--from", "testdata/record-blocked.json"},
			want: []string{
				"Browser:    blocked HeaderDisallowedByPreflightResponse (x-token) · Chromium 156.0.8078.108",
				"Model:      blocked HeaderDisallowedByPreflightResponse (x-token) at the preflight · agrees with the browser",
				"send `Access-Control-Allow-Headers: content-type, x-token`",
			},
			notWant: []string{"── "},
		},
		{
			desc: "a saved run explains every case, titled",
			args: []string{"--from", "testdata/baseline-new.json"},
			want: []string{
				"── demo / simple GET is allowed",
				"── demo / custom header with credentials",
				"── demo / missing allow-origin",
			},
		},
		{
			desc:    "a saved run with --case explains that case",
			args:    []string{"--from", "testdata/baseline-new.json", "--case", "missing allow-origin"},
			want:    []string{"Browser:    blocked MissingAllowOriginHeader"},
			notWant: []string{"simple GET", "x-token", "── "},
		},
		{
			desc: "a run saved as JSON Lines",
			args: []string{"--from", "../../result/testdata/run.jsonl", "--case", "custom header with credentials"},
			want: []string{"Browser:    blocked HeaderDisallowedByPreflightResponse (x-token)", "agrees with the browser"},
		},
		{
			desc:    "--case accepts SUITE/NAME",
			args:    []string{"--from", "testdata/baseline-new.json", "--case", "demo/simple GET is allowed"},
			want:    []string{"Browser:    allowed"},
			notWant: []string{"blocked"},
		},
		{
			desc:    "hostile header values do not reach the terminal",
			args:    append(req[:4:4], "--status", "200", "--response-header", "Access-Control-Allow-Origin: https://evil.test\x1b]0;owned\x07"),
			want:    []string{"InvalidAllowOriginValue (https://evil.test\uFFFD)"},
			notWant: []string{"\x1b", "\x07"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := execute(t, newExplainCmd, tt.args...)
			require.Equal(t, ExitOK, code, "stderr: %s", errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, out, w)
			}
		})
	}
}

func TestExplainJSON(t *testing.T) {
	t.Parallel()
	t.Run("flags give one object with prediction and diagnosis", func(t *testing.T) {
		t.Parallel()
		out, errOut, code := execute(t, newExplainCmd, "--origin", pageOrigin, "--url", apiURL, "-o", "json",
			"-H", "Authorization: Bearer s3cret", "--credentials", "include",
			"--preflight-header", "Access-Control-Allow-Origin: "+pageOrigin,
			"--preflight-header", "Access-Control-Allow-Credentials: true",
			"--status", "200", "--response-header", "Access-Control-Allow-Origin: "+pageOrigin)
		require.Equal(t, ExitOK, code, errOut)
		var got reports.Explanation
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Nil(t, got.Browser)
		assert.Equal(t, "blocked", string(got.Prediction.Verdict))
		assert.Equal(t, "HeaderDisallowedByPreflightResponse", string(got.Prediction.CorsError))
		assert.Equal(t, "authorization", got.Prediction.FailedParameter)
		assert.Equal(t, "blocked", string(got.Diagnosis.ModelVerdict))
		assert.NotEmpty(t, got.Diagnosis.Fix)
		assert.Equal(t, "[redacted]", got.Input.Request.Headers["Authorization"])
		assert.NotContains(t, out, "s3cret")
	})
	t.Run("a run gives an array", func(t *testing.T) {
		t.Parallel()
		out, errOut, code := execute(t, newExplainCmd, "--from", "testdata/baseline-old.json", "-o", "json")
		require.Equal(t, ExitOK, code, errOut)
		var got []reports.Explanation
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		require.Len(t, got, 3)
		for _, e := range got {
			require.NotNil(t, e.Browser)
			assert.True(t, e.Diagnosis.AgreesWithBrowser, "%s: %s", e.Case, e.Diagnosis.Summary)
		}
		assert.Equal(t, "allowed", got[1].Browser.Verdict)
	})
}

func TestExplainUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		args []string
		want []string
	}{
		{"nothing to explain", nil, []string{"--origin and --url are required without --from"}},
		{"no url", []string{"--origin", pageOrigin}, []string{"--origin and --url are required"}},
		{"--from with request flags", []string{"--from", "testdata/record-blocked.json", "--origin", pageOrigin, "--status", "200"}, []string{"cannot be combined with --origin, --status"}},
		{"--case without --from", []string{"--origin", pageOrigin, "--url", apiURL, "--case", "x"}, []string{`--case "x": only applies with --from`}},
		{"a header without a colon", []string{"--origin", pageOrigin, "--url", apiURL, "-H", "X-Token abc"}, []string{`-H "X-Token abc": not a header`, "hint: write -H 'Name: value'"}},
		{"a bad response header name", []string{"--origin", pageOrigin, "--url", apiURL, "--response-header", "Bad Name: x"}, []string{`--response-header "Bad Name: x": "Bad Name" is not a valid header name`}},
		{"a bad preflight header", []string{"--origin", pageOrigin, "--url", apiURL, "--preflight-header", "nocolon"}, []string{`--preflight-header "nocolon": not a header`}},
		{"a status out of range", []string{"--origin", pageOrigin, "--url", apiURL, "--status", "42"}, []string{"--status: 42 is not an HTTP status"}},
		{"a preflight status out of range", []string{"--origin", pageOrigin, "--url", apiURL, "--preflight-status", "1000"}, []string{"--preflight-status: 1000 is not an HTTP status"}},
		{"a bad origin and method name their flags", []string{"--origin", "app.example.test", "--url", apiURL, "-X", "GE T"}, []string{`--origin: "app.example.test"`, `-X: "GE T"`}},
		{"a bad credentials mode", []string{"--origin", pageOrigin, "--url", apiURL, "--credentials", "always"}, []string{`--credentials: "always"`}},
		{"a relative url", []string{"--origin", pageOrigin, "--url", "/v1/items"}, []string{`--url: "/v1/items"`}},
		{"an unknown output format", []string{"--origin", pageOrigin, "--url", apiURL, "-o", "xml"}, []string{`--output: "xml"`}},
		{"a missing --from file", []string{"--from", "testdata/nope.json"}, []string{"--from: reading saved run", "no such file"}},
		{"a --from file that is not a result", []string{"--from", "explain.go"}, []string{"--from: explain.go: not a JSON object"}},
		{"an unknown case", []string{"--from", "testdata/baseline-new.json", "--case", "nope"}, []string{`--case "nope": no such case`, `"missing allow-origin"`}},
		{"an unknown flag", []string{"--origin", pageOrigin, "--url", apiURL, "--browser", "x"}, []string{"unknown flag: --browser"}},
		{"a positional argument", []string{"https://api.example.test"}, []string{"unknown command"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := execute(t, newExplainCmd, tt.args...)
			assert.Equal(t, ExitUsage, code, "stderr: %s", errOut)
			assert.Empty(t, out)
			for _, w := range tt.want {
				assert.Contains(t, errOut, w)
			}
			assert.True(t, strings.HasPrefix(errOut, "corsproof: error: "), errOut)
		})
	}
}
