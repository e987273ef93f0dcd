// Package fileerr is the one error type for a problem at a place in a file
// the user gave corsproof (a suite, a policy, a HAR export), so that every
// format reports its problems in the same shape and the command line prints
// them the same way:
//
//	corsproof: error: suite.yaml:6:37: cases[0].request.credentials: "includ" is not a credentials mode
//	corsproof: hint: did you mean include?
//
// It sits below scenarios, policy and contract so that each can use it
// without importing the others; it is internal because only corsproof's
// own packages and commands need to name it.
package fileerr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one thing wrong with a file, located precisely enough for a
// person to fix it without reading the loader. Loaders report every problem
// they find at once, joined with [Join]; [Problems] lists them again.
//
// A format may wrap Problem in types of its own, to tell kinds of problems
// apart with errors.As (scenarios does); Problems sees through them.
type Problem struct {
	// File is the path of the file as given to the loader, or a name such
	// as "demo.yaml (built in)" for data that has no path.
	File string
	// Line and Col are 1-based; they point at the offending value, or at
	// the key or item that lacks one. Both are zero when the problem has no
	// place in the file, such as a flag that names the file.
	Line, Col int
	// Field is the path of the field, such as cases[2].request.method
	// (indexes count from 0, as in JSON paths); empty for the file as a
	// whole.
	Field string
	// Value is the offending value as written; empty when there is none.
	Value string
	// Message says what is wrong, phrased to follow the field and the
	// quoted value: "is not a credentials mode".
	Message string
	// Hint says what to write instead; may be empty.
	Hint string
}

// Error renders the problem on one line, hint included:
// file:line:col: field: "value" message (hint: …).
func (p *Problem) Error() string {
	s := p.Summary()
	if h := p.HintText(); h != "" {
		s += " (hint: " + h + ")"
	}
	return s
}

// Summary renders the problem on one line without its hint, for printers
// that give the hint a line of its own: file:line:col: field: "value"
// message. The value is quoted and cut short, and control characters
// anywhere are escaped, so a hostile file cannot forge terminal output.
func (p *Problem) Summary() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(clean(p.File))
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(clean(p.Field))
		b.WriteString(": ")
	}
	if p.Value != "" {
		b.WriteString(Quote(p.Value))
		b.WriteString(" ")
	}
	b.WriteString(clean(p.Message))
	return b.String()
}

// HintText is the hint with control characters escaped, empty when there
// is none. Hints may repeat part of a value from the file.
func (p *Problem) HintText() string { return clean(p.Hint) }

// problem lets Problems reach the Problem inside a format's own error types.
func (p *Problem) problem() *Problem { return p }

// Problems lists every Problem in err: err itself, the errors it joins
// (errors.Join, Join) and the ones it wraps, in order. Errors that are not
// problems, such as an unreadable file, are skipped.
func Problems(err error) []*Problem {
	if err == nil {
		return nil
	}
	if p, ok := err.(interface{ problem() *Problem }); ok {
		return []*Problem{p.problem()}
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		var out []*Problem
		for _, e := range u.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	case interface{ Unwrap() error }:
		return Problems(u.Unwrap())
	}
	return nil
}

// Join joins errs with errors.Join in file order, so the first problem a
// reader meets in the file is the first one printed; checks that run after
// a whole section is read may find problems out of order. Errors that are
// not problems keep their place relative to each other. Join returns nil
// when errs is empty.
func Join(errs ...error) error {
	if len(errs) == 0 {
		return nil
	}
	sorted := append([]error(nil), errs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := Problems(sorted[i]), Problems(sorted[j])
		if len(a) == 0 || len(b) == 0 {
			return false
		}
		if a[0].Line != b[0].Line {
			return a[0].Line < b[0].Line
		}
		return a[0].Col < b[0].Col
	})
	return errors.Join(sorted...)
}

// maxValueRunes bounds how much of a value a message repeats.
const maxValueRunes = 80

// Quote quotes a value from a file or from the network for a one-line
// message: control characters and terminal escapes come out escaped, and a
// long value is cut so the message stays readable.
func Quote(v string) string {
	if r := []rune(v); len(r) > maxValueRunes {
		v = string(r[:maxValueRunes]) + "…"
	}
	return strconv.Quote(v)
}

// clean escapes the characters of s that a terminal would not print as
// themselves, bytes that are not UTF-8 included, keeping the rest as is.
func clean(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}
