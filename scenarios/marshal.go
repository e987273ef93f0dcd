package scenarios

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Marshal writes s as a canonical version 1 suite file: the schema line
// first (SchemaComment, for editors), then a fixed key order,
// headers sorted by name, every request field spelled out (so the file says
// exactly what runs, without relying on defaults), and strings quoted only
// where YAML needs it. Parse(Marshal(s)) gives s back for a suite Parse
// returned. Defaults are not written: each case is complete on its own.
func (s *Suite) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(SchemaComment + "\n")
	b.WriteString("version: 1\n")
	if err := writeScalar(&b, "", "name", s.Name); err != nil {
		return nil, err
	}
	if s.Target != "" {
		if err := writeScalar(&b, "", "target", s.Target); err != nil {
			return nil, err
		}
	}
	if len(s.Paths) > 0 {
		b.WriteString("paths:\n")
		for _, p := range s.Paths {
			if p.Address != "" {
				b.WriteString("  " + p.Name + ":\n")
				if err := writeScalar(&b, "    ", "url", p.URL); err != nil {
					return nil, err
				}
				if err := writeScalar(&b, "    ", "address", p.Address); err != nil {
					return nil, err
				}
				continue
			}
			if err := writeScalar(&b, "  ", p.Name, p.URL); err != nil {
				return nil, err
			}
		}
	}
	b.WriteString("cases:\n")
	for i, c := range s.Cases {
		if err := writeCase(&b, c); err != nil {
			return nil, fmt.Errorf("writing cases[%d]: %w", i, err)
		}
	}
	return b.Bytes(), nil
}

// CaseYAML renders one case as a one-case suite named after the case, ready
// to paste into a report or save and rerun on its own. The URL is written as
// it is in c, absolute after Parse.
func CaseYAML(c Case) ([]byte, error) {
	s := Suite{Version: SuiteVersion, Name: c.Name, Cases: []Case{c}}
	return s.Marshal()
}

func writeCase(b *bytes.Buffer, c Case) error {
	const in = "    "
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	b.WriteString("  - ")
	add(writeScalar(b, "", "name", c.Name))
	if c.Why != "" {
		add(writeScalar(b, in, "why", c.Why))
	}
	add(writeScalar(b, in, "origin", c.Origin))
	if len(c.Steps) == 0 {
		add(writeRequest(b, in, c.Request))
	}
	add(writeMap(b, in, "cookies", c.Cookies))
	if len(c.Steps) == 0 {
		add(writeExpect(b, in, c.Expect))
	}
	if len(c.Steps) > 0 {
		b.WriteString(in + "steps:\n")
		const sin = in + "    "
		for _, st := range c.Steps {
			b.WriteString(in + "  - ")
			first := true
			// The first key shares the "- " line.
			indent := func() string {
				if first {
					first = false
					return ""
				}
				return sin
			}
			if st.Name != "" {
				add(writeScalar(b, indent(), "name", st.Name))
			}
			if st.Wait != 0 {
				add(writeScalar(b, indent(), "wait", time.Duration(st.Wait).String()))
			}
			if st.Origin != "" {
				add(writeScalar(b, indent(), "origin", st.Origin))
			}
			if st.Fresh {
				b.WriteString(indent() + "fresh: true\n")
			}
			if first {
				b.WriteString("request:\n")
				add(writeRequestFields(b, sin+"  ", st.Request))
			} else {
				add(writeRequest(b, sin, st.Request))
			}
			add(writeExpect(b, sin, st.Expect))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// writeRequest writes "request:" and its fields under it, at indent.
func writeRequest(b *bytes.Buffer, in string, r Request) error {
	b.WriteString(in + "request:\n")
	return writeRequestFields(b, in+"  ", r)
}

// writeRequestFields writes every field of r, each line at rin.
// writeMap writes a map of names to values (headers, cookies) under key,
// sorted by name so that the same case always marshals to the same text;
// nothing when the map is empty.
func writeMap(b *bytes.Buffer, in, key string, m map[string]string) error {
	if len(m) == 0 {
		return nil
	}
	b.WriteString(in + key + ":\n")
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		q, err := yamlString(n, false)
		if err != nil {
			return err
		}
		if err := writeScalar(b, in+"  ", q, m[n]); err != nil {
			return err
		}
	}
	return nil
}

func writeRequestFields(b *bytes.Buffer, rin string, r Request) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(writeScalar(b, rin, "api", string(r.API)))
	add(writeScalar(b, rin, "method", r.Method))
	add(writeScalar(b, rin, "url", r.URL))
	add(writeMap(b, rin, "headers", r.Headers))
	add(writeScalar(b, rin, "credentials", string(r.Credentials)))
	if r.Body != "" {
		add(writeScalar(b, rin, "body", r.Body))
	}
	if r.Mode != "" {
		add(writeScalar(b, rin, "mode", string(r.Mode)))
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// writeExpect writes "expect:" and what x checks, at indent; nothing when
// x checks nothing.
func writeExpect(b *bytes.Buffer, in string, x *Expect) error {
	if x == nil || x.empty() {
		return nil
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	rin := in + "  "
	b.WriteString(in + "expect:\n")
	if x.Verdict != "" {
		add(writeScalar(b, rin, "verdict", string(x.Verdict)))
	}
	if x.CorsError != "" {
		add(writeScalar(b, rin, "cors_error", string(x.CorsError)))
	}
	if x.Preflight != nil {
		fmt.Fprintf(b, "%spreflight: %t\n", rin, *x.Preflight)
	}
	if x.Status != nil {
		fmt.Fprintf(b, "%sstatus: %d\n", rin, *x.Status)
	}
	if len(x.ReadableHeaders) > 0 {
		items := make([]string, len(x.ReadableHeaders))
		for i, h := range x.ReadableHeaders {
			q, err := yamlString(h, true)
			add(err)
			items[i] = q
		}
		fmt.Fprintf(b, "%sreadable_headers: [%s]\n", rin, strings.Join(items, ", "))
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// empty reports whether e checks nothing.
func (e *Expect) empty() bool {
	return e.Verdict == "" && e.CorsError == "" && e.Preflight == nil && e.Status == nil && len(e.ReadableHeaders) == 0
}

// writeScalar writes "indent key: value\n"; key is written as given.
func writeScalar(b *bytes.Buffer, indent, key, value string) error {
	q, err := yamlString(value, false)
	if err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	fmt.Fprintf(b, "%s%s: %s\n", indent, key, q)
	return nil
}

// yamlString renders s as a YAML scalar: plain when it cannot be misread
// (as a number, a boolean, null, a comment or a mapping), double-quoted
// otherwise. In flow context (inside [ ]) commas force quoting too.
func yamlString(s string, flow bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8", s)
	}
	if plainSafe(s, flow) {
		return s, nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' || (r < utf8.RuneSelf && r > ' ' && r != 0x7f):
			b.WriteRune(r)
		case r >= utf8.RuneSelf && unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// plainSafe is deliberately conservative: a value it rejects is merely
// quoted, which is always correct.
func plainSafe(s string, flow bool) bool {
	if s == "" || strings.HasSuffix(s, " ") || strings.HasSuffix(s, ":") ||
		strings.Contains(s, ": ") || strings.Contains(s, "#") {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(" _./:;=&?%+@()!*$~^'-", c) >= 0:
		case c == ',' && !flow:
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf":
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	return true
}
