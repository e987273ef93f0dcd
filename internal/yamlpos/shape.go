package yamlpos

import (
	"fmt"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// The YAML parser's cost is not linear in every shape of input: 200 KB of
// nested "[" exhausted memory, and one mapping of 100,000 keys took 17 s
// and 38 GB of allocations (measured: goccy/go-yaml 1.19.2). CheckShape
// bounds those shapes before the parser sees them, in time and memory
// linear in the file.

// Shape bounds the structure of a YAML file.
type Shape struct {
	// Depth bounds how deeply collections nest, block and flow together.
	Depth int
	// Keys bounds the keys of any one mapping.
	Keys int
	// Tokens bounds the structural characters of the whole file, an upper
	// bound of the parser's tokens, counted before the lexer runs.
	Tokens int
}

// DefaultShape is far beyond any suite or policy a person writes or
// corsproof generates (a suite nests 5 levels; 50,000 cases are about
// 1,000,000 tokens) and far below what hurts the parser.
var DefaultShape = Shape{Depth: 64, Keys: 10_000, Tokens: 8_000_000}

// LimitError is a file over one of the limits of a Shape.
type LimitError struct{ fileerr.Problem }

// CheckShape reports the first place where data exceeds s, as a positioned
// *LimitError, or nil. Data that is not valid YAML passes through (the
// parser reports it better); only its shape is judged.
func CheckShape(file string, data []byte, s Shape) error {
	if err := preScan(file, data, s); err != nil {
		return err
	}
	return tokenScan(file, data, s)
}

func limitProblem(file string, line, col int, msg, hint string) error {
	return &LimitError{fileerr.Problem{File: file, Line: line, Col: col, Message: msg, Hint: hint}}
}

// preScan bounds flow nesting and the number of structural characters
// with one pass over the bytes and no allocation, so that the lexer, which
// holds every token in memory, never sees a pathological file. Quoted
// scalars and comments are skipped; a quote inside a plain scalar (it's)
// is not a quote, as in YAML.
func preScan(file string, data []byte, s Shape) error {
	line, col, depth, tokens := 1, 0, 0, 0
	var prev byte = '\n'
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		switch {
		case c == '\n':
			line, col = line+1, 0
			tokens++
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case (c == '\'' || c == '"') && startsScalar(prev):
			// Skip to the closing quote; '' and \" stay inside.
			for i++; i < len(data); i++ {
				if data[i] == '\n' {
					line, col = line+1, 0
					continue
				}
				col++
				if c == '"' && data[i] == '\\' {
					i++
					col++
					continue
				}
				if data[i] == c {
					if c == '\'' && i+1 < len(data) && data[i+1] == '\'' {
						i++
						col++
						continue
					}
					break
				}
			}
		case c == '[' || c == '{':
			depth++
			tokens++
			if depth > s.Depth {
				return limitProblem(file, line, col, fmt.Sprintf("nests collections more than %d deep, the limit", s.Depth),
					"a suite or policy nests a few levels; this file was not written for corsproof")
			}
		case c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			tokens++
		case c == ',' || c == ':' || c == '-':
			tokens++
		}
		if tokens > s.Tokens {
			return limitProblem(file, line, col, fmt.Sprintf("holds more than %d YAML tokens, the limit", s.Tokens),
				"split it into several files")
		}
		prev = c
	}
	return nil
}

// startsScalar reports whether a quote after prev opens a quoted scalar.
func startsScalar(prev byte) bool {
	switch prev {
	case ' ', '\t', '\n', '\r', '[', '{', ',', ':', '-', '?':
		return true
	}
	return false
}

// level is one open collection while tokenScan walks the tokens.
type level struct {
	col  int  // column of the token that opened it (block), 0 for flow
	flow bool // a flow collection: [ or {
	keys int  // keys counted in it so far
	seq  bool // opened by a block sequence entry
}

// tokenScan measures depth and keys per mapping from the lexer's tokens,
// which know quoting and block scalars exactly.
func tokenScan(file string, data []byte, s Shape) error {
	var stack []level
	lastLine := 0
	tooDeep := func(line, col int) error {
		return limitProblem(file, line, col, fmt.Sprintf("nests collections more than %d deep, the limit", s.Depth),
			"a suite or policy nests a few levels; this file was not written for corsproof")
	}
	for _, t := range lexer.Tokenize(string(data)) {
		if t.Type == token.CommentType || t.Position == nil {
			continue
		}
		line, col := t.Position.Line, t.Position.Column
		inFlow := len(stack) > 0 && stack[len(stack)-1].flow
		closing := t.Type == token.SequenceEndType || t.Type == token.MappingEndType
		if !inFlow && !closing && (line != lastLine || t.Type == token.SequenceEntryType) {
			// A block collection at this column: close those at or right
			// of it; a sibling key keeps counting its mapping's keys.
			keys := 0
			for len(stack) > 0 && stack[len(stack)-1].col >= col {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.col == col && !top.seq && t.Type != token.SequenceEntryType {
					keys = top.keys
				}
			}
			stack = append(stack, level{col: col, keys: keys, seq: t.Type == token.SequenceEntryType})
		}
		lastLine = line
		switch t.Type {
		case token.SequenceStartType, token.MappingStartType:
			stack = append(stack, level{flow: true})
		case token.SequenceEndType, token.MappingEndType:
			for len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.flow {
					break
				}
			}
		case token.MappingValueType:
			if n := len(stack); n > 0 {
				stack[n-1].keys++
				if stack[n-1].keys > s.Keys {
					return limitProblem(file, line, col, fmt.Sprintf("is key %d of one mapping; the limit is %d", stack[n-1].keys, s.Keys),
						"no case or route needs that many headers or fields; split the file")
				}
			}
		}
		if len(stack) > s.Depth {
			return tooDeep(line, col)
		}
	}
	return nil
}

// TrimBOM drops a UTF-8 byte order mark at the start of data. YAML allows
// one there, Windows editors write one (Notepad's "UTF-8 with BOM",
// PowerShell's Set-Content -Encoding utf8), and the parser would read it
// as part of the first key.
func TrimBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return data[3:]
	}
	return data
}
