package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

func ptr[T any](v T) *T { return &v }

func TestLoadFullExample(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "full.yaml")
	s, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Version)
	assert.Equal(t, "checkout-api", s.Name)
	assert.Equal(t, "http://127.0.0.1:8080", s.Target)
	assert.Equal(t, path, s.File)
	require.Len(t, s.Cases, 4)

	login := s.Cases[0]
	assert.Equal(t, Case{
		Name:   "login sends cookies",
		Why:    "credentialed POST with a JSON body needs a preflight",
		Origin: "https://app.example.test",
		Request: Request{
			API: APIFetch, Method: "POST", URL: "http://127.0.0.1:8080/v1/login",
			Headers:     map[string]string{"Accept": "application/json", "Content-Type": "application/json", "X-Token": "abc"},
			Credentials: CredentialsInclude, Body: `{"user":"a"}`, Mode: ModeCORS,
		},
		Expect: &Expect{
			Verdict: cors.VerdictBlocked, CorsError: "PreflightMissingAllowOriginHeader",
			Preflight: ptr(true), Status: ptr(200), ReadableHeaders: []string{"X-Request-Id"},
		},
		File: path, Line: 10,
	}, login)

	xhr := s.Cases[2]
	assert.Equal(t, 33, xhr.Line)
	assert.Equal(t, APIXHR, xhr.Request.API)
	assert.Equal(t, "patch", xhr.Request.Method, "patch is sent as written")
	assert.Empty(t, xhr.Request.Mode, "xhr has no mode")
	assert.Equal(t, "5", xhr.Request.Headers["X-Count"], "a number reads as written")
	assert.Equal(t, "line one\nline two\n", xhr.Request.Body)

	beacon := s.Cases[3]
	assert.Equal(t, "null", beacon.Origin)
	assert.Equal(t, "POST", beacon.Request.Method)
	assert.Equal(t, ModeNoCORS, beacon.Request.Mode)
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "loading suite: ")
	assert.Empty(t, fileerr.Problems(err))
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc     string
		defaults string
		cse      string
		want     Case
	}{
		{
			desc: "built-in defaults",
			cse:  "origin: http://localhost:3000, request: {url: /x}",
			want: Case{Origin: "http://localhost:3000", Request: Request{API: APIFetch, Method: "GET", URL: "http://t.test/x", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		},
		{
			desc: "xhr gets no mode and same-origin credentials",
			cse:  "origin: http://localhost:3000, request: {url: /x, api: xhr}",
			want: Case{Origin: "http://localhost:3000", Request: Request{API: APIXHR, Method: "GET", URL: "http://t.test/x", Credentials: CredentialsSameOrigin}},
		},
		{
			desc:     "defaults fill what the case leaves out",
			defaults: "{origin: https://a.test, request: {api: xhr, credentials: include, method: post, body: b}, expect: {verdict: allowed, status: 200}}",
			cse:      "request: {url: /x}",
			want: Case{Origin: "https://a.test", Request: Request{API: APIXHR, Method: "POST", URL: "http://t.test/x", Credentials: CredentialsInclude, Body: "b"},
				Expect: &Expect{Verdict: cors.VerdictAllowed, Status: ptr(200)}},
		},
		{
			desc:     "the case wins field by field",
			defaults: "{origin: https://a.test, request: {credentials: include, url: /d}, expect: {verdict: allowed, preflight: true}}",
			cse:      "origin: https://b.test, request: {credentials: omit}, expect: {verdict: blocked}",
			want: Case{Origin: "https://b.test", Request: Request{API: APIFetch, Method: "GET", URL: "http://t.test/d", Credentials: CredentialsOmit, Mode: ModeCORS},
				Expect: &Expect{Verdict: cors.VerdictBlocked, Preflight: ptr(true)}},
		},
		{
			desc:     "headers merge by name ignoring case, the case winning",
			defaults: "{origin: https://a.test, request: {headers: {content-type: text/plain, X-Trace: d}}}",
			cse:      "request: {url: /x, method: POST, headers: {Content-Type: application/json, X-Own: c}}",
			want: Case{Origin: "https://a.test", Request: Request{API: APIFetch, Method: "POST", URL: "http://t.test/x", Credentials: CredentialsSameOrigin, Mode: ModeCORS,
				Headers: map[string]string{"Content-Type": "application/json", "X-Trace": "d", "X-Own": "c"}}},
		},
		{
			desc:     "readable_headers from the case replace the default list",
			defaults: "{origin: https://a.test, expect: {readable_headers: [A, B]}}",
			cse:      "request: {url: /x}, expect: {readable_headers: [C]}",
			want: Case{Origin: "https://a.test", Request: Request{API: APIFetch, Method: "GET", URL: "http://t.test/x", Credentials: CredentialsSameOrigin, Mode: ModeCORS},
				Expect: &Expect{ReadableHeaders: []string{"C"}}},
		},
		{
			desc:     "empty expect stays nil",
			defaults: "{origin: https://a.test, expect: {}}",
			cse:      "request: {url: /x}, expect: {}",
			want:     Case{Origin: "https://a.test", Request: Request{API: APIFetch, Method: "GET", URL: "http://t.test/x", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nname: d\ntarget: http://t.test\n"
			if tt.defaults != "" {
				src += "defaults: " + tt.defaults + "\n"
			}
			src += "cases:\n  - {name: c, " + tt.cse + "}\n"
			s, err := Parse("d.yaml", []byte(src))
			require.NoError(t, err)
			require.Len(t, s.Cases, 1)
			want := tt.want
			want.Name, want.File, want.Line = "c", "d.yaml", s.Cases[0].Line
			assert.Equal(t, want, s.Cases[0])
		})
	}
}

func TestURLResolution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, target, url, want string
	}{
		{"absolute path", "http://127.0.0.1:8080", "/v1/login", "http://127.0.0.1:8080/v1/login"},
		{"query kept", "http://127.0.0.1:8080", "/v1?a=1&b=2", "http://127.0.0.1:8080/v1?a=1&b=2"},
		{"relative path replaces the last segment", "http://api.test/base/index", "v1", "http://api.test/base/v1"},
		{"target with a trailing slash is a prefix", "http://api.test/base/", "v1", "http://api.test/base/v1"},
		{"absolute path ignores the target path", "http://api.test/base/", "/v1", "http://api.test/v1"},
		{"dot segments", "http://api.test/a/b/", "../c", "http://api.test/a/c"},
		{"scheme-relative", "https://api.test", "//other.test/x", "https://other.test/x"},
		{"absolute URL untouched", "http://api.test", "https://other.test:9443/x", "https://other.test:9443/x"},
		{"absolute URL without target", "", "http://other.test/x", "http://other.test/x"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nname: u\n"
			if tt.target != "" {
				src += "target: " + tt.target + "\n"
			}
			src += "cases:\n  - {name: c, origin: http://localhost:3000, request: {url: \"" + tt.url + "\"}}\n"
			s, err := Parse("u.yaml", []byte(src))
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.Cases[0].Request.URL)
		})
	}
}

