package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// JUnit writes a run as JUnit XML in the shape Jenkins, GitLab and GitHub
// test reporters read: one <testsuite> per suite file and one <testcase>
// per case.
//
// A case whose expectations failed gets a <failure> carrying the
// mismatches, the browser's reason and the diagnosis with its fix. A case
// that got no verdict at all (timeout or internal error) without failing an
// expectation gets an <error> instead, unless it expected exactly that
// verdict, and so does a case that never ran (the browser died for good); every other case passes, whatever the browser decided, because
// a verdict is only wrong when it contradicts what the suite expected.
// <system-out> carries the raw headers of the preflight and the actual
// request.
type JUnit struct {
	opts Options
}

// NewJUnit returns the JUnit XML reporter.
func NewJUnit(opts Options) *JUnit { return &JUnit{opts: opts} }

// junitSuites is the <testsuites> root. It has no skipped count (each
// <testsuite> has one): Jenkins' xUnit plugin validates reports against
// junit-10.xsd, which allows only these attributes on the root, and
// refuses the whole file for any other.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// junitSuite is one <testsuite>.
type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	File       string          `xml:"file,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	durationMS int64
}

// junitProperty is one <property name value/>.
type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitCase is one <testcase>.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element text written as CDATA, so multi-line header dumps
// stay readable in the file instead of turning into &#xA; entities.
type junitText struct {
	Text string `xml:",cdata"`
}

// junitProblem is a <failure> or <error> with a one-line message, a type
// and the details as text.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// Report writes the run as JUnit XML.
func (j *JUnit) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, j.opts)
	if err != nil {
		return err
	}
	root := junitSuites{Name: xmlClean(r.Tool), Time: seconds(r.DurationMS)}
	if root.Name == "" {
		root.Name = "corsproof"
	}
	index := map[string]int{}
	for i := range r.Records {
		rec := &r.Records[i]
		key := suiteKey(rec)
		n, ok := index[key]
		if !ok {
			n = len(root.Suites)
			index[key] = n
			root.Suites = append(root.Suites, newJUnitSuite(r, rec))
		}
		s := &root.Suites[n]
		c := junitCaseFor(rec, reproducerFor(j.opts, r))
		s.Tests++
		if c.Failure != nil {
			s.Failures++
		}
		if c.Error != nil {
			s.Errors++
		}
		s.durationMS += rec.DurationMS
		s.Cases = append(s.Cases, c)
	}
	var sumMS int64
	for i := range root.Suites {
		s := &root.Suites[i]
		s.Time = seconds(s.durationMS)
		sumMS += s.durationMS
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
	}
	if r.DurationMS == 0 {
		// A run without its own duration takes the sum of its cases.
		root.Time = seconds(sumMS)
	}
	out, err := xml.MarshalIndent(root, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding junit xml: %w", err)
	}
	data := append([]byte(xml.Header), out...)
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing junit report: %w", err)
	}
	return nil
}

// newJUnitSuite starts the <testsuite> of the record's suite file.
func newJUnitSuite(run *result.Run, rec *result.Record) junitSuite {
	s := junitSuite{Name: xmlClean(suiteName(rec)), File: xmlClean(rec.File)}
	if !run.Started.IsZero() {
		// JUnit timestamps are ISO 8601 without a zone; use UTC.
		s.Timestamp = run.Started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, p := range []junitProperty{
		{"engine", run.Engine},
		{"browser", run.Browser},
		{"browser_product", run.BrowserProduct},
		{"driver", run.Driver},
		{"isolation", run.Isolation},
		{"shard", run.Shard},
		{"third_party_cookies", run.ThirdPartyCookies},
		{"lna", run.LNA},
		{"model", modelLine(run.Totals)},
	} {
		if p.Value != "" {
			s.Properties = append(s.Properties, junitProperty{p.Name, xmlClean(p.Value)})
		}
	}
	return s
}

// junitCaseFor renders one record as a <testcase>.
func junitCaseFor(rec *result.Record, rp reproducer) junitCase {
	c := junitCase{
		Name:      xmlClean(rec.Name),
		Classname: xmlClean(suiteName(rec)),
		Time:      seconds(rec.DurationMS),
		File:      xmlClean(rec.File),
		SystemOut: &junitText{xmlClean(recordWireText(rec))},
	}
	if len(rec.Steps) > 0 {
		c.SystemOut.Text = xmlClean("steps:\n" + indentLines("  ", stepLines(rec)) + "preflight economy:\n" + indentLines("  ", economyLines(rec)) + "last step:\n" + recordWireText(rec))
	}
	switch {
	case rec.Verdict == cors.VerdictNotRun:
		// The case never reached a browser, so no expectation was tested:
		// an <error> (infrastructure), never a <failure> (the API broke).
		msg := "not run"
		switch e := rec.Page.Error; {
		case strings.HasPrefix(e, "not run"):
			// The runner's records say so themselves.
			msg = e
		case e != "":
			msg += ": " + e
		}
		c.Error = &junitProblem{Message: xmlClean(msg), Type: string(cors.VerdictNotRun), Text: xmlClean(msg)}
	case expectFailed(rec):
		msg := "expectation not met"
		if len(rec.Mismatches) > 0 {
			msg += ": " + rec.Mismatches[0]
		}
		c.Failure = &junitProblem{Message: xmlClean(msg), Type: "ExpectationFailed", Text: xmlClean(problemText(rec, rp))}
	case noVerdict(rec):
		msg := string(rec.Verdict)
		if rs := reason(rec); rs != "" {
			msg += ": " + rs
		}
		c.Error = &junitProblem{Message: xmlClean(msg), Type: xmlClean(string(rec.Verdict)), Text: xmlClean(problemText(rec, rp))}
	}
	return c
}

// problemText is the body of a <failure> or <error>: what was expected and
// seen, the browser's reason, and the diagnosis.
func problemText(rec *result.Record, rp reproducer) string {
	var b strings.Builder
	for _, m := range rec.Mismatches {
		fmt.Fprintf(&b, "mismatch: %s\n", m)
	}
	fmt.Fprintf(&b, "request: %s\n", requestSummary(rec))
	fmt.Fprintf(&b, "verdict: %s\n", rec.Verdict)
	if rs := reason(rec); rs != "" {
		fmt.Fprintf(&b, "reason: %s\n", rs)
	}
	d := diagnosisOf(rec)
	if d.Summary != "" {
		fmt.Fprintf(&b, "diagnosis: %s\n", d.Summary)
	}
	if d.Fix != "" {
		fmt.Fprintf(&b, "fix: %s\n", d.Fix)
	}
	for _, w := range d.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	fmt.Fprintf(&b, "reproduce: %s\n", reproduceCommand(rp, rec))
	return b.String()
}

// seconds formats milliseconds as the decimal seconds JUnit expects.
func seconds(ms int64) string {
	ms = max(ms, 0) // A clock step must not make an invalid negative time.
	return fmt.Sprintf("%.3f", time.Duration(ms*int64(time.Millisecond)).Seconds())
}

// xmlClean makes a network value legal XML text: control characters other
// than newline and tab, which XML 1.0 forbids even as references, become
// visible escapes such as \x1b, and the non-characters U+FFFE and U+FFFF
// become U+FFFD. CDATA sections are not checked by encoding/xml, so this
// must happen before marshalling.
func xmlClean(s string) string {
	s = visibleControls(s)
	return strings.Map(func(r rune) rune {
		if r == 0xfffe || r == 0xffff {
			return utf8.RuneError
		}
		return r
	}, s)
}
