package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// ANSI colours for terminal text.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiPurple = "\x1b[35m"
)

// Column widths beyond which names and reasons are shortened, so one long
// value does not push the table off a laptop-width terminal.
const (
	maxNameWidth   = 48
	maxReasonWidth = 56
)

// Text writes a run as a compact table with a totals line, for terminals.
type Text struct {
	opts Options
}

// NewText returns the terminal text reporter.
func NewText(opts Options) *Text { return &Text{opts: opts} }

// painter colours text when colour is on.
type painter bool

// paint wraps s in the colour code when colour is on.
func (p painter) paint(code, s string) string {
	if !p || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

// verdictColor is the colour of a verdict in the table.
func verdictColor(v cors.Verdict) string {
	switch v {
	case cors.VerdictAllowed:
		return ansiGreen
	case cors.VerdictBlocked:
		return ansiRed
	case cors.VerdictNetworkError:
		return ansiYellow
	}
	return ansiPurple
}

// expectMark is ✓ or ✗ for a record's expectations.
func expectMark(rec *result.Record) string {
	if expectFailed(rec) {
		return "✗"
	}
	return "✓"
}

// Report writes one row per case (only failed ones when Quiet) and the
// totals.
func (t *Text) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, t.opts)
	if err != nil {
		return err
	}
	p := painter(t.opts.Color)
	bw := bufio.NewWriter(w)

	type row struct {
		verdict, name, reason, mark string
		mismatches                  []string
	}
	var rows []row
	verdictW, nameW, reasonW := len("VERDICT"), len("CASE"), len("REASON")
	for i := range r.Records {
		rec := &r.Records[i]
		if t.opts.Quiet && !expectFailed(rec) {
			continue
		}
		rw := row{
			verdict: SanitizeTerminal(string(rec.Verdict)),
			name:    caseName(rec),
			reason:  truncate(SanitizeTerminal(reason(rec)), maxReasonWidth),
			mark:    expectMark(rec),
		}
		for _, m := range rec.Mismatches {
			rw.mismatches = append(rw.mismatches, SanitizeTerminal(m))
		}
		if rw.reason == "" {
			rw.reason = "-"
		}
		verdictW = max(verdictW, width(rw.verdict))
		nameW = max(nameW, width(rw.name))
		reasonW = max(reasonW, width(rw.reason))
		rows = append(rows, rw)
	}
	if len(rows) > 0 {
		head := pad("VERDICT", verdictW) + "  " + pad("CASE", nameW) + "  " + pad("REASON", reasonW) + "  EXPECT"
		fmt.Fprintln(bw, p.paint(ansiBold, head))
		for _, rw := range rows {
			markColor := ansiGreen
			if rw.mark == "✗" {
				markColor = ansiRed
			}
			fmt.Fprintln(bw, p.paint(verdictColor(cors.Verdict(rw.verdict)), pad(rw.verdict, verdictW))+"  "+
				pad(rw.name, nameW)+"  "+pad(rw.reason, reasonW)+"  "+p.paint(markColor, rw.mark))
			// The failed expectations say why the row is red; without
			// them a CI log would send the reader to another report.
			for _, m := range rw.mismatches {
				fmt.Fprintln(bw, strings.Repeat(" ", verdictW+2)+p.paint(ansiRed, "✗ "+m))
			}
		}
	}
	if g := pathsOf(r); g != nil {
		textPaths(bw, p, g, t.opts.Quiet)
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw, totalsLine(r.Totals))
	if line := fixLine(r); line != "" {
		fmt.Fprintln(bw, line)
	}
	if line := economyTotals(r); line != "" {
		fmt.Fprintln(bw, line)
		for i := range r.Records {
			rec := &r.Records[i]
			// Quiet keeps the totals line: its storm count says to look.
			if rec.Economy == nil || t.opts.Quiet {
				continue
			}
			fmt.Fprintln(bw, "  "+p.paint(ansiBold, SanitizeTerminal(rec.Name)))
			if !rec.ExpectMet || (rec.Diagnosis != nil && !rec.Diagnosis.AgreesWithBrowser) {
				// The steps of a case that failed are what the reader
				// needs next; a passing one keeps to its economy.
				for _, l := range stepLines(rec) {
					fmt.Fprintln(bw, "    "+SanitizeTerminal(l))
				}
			}
			for _, l := range economyLines(rec) {
				fmt.Fprintln(bw, "    "+paintEconomy(p, SanitizeTerminal(l)))
			}
		}
	}
	if len(r.Contacted) > 0 && !t.opts.Quiet {
		// The run's whole network footprint: what the browser's own
		// events show it sent a request to.
		fmt.Fprintln(bw, "browser contacted: "+SanitizeTerminal(strings.Join(r.Contacted, ", ")))
	}
	if line := disagreeLine(r.Totals); line != "" {
		fmt.Fprintln(bw, p.paint(ansiYellow, line))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing text report: %w", err)
	}
	return nil
}

