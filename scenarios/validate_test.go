package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

func TestCaseValidate(t *testing.T) {
	t.Parallel()
	ok := func() Case {
		return Case{Name: "probe", Origin: "https://app.example.test", Request: Request{URL: "https://api.example.test/x"}}
	}
	t.Run("defaults are filled and methods normalised as a suite does", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ desc, method, want string }{
			{"no method is GET", "", "GET"},
			{"put is upper-cased", "put", "PUT"},
			{"patch is kept as written, as fetch keeps it", "patch", "patch"},
		} {
			c := ok()
			c.Request.Method = tc.method
			require.NoError(t, c.Validate(), tc.desc)
			assert.Equal(t, tc.want, c.Request.Method, tc.desc)
			assert.Equal(t, APIFetch, c.Request.API)
			assert.Equal(t, CredentialsSameOrigin, c.Request.Credentials)
			assert.Equal(t, DefaultMode, c.Request.Mode)
		}
	})
	for _, tc := range []struct {
		desc   string
		change func(c *Case)
		want   []string // fields with problems, in order
	}{
		{"origin with a trailing slash", func(c *Case) { c.Origin = "https://app.example.test/" }, []string{"case.origin"}},
		{"no origin", func(c *Case) { c.Origin = "" }, []string{"case.origin"}},
		{"method with a space", func(c *Case) { c.Request.Method = "GE T" }, []string{"case.request.method"}},
		{"unknown credentials mode", func(c *Case) { c.Request.Credentials = "always" }, []string{"case.request.credentials"}},
		{"relative URL", func(c *Case) { c.Request.URL = "/x" }, []string{"case.request.url"}},
		{"bad header name", func(c *Case) { c.Request.Headers = map[string]string{"X Y": "1"} }, []string{"case.request.headers.X Y"}},
		{"forbidden header", func(c *Case) { c.Request.Headers = map[string]string{"Host": "x"} }, []string{"case.request.headers.Host"}},
		{"body on GET", func(c *Case) { c.Request.Body = "x" }, []string{"case.request.body"}},
		{"no-cors PUT", func(c *Case) { c.Request.Mode, c.Request.Method = ModeNoCORS, "PUT" }, []string{"case.request.mode"}},
		{"unknown CorsError", func(c *Case) { c.Expect = &Expect{CorsError: "NoSuchError"} }, []string{"case.expect.cors_error"}},
		{"every problem at once", func(c *Case) { c.Origin, c.Request.Method = "app.example.test", "GE T" }, []string{"case.origin", "case.request.method"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			c := ok()
			tc.change(&c)
			err := c.Validate()
			require.Error(t, err)
			var fields []string
			for _, p := range fileerr.Problems(err) {
				fields = append(fields, p.Field)
				assert.Zero(t, p.Line, "a case built in code has no position")
				assert.Empty(t, p.File)
				assert.NotEmpty(t, p.Message)
			}
			assert.Equal(t, tc.want, fields)
		})
	}
	t.Run("a legacy CorsError name is accepted", func(t *testing.T) {
		t.Parallel()
		c := ok()
		c.Expect = &Expect{Verdict: cors.VerdictBlocked, CorsError: "InsecurePrivateNetwork"}
		require.NoError(t, c.Validate())
	})
}

func TestImportKinds(t *testing.T) {
	t.Parallel()
	curl := []byte(`curl 'https://api.example.test/v1/x' -H 'X-Trace: 1'`)
	for _, tc := range []struct {
		desc, kind string
		opts       HAROptions
		wantHint   string
	}{
		{desc: "unknown kind", kind: "postman", wantHint: "write corsproof import har|curl|fetch FILE"},
		{desc: "HAR-only option on curl", kind: "curl", opts: HAROptions{OnlyFailed: true}, wantHint: "these flags apply to HAR files only"},
		{desc: "curl with origin and name", kind: "CURL", opts: HAROptions{Origin: "https://app.example.test", Name: "mine"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			s, _, err := Import(tc.kind, curl, tc.opts)
			if tc.wantHint != "" {
				var ie *ImportError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tc.wantHint, ie.Hint())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "mine", s.Name)
			assert.Equal(t, "https://app.example.test", s.Cases[0].Origin)
		})
	}
}
