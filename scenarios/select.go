package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Select keeps the cases a --case pattern names: a case name, or
// SUITE/NAME when names repeat across suites, with the glob characters *
// (any run of characters, slashes included: generated names hold URLs), ?
// (one character) and [abc] or [!abc] classes. A name as written always
// selects its case, glob characters and all; LiteralPattern writes a name
// that selects nothing else. Suites keep their order and cases theirs; a
// suite left without cases is dropped. No patterns keeps every case.
//
// A pattern that matches no case is a *SelectError: a misspelt name must
// not become a run of nothing that passes.
func Select(suites []*Suite, patterns []string) ([]*Suite, error) {
	if len(patterns) == 0 {
		return suites, nil
	}
	ms := make([]*matcher, len(patterns))
	for k, p := range patterns {
		if len(p) > maxPattern {
			return nil, &SelectError{Pattern: clipRunes(p, 40), Reason: fmt.Sprintf("is longer than %d bytes", maxPattern)}
		}
		if p == "" {
			return nil, &SelectError{Pattern: p, Reason: "is not a name or a glob pattern"}
		}
		ms[k] = newMatcher(p)
	}
	used := make([]bool, len(patterns))
	var out []*Suite
	var names []string
	for _, s := range suites {
		if s == nil {
			continue
		}
		part := *s
		part.Cases = nil
		for _, c := range s.Cases {
			names = append(names, c.Name)
			for k, m := range ms {
				if m.match(s.Name, c.Name) {
					used[k] = true
					part.Cases = append(part.Cases, c)
					break
				}
			}
		}
		if len(part.Cases) > 0 {
			out = append(out, &part)
		}
	}
	for k, p := range patterns {
		if used[k] {
			continue
		}
		if ms[k].name == nil {
			return nil, &SelectError{Pattern: p, Reason: "is not a name or a glob pattern"}
		}
		se := &SelectError{Pattern: p, Reason: "matches no case"}
		if len(p) <= 256 {
			// Edit distance costs the product of the lengths; a typo is
			// in a name of human size.
			se.Closest = yamlpos.Closest(p, slices.DeleteFunc(slices.Clone(names), func(n string) bool { return len(n) > 256 }))
		}
		return nil, se
	}
	return out, nil
}

// matcher is one compiled --case pattern.
type matcher struct {
	pattern string
	// name matches a case name; nil when the pattern is no glob (an
	// unclosed [), which then selects only the case of that name.
	name *regexp.Regexp
	// split are the SUITE/NAME readings of the pattern, one per slash in
	// it: a * never reaches across the slash between suite and case.
	split []struct{ suite, name *regexp.Regexp }
}

func newMatcher(p string) *matcher {
	m := &matcher{pattern: p}
	m.name, _ = glob(p)
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		s, err1 := glob(p[:i])
		n, err2 := glob(p[i+1:])
		if err1 == nil && err2 == nil {
			m.split = append(m.split, struct{ suite, name *regexp.Regexp }{s, n})
		}
	}
	return m
}

func (m *matcher) match(suite, name string) bool {
	if m.pattern == name || m.pattern == suite+"/"+name {
		return true
	}
	if m.name != nil && m.name.MatchString(name) {
		return true
	}
	for _, sp := range m.split {
		if sp.suite.MatchString(suite) && sp.name.MatchString(name) {
			return true
		}
	}
	return false
}

// LiteralPattern is a --case pattern that selects the case named name
// and no other: its glob characters written as one-character classes.
func LiteralPattern(name string) string {
	return strings.NewReplacer("*", "[*]", "?", "[?]", "[", "[[]").Replace(name)
}

// maxPattern bounds a --case pattern: matching costs its length times the
// name's.
const maxPattern = 1024

// glob compiles a --case pattern: * is any run of characters, ? one,
// [...] a class ([!...] its complement); the rest stands for itself.
func glob(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for i := 0; i < len(pattern); {
		switch c := pattern[i]; c {
		case '*':
			// One .* for a run of stars: a** costs what a* does.
			if !strings.HasSuffix(b.String(), `.*`) {
				b.WriteString(`.*`)
			}
			i++
		case '?':
			b.WriteString(`.`)
			i++
		case '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ in %q", pattern)
			}
			class := pattern[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 2
		default:
			// A whole character: string(byte) would turn each byte of
			// é into a character of its own.
			_, n := utf8.DecodeRuneInString(pattern[i:])
			b.WriteString(regexp.QuoteMeta(pattern[i : i+n]))
			i += n
		}
	}
	b.WriteString(`)$`)
	return regexp.Compile(b.String())
}

// clipRunes shortens s to at most n characters, never inside one.
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// SelectError is a --case pattern that cannot select a case.
type SelectError struct {
	Pattern, Reason string
	// Closest is the case name nearest to a misspelt one, or "".
	Closest string
}

func (e *SelectError) Error() string {
	return fmt.Sprintf("--case %q: %s", e.Pattern, e.Reason)
}

// Hint says how to name a case.
func (e *SelectError) Hint() string {
	if e.Closest != "" {
		return fmt.Sprintf("did you mean %q? Name a case as written in the suite, SUITE/NAME, or a glob such as 'login*'", e.Closest)
	}
	return "name a case as written in the suite, SUITE/NAME, or a glob such as 'login*' (quote it for the shell)"
}
