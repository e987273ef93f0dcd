package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

func TestCookiesToSeed(t *testing.T) {
	t.Parallel()
	src := `version: 1
name: cookies
target: http://127.0.0.1:8080
defaults:
  origin: https://app.example.test
  cookies: {session: abc, theme: dark}
cases:
  - name: inherits
    request: {url: /a, credentials: include}
  - name: overrides one
    cookies: {session: xyz}
    request: {url: /b, credentials: include}
`
	s, err := Parse("c.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"session": "abc", "theme": "dark"}, s.Cases[0].Cookies)
	assert.Equal(t, map[string]string{"session": "xyz", "theme": "dark"}, s.Cases[1].Cookies, "the case wins, name by name")

	out, err := s.Marshal()
	require.NoError(t, err)
	again, err := Parse("c.yaml", out)
	require.NoError(t, err)
	assert.Equal(t, s.Cases[1].Cookies, again.Cases[1].Cookies, "cookies survive a round trip")
}

func TestCookieErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, cookies, field, reason string
	}{
		{"bad name", `{"a b": x}`, "cases[0].cookies.a b", "is not a valid cookie name"},
		{"semicolon in value", `{sid: "a;b"}`, "cases[0].cookies.sid", "is not a valid cookie value"},
		{"space in value", `{sid: "a b"}`, "cases[0].cookies.sid", "is not a valid cookie value"},
		{"a list", `[sid]`, "cases[0].cookies", "must be a mapping of cookie names to values"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			src := "version: 1\nname: x\ncases:\n  - name: a\n    origin: https://app.example.test\n    request: {url: http://127.0.0.1:1/}\n    cookies: " + tc.cookies + "\n"
			_, err := Parse("c.yaml", []byte(src))
			require.Error(t, err)
			probs := fileerr.Problems(err)
			require.Len(t, probs, 1, err.Error())
			assert.Equal(t, tc.field, probs[0].Field)
			assert.Contains(t, probs[0].Error(), tc.reason)
			assert.Equal(t, 7, probs[0].Line)
		})
	}
}
