package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// xmlNode is any XML element with its attributes, children and text.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

// attr returns an attribute's value and whether it is present.
func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// children returns the child elements with a name.
func (n xmlNode) children(name string) []xmlNode {
	var out []xmlNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// decimalRE is an xs:decimal that is not negative.
var decimalRE = regexp.MustCompile(`^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// checkJUnit checks the structure the JUnit consumers rely on, the same
// rules as testdata/junit.xsd plus what a schema cannot say: the counts on
// every suite and on the root add up.
func checkJUnit(data []byte) error {
	var root xmlNode
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("not well-formed xml: %w", err)
	}
	if root.XMLName.Local != "testsuites" {
		return fmt.Errorf("root is <%s>, want <testsuites>", root.XMLName.Local)
	}
	for _, a := range root.Attrs {
		// Jenkins' xUnit plugin validates against junit-10.xsd, which
		// allows only these on the root and rejects the whole file else.
		switch a.Name.Local {
		case "name", "time", "tests", "failures", "disabled", "errors":
		default:
			return fmt.Errorf("<testsuites> has attribute %s, which Jenkins' junit-10.xsd does not allow", a.Name.Local)
		}
	}
	count := func(n xmlNode, name string) (int, error) {
		v, ok := n.attr(name)
		if !ok {
			return 0, fmt.Errorf("<%s> has no %s attribute", n.XMLName.Local, name)
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 {
			return 0, fmt.Errorf("<%s %s=%q> is not a count", n.XMLName.Local, name, v)
		}
		return i, nil
	}
	checkTime := func(n xmlNode) error {
		v, ok := n.attr("time")
		if !ok || !decimalRE.MatchString(v) {
			return fmt.Errorf("<%s time=%q> is not a decimal number of seconds", n.XMLName.Local, v)
		}
		return nil
	}
	var allTests, allFailures, allErrors int
	for _, c := range root.Children {
		if c.XMLName.Local != "testsuite" {
			return fmt.Errorf("<testsuites> holds <%s>", c.XMLName.Local)
		}
	}
	for _, s := range root.children("testsuite") {
		if name, ok := s.attr("name"); !ok || name == "" {
			return fmt.Errorf("<testsuite> without a name")
		}
		if err := checkTime(s); err != nil {
			return err
		}
		tests, failures, errs := 0, 0, 0
		for _, c := range s.Children {
			switch c.XMLName.Local {
			case "properties", "system-out", "system-err":
				continue
			case "testcase":
			default:
				return fmt.Errorf("<testsuite> holds <%s>", c.XMLName.Local)
			}
			tests++
			for _, a := range []string{"name", "classname"} {
				if _, ok := c.attr(a); !ok {
					return fmt.Errorf("<testcase> without %s", a)
				}
			}
			if err := checkTime(c); err != nil {
				return err
			}
			outcomes := len(c.children("failure")) + len(c.children("error")) + len(c.children("skipped"))
			if outcomes > 1 {
				return fmt.Errorf("<testcase> has %d outcomes, want at most one", outcomes)
			}
			for _, p := range append(c.children("failure"), c.children("error")...) {
				if _, ok := p.attr("message"); !ok {
					return fmt.Errorf("<%s> without a message", p.XMLName.Local)
				}
				if _, ok := p.attr("type"); !ok {
					return fmt.Errorf("<%s> without a type", p.XMLName.Local)
				}
			}
			failures += len(c.children("failure"))
			errs += len(c.children("error"))
		}
		for name, want := range map[string]int{"tests": tests, "failures": failures, "errors": errs} {
			got, err := count(s, name)
			if err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("<testsuite %s=%d> but it holds %d", name, got, want)
			}
		}
		allTests += tests
		allFailures += failures
		allErrors += errs
	}
	for name, want := range map[string]int{"tests": allTests, "failures": allFailures, "errors": allErrors} {
		got, err := count(root, name)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("<testsuites %s=%d> but the suites hold %d", name, got, want)
		}
	}
	return checkTime(root)
}

// junitRuns are runs whose JUnit output must be valid: the fixture, an
// empty run, and one with records that got no verdict and values that are
// hard for XML.
func junitRuns() map[string]*result.Run {
	awkward := fixtureRun()
	awkward.Records = append(awkward.Records,
		result.Record{
			Name: "timed out", Suite: "demo", File: "suites/demo.yaml", Origin: "https://app.example.test",
			Request: scenarios.Request{Method: "GET", URL: "https://slow.example.test/"},
			Verdict: cors.VerdictTimeout, ExpectMet: true, DurationMS: 30000,
		},
		result.Record{
			Name: "browser gone", Suite: "demo", File: "suites/demo.yaml", Origin: "https://app.example.test",
			Request: scenarios.Request{Method: "GET", URL: "https://app.example.test/"},
			Verdict: cors.VerdictNotRun, Fault: result.FaultBrowserGone, Expect: &scenarios.Expect{Verdict: cors.VerdictAllowed},
			Mismatches: []string{"verdict: expected allowed, got not-run"}, Page: result.Page{Error: "the browser died and could not be started again"},
		},
		result.Record{
			Name: "expected timeout", Suite: "demo", File: "suites/demo.yaml", Origin: "https://app.example.test",
			Request: scenarios.Request{Method: "GET", URL: "https://slow.example.test/"},
			Verdict: cors.VerdictTimeout, Expect: &scenarios.Expect{Verdict: cors.VerdictTimeout}, ExpectMet: true,
		},
		result.Record{
			Name: "xml ]]> \x00\x01\x0b\ufffe breaker", Origin: "null", Verdict: cors.VerdictError,
			NetError: "boom ]]>", ExpectMet: false, Mismatches: []string{"x ]]> y\x1b[0m"}, DurationMS: -5,
			Actual: &result.Exchange{Method: "GET", URL: "https://x.test/", ResponseHeaders: map[string]string{"X-Bad": "]]>\x00\x1b[2J"}},
		},
	)
	return map[string]*result.Run{
		"fixture": fixtureRun(),
		"empty":   {Settings: result.Settings{Tool: "corsproof"}},
		"awkward": awkward,
	}
}

func TestJUnitStructure(t *testing.T) {
	t.Parallel()
	for desc, run := range junitRuns() {
		t.Run(desc, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, NewJUnit(Options{}).Report(&buf, run))
			require.NoError(t, checkJUnit(buf.Bytes()), buf.String())
		})
	}
}

func TestJUnitOutcomes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, NewJUnit(Options{}).Report(&buf, junitRuns()["awkward"]))
	var root xmlNode
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &root))
	cases := map[string]xmlNode{}
	for _, s := range root.children("testsuite") {
		for _, c := range s.children("testcase") {
			name, _ := c.attr("name")
			cases[name] = c
		}
	}
	tests := []struct {
		desc          string
		name          string
		failures      int
		errors        int
		failureSnips  []string
		systemOutSnip string
	}{
		{desc: "allowed and met passes", name: "simple GET is allowed", systemOutSnip: "< Access-Control-Allow-Origin: https://app.example.test"},
		{desc: "blocked as expected passes", name: "custom header refused by preflight", systemOutSnip: "Actual: not sent: the preflight failed"},
		{desc: "failed expectation carries mismatch and diagnosis", name: "missing allow-origin", failures: 1,
			failureSnips: []string{"mismatch: verdict: expected allowed", "diagnosis: The response has no Access-Control-Allow-Origin header.", "fix: Send Access-Control-Allow-Origin", "reproduce: corsproof probe"}},
		{desc: "timeout without expectation is an error", name: "timed out", errors: 1},
		{desc: "expected timeout passes", name: "expected timeout"},
		{desc: "a case that never ran is an error, not a failure", name: "browser gone", errors: 1},
		{desc: "failed expectation wins over error", name: `xml ]]> \x00\x01\v` + "\ufffd breaker", failures: 1,
			failureSnips: []string{`x ]]> y\x1b[0m`}, systemOutSnip: `< X-Bad: ]]>\x00\x1b[2J`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[tc.name]
			require.True(t, ok, "no testcase named %q", tc.name)
			assert.Len(t, c.children("failure"), tc.failures)
			assert.Len(t, c.children("error"), tc.errors)
			for _, snip := range tc.failureSnips {
				assert.Contains(t, c.children("failure")[0].Text, snip)
			}
			if tc.systemOutSnip != "" {
				require.Len(t, c.children("system-out"), 1)
				assert.Contains(t, c.children("system-out")[0].Text, tc.systemOutSnip)
			}
		})
	}
}

// TestJUnitSchema validates the output with xmllint against the JUnit schema
// in testdata. TestJUnitStructure checks the same rules without xmllint.
func TestJUnitSchema(t *testing.T) {
	t.Parallel()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); TestJUnitStructure still checks the structure")
	}
	schema, err := filepath.Abs(filepath.Join("testdata", "junit.xsd"))
	require.NoError(t, err)
	for desc, run := range junitRuns() {
		t.Run(desc, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, NewJUnit(Options{}).Report(&buf, run))
			path := filepath.Join(t.TempDir(), "report.xml")
			require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			out, err := exec.Command(xmllint, "--noout", "--schema", schema, path).CombinedOutput()
			require.NoError(t, err, "xmllint: %s", out)
		})
	}
}

func TestCheckJUnitCatchesBrokenReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc string
		xml  string
	}{
		{desc: "wrong root", xml: `<testsuite name="a" tests="0" failures="0" errors="0" time="0"/>`},
		{desc: "count mismatch", xml: `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="2" failures="0" errors="0" time="0"><testcase name="x" classname="a" time="0"/></testsuite></testsuites>`},
		{desc: "time not decimal", xml: `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="1" failures="0" errors="0" time="1s"><testcase name="x" classname="a" time="0"/></testsuite></testsuites>`},
		{desc: "testcase without classname", xml: `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="1" failures="0" errors="0" time="0"><testcase name="x" time="0"/></testsuite></testsuites>`},
		{desc: "not well-formed", xml: `<testsuites><testsuite></testsuites>`},
		{desc: "skipped on the root", xml: `<testsuites tests="0" failures="0" errors="0" skipped="0" time="0"></testsuites>`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Error(t, checkJUnit([]byte(tc.xml)))
		})
	}
}

// TestJUnitNotRunMessage: the runner's not-run records already say "not
// run: …" (an interrupted run, a browser that could not be replaced); the
// <error> message says it once.
func TestJUnitNotRunMessage(t *testing.T) {
	t.Parallel()
	run := &result.Run{Records: []result.Record{{Name: "c", Suite: "s", Verdict: cors.VerdictNotRun,
		Page: result.Page{Error: "not run: the run was interrupted"}, Mismatches: []string{"verdict: not run: the run was interrupted"}}}}
	var buf bytes.Buffer
	require.NoError(t, NewJUnit(Options{}).Report(&buf, run))
	assert.Contains(t, buf.String(), `<error message="not run: the run was interrupted" type="not-run">`)
	assert.NotContains(t, buf.String(), "not run: not run")
}
