package reports

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// The page's template, style and script are embedded so the report is one
// file that works offline and as a CI artifact.
var (
	//go:embed assets/report.html.tmpl
	htmlTemplateText string
	//go:embed assets/report.css
	htmlCSS string
	//go:embed assets/report.js
	htmlJS string
)

// htmlTemplate is parsed once; a broken template is a bug caught by tests.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"prose": htmlProse}).Parse(htmlTemplateText))

// htmlCSP allows only our own inline style and script, by hash: even if a
// network value escaped its context, the browser would refuse to run it.
var htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlCSS) + "'; script-src '" + cspHash(htmlJS) +
	"'; img-src 'none'; base-uri 'none'; form-action 'none'"

// cspHash is the Content-Security-Policy source for an inline element.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// HTML writes a run as one self-contained HTML page: a summary, a filter,
// and per case a card with the browser's reason, the diagnosis, the
// preflight and actual exchanges side by side, what JavaScript could read,
// and the command that reproduces the case.
//
// Stable hooks for tests: the summary is <section id="summary">, each case is
// <article class="case" data-verdict=… data-name=…>.
type HTML struct {
	opts Options
}

// NewHTML returns the HTML reporter.
func NewHTML(opts Options) *HTML { return &HTML{opts: opts} }

// htmlView is the data the template renders. Every string in it is plain
// text that html/template escapes for its context; only CSS and JS, our own
// embedded constants, are trusted.
type htmlView struct {
	Program           string
	Browser           string
	Started           string
	StartedISO        string
	Duration          string
	Suites            string
	ThirdPartyCookies string
	LNA               string
	Totals            result.Totals
	Counts            []verdictCount
	TotalsLine        string
	FixLine           string
	EconomyLine       string
	Disagree          string
	Cases             []htmlCase
	// Paths is the grid of a run with network paths, nil without.
	Paths *htmlPaths
	// Baseline is the comparison with a saved run (run --baseline), nil
	// without one.
	Baseline *htmlBaseline
	CSP      string
	CSS      template.CSS
	JS       template.JS
}

// htmlCase is one case card.
type htmlCase struct {
	ID              string
	Verdict         string
	Name            string
	Search          string
	Reason          string
	Request         string
	Details         string
	Suite           string
	NetError        string
	PageError       string
	Diagnosis       *cors.Diagnosis
	Disagrees       bool
	ModelPrediction string
	AddressSpaces   string
	ExpectFailed    bool
	HasExpect       bool
	Mismatches      []string
	Open            bool
	Steps           []htmlStep
	Readable        []header
	Console         []string
	Command         string
	// Sequence and Economy describe the steps of a case with steps.
	Sequence []string
	Economy  []string
	// Path is the network path the case ran on; Checks the findings of a
	// generated check.
	Path   string
	Checks []htmlCheck
}

// htmlCheck is one line of a generated check's finding.
type htmlCheck struct {
	Label, Text string
	Failed      bool
}

// htmlPaths is the paths grid: a column per path, a row per case.
type htmlPaths struct {
	Line  string
	Names []string
	Rows  []htmlPathRow
}

// htmlPathRow is one case across the paths.
type htmlPathRow struct {
	Case  string
	Cells []htmlPathCell
}

// htmlPathCell links to the case's card on one path.
type htmlPathCell struct {
	ID, Text, Class string
	Drift           []string
}

