package scenarios

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

// withoutPositions clears what depends on where the text sits in its file.
func withoutPositions(s *Suite) *Suite {
	c := *s
	c.File = ""
	c.Cases = append([]Case(nil), s.Cases...)
	for i := range c.Cases {
		c.Cases[i].File, c.Cases[i].Line = "", 0
		c.Cases[i].Steps = append([]Step(nil), s.Cases[i].Steps...)
		for j := range c.Cases[i].Steps {
			c.Cases[i].Steps[j].Line = 0
		}
	}
	return &c
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			s, err := Load(f)
			require.NoError(t, err)
			out, err := s.Marshal()
			require.NoError(t, err)
			back, err := Parse("out.yaml", out)
			require.NoError(t, err, "marshalled suite:\n%s", out)
			assert.Equal(t, withoutPositions(s), withoutPositions(back))
			again, err := back.Marshal()
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "Marshal is canonical")
		})
	}
}

func TestMarshalQuoting(t *testing.T) {
	t.Parallel()
	tricky := []string{
		"", "true", "No", "null", "~", "123", "1e3", "0x1F", ".5", "-1", "12:30",
		"a: b", "a #b", "#x", "a:", "trailing ", " leading", "[x]", "{x}", "*x", "&x", "!x", "%x", "@x", "`x",
		"'x'", `"x"`, "a\\b", "tab\there", "line\nbreak", "cr\rhere", "nul\x00", "bell\a", "é ü 日本", "\u2028", "\U0001F600",
		"https://a.test/p?q=1#f", "- x", "? x", "| x", "> x", "a, b",
	}
	s := &Suite{Version: 1, Name: "q", Cases: []Case{}}
	for i, v := range tricky {
		s.Cases = append(s.Cases, Case{
			Name:   "case " + v + string(rune('A'+i)),
			Why:    v,
			Origin: "http://localhost:3000",
			Request: Request{API: APIFetch, Method: "POST", URL: "http://a.test/", Credentials: CredentialsOmit, Mode: ModeCORS,
				Body: v},
		})
	}
	out, err := s.Marshal()
	require.NoError(t, err)
	back, err := Parse("q.yaml", out)
	require.NoError(t, err, "%s", out)
	for i, v := range tricky {
		assert.Equal(t, v, back.Cases[i].Why, "why %q", v)
		assert.Equal(t, v, back.Cases[i].Request.Body, "body %q", v)
	}
}

func TestMarshalRejectsInvalidUTF8(t *testing.T) {
	t.Parallel()
	s := &Suite{Version: 1, Name: "bad \xff", Cases: []Case{}}
	_, err := s.Marshal()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "UTF-8")
}

func TestCaseYAML(t *testing.T) {
	t.Parallel()
	c := Case{
		Name: "credentialed", Origin: "https://app.example.test",
		Request: Request{API: APIXHR, Method: "PUT", URL: "http://127.0.0.1:8080/v1/cart", Credentials: CredentialsInclude,
			Headers: map[string]string{"X-B": "2", "Content-Type": "application/json"}, Body: `{"n":1}`},
		Expect: &Expect{Verdict: cors.VerdictBlocked, CorsError: "InvalidAllowCredentials", Preflight: ptr(false)},
		File:   "x.yaml", Line: 40,
	}
	out, err := CaseYAML(c)
	require.NoError(t, err)
	assert.Equal(t, SchemaComment+`
version: 1
name: credentialed
cases:
  - name: credentialed
    origin: https://app.example.test
    request:
      api: xhr
      method: PUT
      url: http://127.0.0.1:8080/v1/cart
      headers:
        Content-Type: application/json
        X-B: "2"
      credentials: include
      body: "{\"n\":1}"
    expect:
      verdict: blocked
      cors_error: InvalidAllowCredentials
      preflight: false
`, string(out))
	s, err := Parse("snippet.yaml", out)
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	c.File, c.Line = "snippet.yaml", 5
	assert.Equal(t, c, s.Cases[0])
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(oneCase(okOrigin, okReq)))
	f.Add([]byte("version: 1\nname: x\ncases: [{name: a, origin: null, request: {url: 'http://a/', headers: {A: b}}}]\n"))
	f.Add([]byte("a: &x [*x, *x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, p := range fileerr.Problems(err) {
				if p.Line < 1 || p.Col < 0 {
					t.Fatalf("problem without a position: %v", p)
				}
			}
			return
		}
		// Whatever parses must survive the canonical writer unchanged.
		out, err := s.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := Parse("out.yaml", out)
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, out)
		}
		assert.Equal(t, withoutPositions(s), withoutPositions(back))
	})
}
