package reports

import (
	"bytes"
	"html"
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

// A case of steps shares a page, its preflight cache and cookies across
// its requests, which one probe cannot set up: its reproduce command runs
// the case from its file. A run's --repeat goes with either command.
func TestReproduceCommandOfStepsAndRepeats(t *testing.T) {
	step := result.Record{Name: "step 2", Origin: "https://evil.example.test", Verdict: cors.VerdictBlocked,
		Request: scenarios.Request{Method: "PUT", URL: "http://127.0.0.1:8080/x"}}
	steps := step
	steps.Name, steps.Suite, steps.File = "cache carries [v2]", "api", "suites/api.yaml"
	steps.Steps = []result.Record{{Name: "step 1"}, step}
	repeated := &result.Run{Settings: result.Settings{Engine: "firefox", Repeat: 5, EveryMS: 1500}, Records: []result.Record{steps}}
	for _, name := range []string{"markdown", "html", "junit"} {
		r, err := New(name, Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Report(&b, repeated))
		out := html.UnescapeString(b.String())
		assert.Contains(t, out, "corsproof run suites/api.yaml --case 'cache carries [[]v2]' --engine firefox --repeat 5 --every 1.5s", name)
		assert.NotContains(t, out, "corsproof probe", name)
	}
	// A cache check on a path is made again from its suite case, named to
	// select it alone, with the flag that adds the check.
	check := step
	check.Name, check.Suite, check.File, check.Path = "login* › cache check from https://b.test @edge", "api", "api.yaml", "edge"
	check.CacheCheck = &result.CacheCheck{}
	var cb bytes.Buffer
	require.NoError(t, NewJUnit(Options{}).Report(&cb, &result.Run{Records: []result.Record{check}}))
	assert.Contains(t, cb.String(), "reproduce: corsproof run api.yaml --case 'login[*]' --cache-check\n")

	// A probe's own record has no file: its command is a probe, repeated.
	probe := steps
	probe.File, probe.Suite = "", ""
	var b bytes.Buffer
	require.NoError(t, NewMarkdown(Options{}).Report(&b, &result.Run{Settings: result.Settings{Repeat: 3, EveryMS: 500}, Records: []result.Record{probe}}))
	assert.Contains(t, b.String(), "corsproof probe http://127.0.0.1:8080/x --origin https://evil.example.test -X PUT --repeat 3\n")
}

// A CI reader sees in the JUnit which engine, build, isolation and shard
// the cases ran under.
func TestJUnitPropertiesNameTheRunSettings(t *testing.T) {
	rec := result.Record{Name: "c", Suite: "api", Origin: "https://app.example.test", Verdict: cors.VerdictAllowed,
		Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/x"}}
	run := &result.Run{Settings: result.Settings{Engine: "firefox", Browser: "Firefox 153.8.0esr", BrowserProduct: "firefox/153.8.0esr",
		Isolation: "clean", Shard: "2/3", LNA: "off"}, Records: []result.Record{rec}}
	var b bytes.Buffer
	require.NoError(t, NewJUnit(Options{}).Report(&b, run))
	for _, p := range []string{
		`<property name="engine" value="firefox">`, `<property name="browser_product" value="firefox/153.8.0esr">`,
		`<property name="isolation" value="clean">`, `<property name="shard" value="2/3">`,
	} {
		assert.Contains(t, b.String(), p)
	}
}
