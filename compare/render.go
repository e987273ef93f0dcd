package compare

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
)

// Options change what the renderers show.
type Options struct {
	// ShowSecrets keeps the values of credential headers (Authorization,
	// Cookie…) instead of reports.Redacted.
	ShowSecrets bool
}

// renderer writes a matrix in one format.
type renderer func(w io.Writer, m *Matrix, opts Options) error

// renderers maps format names to renderers, in the order help texts list them.
var renderers = []struct {
	name    string
	aliases []string
	render  renderer
}{
	{name: "text", render: writeText},
	{name: "json", render: writeJSON},
	{name: "markdown", aliases: []string{"md"}, render: writeMarkdown},
	{name: "html", render: writeHTML},
}

// Formats returns the format names Render accepts, without aliases.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for _, r := range renderers {
		out = append(out, r.name)
	}
	return out
}

// CheckFormat returns an error naming the valid formats when name is not one.
func CheckFormat(name string) error {
	if lookup(name) == nil {
		return fmt.Errorf("unknown matrix format %q: valid formats are %s", name, strings.Join(Formats(), ", "))
	}
	return nil
}

// ParseTargets parses --report values in the matrix formats.
func ParseTargets(specs []string) ([]reports.Target, error) {
	var out []reports.Target
	for _, spec := range specs {
		format, path, ok := reports.CutSpec(spec)
		if !ok {
			return nil, fmt.Errorf("report %q: want FORMAT=PATH, such as markdown=matrix.md", spec)
		}
		if err := CheckFormat(format); err != nil {
			return nil, fmt.Errorf("report %q: %w", spec, err)
		}
		out = append(out, reports.Target{Format: format, Path: path})
	}
	return out, nil
}

func lookup(name string) renderer {
	key := strings.ToLower(strings.TrimSpace(name))
	for _, r := range renderers {
		if r.name == key || slices.Contains(r.aliases, key) {
			return r.render
		}
	}
	return nil
}

// Render writes the matrix in the named format: text (a terminal table),
// json, markdown (or md) or html (one self-contained page). Every value from
// a record is escaped for the medium.
func Render(w io.Writer, m *Matrix, format string, opts Options) error {
	r := lookup(format)
	if r == nil {
		return CheckFormat(format)
	}
	if m == nil {
		return fmt.Errorf("rendering matrix: no matrix given")
	}
	if err := r(w, m, opts); err != nil {
		return fmt.Errorf("writing %s matrix: %w", format, err)
	}
	return nil
}

// errWriter remembers the first write error so renderers can write freely
// and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// maxCell bounds a text table cell, so one long failed parameter does not
// push the other browsers off the screen; details show the whole value.
const maxCell = 48

// term sanitizes a value for a terminal.
func term(s string) string { return reports.SanitizeTerminal(s) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}

// cellText is a cell's short form, "—" for a case the run lacks.
func cellText(c *Cell) string {
	if c == nil {
		return "—"
	}
	return c.Short()
}

