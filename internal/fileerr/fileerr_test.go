package fileerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProblemRendering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc          string
		p             Problem
		summary, full string
	}{
		{"full", Problem{File: "suite.yaml", Line: 12, Col: 7, Field: "cases[2].request.credentials", Value: "includ", Message: "is not a credentials mode", Hint: "use omit, same-origin or include"},
			`suite.yaml:12:7: cases[2].request.credentials: "includ" is not a credentials mode`,
			`suite.yaml:12:7: cases[2].request.credentials: "includ" is not a credentials mode (hint: use omit, same-origin or include)`},
		{"no value no hint", Problem{File: "f", Line: 1, Col: 1, Field: "version", Message: "is missing"},
			"f:1:1: version: is missing", "f:1:1: version: is missing"},
		{"no field", Problem{File: "x.har", Line: 1, Col: 1, Message: "is empty"}, "x.har:1:1: is empty", "x.har:1:1: is empty"},
		{"no position", Problem{File: "x.har", Field: "--origin", Value: "a", Message: "is not an origin"},
			`x.har: --origin: "a" is not an origin`, `x.har: --origin: "a" is not an origin`},
		{"hostile value is escaped", Problem{File: "f", Line: 1, Col: 1, Field: "x", Value: "a\x1b[31mred\n", Message: "is bad"},
			`f:1:1: x: "a\x1b[31mred\n" is bad`, `f:1:1: x: "a\x1b[31mred\n" is bad`},
		{"hostile field and hint are escaped", Problem{File: "f", Line: 1, Col: 1, Field: "headers.a\x1bb", Message: "is bad", Hint: "write \x9b\u202e"},
			`f:1:1: headers.a\x1bb: is bad`, `f:1:1: headers.a\x1bb: is bad (hint: write \x9b\u202e)`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.summary, tt.p.Summary())
			assert.Equal(t, tt.full, tt.p.Error())
		})
	}
	long := Problem{File: "f", Line: 1, Col: 1, Value: "a\nb" + strings.Repeat("x", 500), Message: "r"}
	assert.Less(t, len(long.Error()), 150)
	assert.NotContains(t, long.Error(), "\n")
	assert.Contains(t, long.Error(), `"a\nbxxx`)
	assert.Contains(t, long.Error(), `x…" r`)
}

// kindError is a format's own error type, as scenarios has a dozen.
type kindError struct{ Problem }

func TestProblemsSeesThroughJoinsWrappersAndKinds(t *testing.T) {
	t.Parallel()
	a := &Problem{File: "f", Line: 1, Col: 1, Message: "a"}
	b := &kindError{Problem{File: "f", Line: 2, Col: 1, Message: "b"}}
	c := &Problem{File: "g", Line: 3, Col: 1, Message: "c"}
	err := fmt.Errorf("context: %w", errors.Join(a, errors.New("not located"), b, fmt.Errorf("more: %w", c)))
	got := Problems(err)
	require.Len(t, got, 3)
	assert.Same(t, a, got[0])
	assert.Same(t, &b.Problem, got[1])
	assert.Same(t, c, got[2])
	assert.Empty(t, Problems(errors.New("x")))
	assert.Empty(t, Problems(nil))
	var kind *kindError
	assert.True(t, errors.As(err, &kind), "kinds stay reachable with errors.As")
}

func TestJoinSortsByPosition(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Join())
	errs := []error{
		&Problem{File: "f", Line: 3, Col: 1, Message: "third"},
		&kindError{Problem{File: "f", Line: 1, Col: 9, Message: "second"}},
		&Problem{File: "f", Line: 1, Col: 2, Message: "first"},
	}
	err := Join(errs...)
	var msgs []string
	for _, p := range Problems(err) {
		msgs = append(msgs, p.Message)
	}
	assert.Equal(t, []string{"first", "second", "third"}, msgs)
	assert.Equal(t, "third", errs[0].(*Problem).Message, "the caller's slice is left alone")
	assert.Equal(t, "f:1:2: first\nf:1:9: second\nf:3:1: third", err.Error())
}
