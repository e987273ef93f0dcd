package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Step is one request of a case with steps. What a step leaves unset it
// takes from its case (origin, request fields, expectations), as a case
// takes what it leaves unset from the suite's defaults: headers merge by
// name, the step's own winning.
type Step struct {
	// Name labels the step in reports; empty means "step N".
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Wait is real time to let pass before the step's request, after the
	// previous step ended: long enough for a preflight cache entry to
	// expire, say.
	Wait Duration `json:"wait,omitempty" yaml:"wait,omitempty"`
	// Origin is the page's origin for this step when it is not the case's;
	// the step's page is loaded in the same tab and browser context.
	Origin string `json:"origin,omitempty" yaml:"origin,omitempty"`
	// Fresh starts the step with an empty preflight cache, HTTP cache and
	// cookie jar, as another user's browser would: only a cache outside
	// the browser (a CDN, a reverse proxy) can then carry anything from
	// the earlier steps to this one. The cache-poisoning check is built on
	// it.
	Fresh   bool    `json:"fresh,omitempty" yaml:"fresh,omitempty"`
	Request Request `json:"request" yaml:"request"`
	// Expect is checked against this step alone. Its preflight means "this
	// step sent a preflight on the wire", which a cached preflight result
	// from an earlier step can spare it.
	Expect *Expect `json:"expect,omitempty" yaml:"expect,omitempty"`
	// Line locates the step in its suite file.
	Line int `json:"-" yaml:"-"`
}

// Label is the step's name, or "step N" (1-based) when it has none.
func (s Step) Label(i int) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("step %d", i+1)
}

// Duration is a step's wait; it reads and writes as Go writes durations
// ("1.5s", "500ms").
type Duration time.Duration

// MarshalText writes the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a duration such as 1.5s.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("reading a wait: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Limits of a sequence. A preflight cache entry lives at most 2 hours in
// Chromium, so no wait needs to be longer than that to see one expire.
const (
	MaxSteps = 1000
	MaxWait  = 2*time.Hour + time.Minute
)

// StepCase is step i of c as a case of its own: its origin and request,
// and c's name and file. The harness runs it; cookies belong to the whole
// case and are set once, before the first step.
func (c Case) StepCase(i int) Case {
	s := c.Steps[i]
	out := Case{Name: c.Name + " › " + s.Label(i), Origin: c.Origin, Request: s.Request, Expect: s.Expect, File: c.File, Line: s.Line}
	if s.Origin != "" {
		out.Origin = s.Origin
	}
	return out
}

// Origins are the page origins the case loads: its own and its steps'.
func (c Case) Origins() []string {
	out := []string{c.Origin}
	for _, s := range c.Steps {
		if s.Origin != "" && s.Origin != c.Origin {
			out = append(out, s.Origin)
		}
	}
	return out
}

// Repeat makes c a sequence of n calls: its request (or its steps, in
// order) made n times from the same page, every apart — the pause before
// each repetition after the first, on top of any wait a step has of its
// own. A realistic client calls the same API again and again; that is when
// the preflight cache matters. Later calls keep the case's expectations
// but for preflight: whether a repeated call preflights is what the
// preflight economy of the record measures, not an expectation. n below 2
// returns c unchanged.
func Repeat(c Case, n int, every time.Duration) Case {
	if n < 2 {
		return c
	}
	steps := c.Steps
	if len(steps) == 0 {
		steps = []Step{{Request: c.Request, Expect: c.Expect, Line: c.Line}}
	}
	out := c
	out.Expect = nil
	out.Steps = make([]Step, 0, n*len(steps))
	for call := 1; call <= n; call++ {
		for j, s := range steps {
			if len(steps) == 1 {
				s.Name = fmt.Sprintf("call %d", call)
			} else {
				s.Name = fmt.Sprintf("%s, call %d", s.Label(j), call)
			}
			if call > 1 {
				if j == 0 {
					s.Wait += Duration(every)
				}
				if s.Expect != nil && s.Expect.Preflight != nil {
					x := *s.Expect
					x.Preflight = nil
					s.Expect = &x
					if x.empty() {
						s.Expect = nil
					}
				}
			}
			out.Steps = append(out.Steps, s)
		}
	}
	return out
}

// rawStep is a step as written.
type rawStep struct {
	at     yamlpos.Pos
	field  string
	name   sval
	wait   time.Duration
	origin sval
	fresh  bool
	req    rawRequest
	exp    rawExpect
}

