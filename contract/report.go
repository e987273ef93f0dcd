package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/result"
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

	// Findings grouped by rule, the worst groups first.
	type group struct {
		rule  string
		worst Outcome
		fs    []Finding
	}
	var groups []*group
	for _, f := range r.Findings {
		i := slices.IndexFunc(groups, func(g *group) bool { return g.rule == f.Rule })
		if i < 0 {
			groups = append(groups, &group{rule: f.Rule, worst: f.Outcome})
			i = len(groups) - 1
		}
		g := groups[i]
		g.fs = append(g.fs, f)
		if f.Outcome.rank() < g.worst.rank() {
			g.worst = f.Outcome
		}
	}
	slices.SortStableFunc(groups, func(a, c *group) int {
		if d := a.worst.rank() - c.worst.rank(); d != 0 {
			return d
		}
		return ruleRank(a.rule) - ruleRank(c.rule)
	})
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s %s\n", outcomeLabel[g.worst], g.rule)
		for _, f := range g.fs {
			label := ""
			if f.Outcome != g.worst {
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
		// Errors merge the cases that failed for one reason (the API is
		// down, say): count them as findings, not cases.
		parts = append(parts, plural(r.Errors, "finding")+" that could not be checked")
	}
	if r.Security == 0 && r.Violations == 0 {
		return "could not check the API against the policy: " + strings.Join(parts, ", ")
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

// Annotate marks in run's records what the report found, so the --report
// files written from them (JUnit, HTML, Markdown) fail the cases verify
// fails and say why: each security, violation and error finding fails the
// record of its case, and its first mismatch names the outcome, the rule,
// what the API did and the fix. A departure the verdict alone does not show
// (an echoed origin without Vary: Origin, another Max-Age) would otherwise
// leave every test green in CI while verify exits 1. Warnings change
// nothing; annotating twice adds nothing.
func (r *Report) Annotate(run *result.Run) {
	byName := make(map[string]*result.Record, len(run.Records))
	for i := range run.Records {
		byName[run.Records[i].Name] = &run.Records[i]
	}
	added := map[*result.Record][]string{}
	var order []*result.Record
	for _, f := range r.Findings {
		if f.Outcome != OutcomeSecurity && f.Outcome != OutcomeViolation && f.Outcome != OutcomeError {
			continue
		}
		rec := byName[f.Case]
		if rec == nil {
			continue
		}
		m := string(f.Outcome) + " " + f.Rule + ": " + f.Message
		if f.Fix != "" {
			m += "; fix: " + f.Fix
		}
		if slices.Contains(rec.Mismatches, m) || slices.Contains(added[rec], m) {
			continue
		}
		if _, ok := added[rec]; !ok {
			order = append(order, rec)
		}
		added[rec] = append(added[rec], m)
	}
	// The findings come first, in report order: JUnit's message is the
	// first mismatch.
	for _, rec := range order {
		rec.ExpectMet = false
		rec.Mismatches = append(added[rec], rec.Mismatches...)
	}
}
