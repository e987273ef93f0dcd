package reports

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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
			fmt.Fprint(w, "\nThe exchanges below are the last step's; the reproduce command runs the whole case, and the suite case holds every step.\n")
		} else {
			fmt.Fprint(w, "\nThe reproduce command and exchanges below are the last step's; the suite case holds every step.\n")
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
// value stays one valid scalar. A record with steps gives a case with
// steps, each with its own origin, wait, request and expectations as it
// ran, so the case pasted makes the same sequence.
func CaseYAML(rec *result.Record) string {
	var b strings.Builder
	q := strconv.Quote
	fmt.Fprintf(&b, "- name: %s\n", q(rec.Name))
	if len(rec.Steps) == 0 {
		fmt.Fprintf(&b, "  origin: %s\n", q(rec.Origin))
		b.WriteString("  ")
		writeRequestYAML(&b, "  ", rec.Request)
		writeExpectYAML(&b, "  ", rec.Expect)
		return b.String()
	}
	origin := rec.Steps[0].Origin
	fmt.Fprintf(&b, "  origin: %s\n", q(origin))
	b.WriteString("  steps:\n")
	for i, st := range rec.Steps {
		// The first key of each item carries the list's dash.
		b.WriteString("    - ")
		first := true
		key := func() string {
			if first {
				first = false
				return ""
			}
			return "      "
		}
		if st.Name != "" && st.Name != fmt.Sprintf("step %d", i+1) {
			fmt.Fprintf(&b, "%sname: %s\n", key(), q(st.Name))
		}
		if st.WaitMS > 0 {
			fmt.Fprintf(&b, "%swait: %s\n", key(), q((time.Duration(st.WaitMS) * time.Millisecond).String()))
		}
		if st.Fresh {
			fmt.Fprintf(&b, "%sfresh: true\n", key())
		}
		if st.Origin != origin {
			fmt.Fprintf(&b, "%sorigin: %s\n", key(), q(st.Origin))
		}
		b.WriteString(key())
		writeRequestYAML(&b, "      ", st.Request)
		writeExpectYAML(&b, "      ", st.Expect)
	}
	return b.String()
}

// writeRequestYAML writes req as a "request:" mapping whose keys are
// indented by indent; the "request:" line itself is not.
func writeRequestYAML(b *strings.Builder, indent string, req scenarios.Request) {
	q := strconv.Quote
	b.WriteString("request:\n")
	in := indent + "  "
	if req.API != "" {
		fmt.Fprintf(b, "%sapi: %s\n", in, q(string(req.API)))
	}
	if req.Method != "" {
		fmt.Fprintf(b, "%smethod: %s\n", in, q(req.Method))
	}
	fmt.Fprintf(b, "%surl: %s\n", in, q(req.URL))
	if len(req.Headers) > 0 {
		fmt.Fprintf(b, "%sheaders:\n", in)
		for _, name := range sortedKeys(req.Headers) {
			fmt.Fprintf(b, "%s  %s: %s\n", in, q(name), q(req.Headers[name]))
		}
	}
	if req.Credentials != "" {
		fmt.Fprintf(b, "%scredentials: %s\n", in, q(string(req.Credentials)))
	}
	if req.Body != "" {
		fmt.Fprintf(b, "%sbody: %s\n", in, q(req.Body))
	}
	if req.Mode != "" {
		fmt.Fprintf(b, "%smode: %s\n", in, q(string(req.Mode)))
	}
}

// writeExpectYAML writes e as an "expect:" mapping at indent; nothing when
// it checks nothing.
func writeExpectYAML(b *strings.Builder, indent string, e *scenarios.Expect) {
	if e == nil || isEmptyExpect(e) {
		return
	}
	q := strconv.Quote
	in := indent + "  "
	fmt.Fprintf(b, "%sexpect:\n", indent)
	if e.Verdict != "" {
		fmt.Fprintf(b, "%sverdict: %s\n", in, q(string(e.Verdict)))
	}
	if e.CorsError != "" {
		fmt.Fprintf(b, "%scors_error: %s\n", in, q(string(e.CorsError)))
	}
	if e.Preflight != nil {
		fmt.Fprintf(b, "%spreflight: %t\n", in, *e.Preflight)
	}
	if e.Status != nil {
		fmt.Fprintf(b, "%sstatus: %d\n", in, *e.Status)
	}
	if len(e.ReadableHeaders) > 0 {
		fmt.Fprintf(b, "%sreadable_headers:\n", in)
		for _, h := range e.ReadableHeaders {
			fmt.Fprintf(b, "%s  - %s\n", in, q(h))
		}
	}
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
