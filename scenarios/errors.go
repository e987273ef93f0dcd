package scenarios

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong with a suite file, located precisely enough for a
// person to fix it without reading the loader. Every error type below embeds
// it, so callers can switch on the kind with errors.As and still read the
// position through Problems.
type Problem struct {
	// File is the path of the suite file as given to Parse or Load.
	File string
	// Line and Col are 1-based; they point at the offending value, or at the
	// key or item that lacks one.
	Line, Col int
	// Field is the path of the field, such as cases[2].request.method
	// (indexes count from 0, as in JSON paths).
	Field string
	// Value is the offending value as written; empty when there is none.
	Value string
	// Reason says what is wrong, phrased to follow the quoted value.
	Reason string
	// Hint says what to write instead; may be empty.
	Hint string
}

// Error renders the problem as file:line:col: field: "value" reason (hint: …).
func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Line, p.Col)
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	if p.Value != "" {
		// %q keeps control characters and terminal escapes from a hostile
		// file out of the user's terminal; a long body is cut so the
		// message stays one readable line.
		v := p.Value
		if r := []rune(v); len(r) > maxValueRunes {
			v = string(r[:maxValueRunes]) + "…"
		}
		fmt.Fprintf(&b, "%q ", v)
	}
	b.WriteString(p.Reason)
	if p.Hint != "" {
		fmt.Fprintf(&b, " (hint: %s)", p.Hint)
	}
	return b.String()
}

// maxValueRunes bounds how much of a value an error message repeats.
const maxValueRunes = 80

// problem lets Problems reach the embedded Problem of every error type.
func (p *Problem) problem() *Problem { return p }

// SyntaxError is malformed YAML, or YAML that is not valid UTF-8.
type SyntaxError struct{ Problem }

// UnknownKeyError is a key the suite format does not define.
type UnknownKeyError struct{ Problem }

// DuplicateKeyError is a key given twice in one mapping (for headers:
// names that differ only in case).
type DuplicateKeyError struct{ Problem }

// TypeError is a value of the wrong YAML type, such as a list where a
// string belongs.
type TypeError struct{ Problem }

// MissingError is a required field that is absent or empty.
type MissingError struct{ Problem }

// VersionError is a suite version this build does not understand.
type VersionError struct{ Problem }

// DuplicateNameError is a case name used twice in one file.
type DuplicateNameError struct{ Problem }

// EnumError is a value outside a closed set: api, credentials, mode,
// verdict, cors_error.
type EnumError struct{ Problem }

// OriginError is a malformed page origin.
type OriginError struct{ Problem }

// URLError is a malformed request URL or target.
type URLError struct{ Problem }

// MethodError is a request method that is not an HTTP token or that
// browsers refuse to send.
type MethodError struct{ Problem }

// HeaderError is a header name or value a browser would refuse or drop.
type HeaderError struct{ Problem }

// ConflictError is a combination of fields that cannot run as written, such
// as a body on a GET or mode with api xhr.
type ConflictError struct{ Problem }

// RangeError is a number outside its allowed range.
type RangeError struct{ Problem }

// Problems lists every Problem in err, which may be a single error or the
// errors.Join of many as Parse returns. Errors that are not problems (an
// unreadable file) are skipped.
func Problems(err error) []*Problem {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Problem
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	var p interface{ problem() *Problem }
	if errors.As(err, &p) {
		return []*Problem{p.problem()}
	}
	return nil
}
