package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

// readHAR reads a testdata HAR, putting port in place of the TARGET_PORT
// placeholder the recorded loopback port was replaced with.
func readHAR(t testing.TB, name, port string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/har/" + name)
	require.NoError(t, err)
	return []byte(strings.ReplaceAll(string(data), "TARGET_PORT", port))
}

func caseByName(t *testing.T, s *Suite, name string) Case {
	t.Helper()
	for _, c := range s.Cases {
		if c.Name == name {
			return c
		}
	}
	require.Failf(t, "no such case", "%q", name)
	return Case{}
}

// TestImportHARChromiumDemo imports corsproof's own HAR of a real Chromium
// run of the demo suite: every case comes back with its request and the
// verdict the browser reached.
func TestImportHARChromiumDemo(t *testing.T) {
	t.Parallel()
	s, rep, err := ImportHAR(readHAR(t, "chromium-demo.har", "8080"), HAROptions{File: "demo.har"})
	require.NoError(t, err)
	assert.Equal(t, "imported from demo.har", s.Name)
	assert.Len(t, s.Cases, 18, "one case per page")
	assert.Equal(t, 26, rep.Entries)
	require.Len(t, rep.Skipped, 8)
	for _, sk := range rep.Skipped {
		assert.Equal(t, SkipPreflight, sk.Kind, "entry %d", sk.Entry)
	}
	yes := func(v cors.Verdict, ce cors.CorsError) *Expect { return &Expect{Verdict: v, CorsError: ce} }
	const target = "http://127.0.0.1:8080"
	tests := []struct {
		desc   string
		name   string
		origin string
		req    Request
		expect *Expect
	}{
		{
			desc: "simple allowed GET", name: "open route allows a simple GET", origin: "https://app.example.test",
			req:    Request{API: APIFetch, Method: "GET", URL: target + "/api/open", Credentials: CredentialsOmit, Mode: ModeCORS},
			expect: yes(cors.VerdictAllowed, ""),
		},
		{
			desc: "preflighted PUT keeps its content type and body", name: "open route allows a preflighted PUT from localhost", origin: "http://localhost:3000",
			req: Request{API: APIFetch, Method: "PUT", URL: target + "/api/open/items/1", Credentials: CredentialsOmit, Mode: ModeCORS,
				Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"a"}`},
			expect: yes(cors.VerdictAllowed, ""),
		},
		{
			desc: "credentialed POST with a custom header", name: "allow-list admits a credentialed POST with a custom header", origin: "https://app.example.test",
			req: Request{API: APIFetch, Method: "POST", URL: target + "/api/allowlist/login", Credentials: CredentialsInclude, Mode: ModeCORS,
				Headers: map[string]string{"Content-Type": "application/json", "X-Token": RedactedValue}, Body: `{"user":"a"}`},
			expect: yes(cors.VerdictAllowed, ""),
		},
		{
			desc: "preflight failure carries the CorsError", name: "wildcard origin with credentials is refused on the preflight", origin: "https://app.example.test",
			req: Request{API: APIFetch, Method: "GET", URL: target + "/api/wildcard-credentials", Credentials: CredentialsInclude, Mode: ModeCORS,
				Headers: map[string]string{"X-Token": RedactedValue}},
			expect: yes(cors.VerdictBlocked, "PreflightWildcardOriginNotAllowed"),
		},
		{
			// Its entry is as near the preflight above as that preflight's
			// own request (the same start time); the preflight asked about
			// x-token, which only the other request sends.
			desc: "a simple GET next to another request's preflight keeps no preflight", name: "wildcard origin with credentials is refused", origin: "https://app.example.test",
			req:    Request{API: APIFetch, Method: "GET", URL: target + "/api/wildcard-credentials", Credentials: CredentialsInclude, Mode: ModeCORS},
			expect: yes(cors.VerdictBlocked, "WildcardOriginNotAllowed"),
		},
		{
			desc: "time-out kept as the user saw it", name: "slow route times out", origin: "https://app.example.test",
			req:    Request{API: APIFetch, Method: "GET", URL: target + "/api/slow", Credentials: CredentialsOmit, Mode: ModeCORS},
			expect: yes(cors.VerdictTimeout, ""),
		},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			c := caseByName(t, s, tc.name)
			assert.Equal(t, tc.origin, c.Origin)
			assert.Equal(t, tc.req, c.Request)
			assert.Equal(t, tc.expect, c.Expect)
		})
	}
	// The suite the import writes is one `corsproof run` accepts.
	data, err := s.Marshal()
	require.NoError(t, err)
	_, err = Parse("imported.yaml", data)
	require.NoError(t, err)
}

func TestImportHARChromiumSmall(t *testing.T) {
	t.Parallel()
	s, rep, err := ImportHAR(readHAR(t, "chromium-small.har", "18471"), HAROptions{WithCredentialsValues: true})
	require.NoError(t, err)
	require.Len(t, s.Cases, 4)
	xhr := caseByName(t, s, "xhr GET on the open route")
	assert.Equal(t, APIXHR, xhr.Request.API)
	assert.Empty(t, xhr.Request.Mode)

	redirected := caseByName(t, s, "fetch redirected to the allow-list")
	assert.Equal(t, "http://127.0.0.1:18471/api/open?redirect=/api/allowlist", redirected.Request.URL, "the case starts at the first hop")
	assert.Equal(t, &Expect{Verdict: cors.VerdictAllowed}, redirected.Expect)
	kinds := map[SkipKind]int{}
	for _, sk := range rep.Skipped {
		kinds[sk.Kind]++
	}
	assert.Equal(t, map[SkipKind]int{SkipRedirect: 1, SkipPreflight: 1}, kinds)

	bearer := caseByName(t, s, "bearer token to the allow-list")
	// corsproof's own HAR redacts secrets unless --show-secrets; the name
	// survives, which is what the preflight asks about.
	assert.Equal(t, map[string]string{"Authorization": "[redacted]"}, bearer.Request.Headers)
	assert.Equal(t, &Expect{Verdict: cors.VerdictBlocked, CorsError: "HeaderDisallowedByPreflightResponse"}, bearer.Expect)
	assert.Equal(t, CredentialsInclude, bearer.Request.Credentials)
}

func TestImportHARFirefox(t *testing.T) {
	t.Parallel()
	s, rep, err := ImportHAR(readHAR(t, "firefox-dashboard.har", ""), HAROptions{File: "user.har"})
	require.NoError(t, err)
	require.Len(t, s.Cases, 2)

	post := s.Cases[0]
	assert.Equal(t, "POST api.example.net/v1/reports", post.Name)
	assert.Equal(t, "https://dashboard.example.test", post.Origin)
	assert.Equal(t, Request{
		API: APIFetch, Method: "POST", URL: "https://api.example.net/v1/reports", Credentials: CredentialsInclude, Mode: ModeCORS,
		Headers: map[string]string{
			"Accept": "application/json, text/plain, */*", "Content-Type": "application/json",
			"Authorization": "Bearer " + RedactedValue, "X-Requested-With": "XMLHttpRequest",
		},
		Body: `{"range":"7d","page":1}`,
	}, post.Request)
	assert.Equal(t, &Expect{Verdict: cors.VerdictBlocked}, post.Expect)
	assert.Contains(t, post.Why, "entry 3 of user.har")

	me := s.Cases[1]
	assert.Equal(t, "https://api.example.net/v1/me?access_token="+RedactedValue+"&lang=de", me.Request.URL)
	assert.Equal(t, CredentialsSameOrigin, me.Request.Credentials)
	assert.Equal(t, &Expect{Verdict: cors.VerdictAllowed}, me.Expect)

	require.Len(t, rep.Cases, 2)
	assert.Equal(t, 2, rep.Cases[0].Preflight)
	assert.Subset(t, rep.Cases[0].Dropped, []string{"Host", "User-Agent", "Cookie", "Origin", "Referer", "Sec-Fetch-Mode", "Content-Length", "Accept-Language"})
	assert.Equal(t, []string{"Authorization"}, rep.Cases[0].Redacted)
	assert.Equal(t, []string{"?access_token"}, rep.Cases[1].Redacted)

	got := map[int]SkipKind{}
	for _, sk := range rep.Skipped {
		got[sk.Entry] = sk.Kind
	}
	assert.Equal(t, map[int]SkipKind{0: SkipNotCORS, 1: SkipNotCORS, 2: SkipPreflight, 5: SkipScheme, 6: SkipSameOrigin}, got)

	// Nothing secret survives into the suite file.
	data, err := s.Marshal()
	require.NoError(t, err)
	for _, secret := range []string{"user-secret", "firefox-session-cookie", "ff-query-token"} {
		assert.NotContains(t, string(data), secret)
	}

	only, _, err := ImportHAR(readHAR(t, "firefox-dashboard.har", ""), HAROptions{OnlyFailed: true, WithCredentialsValues: true})
	require.NoError(t, err)
	require.Len(t, only.Cases, 1)
	assert.Equal(t, "Bearer eyJhbGciOiJIUzI1NiJ9.user-secret", only.Cases[0].Request.Headers["Authorization"])
}

// hentry builds one HAR entry as JSON for the table tests.
type hentry struct {
	Method, URL  string
	Headers      [][2]string
	Cookies      []string
	Status       int
	Error        string
	CorsError    any
	ResourceType string
	RedirectURL  string
	Body         string
	RespHeaders  [][2]string
}

func (e hentry) json() map[string]any {
	hs := []map[string]string{}
	for _, h := range e.Headers {
		hs = append(hs, map[string]string{"name": h[0], "value": h[1]})
	}
	cs := []map[string]string{}
	for _, c := range e.Cookies {
		cs = append(cs, map[string]string{"name": c, "value": "v"})
	}
	req := map[string]any{"method": e.Method, "url": e.URL, "headers": hs, "cookies": cs}
	if e.Body != "" {
		req["postData"] = map[string]any{"mimeType": "text/plain", "text": e.Body}
	}
	rhs := []map[string]string{}
	for _, h := range e.RespHeaders {
		rhs = append(rhs, map[string]string{"name": h[0], "value": h[1]})
	}
	resp := map[string]any{"status": e.Status, "headers": rhs, "redirectURL": e.RedirectURL}
	if e.Error != "" {
		resp["_error"] = e.Error
	}
	out := map[string]any{"request": req, "response": resp}
	if e.ResourceType != "" {
		out["_resourceType"] = e.ResourceType
	}
	if e.CorsError != nil {
		out["_corsError"] = e.CorsError
	}
	return out
}

func harOf(t testing.TB, entries ...hentry) []byte {
	t.Helper()
	list := make([]any, len(entries))
	for i, e := range entries {
		list[i] = e.json()
	}
	data, err := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": list}})
	require.NoError(t, err)
	return data
}

const (
	harApp = "https://app.example.test"
	harAPI = "https://api.example.test/x"
)

var fromApp = [2]string{"Origin", harApp}

func TestImportHARHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		headers [][2]string
		acrh    string // Access-Control-Request-Headers of a preflight, if any
		creds   bool
		want    map[string]string
	}{
		{desc: "browser-added headers dropped", headers: [][2]string{
			fromApp, {"Host", "api.example.test"}, {"User-Agent", "x"}, {"Accept-Encoding", "gzip"}, {"Accept-Language", "de"},
			{"Connection", "keep-alive"}, {"Referer", harApp + "/"}, {"Sec-Fetch-Mode", "cors"}, {"sec-ch-ua", `"Chromium"`},
			{"sec-ch-ua-platform", `"Linux"`}, {"Priority", "u=1, i"}, {"Content-Length", "3"}, {":authority", "api.example.test"},
			{":method", "GET"}, {"DNT", "1"}, {"Proxy-Authorization", "x"}, {"X-Client-Data", "abc"},
		}, want: nil},
		{desc: "page headers kept", headers: [][2]string{fromApp, {"X-Trace", "1"}, {"Content-Type", "text/plain"}, {"Accept", "*/*"}, {"accept", "text/csv"}},
			want: map[string]string{"X-Trace": "1", "Content-Type": "text/plain", "accept": "text/csv"}},
		{desc: "repeated header joined", headers: [][2]string{fromApp, {"X-A", "1"}, {"x-a", "2"}}, want: map[string]string{"X-A": "1, 2"}},
		{desc: "secret values redacted", headers: [][2]string{fromApp, {"Authorization", "Basic dXNlcjpwYXNz"}, {"X-Api-Key", "k"}, {"X-CSRF-Token", "t"}},
			want: map[string]string{"Authorization": "Basic " + RedactedValue, "X-Api-Key": RedactedValue, "X-CSRF-Token": RedactedValue}},
		{desc: "values with credentials values kept", creds: true, headers: [][2]string{fromApp, {"Authorization", "Bearer abc"}},
			want: map[string]string{"Authorization": "Bearer abc"}},
		{desc: "cache headers of DevTools dropped", headers: [][2]string{fromApp, {"Cache-Control", "no-cache"}, {"Pragma", "no-cache"}, {"X-B", "1"}},
			acrh: "x-b", want: map[string]string{"X-B": "1"}},
		{desc: "cache header the preflight listed kept", headers: [][2]string{fromApp, {"Cache-Control", "no-cache"}},
			acrh: "cache-control", want: map[string]string{"Cache-Control": "no-cache"}},
		{desc: "preflight names a header the request lacks", headers: [][2]string{fromApp},
			acrh: "x-token,content-type", want: map[string]string{"x-token": RedactedValue, "content-type": "application/json"}},
		{desc: "value with whitespace trimmed", headers: [][2]string{fromApp, {"X-C", " v "}}, want: map[string]string{"X-C": "v"}},
		{desc: "invalid name dropped", headers: [][2]string{fromApp, {"Bad Name", "v"}}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var entries []hentry
			if tc.acrh != "" {
				entries = append(entries, hentry{Method: "OPTIONS", URL: harAPI, Status: 204, Headers: [][2]string{fromApp,
					{"Access-Control-Request-Method", "GET"}, {"Access-Control-Request-Headers", tc.acrh}}})
			}
			entries = append(entries, hentry{Method: "GET", URL: harAPI, Status: 200, Headers: tc.headers})
			s, _, err := ImportHAR(harOf(t, entries...), HAROptions{WithCredentialsValues: tc.creds})
			require.NoError(t, err)
			require.Len(t, s.Cases, 1)
			assert.Equal(t, tc.want, s.Cases[0].Request.Headers)
		})
	}
}

func TestImportHARExpectAndCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		e         hentry
		wantCreds Credentials
		want      *Expect
	}{
		{desc: "answered", e: hentry{Status: 200}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictAllowed}},
		{desc: "answered 500 is still allowed", e: hentry{Status: 500}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictAllowed}},
		{desc: "status 0 as Firefox writes it", e: hentry{Status: 0}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "chromium ERR_FAILED", e: hentry{Error: "net::ERR_FAILED"}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "CorsError as a string", e: hentry{Error: "net::ERR_FAILED", CorsError: "MissingAllowOriginHeader"},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader"}},
		{desc: "CorsError as Chromium's corsErrorStatus", e: hentry{CorsError: map[string]string{"corsError": "AllowOriginMismatch", "failedParameter": "x"}},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked, CorsError: "AllowOriginMismatch"}},
		{desc: "unknown CorsError name still blocked", e: hentry{CorsError: "SomethingNew"}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "other net error", e: hentry{Error: "net::ERR_CONNECTION_REFUSED"}, wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictNetworkError}},
		{desc: "cookie header means include", e: hentry{Status: 200, Headers: [][2]string{{"Cookie", "a=b"}}}, wantCreds: CredentialsInclude, want: &Expect{Verdict: cors.VerdictAllowed}},
		{desc: "cookies list means include", e: hentry{Status: 200, Cookies: []string{"a"}}, wantCreds: CredentialsInclude, want: &Expect{Verdict: cors.VerdictAllowed}},
		{desc: "credential-only CorsError means include", e: hentry{CorsError: "WildcardOriginNotAllowed"}, wantCreds: CredentialsInclude,
			want: &Expect{Verdict: cors.VerdictBlocked, CorsError: "WildcardOriginNotAllowed"}},
		// Firefox records a response it blocked with its status and
		// headers, and nothing that says it was blocked.
		{desc: "answered 200 without Access-Control-Allow-Origin", e: hentry{Status: 200, RespHeaders: [][2]string{{"Content-Type", "application/json"}}},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "answered 200 with another origin allowed", e: hentry{Status: 200, RespHeaders: [][2]string{{"Access-Control-Allow-Origin", "https://other.test"}}},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "answered 200 with * to a request with cookies", e: hentry{Status: 200, Cookies: []string{"a"}, RespHeaders: [][2]string{{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Allow-Credentials", "true"}}},
			wantCreds: CredentialsInclude, want: &Expect{Verdict: cors.VerdictBlocked}},
		{desc: "answered 200 with the origin allowed", e: hentry{Status: 200, RespHeaders: [][2]string{{"access-control-allow-origin", harApp}}},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictAllowed}},
		{desc: "answered 200 with * allowed", e: hentry{Status: 200, RespHeaders: [][2]string{{"Access-Control-Allow-Origin", "*"}}},
			wantCreds: CredentialsSameOrigin, want: &Expect{Verdict: cors.VerdictAllowed}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			e := tc.e
			e.Method, e.URL = "GET", harAPI
			e.Headers = append([][2]string{fromApp}, e.Headers...)
			s, _, err := ImportHAR(harOf(t, e), HAROptions{})
			require.NoError(t, err)
			require.Len(t, s.Cases, 1)
			assert.Equal(t, tc.wantCreds, s.Cases[0].Request.Credentials)
			assert.Equal(t, tc.want, s.Cases[0].Expect)
		})
	}
}

func TestImportHARPreflightMatching(t *testing.T) {
	t.Parallel()
	pre := func(u, method string) hentry {
		return hentry{Method: "OPTIONS", URL: u, Status: 204, Headers: [][2]string{fromApp, {"Access-Control-Request-Method", method}}}
	}
	req := func(u, method string, status int) hentry {
		return hentry{Method: method, URL: u, Status: status, Headers: [][2]string{fromApp, {"X-T", "1"}}}
	}
	tests := []struct {
		desc          string
		entries       []hentry
		wantCases     []string // name of each case
		wantPreflight []int    // ImportedCase.Preflight of each case
		wantExpect    []cors.Verdict
	}{
		{desc: "preflight before its request", entries: []hentry{pre(harAPI, "PUT"), req(harAPI, "PUT", 200)},
			wantCases: []string{"PUT api.example.test/x"}, wantPreflight: []int{0}, wantExpect: []cors.Verdict{cors.VerdictAllowed}},
		{desc: "preflight after its request, as Chromium orders them", entries: []hentry{req(harAPI, "PUT", 0), pre(harAPI, "PUT")},
			wantCases: []string{"PUT api.example.test/x"}, wantPreflight: []int{1}, wantExpect: []cors.Verdict{cors.VerdictBlocked}},
		{desc: "matched by method", entries: []hentry{req(harAPI, "DELETE", 200), pre(harAPI, "PUT"), req(harAPI, "PUT", 200)},
			wantCases: []string{"DELETE api.example.test/x", "PUT api.example.test/x"}, wantPreflight: []int{-1, 1}, wantExpect: []cors.Verdict{cors.VerdictAllowed, cors.VerdictAllowed}},
		{desc: "two preflights, two requests, names made unique", entries: []hentry{pre(harAPI, "PUT"), req(harAPI, "PUT", 200), pre(harAPI, "PUT"), req(harAPI, "PUT", 0)},
			wantCases: []string{"PUT api.example.test/x", "PUT api.example.test/x #2"}, wantPreflight: []int{0, 2}, wantExpect: []cors.Verdict{cors.VerdictAllowed, cors.VerdictBlocked}},
		{desc: "preflight typed by _resourceType", entries: []hentry{{Method: "OPTIONS", URL: harAPI, Status: 204, ResourceType: "preflight", Headers: [][2]string{fromApp}}, req(harAPI, "GET", 200)},
			wantCases: []string{"GET api.example.test/x"}, wantPreflight: []int{0}, wantExpect: []cors.Verdict{cors.VerdictAllowed}},
		{desc: "plain OPTIONS request is a case", entries: []hentry{{Method: "OPTIONS", URL: harAPI, Status: 200, Headers: [][2]string{fromApp}}},
			wantCases: []string{"OPTIONS api.example.test/x"}, wantPreflight: []int{-1}, wantExpect: []cors.Verdict{cors.VerdictAllowed}},
		{desc: "lone preflight rebuilds its request", entries: []hentry{pre(harAPI, "PATCH")},
			wantCases: []string{"PATCH api.example.test/x"}, wantPreflight: []int{-1}, wantExpect: []cors.Verdict{""}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			s, rep, err := ImportHAR(harOf(t, tc.entries...), HAROptions{})
			require.NoError(t, err)
			var names []string
			var pres []int
			var verdicts []cors.Verdict
			for i, c := range s.Cases {
				names = append(names, c.Name)
				pres = append(pres, rep.Cases[i].Preflight)
				var v cors.Verdict
				if c.Expect != nil {
					v = c.Expect.Verdict
				}
				verdicts = append(verdicts, v)
			}
			assert.Equal(t, tc.wantCases, names)
			assert.Equal(t, tc.wantPreflight, pres)
			assert.Equal(t, tc.wantExpect, verdicts)
		})
	}
}

func TestImportHARSkips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		e       hentry
		opts    HAROptions
		want    SkipKind
		wantMsg string
	}{
		{desc: "same origin", e: hentry{Method: "GET", URL: harApp + "/harAPI", Status: 200, Headers: [][2]string{fromApp}}, want: SkipSameOrigin},
		{desc: "default port is the same origin", e: hentry{Method: "GET", URL: "https://app.example.test:443/harAPI", Status: 200, Headers: [][2]string{fromApp}}, want: SkipSameOrigin},
		{desc: "data URL", e: hentry{Method: "GET", URL: "data:text/plain,hi", Status: 200}, want: SkipScheme, wantMsg: "data: URL"},
		{desc: "websocket", e: hentry{Method: "GET", URL: "wss://api.example.test/ws", Status: 101, Headers: [][2]string{fromApp}}, want: SkipScheme},
		{desc: "navigation", e: hentry{Method: "GET", URL: harAPI, Status: 200, Headers: [][2]string{{"Sec-Fetch-Mode", "navigate"}}}, want: SkipNotCORS},
		{desc: "image", e: hentry{Method: "GET", URL: harAPI, Status: 200, ResourceType: "image", Headers: [][2]string{{"Referer", harApp + "/"}}}, want: SkipNotCORS},
		{desc: "no origin anywhere", e: hentry{Method: "GET", URL: harAPI, Status: 200, Headers: [][2]string{{"Sec-Fetch-Mode", "cors"}}}, want: SkipNoOrigin},
		{desc: "forbidden method", e: hentry{Method: "TRACE", URL: harAPI, Status: 200, Headers: [][2]string{fromApp}}, want: SkipInvalid, wantMsg: "forbidden method"},
		{desc: "succeeded with only-failed", e: hentry{Method: "GET", URL: harAPI, Status: 200, Headers: [][2]string{fromApp}}, opts: HAROptions{OnlyFailed: true}, want: SkipSucceeded},
		{desc: "override origin makes it same-origin", e: hentry{Method: "GET", URL: harAPI, Status: 200, Headers: [][2]string{fromApp}}, opts: HAROptions{Origin: "https://api.example.test"}, want: SkipSameOrigin},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			s, rep, err := ImportHAR(harOf(t, tc.e), tc.opts)
			require.ErrorIs(t, err, ErrNothingToReplay)
			assert.Nil(t, s)
			require.Len(t, rep.Skipped, 1)
			assert.Equal(t, tc.want, rep.Skipped[0].Kind)
			assert.Contains(t, rep.Skipped[0].Reason, tc.wantMsg)
			assert.Contains(t, err.Error(), "1 entry, all skipped: "+string(tc.want))
		})
	}
}

func TestImportHARNothingToReplay(t *testing.T) {
	t.Parallel()
	var entries []hentry
	for i := range 12 {
		entries = append(entries, hentry{Method: "GET", URL: fmt.Sprintf("%s/api/%d", harApp, i), Status: 200, Headers: [][2]string{fromApp}})
	}
	_, _, err := ImportHAR(harOf(t, entries...), HAROptions{File: "user.har"})
	require.ErrorIs(t, err, ErrNothingToReplay)
	assert.EqualError(t, err, "user.har: nothing to replay: 12 entries, all skipped: same-origin")

	entries = append(entries, hentry{Method: "GET", URL: "data:,x"})
	_, rep, err := ImportHAR(harOf(t, entries...), HAROptions{})
	require.ErrorIs(t, err, ErrNothingToReplay)
	assert.Contains(t, err.Error(), "13 entries, 12 skipped: same-origin; 1 skipped: not http(s)")
	assert.Len(t, rep.Skipped, 13)

	_, _, err = ImportHAR([]byte(`{"log":{"entries":[]}}`), HAROptions{})
	assert.EqualError(t, err, "HAR: nothing to replay: the HAR has no entries")
}

func TestImportHARBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		data string
		opts HAROptions
		kind any
		want string
	}{
		{desc: "empty", data: "  \n", kind: &SyntaxError{}, want: "user.har:1:1: is empty"},
		{desc: "truncated", data: "{\"log\": {\"entries\": [\n  {\"request\"", kind: &SyntaxError{}, want: "user.har:2:13: ends early: the JSON is truncated"},
		{desc: "not JSON", data: "GET / HTTP/1.1\n", kind: &SyntaxError{}, want: "user.har:1:1: is not valid JSON"},
		{desc: "JSON list", data: `[1,2]`, kind: &TypeError{}, want: "the top level is a list, not an object with \"log\""},
		{desc: "other JSON", data: `{"name":"x","version":1}`, kind: &MissingError{}, want: `log: is missing: this JSON is not a HAR file (top-level keys: "name", "version")`},
		{desc: "log not an object", data: `{"log":[]}`, kind: &TypeError{}, want: "log: is a list, want an object"},
		{desc: "no entries", data: `{"log":{"version":"1.2"}}`, kind: &MissingError{}, want: "log.entries: is missing"},
		{desc: "entries not a list", data: `{"log":{"entries":{}}}`, kind: &TypeError{}, want: "log.entries: is an object, want a list"},
		{desc: "invalid UTF-8", data: "{\"log\":\xff}", kind: &SyntaxError{}, want: "not valid UTF-8"},
		{desc: "bad origin option", data: `{"log":{"entries":[]}}`, opts: HAROptions{Origin: "app.example.test"}, kind: &OriginError{}, want: "--origin: \"app.example.test\" is not an origin"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.File = "user.har"
			_, _, err := ImportHAR([]byte(tc.data), opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.IsType(t, tc.kind, err)
			assert.Len(t, fileerr.Problems(err), 1, "the CLI sees a located problem")
		})
	}
}

func TestImportHARMalformedEntrySkipped(t *testing.T) {
	t.Parallel()
	good := hentry{Method: "GET", URL: harAPI, Status: 200, Headers: [][2]string{fromApp}}.json()
	data, err := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{
		"not an entry", map[string]any{"request": map[string]any{"url": 5}}, map[string]any{"response": map[string]any{}}, good,
	}}})
	require.NoError(t, err)
	s, rep, err := ImportHAR(data, HAROptions{})
	require.NoError(t, err)
	assert.Len(t, s.Cases, 1)
	require.Len(t, rep.Skipped, 3)
	for _, sk := range rep.Skipped {
		assert.Equal(t, SkipMalformed, sk.Kind)
	}
}

func FuzzImportHAR(f *testing.F) {
	for _, name := range []string{"chromium-small.har", "firefox-dashboard.har"} {
		f.Add(readHAR(f, name, "8080"))
	}
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"https://a.test/","headers":[{"name":"Origin","value":"https://b.test"}]},"response":{"status":0}}]}}`))
	f.Add([]byte(`{"log":{"pages":[{"id":"p","title":"https://b.test/x"}],"entries":[{"pageref":"p","request":{"method":"OPTIONS","url":"https://a.test/","headers":[]},"_resourceType":"preflight","response":{"status":307,"redirectURL":"/y"}}]}}`))
	f.Add([]byte(`{"log":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, rep, err := ImportHAR(data, HAROptions{File: "fuzz.har"})
		if err != nil {
			if !errors.Is(err, ErrNothingToReplay) && len(fileerr.Problems(err)) == 0 {
				t.Fatalf("error is neither a located problem nor nothing-to-replay: %v", err)
			}
			return
		}
		if len(s.Cases) == 0 || rep == nil || len(rep.Cases) != len(s.Cases) {
			t.Fatalf("a suite without cases or a report that does not match: %d cases", len(s.Cases))
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("marshalling an imported suite: %v", err)
		}
		if _, err := Parse("fuzz.yaml", out); err != nil {
			t.Fatalf("an imported suite does not parse: %v\n%s", err, out)
		}
	})
}