// headline says how many cases ran on how many browsers and how many differ.
func headline(m *Matrix) string {
	return fmt.Sprintf("%s on %s · %d differ", plural(len(m.Rows), "case"), plural(len(m.Columns), "browser"), m.Differing())
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// browserOf names the browser of a column as its run recorded it.
func browserOf(c Column) string {
	s := c.Run.Browser
	if s == "" {
		s = "unknown browser"
	}
	if c.Run.BrowserPath != "" {
		s += " (" + c.Run.BrowserPath + ")"
	}
	return s
}

func writeText(w io.Writer, m *Matrix, _ Options) error {
	ew := &errWriter{w: w}
	ew.printf("corsproof matrix: %s\n", headline(m))
	lw := 0
	for _, c := range m.Columns {
		lw = max(lw, utf8.RuneCountInString(term(c.Label)))
	}
	for _, c := range m.Columns {
		ew.printf("  %s  %s\n", pad(term(c.Label), lw), term(browserOf(c)))
	}
	ew.printf("\n")

	// Column widths from the sanitized, truncated cells.
	table := make([][]string, len(m.Rows)+1)
	table[0] = []string{"", "CASE"}
	for _, c := range m.Columns {
		table[0] = append(table[0], truncate(term(c.Label), maxCell))
	}
	for i, r := range m.Rows {
		mark := ""
		if r.Differs {
			mark = "≠"
		}
		line := []string{mark, truncate(term(caseLabel(r.Suite, r.Case)), maxCell)}
		for _, c := range r.Cells {
			line = append(line, truncate(term(cellText(c)), maxCell))
		}
		table[i+1] = line
	}
	widths := make([]int, len(table[0]))
	for _, line := range table {
		for j, s := range line {
			widths[j] = max(widths[j], utf8.RuneCountInString(s))
		}
	}
	for _, line := range table {
		var b strings.Builder
		for j, s := range line {
			if j == len(line)-1 {
				b.WriteString(s)
				break
			}
			b.WriteString(pad(s, widths[j]))
			b.WriteString("  ")
		}
		ew.printf("%s\n", strings.TrimRight(b.String(), " "))
	}

	if m.Differing() > 0 {
		ew.printf("\nDifferences:\n")
	}
	for _, r := range m.Rows {
		if !r.Differs {
			continue
		}
		ew.printf("\n%s\n", term(caseLabel(r.Suite, r.Case)))
		if len(r.Fields) > 0 {
			ew.printf("  differs in: %s\n", strings.Join(r.Fields, ", "))
		}
		for _, why := range r.Reasons {
			ew.printf("  %s\n", term(why))
		}
		for ci, c := range r.Cells {
			label := pad(term(m.Columns[ci].Label), lw)
			if c == nil {
				ew.printf("  %s  not in this run\n", label)
				continue
			}
			ew.printf("  %s  %s · preflight %s · status %s\n", label, term(c.Short()), c.Field(FieldPreflight), c.Field(FieldStatus))
			if s := summaryOf(c.Record); s != "" {
				ew.printf("  %s  %s\n", pad("", lw), term(s))
			}
		}
	}
	return ew.err
}

// summaryOf is the record's diagnosis summary, or its net error or blocked
// reason when it has no diagnosis.
func summaryOf(rec *result.Record) string {
	switch {
	case rec == nil:
		return ""
	case rec.Diagnosis != nil && rec.Diagnosis.Summary != "":
		return rec.Diagnosis.Summary
	case rec.BlockedReason != "":
		return rec.BlockedReason
	case rec.NetError != "":
		return rec.NetError
	}
	return ""
}

// headerLines renders a header map as "Name: value" lines sorted by name,
// with a value Chromium joined from several lines split back into lines.
// Credential values are redacted unless showSecrets.
func headerLines(h map[string]string, showSecrets bool) []string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
	})
	var out []string
	for _, n := range names {
		v := h[n]
		if !showSecrets && cors.IsSecretHeader(n) {
			v = reports.Redacted
		}
		for _, line := range strings.Split(v, "\n") {
			out = append(out, n+": "+line)
		}
	}
	return out
}

// exchangeLines renders a response as a status line and its headers.
func exchangeLines(ex *result.Exchange, missing string, showSecrets bool) []string {
	if ex == nil {
		return []string{missing}
	}
	status := "no response"
	if ex.Status != 0 {
		status = fmt.Sprintf("%d %s", ex.Status, ex.StatusText)
	} else if ex.Error != "" {
		status = "no response (" + ex.Error + ")"
	}
	return append([]string{strings.TrimSpace(ex.Method + " " + ex.URL + " → " + status)}, headerLines(ex.ResponseHeaders, showSecrets)...)
}

// engineReasonOf is the reason in the engine's own words: Firefox's code
// (or its text, unclassified), "as CorsError" for Chromium, whose own
// name is the CorsError.
func engineReasonOf(rec *result.Record) string {
	switch {
	case rec.EngineReason != "":
		return rec.EngineReason
	case rec.ReasonText != "":
		return "unclassified: " + rec.ReasonText
	case rec.CorsError != "":
		return "as CorsError"
	}
	return "none"
}

// detail is one line of the side-by-side comparison of a differing case.
type detail struct {
	Name  string
	Cells [][]string // per column, lines of text
}

// details lays out a differing row side by side: the compared fields, the
// reason, and the raw preflight and actual responses.
func details(r Row, opts Options) []detail {
	rows := []detail{
		{Name: "verdict"}, {Name: "CorsError"}, {Name: "engine's reason"}, {Name: "failed parameter"}, {Name: "preflight"},
		{Name: "status"}, {Name: "why"}, {Name: "preflight response"}, {Name: "actual response"},
	}
	for _, c := range r.Cells {
		if c == nil {
			for i := range rows {
				v := []string{}
				if i == 0 {
					v = []string{"not in this run"}
				}
				rows[i].Cells = append(rows[i].Cells, v)
			}
			continue
		}
		vals := [][]string{
			{c.Field(FieldVerdict)}, {c.Field(FieldCorsError)}, {engineReasonOf(c.Record)}, {c.Field(FieldFailedParameter)},
			{c.Field(FieldPreflight)}, {c.Field(FieldStatus)}, {summaryOf(c.Record)},
			exchangeLines(c.Record.Preflight, "none sent", opts.ShowSecrets),
			exchangeLines(c.Record.Actual, "not sent", opts.ShowSecrets),
		}
		for i := range rows {
			rows[i].Cells = append(rows[i].Cells, vals[i])
		}
	}
	return rows
}

