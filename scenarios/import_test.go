package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// requireValid checks that an imported suite survives the strict loader.
func requireValid(t *testing.T, s *Suite) *Suite {
	t.Helper()
	out, err := s.Marshal()
	require.NoError(t, err)
	back, err := Parse("imported.yaml", out)
	require.NoError(t, err, "%s", out)
	return back
}

func TestImportCurlDevTools(t *testing.T) {
	t.Parallel()
	s, err := ImportCurl(readTestdata(t, "devtools-curl.txt"))
	require.NoError(t, err)
	require.Len(t, s.Cases, 2)
	login := s.Cases[0]
	assert.Equal(t, "https://app.example.test", login.Origin)
	assert.Equal(t, Request{
		API: APIFetch, Method: "POST", URL: "http://127.0.0.1:8080/v1/login?next=%2Fhome",
		Headers: map[string]string{
			"Content-Type":  "application/json",
			"X-Token":       RedactedValue,
			"Authorization": "Bearer " + RedactedValue,
			"X-Quote":       `it's "quoted"`,
		},
		Credentials: CredentialsInclude, Body: `{"user":"a'b","n":1}`, Mode: ModeCORS,
	}, login.Request)
	assert.Equal(t, "POST 127.0.0.1:8080/v1/login", login.Name)

	items := s.Cases[1]
	assert.Equal(t, "http://localhost:3000", items.Origin, "origin from the Referer")
	assert.Equal(t, "GET", items.Request.Method)
	assert.Equal(t, CredentialsSameOrigin, items.Request.Credentials)
	assert.Equal(t, map[string]string{"Accept": "application/json"}, items.Request.Headers)

	back := requireValid(t, s)
	assert.Len(t, back.Cases, 2)
	out, err := s.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "s3cr3t")
	assert.NotContains(t, string(out), "eyJhbGciOi")
}