// steps reads a case's steps: list.
func (w *walker) steps(e entry, field string) []rawStep {
	items, ok := w.seq(e, field)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		w.Add(&MissingError{w.Problem(e.at, field, "", "has no steps", "add at least one \"- request: {…}\" item, or remove steps: and give the case a request:")})
		return nil
	}
	if len(items) > MaxSteps {
		w.Add(&RangeError{w.Problem(e.at, field, strconv.Itoa(len(items)), fmt.Sprintf("has more than %d steps", MaxSteps), "split the sequence into several cases")})
		return nil
	}
	var out []rawStep
	for i, item := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		at := yamlpos.Start(item, e.at)
		m, ok := w.mapping(item, f, at, stepKeys)
		if !ok {
			continue
		}
		st := rawStep{at: at, field: f}
		if e, ok := m["name"]; ok {
			st.name = w.str(e, f+".name")
		}
		if e, ok := m["wait"]; ok {
			st.wait = w.wait(e, f+".wait")
		}
		if e, ok := m["origin"]; ok {
			st.origin = w.origin(e, f+".origin")
		}
		if e, ok := m["fresh"]; ok {
			st.fresh, _ = w.boolean(e, f+".fresh")
		}
		if e, ok := m["request"]; ok {
			w.request(e, f+".request", &st.req)
		}
		if e, ok := m["expect"]; ok {
			w.expect(e, f+".expect", &st.exp)
		}
		out = append(out, st)
	}
	return out
}

// wait reads a step's wait: a duration such as 1.5s, from 0 to MaxWait.
func (w *walker) wait(e entry, field string) time.Duration {
	v := w.str(e, field)
	if !v.ok() {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(v.v))
	switch {
	case err != nil:
		hint := "write a duration such as 1.5s or 500ms"
		if _, nerr := strconv.ParseFloat(v.v, 64); nerr == nil {
			hint = "add a unit: " + v.v + "s"
		}
		w.Add(&TypeError{w.Problem(v.at, field, v.v, "is not a duration", hint)})
	case d < 0:
		w.Add(&RangeError{w.Problem(v.at, field, v.v, "is negative", "wait 0s or more")})
	case d > MaxWait:
		w.Add(&RangeError{w.Problem(v.at, field, v.v, "is longer than 2h1m", "Chromium keeps a preflight result at most 2h, so a longer wait shows nothing more")})
	default:
		return d
	}
	return 0
}

// finishCase builds a case, with its steps when it has them: each step is
// checked as a case of its own, after taking what it leaves unset from its
// case (which already holds the defaults).
func (w *walker) finishCase(rc rawCase, target string) (Case, bool) {
	if !rc.stepsSet {
		return w.finish(rc, target)
	}
	before := w.Count()
	c := Case{Name: rc.name.v, Why: rc.why.v, Origin: rc.origin.v, File: w.File, Line: rc.at.Line}
	for _, ck := range rc.cookies {
		if c.Cookies == nil {
			c.Cookies = map[string]string{}
		}
		c.Cookies[ck.name] = ck.value
	}
	for _, st := range rc.steps {
		src := rawCase{at: st.at, field: st.field, name: rc.name, origin: st.origin, req: st.req, exp: st.exp}
		src.merge(rawCase{origin: rc.origin, req: rc.req, exp: rc.exp})
		sc, ok := w.finish(src, target)
		if !ok {
			continue
		}
		if c.Origin == "" {
			// The case names no origin of its own: its first step's is
			// the page it opens with.
			c.Origin = sc.Origin
		}
		s := Step{Name: st.name.v, Wait: Duration(st.wait), Fresh: st.fresh, Request: sc.Request, Expect: sc.Expect, Line: st.at.Line}
		if sc.Origin != c.Origin {
			s.Origin = sc.Origin
		}
		c.Steps = append(c.Steps, s)
	}
	if w.Count() != before || len(c.Steps) == 0 {
		return c, false
	}
	c.Request = c.Steps[0].Request
	return c, true
}

// validateSteps checks every step of a case built in code by Validate's
// rules, each step as a case of its own with the case's cookies, and fills
// in each step's defaults.
func (c *Case) validateSteps() error {
	var errs []error
	if len(c.Steps) > MaxSteps {
		errs = append(errs, fmt.Errorf("case %q has %d steps, more than %d", c.Name, len(c.Steps), MaxSteps))
	}
	for i := range c.Steps {
		sc := c.StepCase(i)
		sc.Name, sc.Cookies = c.Name, c.Cookies
		if err := sc.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Steps[i].Label(i), err))
			continue
		}
		c.Steps[i].Request, c.Steps[i].Expect = sc.Request, sc.Expect
		if w := time.Duration(c.Steps[i].Wait); w < 0 || w > MaxWait {
			errs = append(errs, fmt.Errorf("%s: wait %s is outside 0 to 2h1m", c.Steps[i].Label(i), w))
		}
	}
	if len(errs) == 0 {
		c.Request, c.Expect = c.Steps[0].Request, nil
	}
	return errors.Join(errs...)
}