func newHTMLPaths(g *pathGrid) *htmlPaths {
	if g == nil {
		return nil
	}
	out := &htmlPaths{Line: g.line(), Names: visibleAll(g.Paths)}
	for _, r := range g.Rows {
		row := htmlPathRow{Case: visibleControls(r.Case)}
		for _, c := range r.Cells {
			cell := htmlPathCell{Text: visibleControls(c.Text()), Drift: visibleAll(c.Drift)}
			if c.Index >= 0 {
				cell.ID = fmt.Sprintf("case-%d", c.Index+1)
			}
			switch {
			case c.Changed:
				cell.Class = "changed"
			case len(c.Drift) > 0:
				cell.Class = "drift"
			}
			row.Cells = append(row.Cells, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// htmlStep is one exchange of the timeline.
type htmlStep struct {
	Kind           string
	Title          string
	Missing        string
	Method         string
	URL            string
	Status         string
	Request        []header
	Response       []header
	CookiesSent    string
	CookiesBlocked []htmlCookie
}

// htmlCookie is a blocked cookie with its reasons joined.
type htmlCookie struct {
	Name, Reasons string
}

// Report writes the run as HTML.
func (h *HTML) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, h.opts)
	if err != nil {
		return err
	}
	view := htmlView{
		Program:           h.opts.program(),
		Browser:           r.Browser,
		Duration:          seconds(r.DurationMS),
		Suites:            strings.Join(r.Suites, ", "),
		ThirdPartyCookies: r.ThirdPartyCookies,
		LNA:               r.LNA,
		Totals:            r.Totals,
		Counts:            verdictCounts(r.Totals),
		TotalsLine:        totalsLine(r.Totals),
		FixLine:           fixLine(r),
		EconomyLine:       economyTotals(r),
		Disagree:          disagreeLine(r.Totals),
		CSP:               htmlCSP,
		CSS:               template.CSS(htmlCSS), // Embedded constant, not network data.
		JS:                template.JS(htmlJS),   // Embedded constant, not network data.
	}
	if !r.Started.IsZero() {
		view.Started = r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
		view.StartedISO = r.Started.UTC().Format("2006-01-02T15:04:05Z")
	}
	for i := range r.Records {
		view.Cases = append(view.Cases, newHTMLCase(i, &r.Records[i], reproducerFor(h.opts, r)))
	}
	view.Paths = newHTMLPaths(pathsOf(r))
	view.Baseline = newHTMLBaseline(r.Baseline)
	// Render to memory first so a template error never leaves half a page.
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, view); err != nil {
		return fmt.Errorf("rendering html report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing html report: %w", err)
	}
	return nil
}

// newHTMLCase builds the card of the i-th record.
func newHTMLCase(i int, rec *result.Record, rp reproducer) htmlCase {
	c := htmlCase{
		ID:           fmt.Sprintf("case-%d", i+1),
		Verdict:      string(rec.Verdict),
		Name:         visibleControls(rec.Name),
		Reason:       visibleControls(reason(rec)),
		Request:      visibleControls(requestSummary(rec)),
		Details:      requestDetails(rec),
		NetError:     rec.NetError,
		PageError:    rec.Page.Error,
		Diagnosis:    rec.Diagnosis,
		ExpectFailed: expectFailed(rec),
		HasExpect:    rec.Expect != nil,
		Mismatches:   visibleAll(rec.Mismatches),
		Readable:     visibleHeaders(readableLines(rec)),
		Console:      visibleAll(rec.Console),
		Command:      reproduceCommand(rp, rec),
	}
	if note := headersNote(rec); note != "" {
		c.Details = strings.TrimPrefix(c.Details+" · "+note, " · ")
	}
	if rec.Suite != "" || rec.File != "" {
		c.Suite = suiteName(rec)
		if rec.File != "" && rec.File != c.Suite {
			c.Suite += " (" + rec.File + ")"
		}
	}
	if c.NetError != "" && strings.Contains(c.Reason, c.NetError) {
		c.NetError = "" // Already shown as the reason.
	}
	// Open the cards a reader is most likely to look at first.
	c.Open = c.ExpectFailed || noVerdict(rec)
	if d := rec.Diagnosis; d != nil && d.ModelDisagrees() {
		c.Disagrees = true
		c.ModelPrediction = strings.TrimSpace(string(d.ModelVerdict) + " " + string(d.ModelCorsError))
	}
	if as := rec.AddressSpaces; as != nil {
		c.AddressSpaces = strings.TrimSpace(fmt.Sprintf("page %s → target %s %s", as.Page, as.Target, as.Policy))
	}
	for _, s := range timeline(rec) {
		c.Steps = append(c.Steps, newHTMLStep(s))
	}
	c.Path = visibleControls(rec.Path)
	if label, lines := checkLines(rec); label != "" {
		failed := (rec.CacheCheck != nil && rec.CacheCheck.Poisoned) || (rec.ErrorPath != nil && rec.ErrorPath.Hidden)
		for _, l := range lines {
			c.Checks = append(c.Checks, htmlCheck{Label: label, Text: visibleControls(l), Failed: failed})
		}
	}
	c.Sequence = visibleAll(stepLines(rec))
	c.Economy = visibleAll(economyLines(rec))
	c.Search = strings.ToLower(strings.Join([]string{
		rec.Name, string(rec.Verdict), rec.Origin, rec.Request.Method, rec.Request.URL,
		reason(rec), rec.Suite, rec.File, headerSearchText(rec),
	}, " "))
	return c
}

// newHTMLStep builds one timeline step.
func newHTMLStep(s exchangeSection) htmlStep {
	step := htmlStep{Kind: strings.ToLower(strings.Fields(s.Title)[0]), Title: s.Title, Missing: s.Missing}
	ex := s.Exchange
	if ex == nil {
		return step
	}
	step.Method = visibleControls(ex.Method)
	step.URL = visibleControls(ex.URL)
	step.Status = visibleControls(statusLine(ex))
	step.Request = visibleHeaders(headerLines(ex.RequestHeaders))
	step.Response = visibleHeaders(headerLines(ex.ResponseHeaders))
	step.CookiesSent = strings.Join(ex.CookiesSent, ", ")
	for _, ck := range ex.CookiesBlocked {
		step.CookiesBlocked = append(step.CookiesBlocked, htmlCookie{ck.Name, strings.Join(ck.Reasons, ", ")})
	}
	return step
}

// headerSearchText lists the header names of a record's exchanges so the
// filter box finds cases by a header such as "x-token".
func headerSearchText(rec *result.Record) string {
	var names []string
	add := func(h map[string]string) {
		for _, l := range headerLines(h) {
			names = append(names, l.Name)
		}
	}
	add(rec.Request.Headers)
	for _, s := range timeline(rec) {
		if s.Exchange != nil {
			add(s.Exchange.RequestHeaders)
			add(s.Exchange.ResponseHeaders)
		}
	}
	return strings.Join(names, " ")
}

// visibleHeaders shows control characters in header lines as escapes:
// HTML cannot display them, and a reader should see they were there.
func visibleHeaders(hs []header) []header {
	for i := range hs {
		hs[i] = header{visibleControls(hs[i].Name), visibleControls(hs[i].Value)}
	}
	return hs
}

// visibleAll applies visibleControls to each string of a list.
func visibleAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = visibleControls(s)
	}
	return out
}

// HTMLCards writes the records of run as the HTML report's case cards,
// open, without the page around them: for a page that shows records of its
// own, such as corsproof ui, which styles them with HTMLStyle. The cards
// are escaped and redacted as the report's are.
func HTMLCards(w io.Writer, run *result.Run, opts Options) error {
	r, err := prepare(run, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for i := range r.Records {
		c := newHTMLCase(i, &r.Records[i], reproducerFor(opts, r))
		c.Open = true
		if err := htmlTemplate.ExecuteTemplate(&buf, "case", c); err != nil {
			return fmt.Errorf("rendering html record: %w", err)
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing html record: %w", err)
	}
	return nil
}

// HTMLStyle returns the report's style sheet, which HTMLCards' cards use.
func HTMLStyle() string { return htmlCSS }