// TestImportCurlCmdDevTools reads "Copy all as cURL (cmd)" as Chromium
// writes it on Windows (^"…^" quoting, ^ escapes, ^ line continuations, a
// newline in the body as ^ and two line breaks, CRLF, " &" between
// commands) and Firefox's curl.exe.
func TestImportCurlCmdDevTools(t *testing.T) {
	t.Parallel()
	s, err := ImportCurl(readTestdata(t, "devtools-curl-cmd.txt"))
	require.NoError(t, err)
	require.Len(t, s.Cases, 2)
	assert.Equal(t, "https://app.example.test", s.Cases[0].Origin)
	assert.Equal(t, Request{
		API: APIFetch, Method: "POST", URL: "http://127.0.0.1:8080/v1/login?ids[]=1&next=%2Fhome",
		Headers: map[string]string{
			"content-type": "application/json",
			"x-path":       `C:\tmp\`,
			"x-token":      RedactedValue,
		},
		Credentials: CredentialsInclude, Body: `{"user":"a'b & c","pct":"100%","note":"line1` + "\n" + `line2"}`, Mode: ModeCORS,
	}, s.Cases[0].Request)
	assert.Equal(t, "http://localhost:3000", s.Cases[1].Origin)
	assert.Equal(t, "DELETE", s.Cases[1].Request.Method)
	requireValid(t, s)

	_, err = ImportCurl("curl ^\"http://a.test/^\" ^\n  -H ^\"x-a: 1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "command 1: unterminated")
}

// TestImportCopiedReport: a copied command's import says, per command,
// which headers it dropped, which values it replaced and what it inferred,
// as a HAR import does per entry.
func TestImportCopiedReport(t *testing.T) {
	t.Parallel()
	_, rep, err := Import("curl", []byte(readTestdata(t, "devtools-curl.txt")), HAROptions{File: "user.txt"})
	require.NoError(t, err)
	require.NotNil(t, rep)
	assert.Equal(t, "command", rep.Unit)
	assert.Equal(t, 2, rep.Entries)
	require.Len(t, rep.Cases, 2)
	login := rep.Cases[0]
	assert.Equal(t, 1, login.Entry)
	assert.Equal(t, "POST 127.0.0.1:8080/v1/login", login.Name)
	assert.Equal(t, []string{"Accept", "Accept-Language", "Connection", "Origin", "Referer", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "User-Agent", "sec-ch-ua-mobile"}, login.Dropped)
	assert.Equal(t, []string{"X-Token", "Authorization"}, login.Redacted)
	assert.Contains(t, login.Notes, "credentials: include, because the request carried cookies (their values are not replayed)")
	assert.Equal(t, []string{"Referer"}, rep.Cases[1].Dropped)

	_, rep, err = Import("curl", []byte(`curl http://a.test/ -H 'Origin: http://o.test' -H 'Bad Name: v'`), HAROptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Origin"}, rep.Cases[0].Dropped, "an invalid header is not one the browser adds")
	assert.Equal(t, []string{`dropped header "Bad Name": a page cannot send it as recorded`}, rep.Cases[0].Notes)

	_, rep, err = Import("fetch", []byte(readTestdata(t, "devtools-fetch.txt")), HAROptions{})
	require.NoError(t, err)
	assert.Equal(t, "call", rep.Unit)
	assert.Equal(t, []string{"accept", "sec-ch-ua-platform"}, rep.Cases[0].Dropped)
}

// TestImportCurlErrorLocated: a command corsproof cannot read is named by
// file, line and column of the word, and the command's number.
func TestImportCurlErrorLocated(t *testing.T) {
	t.Parallel()
	in := "curl 'http://a.test/' \\\n  -H 'origin: http://o.test' ;\ncurl 'http://a.test/b' \\\n  -H 'x: 1' \\\n  --proxy p\n"
	_, _, err := Import("curl", []byte(in), HAROptions{File: "bad.sh"})
	require.Error(t, err)
	ps := fileerr.Problems(err)
	require.Len(t, ps, 1, err.Error())
	assert.Equal(t, fileerr.Problem{File: "bad.sh", Line: 5, Col: 3, Field: "command 2", Message: ps[0].Message, Hint: ps[0].Hint}, *ps[0])
	assert.Contains(t, ps[0].Message, "unknown option --proxy")
	assert.NotEmpty(t, ps[0].Hint)

	_, err = ImportCurl("curl http://a.test/\ncurl -H 'X: 1'")
	require.Error(t, err)
	assert.Equal(t, "importing curl: line 2: command 2: no URL", err.Error())
}

func TestImportCurl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		in      string
		want    Request
		origin  string
		wantErr string
	}{
		{desc: "method from -X and inline forms", in: `curl -XPUT "http://a.test/x" -H"Origin: http://o.test" --data=1`,
			want: Request{API: APIFetch, Method: "PUT", URL: "http://a.test/x", Body: "1", Credentials: CredentialsSameOrigin, Mode: ModeCORS}, origin: "http://o.test"},
		{desc: "patch kept as written", in: `curl --request patch --url http://a.test/x`,
			want: Request{API: APIFetch, Method: "patch", URL: "http://a.test/x", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "cookie header means include", in: `curl http://a.test/ -H 'Cookie: a=b' -H 'X-A: 1'`,
			want: Request{API: APIFetch, Method: "GET", URL: "http://a.test/", Headers: map[string]string{"X-A": "1"}, Credentials: CredentialsInclude, Mode: ModeCORS}},
		{desc: "repeated data joined with &", in: `curl http://a.test/ -d a=1 --data-binary b=2`,
			want: Request{API: APIFetch, Method: "POST", URL: "http://a.test/", Body: "a=1&b=2", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "double quotes and escapes", in: "curl \"http://a.test/\" -H \"X-A: \\\"q\\\" \\$x\" -H X-B:\\ c",
			want: Request{API: APIFetch, Method: "GET", URL: "http://a.test/", Headers: map[string]string{"X-A": `"q" $x`, "X-B": "c"}, Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "ansi-c escapes", in: `curl http://a.test/ -X POST --data-raw $'a\nb\x41\u00e9\101'`,
			want: Request{API: APIFetch, Method: "POST", URL: "http://a.test/", Body: "a\nbAéA", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "chromium: empty header, glob escapes, --insecure", in: "curl 'http://a.test/x?ids\\[\\]=1&q=\\{a\\}' \\\n  -H 'x-empty;' \\\n  -H 'origin: http://o.test' \\\n  --compressed \\\n  --insecure",
			want: Request{API: APIFetch, Method: "GET", URL: "http://a.test/x?ids[]=1&q={a}", Headers: map[string]string{"x-empty": ""}, Credentials: CredentialsSameOrigin, Mode: ModeCORS}, origin: "http://o.test"},
		{desc: "firefox: curl.exe, -I, --globoff keeps backslashes", in: `curl.exe "http://a.test/x?a\[0]=1" --globoff -I -k -H "Origin: http://o.test"`,
			want: Request{API: APIFetch, Method: "HEAD", URL: `http://a.test/x?a\[0]=1`, Credentials: CredentialsSameOrigin, Mode: ModeCORS}, origin: "http://o.test"},
		{desc: "firefox writes é as \\xe9", in: `curl http://a.test/ -H $'X-Name: Jos\xe9' --data-raw $'M\xfcnchen \u263a \041'`,
			want: Request{API: APIFetch, Method: "POST", URL: "http://a.test/", Headers: map[string]string{"X-Name": "José"}, Body: "München ☺ !", Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "UTF-8 bytes written as \\x stay bytes", in: `curl http://a.test/ -H $'X-Name: Jos\xc3\xa9'`,
			want: Request{API: APIFetch, Method: "GET", URL: "http://a.test/", Headers: map[string]string{"X-Name": "José"}, Credentials: CredentialsSameOrigin, Mode: ModeCORS}},
		{desc: "unknown option", in: `curl http://a.test/ --proxy http://p.test`, wantErr: "unknown option --proxy"},
		{desc: "unknown short option", in: `curl -x http://p.test http://a.test/`, wantErr: "unknown option -x"},
		{desc: "missing value", in: `curl http://a.test/ -H`, wantErr: "option -H needs a value"},
		{desc: "header without colon", in: `curl http://a.test/ -H 'X-A'`, wantErr: `header "X-A" has no colon`},
		{desc: "unterminated quote", in: "curl 'http://a.test/\n", wantErr: "line 1: unterminated single quote"},
		{desc: "not curl", in: `wget http://a.test/`, wantErr: "is not a curl command"},
		{desc: "no url", in: `curl -X GET`, wantErr: "no URL"},
		{desc: "two urls", in: `curl http://a.test/ http://b.test/`, wantErr: "a second URL"},
		{desc: "relative url", in: `curl /x`, wantErr: "not an absolute http(s) URL"},
		{desc: "empty", in: "  \n", wantErr: "nothing to import"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			s, err := ImportCurl(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.True(t, strings.HasPrefix(err.Error(), "importing curl: "), err.Error())
				return
			}
			require.NoError(t, err)
			require.Len(t, s.Cases, 1)
			assert.Equal(t, tt.want, s.Cases[0].Request)
			assert.Equal(t, tt.origin, s.Cases[0].Origin)
		})
	}
}

func TestImportFetchDevTools(t *testing.T) {
	t.Parallel()
	s, err := ImportFetch(readTestdata(t, "devtools-fetch.txt"))
	require.NoError(t, err)
	require.Len(t, s.Cases, 2)
	assert.Equal(t, "https://app.example.test", s.Cases[0].Origin)
	assert.Equal(t, Request{
		API: APIFetch, Method: "POST", URL: "http://127.0.0.1:8080/v1/login",
		Headers:     map[string]string{"content-type": "application/json", "x-token": RedactedValue, "authorization": "Bearer " + RedactedValue},
		Credentials: CredentialsInclude, Body: `{"user":"a"}`, Mode: ModeCORS,
	}, s.Cases[0].Request)
	assert.Equal(t, "http://localhost:3000", s.Cases[1].Origin)
	assert.Equal(t, ModeNoCORS, s.Cases[1].Request.Mode)
	assert.Equal(t, CredentialsOmit, s.Cases[1].Request.Credentials)
	assert.Empty(t, s.Cases[1].Request.Body)
	requireValid(t, s)
}

// TestImportFetchNodeJS reads "Copy as fetch (Node.js)": no mode or
// credentials, the cookie and the Referer in the headers, and the
// referrer policy as a Referrer-Policy header the page never sent.
func TestImportFetchNodeJS(t *testing.T) {
	t.Parallel()
	s, err := ImportFetch(`fetch("http://127.0.0.1:8080/v1/settings", {
  "headers": {
    "accept": "application/json, text/plain, */*",
    "content-type": "application/json",
    "x-token": "abc",
    "cookie": "sid=s3cr3t",
    "Referer": "https://app.example.test/",
    "Referrer-Policy": "strict-origin-when-cross-origin"
  },
  "body": "{\"theme\":\"dark\"}",
  "method": "PUT"
});`)
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	assert.Equal(t, "https://app.example.test", s.Cases[0].Origin)
	assert.Equal(t, Request{
		API: APIFetch, Method: "PUT", URL: "http://127.0.0.1:8080/v1/settings",
		Headers:     map[string]string{"accept": "application/json, text/plain, */*", "content-type": "application/json", "x-token": RedactedValue},
		Credentials: CredentialsInclude, Body: `{"theme":"dark"}`, Mode: ModeCORS,
	}, s.Cases[0].Request)
}

func TestImportFetchErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, in, wantErr string }{
		{"unknown option", `fetch("http://a.test/", {"cache": "no-store"});`, `unknown field "cache"`},
		{"bad credentials", `fetch("http://a.test/", {"credentials": "all"});`, `credentials "all"`},
		{"same-origin mode", `fetch("http://a.test/", {"mode": "same-origin"});`, `mode "same-origin"`},
		{"truncated", `fetch("http://a.test/", {"method": "GET"`, "reading the options"},
		{"url not a string", `fetch(url, {})`, "reading the URL"},
		{"text before", `const r = fetch("http://a.test/", {});`, "unexpected text"},
		{"text after", `fetch("http://a.test/", {}); alert(1)`, "unexpected text"},
		{"nothing", ``, "nothing to import"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, err := ImportFetch(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "importing fetch: "), err.Error())
		})
	}
	s, err := ImportFetch(`await fetch("http://a.test/x")`)
	require.NoError(t, err)
	assert.Equal(t, "GET", s.Cases[0].Request.Method)
}

func FuzzImportCurl(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "devtools-curl.txt"))
	if err == nil {
		f.Add(string(b))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "devtools-curl-cmd.txt")); err == nil {
		f.Add(string(b))
	}
	f.Add(`curl -XPOST 'http://a.test/' -H $'X: \x41\u00e9' --data-raw "a\"b"`)
	f.Add(`curl http://a.test/ -H 'Origin: https://o.test' -H $'X-A: b' --compressed`)
	f.Fuzz(func(t *testing.T, in string) {
		s, _, err := Import("curl", []byte(in), HAROptions{})
		if err != nil {
			return
		}
		if len(s.Cases) == 0 {
			t.Fatal("a suite without cases and without an error")
		}
		// Whatever import accepts, run must load.
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("imported suite does not marshal: %v", err)
		}
		if _, err := Parse("imported.yaml", out); err != nil {
			t.Fatalf("import wrote a suite run refuses: %v\n%s", err, out)
		}
	})
}

