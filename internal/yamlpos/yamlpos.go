// Package yamlpos is what the suite and policy decoders share to walk a
// goccy/go-yaml AST by hand instead of unmarshalling into structs: where a
// node is, what kind of node it is, the text of keys and scalars as
// written, near-miss suggestions for unknown keys, and a Walker that
// collects every problem found on the way. Walking by hand is what lets
// each problem name the line and column of the offending node, and lets a
// decoder report all problems at once instead of stopping at the first.
//
// The package knows nothing of either format: the decoders phrase their
// own messages and decide which keys and kinds they accept.
package yamlpos

import (
	"errors"
	"math"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// Pos is a 1-based line and column in a YAML file.
type Pos struct{ Line, Col int }

// Top is the start of the file, where problems with the file as a whole go.
var Top = Pos{Line: 1, Col: 1}

// Walker is the part of a decoder that every format shares: the file being
// read and the problems found in it so far. Decoders embed it.
type Walker struct {
	// File names the file in problems.
	File string
	errs []error
}

// Problem builds a problem in the walker's file at at.
func (w *Walker) Problem(at Pos, field, value, msg, hint string) fileerr.Problem {
	return fileerr.Problem{File: w.File, Line: at.Line, Col: at.Col, Field: field, Value: value, Message: msg, Hint: hint}
}

// Add records a problem: a *fileerr.Problem or a format's own error type
// wrapping one.
func (w *Walker) Add(err error) { w.errs = append(w.errs, err) }

// Count is how many problems have been recorded, so a decoder can tell
// whether a step added any.
func (w *Walker) Count() int { return len(w.errs) }

// Err joins the problems in file order, or returns nil when there are none.
func (w *Walker) Err() error { return fileerr.Join(w.errs...) }

// At is the position of n's own token, or def when n has none.
func At(n ast.Node, def Pos) Pos {
	if n == nil {
		return def
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
	}
	return def
}

// Start is where a reader sees n begin: for a block mapping its first key,
// not the colon go-yaml files the mapping under.
func Start(n ast.Node, def Pos) Pos {
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return Start(v.Values[0], def)
		}
	case *ast.MappingValueNode:
		return At(v.Key, def)
	case *ast.AnchorNode:
		return At(v, def)
	}
	return At(n, def)
}

// SyntaxError returns go-yaml's own message for a parse error, without the
// source excerpt it appends, and where it happened; ok is false when err
// carries no position, and msg is then err's whole text.
func SyntaxError(err error) (msg string, at Pos, token string, ok bool) {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return err.Error(), Pos{}, "", false
	}
	tk := ye.GetToken()
	if tk == nil || tk.Position == nil {
		return ye.GetMessage(), Pos{}, "", false
	}
	return ye.GetMessage(), Pos{Line: tk.Position.Line, Col: tk.Position.Column}, tk.Value, true
}

// SyntaxHint says what usually causes a syntax error with go-yaml's
// message msg, or "" when there is nothing better than a general hint.
func SyntaxHint(msg string) string {
	switch {
	case strings.Contains(msg, "'\t'"), strings.Contains(msg, `'\t'`):
		return "YAML indents with spaces, never tabs: replace the tab at this position with spaces"
	case strings.Contains(msg, "value is not allowed in this context"):
		return "a key indented deeper than the keys around it, or a key after a {…} value on its line: line it up with its siblings (the mistake may be on the line above)"
	}
	return ""
}

// Unwrap looks through tags and anchors to the value they mark. It stops
// at an alias, which each decoder refuses in its own words.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

// IsNull reports a value left empty: nothing after the colon, ~ or null.
func IsNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, null := n.(*ast.NullNode)
	return null
}

// Mapping returns the entries of n when n is a mapping. go-yaml hands back
// a mapping of one entry as the entry itself; Mapping treats both alike.
func Mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

// Sequence returns the items of n when n is a list.
func Sequence(n ast.Node) ([]ast.Node, bool) {
	if v, ok := n.(*ast.SequenceNode); ok {
		return v.Values, true
	}
	return nil, false
}

// Key returns the text of a mapping key as written and where it is; ok is
// false when the key is not a string, number or boolean (null, say), and
// text is then the key's YAML.
func Key(mv *ast.MappingValueNode, def Pos) (text string, at Pos, ok bool) {
	at = At(mv.Key, def)
	var k ast.Node = mv.Key
	for {
		switch v := k.(type) {
		case *ast.MappingKeyNode:
			k = v.Value
			continue
		case *ast.TagNode:
			k = v.Value
			continue
		case *ast.AnchorNode:
			k = v.Value
			continue
		}
		break
	}
	if s, ok := Scalar(k); ok {
		return s, at, true
	}
	if k != nil {
		return k.String(), at, false
	}
	return "", at, false
}

// String returns the value of a string node, quoted, plain or a block
// literal; numbers, booleans and null are not strings.
func String(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	}
	return "", false
}

// Scalar returns the text of any scalar as written, so that a header value
// such as 5 or a name such as 404 reads as the string the user typed.
func Scalar(n ast.Node) (string, bool) {
	if s, ok := String(n); ok {
		return s, true
	}
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// Text is the text of n's own token as written, for quoting a value of the
// wrong kind back to the user; empty when there is none.
func Text(n ast.Node) string {
	if n == nil {
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// Int returns the value of an integer node; ok is false when it does not
// fit in 32 bits, far beyond any number either format accepts.
func Int(n *ast.IntegerNode) (int, bool) {
	switch x := n.Value.(type) {
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return int(x), true
		}
	case uint64:
		if x <= math.MaxInt32 {
			return int(x), true
		}
	}
	return 0, false
}

// Kind names the kind of n for messages such as "is a list, but must be a
// string".
func Kind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case nil, *ast.NullNode:
		return "empty"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	}
	return "a string"
}