// mdEscaper escapes the characters that change meaning in Markdown text.
// reports keeps its own copy unexported; this one runs after
// reports.SanitizeTerminal has already removed control characters.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`|`, `\|`, `~`, `\~`, `#`, `\#`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
)

// mdCell escapes lines for one Markdown table cell, joined with <br>.
func mdCell(lines ...string) string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			out = append(out, mdEscaper.Replace(term(part)))
		}
	}
	return strings.Join(out, "<br>")
}

func writeMarkdown(w io.Writer, m *Matrix, opts Options) error {
	ew := &errWriter{w: w}
	ew.printf("# corsproof matrix\n\n%s.\n\n", mdCell(headline(m)))
	ew.printf("| Label | Browser |\n|---|---|\n")
	for _, c := range m.Columns {
		ew.printf("| %s | %s |\n", mdCell(c.Label), mdCell(browserOf(c)))
	}
	ew.printf("\n|  | Case |")
	sep := "|---|---|"
	for _, c := range m.Columns {
		ew.printf(" %s |", mdCell(c.Label))
		sep += "---|"
	}
	ew.printf("\n%s\n", sep)
	for _, r := range m.Rows {
		mark := " "
		if r.Differs {
			mark = "≠"
		}
		ew.printf("| %s | %s |", mark, mdCell(caseLabel(r.Suite, r.Case)))
		for _, c := range r.Cells {
			ew.printf(" %s |", mdCell(cellText(c)))
		}
		ew.printf("\n")
	}
	if m.Differing() > 0 {
		ew.printf("\n## Differences\n")
	}
	for _, r := range m.Rows {
		if !r.Differs {
			continue
		}
		ew.printf("\n### %s\n\n", mdCell(caseLabel(r.Suite, r.Case)))
		if len(r.Fields) > 0 {
			ew.printf("Differs in: %s.\n\n", mdCell(strings.Join(r.Fields, ", ")))
		}
		for _, why := range r.Reasons {
			ew.printf("- %s\n", mdCell(why))
		}
		if len(r.Reasons) > 0 {
			ew.printf("\n")
		}
		ew.printf("|  |")
		sep := "|---|"
		for _, c := range m.Columns {
			ew.printf(" %s |", mdCell(c.Label))
			sep += "---|"
		}
		ew.printf("\n%s\n", sep)
		for _, d := range details(r, opts) {
			ew.printf("| %s |", d.Name)
			for _, lines := range d.Cells {
				ew.printf(" %s |", mdCell(lines...))
			}
			ew.printf("\n")
		}
	}
	return ew.err
}

// jsonMatrix is the JSON shape of a matrix.
type jsonMatrix struct {
	Columns   []jsonColumn `json:"columns"`
	Cases     int          `json:"cases"`
	Differing int          `json:"differing"`
	Rows      []jsonRow    `json:"rows"`
}

type jsonColumn struct {
	Label       string `json:"label"`
	Browser     string `json:"browser"`
	BrowserPath string `json:"browser_path,omitempty"`
	Driver      string `json:"driver,omitempty"`
}

type jsonRow struct {
	Suite   string     `json:"suite,omitempty"`
	File    string     `json:"file,omitempty"`
	Case    string     `json:"case"`
	Differs bool       `json:"differs"`
	Fields  []string   `json:"fields,omitempty"`
	Reasons []string   `json:"reasons,omitempty"`
	Cells   []jsonCell `json:"cells"`
}

// jsonCell is one browser's outcome; the full record is included for
// differing cases only, so tools get both browsers' raw headers side by side
// without the file growing with every agreeing case.
type jsonCell struct {
	Label   string         `json:"label"`
	Present bool           `json:"present"`
	Outcome *Outcome       `json:"outcome,omitempty"`
	Summary string         `json:"summary,omitempty"`
	Record  *result.Record `json:"record,omitempty"`
}

