package scenarios

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

func TestParseSteps(t *testing.T) {
	t.Parallel()
	s, err := Load("testdata/steps.yaml")
	require.NoError(t, err)
	require.Len(t, s.Cases, 2)

	c := s.Cases[0]
	require.Len(t, c.Steps, 3)
	assert.Nil(t, c.Expect, "a case with steps has its expectations on the steps")
	assert.Equal(t, c.Steps[0].Request, c.Request, "the case's request is its first step's")
	for i, st := range c.Steps {
		assert.Equal(t, "PUT", st.Request.Method, "step %d takes the case's request", i)
		assert.Equal(t, "http://127.0.0.1:8080/api/open?max_age=2", st.Request.URL)
		assert.Equal(t, CredentialsOmit, st.Request.Credentials, "and the suite's defaults")
		assert.Equal(t, "allowed", string(st.Expect.Verdict), "and the case's expectations")
		assert.Empty(t, st.Origin, "the case's origin is not repeated on the step")
	}
	assert.Equal(t, []bool{true, false, true}, []bool{*c.Steps[0].Expect.Preflight, *c.Steps[1].Expect.Preflight, *c.Steps[2].Expect.Preflight})
	assert.Equal(t, Duration(2500*time.Millisecond), c.Steps[2].Wait)
	assert.Equal(t, "after Max-Age", c.Steps[2].Label(2))

	c = s.Cases[1]
	assert.Equal(t, "step 2", c.Steps[1].Label(1))
	assert.Equal(t, map[string]string{"X-Token": "a", "X-Other": "b"}, c.Steps[1].Request.Headers)
	assert.Equal(t, "http://localhost:3000", c.Steps[2].Origin)
	assert.Equal(t, []string{"https://app.example.test", "http://localhost:3000"}, c.Origins())
	assert.Equal(t, "http://localhost:3000", c.StepCase(2).Origin)
	assert.Equal(t, "a new header preflights again › step 3", c.StepCase(2).Name)
	assert.Equal(t, map[string]string{"session": "abc"}, c.Cookies)
}

func TestParseStepErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		src       string
		kind      any
		line, col int
		field     string
		reason    string
		hint      string
	}{
		{desc: "empty steps", src: oneCase(okOrigin, "    steps: []"), kind: new(*MissingError), line: 7, col: 5, field: "cases[0].steps", reason: "has no steps"},
		{desc: "steps not a list", src: oneCase(okOrigin, "    steps: {request: {url: /x}}"), kind: new(*TypeError), line: 7, col: 12, field: "cases[0].steps", reason: "must be a list"},
		{desc: "unknown step key", src: oneCase(okOrigin, "    steps:", "      - request: {url: /x}", "        wiat: 1s"), kind: new(*UnknownKeyError), line: 9, col: 9, field: "cases[0].steps[0].wiat", hint: "did you mean wait?"},
		{desc: "wait without unit", src: oneCase(okOrigin, "    steps:", "      - request: {url: /x}", "        wait: 2"), kind: new(*TypeError), line: 9, col: 15, field: "cases[0].steps[0].wait", reason: "is not a duration", hint: "add a unit: 2s"},
		{desc: "negative wait", src: oneCase(okOrigin, "    steps:", "      - request: {url: /x}", "        wait: -1s"), kind: new(*RangeError), line: 9, col: 15, field: "cases[0].steps[0].wait", reason: "negative"},
		{desc: "wait too long", src: oneCase(okOrigin, "    steps:", "      - request: {url: /x}", "        wait: 3h"), kind: new(*RangeError), line: 9, col: 15, field: "cases[0].steps[0].wait", hint: "2h"},
		{desc: "step without url", src: oneCase(okOrigin, "    steps:", "      - request: {method: PUT}"), kind: new(*MissingError), line: 8, col: 9, field: "cases[0].steps[0].request.url"},
		{desc: "bad step verdict", src: oneCase(okOrigin, okReq, "    steps:", "      - expect: {verdict: alowed}"), kind: new(*EnumError), line: 9, col: 27, field: "cases[0].steps[0].expect.verdict", hint: "did you mean allowed?"},
		{desc: "bad step origin", src: oneCase(okOrigin, okReq, "    steps:", "      - origin: http://a.test/"), kind: new(*OriginError), line: 9, col: 17, field: "cases[0].steps[0].origin", reason: "slash"},
		{desc: "body on a GET step from the case's request", src: oneCase(okOrigin, "    request: {url: /x, body: hi}", "    steps:", "      - request: {method: POST}", "      - request: {method: GET}"), kind: new(*ConflictError), line: 7, col: 30, field: "cases[0].steps[1].request.body", reason: "GET"},
		{desc: "steps in defaults", src: "version: 1\nname: t\ndefaults: {steps: []}\ncases: [{name: a, origin: 'null', request: {url: 'http://a/'}}]\n", kind: new(*UnknownKeyError), line: 3, col: 12, field: "defaults.steps"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("suite.yaml", []byte(tt.src))
			require.Error(t, err)
			ps := fileerr.Problems(err)
			require.Len(t, ps, 1, "want exactly one problem, got:\n%v", err)
			p := ps[0]
			assert.True(t, errors.As(err, tt.kind), "error type: got %T", errors.Unwrap(err))
			assert.Equal(t, [2]int{tt.line, tt.col}, [2]int{p.Line, p.Col}, "line:col of %v", p)
			assert.Equal(t, tt.field, p.Field)
			assert.Contains(t, p.Message, tt.reason)
			assert.Contains(t, p.Hint, tt.hint)
		})
	}
}

func TestRepeat(t *testing.T) {
	t.Parallel()
	yes := true
	c := Case{Name: "poll", Origin: "https://app.example.test", Request: Request{Method: "PUT", URL: "http://127.0.0.1:1/x"},
		Expect: &Expect{Preflight: &yes}}
	assert.Equal(t, c, Repeat(c, 1, time.Second), "one call is the case as it is")

	r := Repeat(c, 3, 500*time.Millisecond)
	require.Len(t, r.Steps, 3)
	assert.Nil(t, r.Expect)
	assert.Equal(t, []string{"call 1", "call 2", "call 3"}, []string{r.Steps[0].Name, r.Steps[1].Name, r.Steps[2].Name})
	assert.Equal(t, []Duration{0, Duration(500 * time.Millisecond), Duration(500 * time.Millisecond)}, []Duration{r.Steps[0].Wait, r.Steps[1].Wait, r.Steps[2].Wait})
	assert.Equal(t, &yes, r.Steps[0].Expect.Preflight, "the first call keeps its expectations")
	assert.Nil(t, r.Steps[1].Expect, "later calls leave the preflight to the economy")

	two := Repeat(Case{Name: "s", Steps: []Step{{Name: "a"}, {Wait: Duration(time.Second)}}}, 2, time.Second)
	assert.Equal(t, []string{"a, call 1", "step 2, call 1", "a, call 2", "step 2, call 2"}, []string{two.Steps[0].Name, two.Steps[1].Name, two.Steps[2].Name, two.Steps[3].Name})
	assert.Equal(t, Duration(time.Second), two.Steps[2].Wait)
	assert.Equal(t, Duration(time.Second), two.Steps[3].Wait)
}