func FuzzImportFetch(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "devtools-fetch.txt"))
	if err == nil {
		f.Add(string(b))
	}
	f.Add(`fetch("http://a.test/")`)
	f.Fuzz(func(t *testing.T, in string) {
		s, _, err := Import("fetch", []byte(in), HAROptions{})
		if err != nil {
			return
		}
		if len(s.Cases) == 0 {
			t.Fatal("a suite without cases and without an error")
		}
		// Whatever import accepts, run must load.
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("imported suite does not marshal: %v", err)
		}
		if _, err := Parse("imported.yaml", out); err != nil {
			t.Fatalf("import wrote a suite run refuses: %v\n%s", err, out)
		}
	})
}

// A "Copy as fetch" that cannot be read names the file, the line and column
// of what is wrong, and the call, as curl copies do.
func TestImportFetchErrorLocated(t *testing.T) {
	t.Parallel()
	first := "fetch(\"http://a.test/\", {\n  \"method\": \"GET\",\n  \"mode\": \"cors\"\n});\n"
	for _, tc := range []struct {
		desc, in  string
		line, col int
		call      string
		message   string
	}{
		{"an option corsproof does not replay", first + "fetch(\"http://a.test/b\", {\n  \"method\": \"POST\",\n  \"signal\": null\n});", 7, 3, "call 2", `unknown field "signal"`},
		{"a mode that cannot be replayed", first + "fetch(\"http://a.test/b\", {\n  \"mode\": \"same-origin\"\n});", 6, 3, "call 2", `mode "same-origin"`},
		{"broken JSON", first + "fetch(\"http://a.test/b\", {\n  \"method\": POST\n});", 6, 13, "call 2", "reading the options"},
		{"text between calls", first + "console.log(1);\nfetch(\"http://a.test/b\");", 5, 1, "call 2", "unexpected text"},
		{"a URL that is not a string", "fetch(http://a.test/)", 1, 7, "call 1", "reading the URL"},
	} {
		_, _, err := Import("fetch", []byte(tc.in), HAROptions{File: "copy.js"})
		require.Error(t, err, tc.desc)
		ps := fileerr.Problems(err)
		require.Len(t, ps, 1, "%s: %v", tc.desc, err)
		p := ps[0]
		assert.Equal(t, "copy.js", p.File, tc.desc)
		assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{p.Line, p.Col}, "%s: %s", tc.desc, p.Summary())
		assert.Equal(t, tc.call, p.Field, tc.desc)
		assert.Contains(t, p.Message, tc.message, tc.desc)
		assert.Contains(t, p.Hint, "Copy as fetch", tc.desc)
	}
}

