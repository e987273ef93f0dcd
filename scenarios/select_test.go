package scenarios

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelect(t *testing.T) {
	t.Parallel()
	suites := func() []*Suite {
		return []*Suite{
			{Name: "auth", Cases: []Case{{Name: "login sends cookies"}, {Name: "logout"}, {Name: "a/b"}}},
			{Name: "orders", Cases: []Case{{Name: "list"}, {Name: "logout"}}},
		}
	}
	names := func(ss []*Suite) []string {
		var out []string
		for _, s := range ss {
			for _, c := range s.Cases {
				out = append(out, s.Name+"/"+c.Name)
			}
		}
		return out
	}
	for _, tc := range []struct {
		patterns []string
		want     []string
	}{
		{nil, []string{"auth/login sends cookies", "auth/logout", "auth/a/b", "orders/list", "orders/logout"}},
		{[]string{"logout"}, []string{"auth/logout", "orders/logout"}},
		{[]string{"orders/logout"}, []string{"orders/logout"}},
		{[]string{"log*"}, []string{"auth/login sends cookies", "auth/logout", "orders/logout"}},
		{[]string{"*/list", "login sends cookies"}, []string{"auth/login sends cookies", "orders/list"}},
		{[]string{"a/b"}, []string{"auth/a/b"}}, // a case name with a slash
		{[]string{"auth/a/b"}, []string{"auth/a/b"}},
	} {
		got, err := Select(suites(), tc.patterns)
		require.NoError(t, err, "%q", tc.patterns)
		assert.Equal(t, tc.want, names(got), "%q", tc.patterns)
	}

	for _, tc := range []struct {
		pattern, reason, closest string
	}{
		{"logut", "matches no case", "logout"},
		{"nothing like it at all", "matches no case", ""},
		{"[", "is not a name or a glob pattern", ""},
		{"", "is not a name or a glob pattern", ""},
	} {
		_, err := Select(suites(), []string{"list", tc.pattern})
		var se *SelectError
		require.True(t, errors.As(err, &se), "%q: %v", tc.pattern, err)
		assert.Equal(t, tc.reason, se.Reason, tc.pattern)
		assert.Equal(t, tc.closest, se.Closest, tc.pattern)
		assert.NotEmpty(t, se.Hint())
	}
}

func TestSelectGlobsAcrossSlashes(t *testing.T) {
	t.Parallel()
	suites := []*Suite{{Name: "contract", Cases: []Case{
		{Name: "/api/catalog origin-allowed https://app.example.test"},
		{Name: "/api/catalog origin-denied https://evil.test"},
		{Name: "/api/orders origin-allowed https://app.example.test"},
		{Name: "x.y"},
	}}}
	for pattern, want := range map[string]int{
		"/api/catalog *":        2,
		"*origin-allowed*":      2,
		"contract//api/*":       3,
		"/api/???ers *":         1,
		"/api/[co]*allowed*":    2,
		"/api/[!o]*":            2,
		"x.y":                   1,
		"*https://evil.test":    1,
		"/api/catalog origin-*": 2,
	} {
		got, err := Select(suites, []string{pattern})
		require.NoError(t, err, pattern)
		require.Len(t, got, 1, pattern)
		assert.Len(t, got[0].Cases, want, pattern)
	}
	_, err := Select(suites, []string{"x?y.z"})
	assert.Error(t, err, "a dot stands for itself")
}

// FuzzSelect: any --case pattern selects or is refused with a SelectError,
// never a panic, and a case's own name always selects it.
func FuzzSelect(f *testing.F) {
	for _, s := range []string{"login*", "a/b", "[", "[!x]*", `\`, "[]]", "?", "*/*"} {
		f.Add(s, "login [v2]")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(name) > 4096 {
			// Matching costs pattern × name; real case names are short.
			t.Skip()
		}
		suites := []*Suite{{Name: "s", Cases: []Case{{Name: name}}}}
		got, err := Select(suites, []string{pattern})
		if err != nil {
			var se *SelectError
			if !errors.As(err, &se) {
				t.Fatalf("Select(%q) = %v, not a *SelectError", pattern, err)
			}
			if pattern == name && pattern != "" {
				t.Fatalf("Select(%q) refused the case's own name: %v", pattern, err)
			}
			return
		}
		if len(got) != 1 || len(got[0].Cases) != 1 {
			t.Fatalf("Select(%q) = %v", pattern, got)
		}
	})
}

// Review findings: * stays within the suite or the case name of a
// SUITE/NAME pattern, a pattern is read character by character (é is one),
// and LiteralPattern selects its own case only.
func TestSelectSuiteNameAndCharacters(t *testing.T) {
	t.Parallel()
	suites := []*Suite{
		{Name: "logins", Cases: []Case{{Name: "x"}}},
		{Name: "api", Cases: []Case{{Name: "login ok"}, {Name: "café au lait"}, {Name: "GET /items*"}, {Name: "GET /items/v2"}, {Name: "GET /a [v2"}}},
	}
	pick := func(p string) []string {
		t.Helper()
		got, err := Select(suites, []string{p})
		require.NoError(t, err, p)
		var out []string
		for _, s := range got {
			for _, c := range s.Cases {
				out = append(out, s.Name+"/"+c.Name)
			}
		}
		return out
	}
	assert.Equal(t, []string{"api/login ok"}, pick("login*"), "the suite logins/… is not a login* case")
	assert.Equal(t, []string{"logins/x"}, pick("login*/*"))
	assert.Equal(t, []string{"api/café au lait"}, pick("café*"))
	assert.Equal(t, []string{"api/café au lait"}, pick("caf? au lait"))
	assert.Equal(t, []string{"api/GET /items*", "api/GET /items/v2"}, pick("GET /items*"), "a name with a star is also a glob")
	assert.Equal(t, []string{"api/GET /items*"}, pick(LiteralPattern("GET /items*")))
	assert.Equal(t, []string{"api/GET /a [v2"}, pick("GET /a [v2"), "an unclosed [ still names its case")
	assert.Equal(t, []string{"api/GET /a [v2"}, pick(LiteralPattern("GET /a [v2")))
	_, err := Select(suites, []string{strings.Repeat("é", 600)})
	var se *SelectError
	require.True(t, errors.As(err, &se))
	assert.True(t, utf8.ValidString(se.Pattern), "the clipped pattern in the message is whole characters")
}
