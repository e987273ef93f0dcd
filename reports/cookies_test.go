package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func TestSeededCookiesInCommandAndRedacted(t *testing.T) {
	rec := &result.Record{Name: "c", Origin: "https://app.example.test",
		Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/x", Credentials: "include"},
		Cookies: map[string]string{"sid": "s3cret", "a": "1"}, Verdict: cors.VerdictAllowed}
	assert.Equal(t, "corsproof probe http://127.0.0.1:8080/x --origin https://app.example.test --credentials include --cookie a=1 --cookie sid=s3cret", ProbeCommand(rec))

	red := RedactRecord(rec)
	assert.Equal(t, Redacted, red.Cookies["sid"])
	assert.Equal(t, "s3cret", rec.Cookies["sid"], "the original is untouched")

	run := &result.Run{Records: []result.Record{*rec}}
	for _, name := range Formats() {
		r, err := New(name, Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Report(&b, run), name)
		assert.NotContains(t, b.String(), "s3cret", "%s leaks a seeded cookie value", name)
	}
}

func TestReproduceCommandCarriesRunSettings(t *testing.T) {
	rec := result.Record{Name: "c", Origin: "https://app.example.test", Verdict: cors.VerdictBlocked,
		Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/x"}}
	run := &result.Run{Settings: result.Settings{LNA: "enforce", ThirdPartyCookies: "block", Driver: "rod", TimeoutMS: 10000}, Records: []result.Record{rec}}
	for _, name := range []string{"markdown", "html", "junit"} {
		r, err := New(name, Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Report(&b, run))
		assert.Contains(t, b.String(), "--lna enforce --third-party-cookies block --timeout 10s --driver rod", name)
	}
	firefox := &result.Run{Settings: result.Settings{Engine: "firefox", LNA: "off", ThirdPartyCookies: "allow"}, Records: []result.Record{rec}}
	for _, name := range []string{"markdown", "html", "junit"} {
		r, err := New(name, Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Report(&b, firefox))
		assert.Contains(t, b.String(), "--origin https://app.example.test --engine firefox", "%s: a Firefox run's case reproduces in Firefox", name)
	}
	plain := &result.Run{Settings: result.Settings{LNA: "off", ThirdPartyCookies: "allow", Driver: "chromedp"}, Records: []result.Record{rec}}
	var b bytes.Buffer
	require.NoError(t, NewMarkdown(Options{}).Report(&b, plain))
	assert.NotContains(t, b.String(), "--lna", "defaults are left out")
}
