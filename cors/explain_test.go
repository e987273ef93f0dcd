package cors

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplainCoversEveryCorsError(t *testing.T) {
	t.Parallel()
	generic, _ := Explain("NoSuchError", Context{})
	c := Context{PageOrigin: page, Origin: page, Method: "PUT", URL: api, Status: 403,
		FailedParameter: "x-token", RequestHeaders: []string{"x-token"}}
	for _, e := range CorsErrors() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			summary, fix := Explain(e, c)
			assert.NotEqual(t, generic, summary, "no specific explanation")
			assert.NotEmpty(t, fix)
			assert.True(t, strings.HasSuffix(summary, "."), summary)
		})
	}
}

func TestExplainFillsValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc      string
		corsError CorsError
		ctx       Context
		summary   []string
		fix       []string
	}{
		{desc: "header disallowed names the OPTIONS response, URL, header and value",
			corsError: ErrHeaderDisallowedByPreflightResponse,
			ctx:       Context{Origin: page, Method: "POST", URL: api, FailedParameter: "x-token", AllowedHeaders: []string{"content-type"}},
			summary:   []string{"OPTIONS", "`https://api.example.com/v1/login`", "does not allow the request header `x-token`"},
			fix:       []string{"`Access-Control-Allow-Headers: x-token`", "`content-type, x-token`"}},
		{desc: "header disallowed names every header still missing, not just the first",
			corsError: ErrHeaderDisallowedByPreflightResponse,
			ctx:       Context{Origin: page, Method: "POST", URL: api, FailedParameter: "x-token", RequestHeaders: []string{"content-type", "x-token", "x-trace"}, AllowedHeaders: []string{"content-type"}},
			summary:   []string{"does not allow the request header `x-token` (nor `x-trace`)"},
			fix:       []string{"`Access-Control-Allow-Headers: x-token, x-trace`"}},
		{desc: "method disallowed names the method",
			corsError: ErrMethodDisallowedByPreflightResponse,
			ctx:       Context{Origin: page, Method: "PUT", URL: api, FailedParameter: "PUT", AllowedMethods: []string{"GET", "POST"}},
			summary:   []string{"does not allow the method `PUT`"},
			fix:       []string{"`Access-Control-Allow-Methods: PUT`", "`GET, POST, PUT`"}},
		{desc: "preflight 401 points at auth middleware",
			corsError: ErrPreflightInvalidStatus,
			ctx:       Context{Origin: page, Method: "PUT", URL: api, Status: 401, Credentials: true},
			summary:   []string{"status 401", "authentication middleware"},
			fix:       []string{"204", "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Credentials: true"}},
		{desc: "preflight 403 without CORS headers may be a CORS layer refusing the origin",
			corsError: ErrPreflightMissingAllowOriginHeader,
			ctx:       Context{Origin: page, Method: "PUT", URL: api, Status: 403},
			summary:   []string{"status 403", "authentication middleware", "does not list the origin `https://app.example.com`", "Invalid CORS request"}},
		{desc: "error response without CORS headers",
			corsError: ErrMissingAllowOriginHeader,
			ctx:       Context{Origin: page, Method: "GET", URL: api, Status: 500},
			summary:   []string{"`GET` response", "status 500", "error response"},
			fix:       []string{"`Access-Control-Allow-Origin: https://app.example.com`"}},
		{desc: "success without CORS headers suspects a proxy",
			corsError: ErrMissingAllowOriginHeader,
			ctx:       Context{Origin: page, Method: "GET", URL: api, Status: 200},
			summary:   []string{"proxy"}},
		{desc: "a redirect without CORS headers is named a redirect, not a dropped header",
			corsError: ErrMissingAllowOriginHeader,
			ctx:       Context{Origin: page, Method: "GET", URL: api, Status: 301, Location: "https://api.example.com/v1/login/"},
			summary:   []string{"status 301", "redirect to `https://api.example.com/v1/login/`", "each redirect"}},
		{desc: "credentials allowed twice is named a duplicate",
			corsError: ErrInvalidAllowCredentials,
			ctx:       Context{Origin: page, Method: "GET", URL: api, FailedParameter: "true, true", Credentials: true},
			summary:   []string{"`true, true`", "sent more than once", "proxy"},
			fix:       []string{"once"}},
		{desc: "wildcard with credentials says echo the origin and Vary",
			corsError: ErrWildcardOriginNotAllowed,
			ctx:       Context{Origin: page, Method: "GET", URL: api, Credentials: true},
			fix:       []string{"`Access-Control-Allow-Origin: https://app.example.com`", "`Vary: Origin`", "allow-list"}},
		{desc: "trailing slash mismatch is named",
			corsError: ErrAllowOriginMismatch,
			ctx:       Context{Origin: page, URL: api, FailedParameter: page + "/"},
			summary:   []string{"trailing slash"}},
		{desc: "tainted origin is explained",
			corsError: ErrAllowOriginMismatch,
			ctx:       Context{PageOrigin: page, Origin: "null", URL: api, FailedParameter: page},
			summary:   []string{"redirect", "\"null\""}},
		{desc: "hostile value is escaped, not rendered raw",
			corsError: ErrAllowOriginMismatch,
			ctx:       Context{Origin: page, URL: api, FailedParameter: "https://x\x1b[31m`evil"},
			summary:   []string{`\x1b`}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			summary, fix := Explain(tc.corsError, tc.ctx)
			for _, s := range tc.summary {
				assert.Contains(t, summary, s)
			}
			for _, s := range tc.fix {
				assert.Contains(t, fix, s)
			}
			assert.NotContains(t, summary+fix, "\x1b")
		})
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	cases := []struct{ desc, in, want string }{
		{desc: "plain value in backticks", in: "x-token", want: "`x-token`"},
		{desc: "control byte escaped", in: "a\nb", want: `"a\nb"`},
		{desc: "backtick escaped", in: "a`b", want: "\"a`b\""},
		{desc: "empty value visible", in: "", want: `""`},
		{desc: "long value truncated", in: strings.Repeat("a", 200), want: "`" + strings.Repeat("a", 120) + "`…"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, quote(tc.in))
		})
	}
}
