package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// renderHAR writes run as HAR and decodes it twice: into the typed document
// and into plain maps, to check the keys DevTools requires by name.
func renderHAR(t *testing.T, run *result.Run, opts Options) (harDoc, map[string]any, string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, NewHAR(opts).Report(&buf, run))
	var doc harDoc
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &raw))
	return doc, raw, buf.String()
}

func TestHARStructure(t *testing.T) {
	t.Parallel()
	doc, _, _ := renderHAR(t, fixtureRun(), Options{})
	l := doc.Log
	assert.Equal(t, "1.2", l.Version)
	assert.Equal(t, "corsproof", l.Creator.Name)
	assert.Equal(t, harNameVer{Name: "Chromium", Version: "156.0.8078.108"}, l.Browser)
	require.Len(t, l.Pages, 4)
	assert.Equal(t, "custom header refused by preflight", l.Pages[1].Title)
	assert.Equal(t, "page_2", l.Pages[1].ID)
	assert.Equal(t, "2026-05-01T12:30:00.000Z", l.Pages[0].StartedDateTime)
	assert.Equal(t, "2026-05-01T12:30:00.121Z", l.Pages[1].StartedDateTime, "a page starts after the cases before it")

	type want struct {
		page, method, resourceType string
		status, serverStatus       int
		corsError, netError        string
		verdict                    cors.Verdict
	}
	tests := []struct {
		desc string
		want want
	}{
		{desc: "allowed simple GET", want: want{page: "page_1", method: "GET", resourceType: "fetch", status: 200, verdict: cors.VerdictAllowed}},
		{desc: "preflight that refused a header", want: want{page: "page_2", method: "OPTIONS", resourceType: "preflight", status: 204}},
		{desc: "actual request never sent", want: want{page: "page_2", method: "PUT", resourceType: "fetch", corsError: "HeaderDisallowedByPreflightResponse", netError: "net::ERR_FAILED", verdict: cors.VerdictBlocked}},
		{desc: "xhr blocked after a 200", want: want{page: "page_3", method: "GET", resourceType: "xhr", serverStatus: 200, corsError: "MissingAllowOriginHeader", netError: "net::ERR_FAILED", verdict: cors.VerdictBlocked}},
		{desc: "hostile preflight", want: want{page: "page_4", method: "OPTIONS", resourceType: "preflight", status: 204}},
		{desc: "hostile actual", want: want{page: "page_4", method: "POST", resourceType: "fetch", status: 200, verdict: cors.VerdictAllowed}},
	}
	require.Len(t, l.Entries, len(tests))
	for i, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			e := l.Entries[i]
			got := want{
				page: e.Pageref, method: e.Request.Method, resourceType: e.ResourceType,
				status: e.Response.Status, serverStatus: e.Response.ServerStatus,
				corsError: e.CorsError, netError: e.Response.Error,
			}
			if e.Corsproof != nil {
				got.verdict = e.Corsproof.Verdict
			}
			assert.Equal(t, tc.want, got)
		})
	}

	unsent := l.Entries[2]
	assert.Equal(t, "not sent: the preflight failed", unsent.Comment)
	assert.Equal(t, "x-token", unsent.CorsFailedParam)
	assert.Contains(t, unsent.Request.Headers, harNameValue{Name: "Origin", Value: "https://app.example.test"})
	require.NotNil(t, unsent.Request.PostData)
	assert.Equal(t, `{"name":"it's"}`, unsent.Request.PostData.Text)
	assert.Equal(t, "application/json", unsent.Request.PostData.MimeType)
	assert.Equal(t, harInitiator{Type: "preflight", URL: "https://api.example.test/items/1"}, l.Entries[1].Initiator)
	assert.Equal(t, &HARCase{Case: "custom header refused by preflight", Origin: "https://app.example.test", API: scenarios.APIFetch,
		Credentials: scenarios.CredentialsInclude, Verdict: cors.VerdictBlocked}, unsent.Corsproof)
	assert.Equal(t, []harNameValue{{Name: "X-Multi", Value: "one"}, {Name: "X-Multi", Value: "two"}},
		filterHeaders(l.Entries[3].Response.Headers, "X-Multi"), "a joined value is one header line per value")
	assert.Equal(t, `{"ok":true}`, l.Entries[0].Response.Content.Text)
	assert.Equal(t, "application/json", l.Entries[0].Response.Content.MimeType)
	assert.Equal(t, []harNameValue{{Name: "q", Value: hostileScript}}, l.Entries[5].Request.QueryString)
}

func filterHeaders(hs []harNameValue, name string) []harNameValue {
	var out []harNameValue
	for _, h := range hs {
		if h.Name == name {
			out = append(out, h)
		}
	}
	return out
}

// TestHARRequiredFields checks every key HAR 1.2 marks required, which
// DevTools' importer reads without defaults.
func TestHARRequiredFields(t *testing.T) {
	t.Parallel()
	_, raw, _ := renderHAR(t, fixtureRun(), Options{})
	log := raw["log"].(map[string]any)
	for _, k := range []string{"version", "creator", "browser", "pages", "entries"} {
		assert.Contains(t, log, k)
	}
	for i, e := range log["entries"].([]any) {
		entry := e.(map[string]any)
		for _, k := range []string{"pageref", "startedDateTime", "time", "request", "response", "cache", "timings", "_resourceType", "_initiator"} {
			assert.Contains(t, entry, k, "entries[%d]", i)
		}
		req := entry["request"].(map[string]any)
		for _, k := range []string{"method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize"} {
			assert.Contains(t, req, k, "entries[%d].request", i)
		}
		resp := entry["response"].(map[string]any)
		for _, k := range []string{"status", "statusText", "httpVersion", "headers", "cookies", "content", "redirectURL", "headersSize", "bodySize"} {
			assert.Contains(t, resp, k, "entries[%d].response", i)
		}
		assert.Contains(t, resp["content"], "mimeType")
		assert.Contains(t, resp["content"], "size")
		timings := entry["timings"].(map[string]any)
		for _, k := range []string{"send", "wait", "receive"} {
			assert.GreaterOrEqual(t, timings[k], 0.0, "entries[%d].timings.%s", i, k)
		}
	}
}

func TestHARSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc        string
		opts        Options
		wantCookies []harNameValue
		wantAuth    string
	}{
		{desc: "redacted by default", opts: Options{}, wantCookies: []harNameValue{}, wantAuth: Redacted},
		{desc: "shown on request", opts: Options{ShowSecrets: true},
			wantCookies: []harNameValue{{Name: "session", Value: "c00kie-v4lue"}}, wantAuth: secretToken},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			doc, _, _ := renderHAR(t, fixtureRun(), tc.opts)
			actual := doc.Log.Entries[5]
			assert.Equal(t, tc.wantCookies, actual.Request.Cookies)
			assert.Equal(t, tc.wantAuth, headerValue(actual.Request.Headers, "authorization", ""))
		})
	}

	// Redacted cookie headers still name the cookies Chromium attached.
	run := fixtureRun()
	run.Records[3].Actual.CookiesSent = []string{"session"}
	doc, _, out := renderHAR(t, run, Options{})
	assert.Equal(t, []harNameValue{{Name: "session", Value: Redacted}}, doc.Log.Entries[5].Request.Cookies)
	assert.Equal(t, []harNameValue{{Name: Redacted, Value: Redacted}}, doc.Log.Entries[5].Response.Cookies)
	assert.NotContains(t, out, "c00kie-v4lue")
}

func TestHARRedirect(t *testing.T) {
	t.Parallel()
	run := &result.Run{
		Settings: result.Settings{
			Browser: "Chromium 156.0.8078.108",
		},
		Records: []result.Record{{
			Name: "redirected", Origin: "http://app.example.test:8080",
			Request: scenarios.Request{API: scenarios.APIFetch, Method: "GET", URL: "http://127.0.0.1:9000/a"},
			Verdict: cors.VerdictAllowed,
			Redirects: []result.Exchange{{
				Method: "GET", URL: "http://127.0.0.1:9000/a",
				RequestHeaders:  map[string]string{":method": "GET", "origin": "http://app.example.test:8080"},
				Status:          307,
				ResponseHeaders: map[string]string{"Location": "/b?x=1"},
			}},
			Actual: &result.Exchange{Method: "GET", URL: "http://127.0.0.1:9000/b?x=1", Status: 200,
				ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}},
			DurationMS: 10,
		}},
	}
	doc, _, _ := renderHAR(t, run, Options{})
	require.Len(t, doc.Log.Entries, 2)
	hop := doc.Log.Entries[0]
	assert.Equal(t, "http://127.0.0.1:9000/b?x=1", hop.Response.RedirectURL)
	assert.Equal(t, "Temporary Redirect", hop.Response.StatusText)
	assert.Equal(t, "h2", hop.Request.HTTPVersion)
	assert.Nil(t, hop.Corsproof, "only the final request carries the case")
	assert.Equal(t, "HTTP/1.1", doc.Log.Entries[1].Request.HTTPVersion)
	assert.Equal(t, 10.0, doc.Log.Entries[1].Time)
	assert.Equal(t, []harNameValue{{Name: "x", Value: "1"}}, doc.Log.Entries[1].Request.QueryString)
}

// TestHARHasEveryStep: a case with steps is written call by call, each
// with its preflight, not as its last step alone.
func TestHARHasEveryStep(t *testing.T) {
	t.Parallel()
	r, err := New("har", Options{})
	require.NoError(t, err)
	run := stepsRun()
	// A step that never ran is no entry.
	gone := run.Records[0].Steps[0]
	gone.Verdict, gone.Preflight, gone.Actual, gone.AtMS = cors.VerdictNotRun, nil, nil, 300
	run.Records[0].Steps = append(run.Records[0].Steps, gone)
	var b bytes.Buffer
	require.NoError(t, r.Report(&b, run))
	var doc struct {
		Log struct {
			Entries []struct {
				StartedDateTime string `json:"startedDateTime"`
				ResourceType    string `json:"_resourceType"`
				Corsproof       *struct {
					Case string `json:"case"`
				} `json:"_corsproof"`
			} `json:"entries"`
		} `json:"log"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	var kinds, times, cases []string
	for _, e := range doc.Log.Entries {
		kinds, times = append(kinds, e.ResourceType), append(times, e.StartedDateTime)
		if e.Corsproof != nil {
			cases = append(cases, e.Corsproof.Case)
		}
	}
	assert.Equal(t, []string{"preflight", "fetch", "preflight", "fetch", "preflight", "fetch"}, kinds)
	start := run.Started.UTC()
	at := func(ms int) string {
		return start.Add(time.Duration(ms) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	}
	assert.Equal(t, []string{at(0), at(0), at(100), at(100), at(200), at(200)}, times, "each step at its own time")
	require.Len(t, cases, 3)
	assert.True(t, strings.HasPrefix(cases[0], run.Records[0].Name+" › "), "the case and the step: %q", cases[0])
	assert.NotContains(t, b.String(), "secret-value", "the steps' secrets are redacted")
}