func writeJSON(w io.Writer, m *Matrix, opts Options) error {
	out := jsonMatrix{Cases: len(m.Rows), Differing: m.Differing(), Columns: []jsonColumn{}, Rows: []jsonRow{}}
	for _, c := range m.Columns {
		out.Columns = append(out.Columns, jsonColumn{Label: c.Label, Browser: c.Run.Browser, BrowserPath: c.Run.BrowserPath, Driver: c.Run.Driver})
	}
	for _, r := range m.Rows {
		jr := jsonRow{Suite: r.Suite, File: r.File, Case: r.Case, Differs: r.Differs, Fields: r.Fields, Reasons: r.Reasons, Cells: []jsonCell{}}
		for ci, c := range r.Cells {
			jc := jsonCell{Label: m.Columns[ci].Label, Present: c != nil}
			if c != nil {
				o := c.Outcome
				jc.Outcome = &o
				jc.Summary = summaryOf(c.Record)
				if r.Differs && c.Record != nil {
					jc.Record = c.Record
					if !opts.ShowSecrets {
						jc.Record = reports.RedactRecord(c.Record)
					}
				}
			}
			jr.Cells = append(jr.Cells, jc)
		}
		out.Rows = append(out.Rows, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

//go:embed matrix.html.tmpl
var htmlTemplate string

var htmlPage = template.Must(template.New("matrix").Parse(htmlTemplate))

// htmlData is what the HTML template renders; every string is sanitized
// for display and escaped by html/template.
type htmlData struct {
	Headline string
	Columns  []htmlColumn
	Rows     []htmlRow
}

type htmlColumn struct{ Label, Browser string }

type htmlRow struct {
	ID      string
	Case    string
	Differs bool
	Fields  string
	Cells   []string
	Details []htmlDetail
}

type htmlDetail struct {
	Name  string
	Cells []string // per column, lines joined with "\n" for a <pre>
}

func writeHTML(w io.Writer, m *Matrix, opts Options) error {
	data := htmlData{Headline: headline(m)}
	for _, c := range m.Columns {
		data.Columns = append(data.Columns, htmlColumn{Label: term(c.Label), Browser: term(browserOf(c))})
	}
	for i, r := range m.Rows {
		hr := htmlRow{ID: fmt.Sprintf("case-%d", i+1), Case: term(caseLabel(r.Suite, r.Case)), Differs: r.Differs, Fields: strings.Join(r.Fields, ", ")}
		for _, c := range r.Cells {
			hr.Cells = append(hr.Cells, term(cellText(c)))
		}
		if r.Differs {
			for _, d := range details(r, opts) {
				hd := htmlDetail{Name: d.Name}
				for _, lines := range d.Cells {
					clean := make([]string, len(lines))
					for k, l := range lines {
						clean[k] = term(l)
					}
					hd.Cells = append(hd.Cells, strings.Join(clean, "\n"))
				}
				hr.Details = append(hr.Details, hd)
			}
		}
		data.Rows = append(data.Rows, hr)
	}
	return htmlPage.Execute(w, data)
}

// WriteChanges writes the changes Diff found as plain text, one case per
// line, sanitized for a terminal. It writes nothing for no changes.
func WriteChanges(w io.Writer, changes []Change) error {
	ew := &errWriter{w: w}
	for _, c := range changes {
		ew.printf("  %s %s\n", changeMark(c.Kind), term(c.String()))
	}
	return ew.err
}

func changeMark(k ChangeKind) string {
	switch k {
	case Added:
		return "+"
	case Removed:
		return "-"
	}
	return "~"
}

// WriteBaseline compares a finished run with a saved baseline and writes
// a header line naming the baseline (its path, browser and date) and the
// count of changes, then every change (WriteChanges). It returns the
// changes; allow only changes the header's wording.
func WriteBaseline(w io.Writer, path string, old, run *result.Run, allow bool) ([]Change, error) {
	changes := Diff(old, run)
	from := old.Browser
	if from == "" {
		from = "unknown browser"
	}
	if !old.Started.IsZero() {
		from += ", " + old.Started.UTC().Format("2006-01-02 15:04 MST")
	}
	cases := 0
	if run != nil {
		cases = len(run.Records)
	}
	header := fmt.Sprintf("corsproof: baseline %s (%s): ", path, from)
	if len(changes) == 0 {
		header += fmt.Sprintf("no changes in %s", pluralCount(cases, "case"))
	} else {
		header += fmt.Sprintf("%s changed (this run %s, baseline %d)", pluralCount(len(changes), "case"), pluralCount(cases, "case"), len(old.Records))
		if allow {
			header += " (allowed by --allow-changes)"
		}
	}
	if _, err := fmt.Fprintln(w, term(header)); err != nil {
		return nil, fmt.Errorf("writing baseline changes: %w", err)
	}
	if err := WriteChanges(w, changes); err != nil {
		return nil, fmt.Errorf("writing baseline changes: %w", err)
	}
	return changes, nil
}

// pluralCount returns "1 case" or "2 cases".
func pluralCount(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
