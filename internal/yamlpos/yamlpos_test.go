package yamlpos

import (
	"errors"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

func parse(t *testing.T, src string) ast.Node {
	t.Helper()
	f, err := parser.ParseBytes([]byte(src), 0)
	require.NoError(t, err)
	require.NotEmpty(t, f.Docs)
	return f.Docs[0].Body
}

func TestClosest(t *testing.T) {
	t.Parallel()
	keys := []string{"api", "method", "url", "headers", "credentials", "body", "mode", "allow_origins", "preflight_status"}
	tests := []struct{ desc, in, want string }{
		{"transposition", "hedaers", "headers"},
		{"case only", "Headers", "headers"},
		{"dropped letter", "metod", "method"},
		{"hyphen for underscore", "allow-origins", "allow_origins"},
		{"long name, several typos", "prefligt_stauts", "preflight_status"},
		{"unrelated", "zzzzzz", ""},
		{"short and unrelated", "x", ""},
		{"non-ASCII counts runes", "bödy", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Closest(tt.in, keys))
		})
	}
	assert.Equal(t, "", Closest("a", nil))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
	assert.Equal(t, 0, editDistance("", ""))
}

func TestPositions(t *testing.T) {
	t.Parallel()
	body := parse(t, "version: 1\ncases:\n  - name: a\n    origin: x\n  - {name: b}\n")
	entries, ok := Mapping(body)
	require.True(t, ok)
	require.Len(t, entries, 2)
	assert.Equal(t, Pos{1, 1}, Start(body, Top), "a block mapping starts at its first key")
	k, at, ok := Key(entries[1], Top)
	assert.True(t, ok)
	assert.Equal(t, "cases", k)
	assert.Equal(t, Pos{2, 1}, at)
	items, ok := Sequence(entries[1].Value)
	require.True(t, ok)
	require.Len(t, items, 2)
	assert.Equal(t, Pos{3, 5}, Start(items[0], Top))
	assert.Equal(t, Pos{5, 5}, Start(items[1], Top), "a flow mapping starts at its brace")
	assert.Equal(t, Pos{7, 7}, At(nil, Pos{7, 7}))
}

func TestScalarsAndKinds(t *testing.T) {
	t.Parallel()
	body := parse(t, "s: text\nq: \"5\"\nn: 5\nb: true\nz:\nl: [1]\nm: {a: 1}\nt: !!str x\nlit: |\n  block\nbig: 99999999999\n")
	entries, ok := Mapping(body)
	require.True(t, ok)
	v := map[string]ast.Node{}
	for _, e := range entries {
		k, _, _ := Key(e, Top)
		v[k] = e.Value
	}
	s, ok := String(v["s"])
	assert.True(t, ok)
	assert.Equal(t, "text", s)
	_, ok = String(v["n"])
	assert.False(t, ok, "a number is not a string")
	s, ok = Scalar(v["n"])
	assert.True(t, ok)
	assert.Equal(t, "5", s, "but reads as written")
	s, _ = String(v["q"])
	assert.Equal(t, "5", s)
	s, _ = String(v["lit"])
	assert.Equal(t, "block\n", s)
	s, ok = String(Unwrap(v["t"]))
	assert.True(t, ok, "tags are looked through")
	assert.Equal(t, "x", s)
	assert.True(t, IsNull(v["z"]))
	assert.True(t, IsNull(nil))
	assert.Equal(t, "a string", Kind(v["s"]))
	assert.Equal(t, "a number", Kind(v["n"]))
	assert.Equal(t, "a boolean", Kind(v["b"]))
	assert.Equal(t, "empty", Kind(v["z"]))
	assert.Equal(t, "a list", Kind(v["l"]))
	assert.Equal(t, "a mapping", Kind(v["m"]))
	i, ok := Int(v["n"].(*ast.IntegerNode))
	assert.True(t, ok)
	assert.Equal(t, 5, i)
	_, ok = Int(v["big"].(*ast.IntegerNode))
	assert.False(t, ok)
	assert.Equal(t, "99999999999", Text(v["big"]))
	nullKey, ok := Mapping(parse(t, "~: 1\n"))
	require.True(t, ok)
	k, _, ok := Key(nullKey[0], Top)
	assert.False(t, ok, "null is no key")
	assert.Equal(t, "null", k)
}

func TestSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := parser.ParseBytes([]byte("a: [\n"), 0)
	require.Error(t, err)
	msg, at, _, ok := SyntaxError(err)
	assert.True(t, ok)
	assert.NotEmpty(t, msg)
	assert.NotContains(t, msg, "\n", "go-yaml's source excerpt is left out")
	assert.Equal(t, 1, at.Line)
	msg, _, _, ok = SyntaxError(errors.New("plain"))
	assert.False(t, ok)
	assert.Equal(t, "plain", msg)
}

func TestWalker(t *testing.T) {
	t.Parallel()
	w := &Walker{File: "f.yaml"}
	assert.NoError(t, w.Err())
	second := w.Problem(Pos{2, 3}, "b", "v", "is bad", "fix it")
	first := w.Problem(Pos{1, 1}, "a", "", "is missing", "")
	w.Add(&second)
	w.Add(&first)
	assert.Equal(t, 2, w.Count())
	probs := fileerr.Problems(w.Err())
	require.Len(t, probs, 2)
	assert.Equal(t, "a", probs[0].Field, "file order")
	assert.Equal(t, `f.yaml:2:3: b: "v" is bad (hint: fix it)`, probs[1].Error())
}

func TestSyntaxHint(t *testing.T) {
	assert.Contains(t, SyntaxHint("found character '\t' that cannot start any token"), "never tabs")
	assert.Contains(t, SyntaxHint("mapping value is not allowed in this context"), "line it up")
	assert.Empty(t, SyntaxHint("could not find end character of double-quoted text"))
}
