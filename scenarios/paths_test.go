package scenarios

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathsParse(t *testing.T) {
	t.Parallel()
	const head = "version: 1\nname: p\ntarget: http://127.0.0.1:8080\n"
	const cases = "cases:\n  - name: a\n    origin: https://app.example.test\n    request: {url: /x}\n"
	tests := []struct {
		desc, paths string
		want        []Path
		errs        []string
	}{
		{desc: "ordered, trailing slash dropped", paths: "paths:\n  origin_server: http://127.0.0.1:8080\n  edge: https://cdn.example.com/\n",
			want: []Path{{Name: "origin_server", URL: "http://127.0.0.1:8080"}, {Name: "edge", URL: "https://cdn.example.com"}}},
		{desc: "a path with an address", paths: "paths:\n  origin_server: {url: https://api.example.com, address: 10.0.0.5:8443}\n  edge: https://api.example.com\n",
			want: []Path{{"origin_server", "https://api.example.com", "10.0.0.5:8443"}, {Name: "edge", URL: "https://api.example.com"}}},
		{desc: "bad address, unknown key, missing url", paths: "paths:\n  a: {url: http://x, address: 10.0.0.5}\n  b: {url: http://y, adress: 1.2.3.4:1}\n  c: {address: 1.2.3.4:1}\n",
			errs: []string{`p.yaml:5:31: paths.a.address: "10.0.0.5" is not host:port`, "paths.b.adress: is not a known key (hint: did you mean address?)", "paths.c.url: is missing"}},
		{desc: "bad name and scheme, with lines", paths: "paths:\n  bad name: http://x\n  ok: ftp://x\n",
			errs: []string{`p.yaml:5:3: paths.bad name: "bad name" is not a path name`, `p.yaml:6:7: paths.ok: "ftp://x" has scheme "ftp"`}},
		{desc: "a path with a path", paths: "paths:\n  a: http://x/api\n  b: http://y\n", errs: []string{`p.yaml:5:6: paths.a: "http://x/api" has a path`}},
		{desc: "one path", paths: "paths:\n  a: http://x\n", errs: []string{"paths: has one path"}},
		{desc: "not a mapping", paths: "paths: [a, b]\n", errs: []string{"paths: must be a mapping"}},
		{desc: "twice", paths: "paths:\n  a: http://x\n  a: http://y\n", errs: []string{"paths.a: is given twice (first at line 5)"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("p.yaml", []byte(head+tc.paths+cases))
			if len(tc.errs) > 0 {
				require.Error(t, err)
				for _, e := range tc.errs {
					assert.Contains(t, err.Error(), e)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Paths)
			out, err := s.Marshal()
			require.NoError(t, err)
			again, err := Parse("again.yaml", out)
			require.NoError(t, err, string(out))
			assert.Equal(t, s.Paths, again.Paths)
		})
	}
}

func TestFreshStepRoundTrip(t *testing.T) {
	t.Parallel()
	src := "version: 1\nname: p\ncases:\n  - name: a\n    origin: https://a.example.test\n    steps:\n      - request: {url: http://127.0.0.1:1/x}\n      - fresh: true\n        origin: https://b.example.test\n        request: {url: http://127.0.0.1:1/x}\n"
	s, err := Parse("p.yaml", []byte(src))
	require.NoError(t, err)
	require.Len(t, s.Cases[0].Steps, 2)
	assert.False(t, s.Cases[0].Steps[0].Fresh)
	assert.True(t, s.Cases[0].Steps[1].Fresh)
	out, err := s.Marshal()
	require.NoError(t, err)
	again, err := Parse("again.yaml", out)
	require.NoError(t, err, string(out))
	assert.Equal(t, s.Cases[0].Steps[1].Fresh, again.Cases[0].Steps[1].Fresh)
	_, err = Parse("p.yaml", []byte(strings.Replace(src, "fresh: true", "fresh: yes please", 1)))
	assert.ErrorContains(t, err, "cases[0].steps[1].fresh")
}

func TestOnPath(t *testing.T) {
	t.Parallel()
	c := Case{Name: "c", Origin: "https://app.example.test", Request: Request{Method: "PUT", URL: "http://127.0.0.1:8080/api/x?q=1", Headers: map[string]string{"X-Token": "t"}}}
	got := OnPath(c, Path{Name: "edge", URL: "https://cdn.example.com:8443"})
	assert.Equal(t, "c @edge", got.Name)
	assert.Equal(t, "edge", got.Path)
	assert.Equal(t, "https://cdn.example.com:8443/api/x?q=1", got.Request.URL)
	assert.Equal(t, c.Request.Headers, got.Request.Headers)
	assert.Equal(t, c.Origin, got.Origin)
	direct := OnPath(c, Path{Name: DirectPath})
	assert.Equal(t, c.Request.URL, direct.Request.URL)

	for _, tc := range []struct{ desc, in, err string }{
		{"no equals", "edge", "not NAME=URL"},
		{"bad url", "edge=cdn.example.com", "is not an absolute URL"},
		{"bad name", "ed ge=http://x", "is not a path name"},
		{"userinfo-looking address", "edge=http://u@x", "is not host:port"},
	} {
		_, err := ParsePath(tc.in)
		assert.ErrorContains(t, err, tc.err, tc.desc)
	}
	p, err := ParsePath("edge=http://127.0.0.1:9/")
	require.NoError(t, err)
	assert.Equal(t, Path{Name: "edge", URL: "http://127.0.0.1:9"}, p)
	p, err = ParsePath("origin=https://api.example.com@10.0.0.5:8443")
	require.NoError(t, err)
	assert.Equal(t, Path{Name: "origin", URL: "https://api.example.com", Address: "10.0.0.5:8443"}, p)
	assert.Equal(t, "api.example.com:443", p.HostPort())
	_, err = ParsePath("origin=https://api.example.com@10.0.0.5")
	assert.ErrorContains(t, err, `address "10.0.0.5" is not host:port`)
}

// TestREADMEPathsExample keeps the README's paths: example true.
func TestREADMEPathsExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(data), "  ```\n  paths:\n")
	require.True(t, ok, "the README shows a paths: block")
	block, _, ok := strings.Cut(rest, "  ```")
	require.True(t, ok)
	src := "version: 1\nname: r\npaths:\n" + strings.ReplaceAll(block, "\n  ", "\n")[2:] +
		"cases:\n  - name: c\n    origin: https://app.example.test\n    request: {url: https://api.example.com/v1}\n"
	s, err := Parse("README.md", []byte(src))
	require.NoError(t, err, src)
	assert.Equal(t, []Path{{Name: "origin_server", URL: "https://api.example.com", Address: "10.0.0.5:443"}, {Name: "edge", URL: "https://api.example.com"}}, s.Paths)
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"edge=https://cdn.example.com", "o=https://api.example.com@10.0.0.5:443", "a=http://[::1]:8080/", "x=", "=http://a", "e=http://a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		// What parses is a valid path, and reads back the same.
		if field, reason, _ := PathIssue(p.Name, p.URL); field != "" {
			t.Fatalf("ParsePath(%q) = %+v, but its %s %s", s, p, field, reason)
		}
		again := p.Name + "=" + p.URL
		if p.Address != "" {
			again += "@" + p.Address
		}
		back, err := ParsePath(again)
		if err != nil || back != p {
			t.Fatalf("ParsePath(%q) = %+v, and %q reads back as %+v, %v", s, p, again, back, err)
		}
		if OnPath(Case{Request: Request{URL: "http://x/a?b"}}, p).Request.URL == "" {
			t.Fatal("a path lost the request URL")
		}
	})
}
