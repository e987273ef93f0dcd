package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Select keeps the cases whose name matches one of the patterns: a case
// name, or SUITE/NAME when names repeat across suites, with the glob
// characters of path.Match (* and ? within a name, [abc] classes). Matching
// ignores nothing else: names are compared as written. Suites keep their
// order and cases theirs; a suite left without cases is dropped. No
// patterns keeps every case.
//
// A pattern that matches no case is a *SelectError: a misspelt name must
// not become a run of nothing that passes.
func Select(suites []*Suite, patterns []string) ([]*Suite, error) {
	if len(patterns) == 0 {
		return suites, nil
	}
	globs := make([]*regexp.Regexp, len(patterns))
	for k, p := range patterns {
		if len(p) > maxPattern {
			return nil, &SelectError{Pattern: p[:40] + "…", Reason: fmt.Sprintf("is longer than %d bytes", maxPattern)}
		}
		re, err := glob(p)
		if err != nil || p == "" {
			return nil, &SelectError{Pattern: p, Reason: "is not a name or a glob pattern"}
		}
		globs[k] = re
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
			for k, re := range globs {
				// A name as written always selects its case, glob
				// characters and all ("GET /items [v2]").
				if p := patterns[k]; p == c.Name || p == s.Name+"/"+c.Name || re.MatchString(c.Name) || re.MatchString(s.Name+"/"+c.Name) {
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
		if !used[k] {
			se := &SelectError{Pattern: p, Reason: "matches no case"}
			if len(p) <= 256 {
				// Edit distance costs the product of the lengths; a
				// typo is in a name of human size.
				se.Closest = yamlpos.Closest(p, slices.DeleteFunc(slices.Clone(names), func(n string) bool { return len(n) > 256 }))
			}
			return nil, se
		}
	}
	return out, nil
}

// maxPattern bounds a --case pattern: matching costs its length times the
// name's.
const maxPattern = 1024

// glob compiles a --case pattern: * is any run of characters, ? one,
// [...] a class as in a regular expression; the rest stands for itself.
func glob(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			// One .* for a run of stars: a** costs what a* does.
			if !strings.HasSuffix(b.String(), `.*`) {
				b.WriteString(`.*`)
			}
		case '?':
			b.WriteString(`.`)
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
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return regexp.Compile(b.String())
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
