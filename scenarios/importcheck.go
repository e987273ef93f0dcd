package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// checkWritten checks an imported suite exactly as `corsproof run` will:
// it writes the suite as YAML and loads it back with the strict loader, so
// that import never hands the user a file run refuses. A problem is
// reported against the input (file) and the request it came from, not
// against YAML the user never saw.
func checkWritten(s *Suite, file, kind string) error {
	if file == "" {
		file = kind
	}
	var errs []error
	for i, c := range s.Cases {
		if c.Origin == "" {
			errs = append(errs, &OriginError{fileerr.Problem{File: file, Field: requestField(i, c), Message: "has no page origin: the request carries no Origin or Referer header",
				Hint: "pass the page's origin with --origin, for example --origin https://app.example.com"}})
		}
	}
	if len(errs) > 0 {
		return fileerr.Join(errs...)
	}
	data, err := s.Marshal()
	if err != nil {
		return fmt.Errorf("importing %s: writing the suite: %w", kind, err)
	}
	// The limits of a suite file are run's flags (--max-cases,
	// --max-file-size), which the import's caller names when the suite
	// needs them (RunLimitFlags): the check here is of the cases. Held to
	// run's defaults, a HAR of 100,000 entries, which import allows, was
	// refused after the whole import as "larger than 32 MiB".
	lim := DefaultLimits
	lim.Cases = max(lim.Cases, len(s.Cases))
	lim.FileBytes = max(lim.FileBytes, int64(len(data)))
	back, err := ParseWith(file, data, lim)
	if err == nil {
		if len(back.Cases) != len(s.Cases) {
			return fmt.Errorf("importing %s: the suite written has %d cases, not %d", kind, len(back.Cases), len(s.Cases))
		}
		return nil
	}
	for _, p := range fileerr.Problems(err) {
		q := *p
		q.File, q.Line, q.Col = file, 0, 0
		if i := caseIndex(p.Field); i >= 0 && i < len(s.Cases) {
			q.Field = requestField(i, s.Cases[i]) + fieldRest(p.Field)
		}
		if q.Hint == "" {
			q.Hint = "fix the request in the copied command; corsproof run would refuse this case"
		}
		errs = append(errs, &ImportedCaseError{q})
	}
	if len(errs) == 0 {
		return fmt.Errorf("importing %s: %w", kind, err)
	}
	return fileerr.Join(errs...)
}

// ImportedCaseError is a request in a copied command or a HAR that would
// become a case `corsproof run` refuses.
type ImportedCaseError struct{ fileerr.Problem }

// requestField names an imported request for a message: its number in the
// input, counted from 1 as a person counts commands, and its method and
// URL.
func requestField(i int, c Case) string {
	return fmt.Sprintf("request %d (%s %s)", i+1, c.Request.Method, c.Request.URL)
}

// caseIndex reads N from a field path "cases[N]…", or returns -1.
func caseIndex(field string) int {
	var i int
	if _, err := fmt.Sscanf(field, "cases[%d]", &i); err != nil {
		return -1
	}
	return i
}

// fieldRest is what follows "cases[N]" in a field path, as ".request.method".
func fieldRest(field string) string {
	for j := 0; j < len(field); j++ {
		if field[j] == ']' {
			rest := field[j+1:]
			if rest != "" && rest[0] == '.' {
				return ": " + rest[1:]
			}
			return rest
		}
	}
	return ""
}

// RunLimitFlags are the flags `corsproof run` needs to read data, a suite
// file of cases cases, beyond its default limits ("--max-cases 100000
// --max-file-size 40"), or "" when the defaults hold it.
func RunLimitFlags(cases int, data []byte) string {
	var flags []string
	if cases > DefaultLimits.Cases {
		flags = append(flags, "--max-cases "+strconv.Itoa(cases))
	}
	if n := int64(len(data)); n > DefaultLimits.FileBytes {
		flags = append(flags, "--max-file-size "+strconv.FormatInt((n+1<<20-1)>>20, 10))
	}
	return strings.Join(flags, " ")
}