// A copy saved in another encoding than UTF-8 is refused at the first bad
// byte, with where it is and how to convert it.
func TestImportCopyNotUTF8(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"curl", "fetch"} {
		in := "curl 'http://a.test/' -H 'Origin: http://o.test' \\\n  -H 'X-Name: caf\xe9'\n"
		if kind == "fetch" {
			in = "fetch(\"http://a.test/\", {\n  \"headers\": {\"x-name\": \"caf\xe9\"}\n});"
		}
		_, _, err := Import(kind, []byte(in), HAROptions{File: "copy.txt"})
		ps := fileerr.Problems(err)
		require.Len(t, ps, 1, "%s: %v", kind, err)
		assert.Equal(t, 2, ps[0].Line, kind)
		assert.Equal(t, "byte 0xe9 is not UTF-8 text", ps[0].Message, kind)
		assert.Contains(t, ps[0].Hint, "iconv", kind)
	}
}

// A copy saved by a Windows tool begins with a byte order mark: UTF-8's is
// dropped (Notepad's "UTF-8 with BOM", PowerShell's Set-Content -Encoding
// utf8, a Fiddler HAR), and UTF-16, PowerShell's > and Out-File, is named
// as such instead of as a Latin-1 byte.
func TestImportByteOrderMark(t *testing.T) {
	t.Parallel()
	inputs := map[string]string{
		"curl":  "curl 'http://a.test/' -H 'Origin: http://o.test' -H 'X-Name: b'\r\n",
		"fetch": "fetch(\"http://a.test/\", {\"headers\": {\"x-name\": \"b\"}, \"referrer\": \"http://o.test/\"});",
		"har": `{"log":{"entries":[{"request":{"method":"GET","url":"http://a.test/","headers":[{"name":"Origin","value":"http://o.test"},{"name":"X-Name","value":"b"}]},` +
			`"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"http://o.test"}]}}]}}`,
	}
	for kind, in := range inputs {
		s, _, err := Import(kind, []byte("\xef\xbb\xbf"+in), HAROptions{File: "copy.txt"})
		require.NoError(t, err, kind)
		require.Len(t, s.Cases, 1, kind)
		assert.Equal(t, "http://o.test", s.Cases[0].Origin, kind)
		assert.Equal(t, "http://a.test/", s.Cases[0].Request.URL, kind)

		u16 := []byte{0xff, 0xfe}
		for _, r := range in {
			u16 = append(u16, byte(r), 0)
		}
		_, _, err = Import(kind, u16, HAROptions{File: "copy.txt"})
		ps := fileerr.Problems(err)
		require.Len(t, ps, 1, "%s: %v", kind, err)
		assert.Equal(t, [2]int{1, 1}, [2]int{ps[0].Line, ps[0].Col}, kind)
		assert.Contains(t, ps[0].Message, "UTF-16", kind)
		assert.Contains(t, ps[0].Hint, "iconv -f utf-16 -t utf-8", kind)
	}
}

// A command whose first word holds an empty quote (c, two single quotes,
// url) cannot be found by searching for "curl": the error is located within
// its own command, and no input makes the locating read past the text.
func TestImportCurlErrorLocatedQuotedCommand(t *testing.T) {
	t.Parallel()
	_, err := ImportCurl("c''url http://a/\nc''url http://b/\nc''url http://d/\ncurl")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "command 4: no URL")

	_, _, err = Import("curl", []byte("c''url http://a/ -Z\ncurl http://c/"), HAROptions{File: "x.sh"})
	ps := fileerr.Problems(err)
	require.Len(t, ps, 1, "%v", err)
	assert.Equal(t, [2]int{1, 18}, [2]int{ps[0].Line, ps[0].Col}, "the -Z on line 1, not a word of command 2")
	assert.Equal(t, "command 1", ps[0].Field)
}
