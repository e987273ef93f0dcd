package reports

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Markdown writes a run as Markdown for issue trackers: a summary, a table
// of cases and each case in detail as MarkdownCase renders it.
type Markdown struct {
	opts Options
}

// NewMarkdown returns the Markdown reporter.
func NewMarkdown(opts Options) *Markdown { return &Markdown{opts: opts} }

// Report writes the whole run.
func (m *Markdown) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, m.opts)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s report\n\n", mdInline(m.opts.program()))
	if r.Browser != "" {
		fmt.Fprintf(bw, "- **Browser:** %s\n", mdInline(r.Browser))
	}
	if !r.Started.IsZero() {
		fmt.Fprintf(bw, "- **Started:** %s\n", r.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	fmt.Fprintf(bw, "- **Duration:** %s s\n", seconds(r.DurationMS))
	if len(r.Suites) > 0 {
		fmt.Fprintf(bw, "- **Suites:** %s\n", mdInline(strings.Join(r.Suites, ", ")))
	}
	if r.ThirdPartyCookies != "" {
		fmt.Fprintf(bw, "- **Third-party cookies:** %s\n", mdInline(r.ThirdPartyCookies))
	}
	if r.LNA != "" {
		fmt.Fprintf(bw, "- **Local Network Access:** %s\n", mdInline(r.LNA))
	}
	fmt.Fprintf(bw, "- **Totals:** %s\n", mdInline(totalsLine(r.Totals)))
	if line := fixLine(r); line != "" {
		fmt.Fprintf(bw, "- **Fixes:** %s\n", mdInline(line))
	}
	if line := economyTotals(r); line != "" {
		fmt.Fprintf(bw, "- **Preflights:** %s\n", mdInline(line))
	}
	if line := disagreeLine(r.Totals); line != "" {
		fmt.Fprintf(bw, "- **Warning:** %s\n", mdInline(line))
	}
	if len(r.Records) > 0 {
		fmt.Fprint(bw, "\n| # | Verdict | Case | Reason | Expectation |\n|---:|---|---|---|:---:|\n")
		for i := range r.Records {
			rec := &r.Records[i]
			fmt.Fprintf(bw, "| %d | %s | %s | %s | %s |\n", i+1, mdCell(string(rec.Verdict)),
				mdCell(rec.Name), mdCell(reason(rec)), expectMark(rec))
		}
		if g := pathsOf(r); g != nil {
			markdownPaths(bw, g)
		}
		markdownBaseline(bw, r.Baseline)
		fmt.Fprint(bw, "\n## Cases\n")
		for i := range r.Records {
			fmt.Fprintln(bw)
			markdownCase(bw, &r.Records[i], reproducerFor(m.opts, r))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing markdown report: %w", err)
	}
	return nil
}

// MarkdownCase writes one case ready to paste into an issue: verdict,
// reason, diagnosis and fix, the command that reproduces it, the case as
// suite YAML, and the raw headers in fenced blocks.
func MarkdownCase(w io.Writer, rec *result.Record, opts Options) error {
	r, err := prepareRecord(rec, opts)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	markdownCase(bw, r, reproducerFor(opts, nil))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing markdown case: %w", err)
	}
	return nil
}

// markdownCase renders one prepared record.
func markdownCase(w io.Writer, rec *result.Record, rp reproducer) {
	fmt.Fprintf(w, "### %s %s: %s\n\n", expectMark(rec), mdInline(string(rec.Verdict)), mdInline(rec.Name))
	fmt.Fprintf(w, "- **Request:** %s\n", mdInline(requestSummary(rec)))
	if d := requestDetails(rec); d != "" {
		fmt.Fprintf(w, "- **Options:** %s\n", mdInline(d))
	}
	fmt.Fprintf(w, "- **Verdict:** %s\n", mdInline(string(rec.Verdict)))
	if rs := reason(rec); rs != "" {
		fmt.Fprintf(w, "- **Reason:** %s\n", mdInline(rs))
	}
	d := diagnosisOf(rec)
	if d.Summary != "" {
		fmt.Fprintf(w, "- **Diagnosis:** %s\n", mdProse(d.Summary))
	}
	if d.Fix != "" {
		fmt.Fprintf(w, "- **Fix:** %s\n", mdProse(d.Fix))
	}
	if c := d.FixCheck; c != nil {
		fmt.Fprintf(w, "- **Fix check:** %s\n", mdProse(c.Summary))
	}
	for _, warn := range d.Warnings {
		fmt.Fprintf(w, "- **Warning:** %s\n", mdProse(warn))
	}
	if rec.Path != "" {
		fmt.Fprintf(w, "- **Path:** %s\n", mdInline(rec.Path))
	}
	if label, lines := checkLines(rec); label != "" {
		for _, l := range lines {
			fmt.Fprintf(w, "- **%s:** %s\n", label, mdProse(l))
		}
	}
	if rec.Diagnosis != nil && d.ModelDisagrees() {
		fmt.Fprintf(w, "- **Model:** predicted %s, the browser disagrees\n",
			mdInline(strings.TrimSpace(string(d.ModelVerdict)+" "+string(d.ModelCorsError))))
	}
	if expectFailed(rec) {
		fmt.Fprint(w, "- **Expectation:** ✗ failed\n")
		for _, m := range rec.Mismatches {
			fmt.Fprintf(w, "  - %s\n", mdInline(m))
		}
	} else if rec.Expect != nil {
		fmt.Fprint(w, "- **Expectation:** ✓ met\n")
	}
	if rec.Browser != "" {
		fmt.Fprintf(w, "- **Browser:** %s\n", mdInline(rec.Browser))
	}

	if len(rec.Steps) > 0 {
		fmt.Fprint(w, "\n**Steps**\n\n")
		for _, l := range stepLines(rec) {
			fmt.Fprintf(w, "1. %s\n", mdInline(l))
		}
		fmt.Fprint(w, "\n**Preflight economy**\n\n")
		for _, l := range economyLines(rec) {
			fmt.Fprintf(w, "- %s\n", mdInline(l))
		}
		if rec.File != "" {
			fmt.Fprint(w, "\nThe request and exchanges below are the last step's; the reproduce command runs the whole case.\n")
		} else {
			fmt.Fprint(w, "\nThe request, reproduce command and exchanges below are the last step's.\n")
		}
	}
	fmt.Fprint(w, "\n**Reproduce**\n\n")
	shown := rec
	if n := len(rec.Request.Body); n > mdBodyLimit {
		// An upload in a HAR runs to megabytes, twice over (command and
		// case), which no ticket takes. The body changes no CORS check.
		clipped := *rec
		clipped.Request.Body = clipUTF8(rec.Request.Body, mdBodyLimit) + "…"
		shown = &clipped
		fmt.Fprintf(w, "The body is %d bytes: the command and the suite case show its first %d (the body changes no CORS check; the suite `corsproof import` writes holds it whole).\n\n", n, mdBodyLimit)
	}
	fmt.Fprint(w, Fenced("sh", reproduceCommand(rp, shown)+"\n"))
	fmt.Fprint(w, "\n**Suite case**\n\n")
	fmt.Fprint(w, Fenced("yaml", CaseYAML(shown)))
	if note := headersNote(rec); note != "" {
		fmt.Fprintf(w, "\n%s\n", mdInline(note))
	}
	for _, sec := range timeline(rec) {
		if sec.Exchange == nil {
			fmt.Fprintf(w, "\n**%s:** %s\n", sec.Title, mdInline(sec.Missing))
			continue
		}
		fmt.Fprintf(w, "\n**%s**\n\n", sec.Title)
		fmt.Fprint(w, Fenced("http", wireText(sec.Exchange)))
	}
	readable := readableLines(rec)
	if len(readable) == 0 {
		fmt.Fprint(w, "\n**JavaScript could read:** nothing\n")
		return
	}
	fmt.Fprint(w, "\n**JavaScript could read**")
	var b strings.Builder
	for _, h := range readable {
		fmt.Fprintf(&b, "%s: %s\n", h.Name, h.Value)
	}
	fmt.Fprint(w, "\n\n"+Fenced("", b.String()))
}

// mdBodyLimit is how many bytes of a request body a Markdown case shows.
const mdBodyLimit = 2048

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CaseYAML renders the request of a record as a suite case, a one-item YAML
// list that can be pasted under a suite's "cases:". Every string is double
// quoted with Go escapes, which are also valid YAML escapes, so any header
// value stays one valid scalar.
func CaseYAML(rec *result.Record) string {
	var b strings.Builder
	q := strconv.Quote
	fmt.Fprintf(&b, "- name: %s\n", q(rec.Name))
	fmt.Fprintf(&b, "  origin: %s\n", q(rec.Origin))
	b.WriteString("  request:\n")
	req := rec.Request
	if req.API != "" {
		fmt.Fprintf(&b, "    api: %s\n", q(string(req.API)))
	}
	if req.Method != "" {
		fmt.Fprintf(&b, "    method: %s\n", q(req.Method))
	}
	fmt.Fprintf(&b, "    url: %s\n", q(req.URL))
	if len(req.Headers) > 0 {
		b.WriteString("    headers:\n")
		for _, name := range sortedKeys(req.Headers) {
			fmt.Fprintf(&b, "      %s: %s\n", q(name), q(req.Headers[name]))
		}
	}
	if req.Credentials != "" {
		fmt.Fprintf(&b, "    credentials: %s\n", q(string(req.Credentials)))
	}
	if req.Body != "" {
		fmt.Fprintf(&b, "    body: %s\n", q(req.Body))
	}
	if req.Mode != "" {
		fmt.Fprintf(&b, "    mode: %s\n", q(string(req.Mode)))
	}
	if e := rec.Expect; e != nil && !isEmptyExpect(e) {
		b.WriteString("  expect:\n")
		if e.Verdict != "" {
			fmt.Fprintf(&b, "    verdict: %s\n", q(string(e.Verdict)))
		}
		if e.CorsError != "" {
			fmt.Fprintf(&b, "    cors_error: %s\n", q(string(e.CorsError)))
		}
		if e.Preflight != nil {
			fmt.Fprintf(&b, "    preflight: %t\n", *e.Preflight)
		}
		if e.Status != nil {
			fmt.Fprintf(&b, "    status: %d\n", *e.Status)
		}
		if len(e.ReadableHeaders) > 0 {
			b.WriteString("    readable_headers:\n")
			for _, h := range e.ReadableHeaders {
				fmt.Fprintf(&b, "      - %s\n", q(h))
			}
		}
	}
	return b.String()
}

// isEmptyExpect reports whether expectations check nothing.
func isEmptyExpect(e *scenarios.Expect) bool {
	return e.Verdict == "" && e.CorsError == "" && e.Preflight == nil && e.Status == nil && len(e.ReadableHeaders) == 0
}

// sortedKeys returns the header names of h in headerLines order.
func sortedKeys(h map[string]string) []string {
	var names []string
	seen := map[string]bool{}
	for _, l := range headerLines(h) {
		if !seen[l.Name] {
			seen[l.Name] = true
			names = append(names, l.Name)
		}
	}
	return names
}

// Fenced wraps content in a Markdown code fence longer than any run of
// backticks in it, so no value can close the fence early, with control
// characters made visible so a pasted value cannot break the surrounding
// lines.
func Fenced(info, content string) string {
	content = visibleControls(content)
	longest, run := 0, 0
	for _, r := range content {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	return fence + info + "\n" + content + fence + "\n"
}

// visibleControls replaces control characters other than newline and tab
// with Go escapes such as \x1b, so they show as text instead of acting.
func visibleControls(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case isControl(r) || isBidiControl(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdEscaper escapes the characters that change meaning in Markdown text:
// emphasis, code, links, tables, HTML and entities.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`|`, `\|`, `~`, `\~`, `#`, `\#`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
)

// mdInline escapes a value for Markdown prose on one line.
func mdInline(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	return mdEscaper.Replace(visibleControls(s))
}

// mdCell escapes a value for a Markdown table cell, where a newline would end
// the row: line breaks become <br>.
func mdCell(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = mdEscaper.Replace(visibleControls(l))
	}
	return strings.Join(lines, "<br>")
}
