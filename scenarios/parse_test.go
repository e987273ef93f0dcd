package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// head is a valid suite header; the first case item starts on line 5.
const head = "version: 1\nname: t\ntarget: http://127.0.0.1:8080\ncases:\n"

// oneCase is a suite whose only case is named a (line 5, column 5) and has
// the given lines, starting on line 6, indented under it.
func oneCase(lines ...string) string {
	return head + "  - name: a\n" + strings.Join(lines, "\n") + "\n"
}

const (
	okOrigin = "    origin: http://localhost:3000"
	okReq    = "    request: {url: /x}"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		src       string
		kind      any // pointer to a nil pointer of the expected error type
		line, col int
		field     string
		reason    string // substring of the reason
		hint      string // substring of the hint
	}{
		{desc: "malformed YAML", src: "version: 1\nname: t\ncases: [\n", kind: new(*SyntaxError), line: 3, col: 8, reason: "not valid YAML"},
		{desc: "bad indentation", src: head + "  - name: a\n  origin: x\n", kind: new(*SyntaxError), line: 6, col: 3, reason: "not valid YAML"},
		{desc: "invalid UTF-8", src: "version: 1\nname: \xff\n", kind: new(*SyntaxError), line: 2, col: 7, reason: "UTF-8"},
		{desc: "second document", src: oneCase(okOrigin, okReq) + "---\nversion: 1\n", kind: new(*SyntaxError), line: 9, col: 1, reason: "second YAML document"},
		{desc: "top level is a list", src: "- a\n", kind: new(*TypeError), line: 1, col: 1, reason: "must be a mapping"},
		{desc: "unknown top-level key", src: strings.Replace(oneCase(okOrigin, okReq), "name: t", "nmae: t\nname: t", 1), kind: new(*UnknownKeyError), line: 2, col: 1, field: "nmae", hint: "did you mean name?"},
		{desc: "unknown request key", src: oneCase(okOrigin, "    request:", "      url: /x", "      header: {A: b}"), kind: new(*UnknownKeyError), line: 9, col: 7, field: "cases[0].request.header", hint: "did you mean headers?"},
		{desc: "unknown key without a close match", src: oneCase(okOrigin, okReq, "    zzzzzz: 1"), kind: new(*UnknownKeyError), line: 8, col: 5, field: "cases[0].zzzzzz", hint: "known keys here: name, why, origin, request, cookies, expect"},
		{desc: "repeated key", src: oneCase(okOrigin, okOrigin, okReq), kind: new(*DuplicateKeyError), line: 7, col: 5, field: "cases[0].origin", reason: "first at line 6"},
		{desc: "missing version", src: strings.Replace(oneCase(okOrigin, okReq), "version: 1\n", "", 1), kind: new(*MissingError), line: 1, col: 1, field: "version", hint: "version: 1"},
		{desc: "version 2", src: strings.Replace(oneCase(okOrigin, okReq), "version: 1", "version: 2", 1), kind: new(*VersionError), line: 1, col: 10, field: "version", hint: "version: 1"},
		{desc: "version quoted", src: strings.Replace(oneCase(okOrigin, okReq), "version: 1", `version: "1"`, 1), kind: new(*TypeError), line: 1, col: 10, field: "version", reason: "must be an integer"},
		{desc: "missing name", src: strings.Replace(oneCase(okOrigin, okReq), "name: t\n", "", 1), kind: new(*MissingError), line: 1, col: 1, field: "name"},
		{desc: "empty name", src: strings.Replace(oneCase(okOrigin, okReq), "name: t", `name: ""`, 1), kind: new(*MissingError), line: 2, col: 7, field: "name", reason: "is empty"},
		{desc: "no cases key", src: "version: 1\nname: t\n", kind: new(*MissingError), line: 1, col: 1, field: "cases"},
		{desc: "empty cases", src: "version: 1\nname: t\ncases: []\n", kind: new(*MissingError), line: 3, col: 1, field: "cases", reason: "has no cases"},
		{desc: "cases is a mapping", src: "version: 1\nname: t\ncases: {a: 1}\n", kind: new(*TypeError), line: 3, col: 8, field: "cases", reason: "must be a list"},
		{desc: "case is a string", src: head + "  - just text\n", kind: new(*TypeError), line: 5, col: 5, field: "cases[0]", reason: "must be a mapping"},
		{desc: "case without name", src: head + "  - origin: http://localhost:3000\n    request: {url: /x}\n", kind: new(*MissingError), line: 5, col: 5, field: "cases[0].name"},
		{desc: "duplicate case names", src: oneCase(okOrigin, okReq) + "  - name: a\n" + okOrigin + "\n" + okReq + "\n", kind: new(*DuplicateNameError), line: 8, col: 11, field: "cases[1].name", reason: "case at line 5"},
		{desc: "name is a list", src: head + "  - name: [a]\n" + okOrigin + "\n" + okReq + "\n", kind: new(*TypeError), line: 5, col: 11, field: "cases[0].name", reason: "must be a string"},
		{desc: "origin has no value", src: oneCase("    origin:", okReq), kind: new(*MissingError), line: 6, col: 12, field: "cases[0].origin", reason: "has no value"},
		{desc: "no origin after defaults", src: oneCase(okReq), kind: new(*MissingError), line: 5, col: 5, field: "cases[0].origin", hint: "defaults:"},
		{desc: "origin with trailing slash", src: oneCase("    origin: https://app.example.test/", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "ends with a slash", hint: "write https://app.example.test"},
		{desc: "origin with path", src: oneCase("    origin: https://app.example.test/app", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "has a path", hint: "write https://app.example.test"},
		{desc: "origin with userinfo", src: oneCase("    origin: https://me@app.example.test:8443", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "userinfo", hint: "write https://app.example.test:8443"},
		{desc: "origin with query", src: oneCase("    origin: http://a.test?x=1", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "query", hint: "write http://a.test"},
		{desc: "origin with fragment", src: oneCase(`    origin: "http://a.test#top"`, okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "fragment", hint: "write http://a.test"},
		{desc: "origin with bad port", src: oneCase("    origin: http://a.test:70000", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "outside 1-65535"},
		{desc: "origin with default port", src: oneCase("    origin: https://a.test:443", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "default port", hint: "write https://a.test"},
		{desc: "origin upper case", src: oneCase("    origin: HTTPS://App.Test", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", hint: "write https://app.test"},
		{desc: "origin without scheme", src: oneCase("    origin: app.example.test", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "no scheme", hint: "https://app.example.test"},
		{desc: "origin with a javascript: scheme", src: oneCase("    origin: \"javascript:alert(1)\"", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: `has scheme "javascript"; a page origin is http or https`},
		{desc: "origin host:port without scheme", src: oneCase("    origin: localhost:3000", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "no scheme", hint: "write http://localhost:3000"},
		{desc: "origin with a host label longer than DNS allows", src: oneCase("    origin: https://"+strings.Repeat("a", 64)+".test", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "has a host name label of 64 characters, longer than DNS allows"},
		{desc: "origin with a host longer than DNS allows", src: oneCase("    origin: https://"+strings.Repeat("a.", 127)+"test", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "has a host name of 258 characters", hint: "at most 253 characters"},
		{desc: "request URL with a host longer than DNS allows", src: oneCase(okOrigin, "    request: {url: \"http://"+strings.Repeat("a", 200000)+"/x\"}"), kind: new(*URLError), line: 7, col: 20, field: "cases[0].request.url", reason: "has a host name of 200000 characters"},
		{desc: "origin with ftp scheme", src: oneCase("    origin: ftp://a.test", okReq), kind: new(*OriginError), line: 6, col: 13, field: "cases[0].origin", reason: "http or https"},
		{desc: "bad origin in defaults", src: strings.Replace(oneCase(okReq), "cases:", "defaults: {origin: http://a.test/}\ncases:", 1), kind: new(*OriginError), line: 4, col: 20, field: "defaults.origin"},
		{desc: "bad api", src: oneCase(okOrigin, "    request: {url: /x, api: fecth}"), kind: new(*EnumError), line: 7, col: 29, field: "cases[0].request.api", hint: "did you mean fetch?"},
		{desc: "bad credentials", src: oneCase(okOrigin, "    request:", "      url: /x", "      credentials: includ"), kind: new(*EnumError), line: 9, col: 20, field: "cases[0].request.credentials", hint: "did you mean include?"},
		{desc: "credentials as boolean", src: oneCase(okOrigin, "    request:", "      url: /x", "      credentials: true"), kind: new(*EnumError), line: 9, col: 20, field: "cases[0].request.credentials", hint: "use omit, same-origin or include"},
		{desc: "bad mode", src: oneCase(okOrigin, "    request: {url: /x, mode: nocors}"), kind: new(*EnumError), line: 7, col: 30, field: "cases[0].request.mode", hint: "did you mean no-cors?"},
		{desc: "bad verdict", src: oneCase(okOrigin, okReq, "    expect: {verdict: block}"), kind: new(*EnumError), line: 8, col: 23, field: "cases[0].expect.verdict", hint: "did you mean blocked?"},
		{desc: "bad cors_error", src: oneCase(okOrigin, okReq, "    expect: {cors_error: MissingAllowOrigin}"), kind: new(*EnumError), line: 8, col: 26, field: "cases[0].expect.cors_error", hint: "did you mean MissingAllowOriginHeader?"},
		{desc: "cors_error with verdict allowed", src: oneCase(okOrigin, okReq, "    expect: {verdict: allowed, cors_error: DisallowedByMode}"), kind: new(*ConflictError), line: 8, col: 44, field: "cases[0].expect.cors_error", reason: "verdict blocked"},
		{desc: "status out of range", src: oneCase(okOrigin, okReq, "    expect: {status: 99}"), kind: new(*RangeError), line: 8, col: 22, field: "cases[0].expect.status"},
		{desc: "status quoted", src: oneCase(okOrigin, okReq, `    expect: {status: "200"}`), kind: new(*TypeError), line: 8, col: 22, field: "cases[0].expect.status"},
		{desc: "preflight yes", src: oneCase(okOrigin, okReq, "    expect: {preflight: yes}"), kind: new(*TypeError), line: 8, col: 25, field: "cases[0].expect.preflight", reason: "true or false"},
		{desc: "readable header not a token", src: oneCase(okOrigin, okReq, `    expect: {readable_headers: [ok, "X Id"]}`), kind: new(*HeaderError), line: 8, col: 37, field: "cases[0].expect.readable_headers[1]"},
		{desc: "readable_headers not a list", src: oneCase(okOrigin, okReq, "    expect: {readable_headers: X-Id}"), kind: new(*TypeError), line: 8, col: 32, field: "cases[0].expect.readable_headers", reason: "must be a list"},
		{desc: "method with space", src: oneCase(okOrigin, `    request: {url: /x, method: "GE T"}`), kind: new(*MethodError), line: 7, col: 32, field: "cases[0].request.method"},
		{desc: "forbidden method", src: oneCase(okOrigin, "    request: {url: /x, method: TRACE}"), kind: new(*MethodError), line: 7, col: 32, field: "cases[0].request.method", reason: "forbidden"},
		{desc: "header name not a token", src: oneCase(okOrigin, `    request: {url: /x, headers: {"X Token": a}}`), kind: new(*HeaderError), line: 7, col: 34, field: "cases[0].request.headers.X Token"},
		{desc: "header value with newline", src: oneCase(okOrigin, `    request: {url: /x, headers: {X-A: "a\r\nB: c"}}`), kind: new(*HeaderError), line: 7, col: 39, field: "cases[0].request.headers.X-A", reason: "CR, LF or NUL"},
		{desc: "header value with NUL", src: oneCase(okOrigin, `    request: {url: /x, headers: {X-A: "a\0"}}`), kind: new(*HeaderError), line: 7, col: 39, field: "cases[0].request.headers.X-A", reason: "CR, LF or NUL"},
		{desc: "forbidden header", src: oneCase(okOrigin, "    request: {url: /x, headers: {Cookie: a=b}}"), kind: new(*HeaderError), line: 7, col: 34, field: "cases[0].request.headers.Cookie", hint: "credentials: include"},
		{desc: "private-network preflight header is forbidden", src: oneCase(okOrigin, `    request: {url: /x, headers: {Access-Control-Request-Private-Network: "true"}}`), kind: new(*HeaderError), line: 7, col: 34, field: "cases[0].request.headers.Access-Control-Request-Private-Network", reason: "forbidden"},
		{desc: "sec- header is forbidden", src: oneCase(okOrigin, "    request: {url: /x, headers: {Sec-Fetch-Mode: cors}}"), kind: new(*HeaderError), line: 7, col: 34, field: "cases[0].request.headers.Sec-Fetch-Mode", reason: "forbidden", hint: "remove it"},
		{desc: "headers differing in case", src: oneCase(okOrigin, "    request:", "      url: /x", "      headers:", "        X-A: 1", "        x-a: 2"), kind: new(*DuplicateKeyError), line: 11, col: 9, field: "cases[0].request.headers.x-a", reason: "first at line 10"},
		{desc: "headers is a list", src: oneCase(okOrigin, "    request: {url: /x, headers: [a]}"), kind: new(*TypeError), line: 7, col: 33, field: "cases[0].request.headers"},
		{desc: "missing url", src: oneCase(okOrigin, "    request: {method: GET}"), kind: new(*MissingError), line: 5, col: 5, field: "cases[0].request.url"},
		{desc: "relative url without target", src: strings.Replace(oneCase(okOrigin, okReq), "target: http://127.0.0.1:8080\n", "", 1), kind: new(*URLError), line: 6, col: 20, field: "cases[0].request.url", reason: "no target"},
		{desc: "url with ftp scheme", src: oneCase(okOrigin, "    request: {url: ftp://a.test/x}"), kind: new(*URLError), line: 7, col: 20, field: "cases[0].request.url", reason: "http and https"},
		{desc: "url with credentials for fetch", src: oneCase(okOrigin, "    request: {url: http://u:p@a.test/x}"), kind: new(*URLError), line: 7, col: 20, field: "cases[0].request.url", reason: "credentials"},
		{desc: "url with bad port", src: oneCase(okOrigin, "    request: {url: http://a.test:0/x}"), kind: new(*URLError), line: 7, col: 20, field: "cases[0].request.url", reason: "outside 1-65535"},
		{desc: "target not absolute", src: strings.Replace(oneCase(okOrigin, "    request: {url: http://a.test/}"), "target: http://127.0.0.1:8080", "target: /api", 1), kind: new(*URLError), line: 3, col: 9, field: "target", reason: "not an absolute URL"},
		{desc: "target with query", src: strings.Replace(oneCase(okOrigin, "    request: {url: http://a.test/}"), "target: http://127.0.0.1:8080", "target: http://a.test/?k=v", 1), kind: new(*URLError), line: 3, col: 9, field: "target", reason: "query"},
		{desc: "target with fragment", src: strings.Replace(oneCase(okOrigin, "    request: {url: http://a.test/}"), "target: http://127.0.0.1:8080", `target: "http://a.test/#x"`, 1), kind: new(*URLError), line: 3, col: 9, field: "target", reason: "fragment"},
		{desc: "mode with xhr", src: oneCase(okOrigin, "    request: {url: /x, api: xhr, mode: cors}"), kind: new(*ConflictError), line: 7, col: 40, field: "cases[0].request.mode", reason: "fetch only"},
		{desc: "mode from defaults with xhr", src: strings.Replace(oneCase(okOrigin, "    request: {url: /x, api: xhr}"), "cases:", "defaults: {request: {mode: cors}}\ncases:", 1), kind: new(*ConflictError), line: 4, col: 28, field: "cases[0].request.mode", reason: "set in defaults"},
		{desc: "body on GET", src: oneCase(okOrigin, "    request: {url: /x, body: hi}"), kind: new(*ConflictError), line: 7, col: 30, field: "cases[0].request.body", reason: "GET"},
		{desc: "body on lower-case head", src: oneCase(okOrigin, "    request: {url: /x, method: head, body: hi}"), kind: new(*ConflictError), line: 7, col: 44, field: "cases[0].request.body", reason: "HEAD"},
		{desc: "no-cors with PUT", src: oneCase(okOrigin, "    request: {url: /x, method: PUT, mode: no-cors}"), kind: new(*ConflictError), line: 7, col: 43, field: "cases[0].request.mode", reason: "only GET, HEAD and POST"},
		{desc: "no-cors with a custom header", src: oneCase(okOrigin, "    request: {url: /x, mode: no-cors, headers: {X-A: b}}"), kind: new(*ConflictError), line: 7, col: 49, field: "cases[0].request.headers.X-A", reason: "no-cors"},
		{desc: "alias value", src: oneCase("    origin: &o http://a.test", "    why: *o", okReq), kind: new(*TypeError), line: 7, col: 10, field: "cases[0].why", reason: "alias"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("suite.yaml", []byte(tt.src))
			require.Error(t, err)
			assert.Nil(t, s)
			ps := fileerr.Problems(err)
			require.Len(t, ps, 1, "want exactly one problem, got:\n%v", err)
			p := ps[0]
			assert.True(t, errors.As(err, tt.kind), "error type: got %T", errors.Unwrap(err))
			assert.Equal(t, "suite.yaml", p.File)
			assert.Equal(t, [2]int{tt.line, tt.col}, [2]int{p.Line, p.Col}, "line:col of %v", p)
			assert.Equal(t, tt.field, p.Field)
			assert.Contains(t, p.Message, tt.reason)
			assert.Contains(t, p.Hint, tt.hint)
			assert.True(t, strings.HasPrefix(err.Error(), fmt.Sprintf("suite.yaml:%d:%d: ", tt.line, tt.col)), err.Error())
		})
	}
}

// A suite saved by a Windows editor with a UTF-8 byte order mark parses
// as the same suite, positions unchanged: YAML allows the mark there.
func TestParseByteOrderMark(t *testing.T) {
	t.Parallel()
	in := oneCase(okOrigin, okReq)
	plain, err := Parse("s.yaml", []byte(in))
	require.NoError(t, err)
	marked, err := Parse("s.yaml", []byte("\xef\xbb\xbf"+in))
	require.NoError(t, err)
	assert.Equal(t, plain, marked)
}