func TestMethodNormalisation(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"get": "GET", "Post": "POST", "delete": "DELETE", "head": "HEAD", "options": "OPTIONS", "put": "PUT",
		"patch": "patch", "PATCH": "PATCH", "Propfind": "Propfind",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nname: m\ncases:\n  - {name: c, origin: http://localhost:3000, request: {url: http://a.test/, method: " + in + "}}\n"
			s, err := Parse("m.yaml", []byte(src))
			require.NoError(t, err)
			assert.Equal(t, want, s.Cases[0].Request.Method)
		})
	}
}

func TestMultipleErrorsReportedAtOnce(t *testing.T) {
	t.Parallel()
	src := `version: 1
name: many
cases:
  - name: one
    origin: https://app.example.test/
    request: {url: http://a.test/, credentials: includ}
  - name: one
    origin: http://localhost:3000
    request: {url: http://a.test/, hedaers: {}}
    expect: {verdict: allowed, cors_error: MissingAllowOriginHeader}
`
	_, err := Parse("many.yaml", []byte(src))
	require.Error(t, err)
	ps := fileerr.Problems(err)
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = fmt.Sprintf("%d:%d %s", p.Line, p.Col, p.Field)
	}
	assert.Equal(t, []string{
		"5:13 cases[0].origin",
		"6:49 cases[0].request.credentials",
		"7:11 cases[1].name",
		"9:36 cases[1].request.hedaers",
		"10:44 cases[1].expect.cors_error",
	}, got)
	var dup *DuplicateNameError
	require.True(t, errors.As(err, &dup))
	assert.Contains(t, dup.Message, "line 4")
}

func ExampleParse() {
	src := `version: 1
name: typos
cases:
  - name: login
    origin: https://app.example.test/
    request:
      url: http://127.0.0.1:8080/login
      credentials: includ
      method: GET
      body: '{}'
`
	_, err := Parse("suite.yaml", []byte(src))
	fmt.Println(err)
	// Output:
	// suite.yaml:5:13: cases[0].origin: "https://app.example.test/" ends with a slash; an origin has no path (hint: write https://app.example.test)
	// suite.yaml:8:20: cases[0].request.credentials: "includ" is not a credentials mode (hint: did you mean include?)
	// suite.yaml:10:13: cases[0].request.body: is set on a GET request; fetch throws and xhr drops it (hint: remove body, or use method: POST)
}
