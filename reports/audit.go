package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/audit"
	"github.com/corsproof/corsproof/result"
)

// AuditFormats are the formats an audit's findings are written in; the
// run formats junit, har and jsonl render its checks instead.
var AuditFormats = []string{"text", "json", "markdown", "html", "sarif"}

// IsAuditFormat reports whether name is one of AuditFormats (md for
// markdown too).
func IsAuditFormat(name string) bool {
	name = strings.ToLower(name)
	return name == "md" || slices.Contains(AuditFormats, name)
}

// SplitAuditTargets splits --report values into the findings' reports
// (the AuditFormats) and the run's (every check, in a run format),
// checking every path as ParseTargets does.
func SplitAuditTargets(specs []string) (findings, run []Target, err error) {
	var runSpecs []string
	for _, spec := range specs {
		name, path, ok := CutSpec(spec)
		if !ok || !IsAuditFormat(name) {
			runSpecs = append(runSpecs, spec)
			continue
		}
		if err := checkWritable(spec, path); err != nil {
			return nil, nil, err
		}
		findings = append(findings, Target{Format: strings.ToLower(name), Path: path})
	}
	run, err = ParseTargets(runSpecs)
	return findings, run, err
}

// WriteAudit writes an audit's findings in one of AuditFormats. Values
// from the network are escaped for the format, and credential headers
// redacted unless opts.ShowSecrets.
func WriteAudit(w io.Writer, format string, rep *audit.Report, opts Options) error {
	rep = redactAudit(rep, opts.ShowSecrets)
	switch strings.ToLower(format) {
	case "text":
		return auditText(w, rep)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "markdown", "md":
		return auditMarkdown(w, rep)
	case "html":
		return auditHTML(w, rep)
	case "sarif":
		return writeSARIF(w, rep)
	}
	return fmt.Errorf("%q is not an audit format; use %s", format, strings.Join(AuditFormats, ", "))
}

// redactAudit returns a copy of the report whose findings' headers are
// redacted; the read excerpts were redacted by the audit itself.
func redactAudit(rep *audit.Report, show bool) *audit.Report {
	out := *rep
	out.Findings = slices.Clone(rep.Findings)
	if show {
		return &out
	}
	for i := range out.Findings {
		f := &out.Findings[i]
		f.Request.Headers = maps.Clone(f.Request.Headers)
		redactHeaders(f.Request.Headers)
		f.Preflight, f.Actual = redactedExchange(f.Preflight), redactedExchange(f.Actual)
	}
	return &out
}

func redactedExchange(ex *result.Exchange) *result.Exchange {
	if ex == nil {
		return nil
	}
	c := cloneExchange(ex)
	redactHeaders(c.RequestHeaders)
	redactHeaders(c.ResponseHeaders)
	return c
}

// corsHeaderNames are the response headers a finding's text shows.
var corsHeaderNames = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Vary", "Cache-Control"}

// corsLines are the CORS headers of an exchange as "Name: value".
func corsLines(ex *result.Exchange) []string {
	if ex == nil {
		return nil
	}
	var out []string
	for _, want := range corsHeaderNames {
		for k, v := range ex.ResponseHeaders {
			if strings.EqualFold(k, want) {
				for _, line := range strings.Split(v, "\n") {
					out = append(out, k+": "+line)
				}
			}
		}
	}
	return out
}

// findingLines are the CORS headers of the exchange a finding is about:
// the preflight for the preflight's rule, else the actual response.
func findingLines(f audit.Finding) []string {
	if f.Rule == audit.RulePreflightVaryMissing {
		return corsLines(f.Preflight)
	}
	return corsLines(f.Actual)
}

// answerLines sum up a Vary finding's answers: one line per
// Access-Control-Allow-Origin value, with the origins that got it.
func answerLines(answers []audit.Answer) []string {
	var out []string
	for _, a := range answers {
		v := "no Access-Control-Allow-Origin"
		switch {
		case a.Reflected:
			v = "Access-Control-Allow-Origin: its own origin"
		case a.AllowOrigin != "":
			v = "Access-Control-Allow-Origin: " + a.AllowOrigin
		}
		vary := "none without Vary: Origin"
		switch {
		case len(a.WithoutVary) == len(a.Origins):
			vary = "no Vary: Origin"
		case len(a.WithoutVary) > 0:
			vary = "no Vary: Origin for " + strings.Join(a.WithoutVary, ", ")
		}
		out = append(out, fmt.Sprintf("%s to %s (%s)", v, strings.Join(a.Origins, ", "), vary))
	}
	return out
}