// TextRecord writes one record in detail, for probe: the verdict, the
// browser's reason, the diagnosis and fix, the preflight and actual
// exchanges with their raw headers, and what JavaScript could read.
func TextRecord(w io.Writer, rec *result.Record, opts Options) error {
	r, err := prepareRecord(rec, opts)
	if err != nil {
		return err
	}
	p := painter(opts.Color)
	s := SanitizeTerminal
	bw := bufio.NewWriter(w)

	verdict := p.paint(ansiBold+verdictColor(r.Verdict), strings.ToUpper(s(string(r.Verdict))))
	fmt.Fprintf(bw, "%s  %s\n", verdict, s(requestSummary(r)))
	if d := requestDetails(r); d != "" {
		fmt.Fprintf(bw, "%s\n", p.paint(ansiDim, s(d)))
	}
	if rs := reason(r); rs != "" {
		fmt.Fprintf(bw, "reason:     %s\n", s(rs))
	}
	d := diagnosisOf(r)
	if d.Summary != "" {
		fmt.Fprintf(bw, "diagnosis:  %s\n", s(d.Summary))
	}
	if d.Fix != "" {
		fmt.Fprintf(bw, "fix:        %s\n", p.paint(ansiBold, s(d.Fix)))
	}
	if c := d.FixCheck; c != nil {
		colour := ansiYellow
		if c.Verified {
			colour = ansiGreen
		}
		fmt.Fprintf(bw, "fix check:  %s\n", p.paint(colour, s(c.Summary)))
	}
	for _, warn := range d.Warnings {
		fmt.Fprintf(bw, "warning:    %s\n", p.paint(ansiYellow, s(warn)))
	}
	if r.Path != "" {
		fmt.Fprintf(bw, "path:       %s\n", s(r.Path))
	}
	if label, lines := checkLines(r); label != "" {
		for _, l := range lines {
			fmt.Fprintf(bw, "%-12s%s\n", strings.ToLower(label)+":", s(l))
		}
	}
	if r.Diagnosis != nil && d.ModelDisagrees() {
		fmt.Fprintf(bw, "%s\n", p.paint(ansiYellow, s(fmt.Sprintf("model:      predicted %s, the browser disagrees",
			strings.TrimSpace(string(d.ModelVerdict)+" "+string(d.ModelCorsError))))))
	}
	if r.Expect != nil || len(r.Mismatches) > 0 {
		if expectFailed(r) {
			fmt.Fprintf(bw, "expect:     %s\n", p.paint(ansiRed, "✗ failed"))
			for _, m := range r.Mismatches {
				fmt.Fprintf(bw, "            - %s\n", s(m))
			}
		} else {
			fmt.Fprintf(bw, "expect:     %s\n", p.paint(ansiGreen, "✓ met"))
		}
	}
	if len(r.Steps) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, p.paint(ansiBold, "Steps"))
		for _, l := range stepLines(r) {
			fmt.Fprintln(bw, "  "+s(l))
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, p.paint(ansiBold, "Preflight economy"))
		for _, l := range economyLines(r) {
			fmt.Fprintln(bw, "  "+paintEconomy(p, s(l)))
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, p.paint(ansiDim, "The exchanges below are the last step's."))
	}
	if note := headersNote(r); note != "" {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, p.paint(ansiDim, note))
	}
	for _, sec := range timeline(r) {
		fmt.Fprintln(bw)
		if sec.Exchange == nil {
			fmt.Fprintf(bw, "%s  %s\n", p.paint(ansiBold, sec.Title), p.paint(ansiDim, sec.Missing))
			continue
		}
		ex := sec.Exchange
		fmt.Fprintf(bw, "%s\n", p.paint(ansiBold, sec.Title))
		fmt.Fprintf(bw, "  > %s %s\n", s(ex.Method), s(ex.URL))
		for _, h := range headerLines(ex.RequestHeaders) {
			fmt.Fprintf(bw, "  > %s: %s\n", s(h.Name), s(h.Value))
		}
		fmt.Fprintf(bw, "  < %s\n", s(statusLine(ex)))
		for _, h := range headerLines(ex.ResponseHeaders) {
			fmt.Fprintf(bw, "  < %s: %s\n", s(h.Name), s(h.Value))
		}
		for _, c := range ex.CookiesBlocked {
			fmt.Fprintf(bw, "  cookie %s blocked: %s\n", s(c.Name), s(strings.Join(c.Reasons, ", ")))
		}
	}
	fmt.Fprintln(bw)
	readable := readableLines(r)
	if len(readable) == 0 {
		fmt.Fprintln(bw, "JavaScript could read: nothing")
	} else {
		fmt.Fprintln(bw, "JavaScript could read:")
		for _, h := range readable {
			fmt.Fprintf(bw, "  %s: %s\n", s(h.Name), s(h.Value))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing text record: %w", err)
	}
	return nil
}

// width is the number of terminal columns s takes, counting each rune as
// one: good enough for the sanitised, mostly ASCII values in the table.
func width(s string) int { return utf8.RuneCountInString(s) }

// pad right-pads s with spaces to n columns.
func pad(s string, n int) string {
	if w := width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// truncate shortens s to n columns, ending it with "…".
func truncate(s string, n int) string {
	if width(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

// OneLine is a record in one line, what the browser did and why, sanitized
// for a terminal: `probe -q`.
func OneLine(rec *result.Record) string {
	line := strings.ToUpper(string(rec.Verdict)) + "  " + rec.Request.Method + " " + rec.Request.URL + " from " + rec.Origin
	if rec.EngineReason != "" || rec.ReasonText != "" {
		line += ": " + engineReason(rec)
	} else if rec.CorsError != "" {
		line += ": " + string(rec.CorsError)
		if rec.FailedParameter != "" {
			line += " (" + rec.FailedParameter + ")"
		}
	}
	return SanitizeTerminal(line)
}

// paintEconomy colours a storm red and a fix bold.
func paintEconomy(p painter, line string) string {
	switch {
	case strings.HasPrefix(line, "PREFLIGHT STORM"):
		return p.paint(ansiRed, line)
	case strings.HasPrefix(line, "fix: "):
		return p.paint(ansiBold, line)
	}
	return line
}
