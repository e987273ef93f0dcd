package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// outcomeLabel is how text output names an outcome.
var outcomeLabel = map[Outcome]string{
	OutcomeSecurity:  "SECURITY",
	OutcomeViolation: "FAIL",
	OutcomeError:     "ERROR",
	OutcomeWarning:   "WARN",
	OutcomePass:      "ok",
}

// WriteText writes the report for people: the findings grouped by rule,
// worst rules first, then one line per rule and the overall verdict.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "corsproof verify: policy %s, target %s", r.Policy, r.Target)
	if r.Browser != "" {
		fmt.Fprintf(&b, ", %s", r.Browser)
	}
	fmt.Fprintf(&b, "\n%d cases\n", r.Cases)

	rules := slices.Clone(r.Rules)
	slices.SortStableFunc(rules, func(a, c RuleResult) int { return a.Outcome.rank() - c.Outcome.rank() })
	for _, rr := range rules {
		var fs []Finding
		for _, f := range r.Findings {
			if f.Rule == rr.Rule {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s\n", outcomeLabel[rr.Outcome], rr.Rule)
		for _, f := range fs {
			label := ""
			if f.Outcome != rr.Outcome {
				label = outcomeLabel[f.Outcome] + ": "
			}
			fmt.Fprintf(&b, "  - %s%s\n", label, f.Message)
			if f.Fix != "" {
				fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
			}
			fmt.Fprintf(&b, "    case: %s\n", f.Case)
		}
	}

	width := len("rule")
	for _, rr := range r.Rules {
		width = max(width, len(rr.Rule))
	}
	fmt.Fprintf(&b, "\n%-*s  %7s  %s\n", width, "rule", "held", "result")
	for _, rr := range r.Rules {
		fmt.Fprintf(&b, "%-*s  %7s  %s\n", width, rr.Rule, fmt.Sprintf("%d/%d", rr.Passed, rr.Cases), outcomeLabel[rr.Outcome])
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString("\n" + r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the verdict in one line.
func (r *Report) Summary() string {
	if r.Conforms {
		s := fmt.Sprintf("the API conforms to the policy: %d cases, every rule holds", r.Cases)
		if r.Warnings > 0 {
			s += fmt.Sprintf(" (%s)", plural(r.Warnings, "warning"))
		}
		return s
	}
	var parts []string
	if r.Security > 0 {
		parts = append(parts, plural(r.Security, "security finding"))
	}
	if r.Violations > 0 {
		parts = append(parts, plural(r.Violations, "violation"))
	}
	if r.Errors > 0 {
		parts = append(parts, plural(r.Errors, "case that could not be checked"))
	}
	return "the API departs from the policy: " + strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if rest, ok := strings.CutPrefix(what, "case "); ok {
		return fmt.Sprintf("%d cases %s", n, rest)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing verify report: %w", err)
	}
	return nil
}