func auditText(w io.Writer, rep *audit.Report) error {
	t := SanitizeTerminal
	var b strings.Builder
	fmt.Fprintf(&b, "corsproof audit: %s, %d checks (%d requests at most) in %s\n\n", plural(len(rep.URLs), "URL"), rep.Checks, rep.Requests, t(rep.Browser))
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%-6s %s  %s\n", strings.ToUpper(string(f.Severity)), f.Rule, t(f.URL))
		fmt.Fprintf(&b, "       %s\n", t(f.Title))
		fmt.Fprintf(&b, "       why: %s\n", t(f.Why))
		fmt.Fprintf(&b, "       request: %s %s from %s, credentials %s\n", t(orGET(f.Request.Method)), t(f.Request.URL), t(f.Origin), t(string(f.Request.Credentials)))
		for _, l := range findingLines(f) {
			fmt.Fprintf(&b, "       response: %s\n", t(l))
		}
		for _, l := range answerLines(f.Answers) {
			fmt.Fprintf(&b, "       answered: %s\n", t(l))
		}
		if f.Read != nil {
			ex := f.Read.Excerpt
			if f.Read.Truncated {
				ex += "…"
			}
			fmt.Fprintf(&b, "       read: %d %s\n", f.Read.Status, t(ex))
		}
		if len(f.Origins) > 1 {
			fmt.Fprintf(&b, "       readable from: %s (%s)\n", t(strings.Join(f.Origins, ", ")), t(strings.Join(f.Kinds, ", ")))
		}
		for _, r := range refusals(f.Refused) {
			fmt.Fprintf(&b, "       refused: %s\n", t(r))
		}
		if f.PoC != "" {
			fmt.Fprintf(&b, "       PoC: %s\n", t(f.PoC))
		}
		for _, r := range audit.Rules {
			if r.ID == f.Rule {
				fmt.Fprintf(&b, "       fix: %s\n", r.Help)
			}
		}
		b.WriteString("\n")
	}
	var found []string
	counts := map[audit.Severity]int{}
	for _, f := range rep.Findings {
		counts[f.Severity]++
	}
	for _, s := range slices.Backward(audit.Severities) {
		if counts[s] > 0 {
			found = append(found, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(found) == 0 {
		b.WriteString("no finding: the browser let no attacker origin read any URL\n")
	} else {
		fmt.Fprintf(&b, "%s %s\n", plural(len(rep.Findings), "finding"), "("+strings.Join(found, ", ")+")")
	}
	if len(rep.Incomplete) > 0 {
		fmt.Fprintf(&b, "%s without a verdict (the audit cannot vouch for them):\n", plural(len(rep.Incomplete), "check"))
		for _, o := range rep.Incomplete {
			fmt.Fprintf(&b, "  %s %s from %s: %s\n", o.Check.Kind, t(o.Check.URL), t(o.Check.Origin.Origin), t(o.Why))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orGET(m string) string {
	if m == "" {
		return "GET"
	}
	return m
}

func auditMarkdown(w io.Writer, rep *audit.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# corsproof audit\n\n%d URL(s), %d checks in %s.\n\n", len(rep.URLs), rep.Checks, mdInline(rep.Browser))
	if len(rep.Findings) == 0 {
		b.WriteString("No finding: the browser let no attacker origin read any URL.\n")
	} else {
		b.WriteString("| Severity | Rule | URL | Readable from | PoC |\n|---|---|---|---|---|\n")
		for _, f := range rep.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.Severity, f.Rule, mdCell(f.URL), mdCell(strings.Join(f.Origins, ", ")), mdCell(f.PoC))
		}
		for _, f := range rep.Findings {
			fmt.Fprintf(&b, "\n## %s: %s\n\n%s — %s\n\n", strings.ToUpper(string(f.Severity)), mdInline(f.URL), mdInline(f.Title), mdInline(f.Why))
			fmt.Fprintf(&b, "- request: %s %s from %s, credentials %s\n", mdInline(orGET(f.Request.Method)), mdInline(f.Request.URL), mdInline(f.Origin), mdInline(string(f.Request.Credentials)))
			for _, l := range findingLines(f) {
				fmt.Fprintf(&b, "- response: %s\n", mdInline(l))
			}
			for _, l := range answerLines(f.Answers) {
				fmt.Fprintf(&b, "- answered: %s\n", mdInline(l))
			}
			if f.Read != nil {
				fmt.Fprintf(&b, "- read: %d %s\n", f.Read.Status, mdInline(f.Read.Excerpt))
			}
			for _, r := range refusals(f.Refused) {
				fmt.Fprintf(&b, "- refused: %s\n", mdInline(r))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// refusals sums up refused checks, one line per kind of check and reason:
// "credentialed checks from http://evil.test, null: refused by …".
func refusals(out []audit.Outcome) []string {
	type key struct {
		kind audit.CheckKind
		why  string
	}
	var order []key
	from := map[key][]string{}
	for _, o := range out {
		k := key{o.Check.Kind, o.Why}
		if _, ok := from[k]; !ok {
			order = append(order, k)
		}
		from[k] = append(from[k], o.Check.Origin.Origin)
	}
	var lines []string
	for _, k := range order {
		noun := "check"
		if len(from[k]) > 1 {
			noun = "checks"
		}
		lines = append(lines, fmt.Sprintf("%s %s from %s: %s", k.kind, noun, strings.Join(from[k], ", "), k.why))
	}
	return lines
}
