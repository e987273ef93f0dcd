package reports

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// verdictOrder is the order verdicts are counted in, most common first.
var verdictOrder = []cors.Verdict{
	cors.VerdictAllowed,
	cors.VerdictBlocked,
	cors.VerdictNetworkError,
	cors.VerdictTimeout,
	cors.VerdictError,
}

// verdictCount is one verdict and how many records had it.
type verdictCount struct {
	Verdict cors.Verdict
	Count   int
}

// verdictCounts lists the non-zero verdict counts in a stable order: the
// known verdicts first, then any others by name.
func verdictCounts(t result.Totals) []verdictCount {
	var out []verdictCount
	for _, v := range verdictOrder {
		if n := t.ByVerdict[v]; n > 0 {
			out = append(out, verdictCount{v, n})
		}
	}
	var other []cors.Verdict
	for v, n := range t.ByVerdict {
		if n > 0 && !slices.Contains(verdictOrder, v) {
			other = append(other, v)
		}
	}
	slices.Sort(other)
	for _, v := range other {
		out = append(out, verdictCount{v, t.ByVerdict[v]})
	}
	return out
}

// plural returns "1 case" or "2 cases".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// totalsLine summarises a run's totals in one line:
// "14 cases: 6 allowed, 8 blocked · expectations 14 met, 0 failed".
func totalsLine(t result.Totals) string {
	var parts []string
	for _, vc := range verdictCounts(t) {
		parts = append(parts, fmt.Sprintf("%d %s", vc.Count, vc.Verdict))
	}
	s := plural(t.Cases, "case")
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s + fmt.Sprintf(" · expectations %d met, %d failed · %s", t.ExpectMet, t.ExpectFail, modelLine(t))
}

// modelLine is the model's tally against the browser: "model: 12 agree,
// 0 disagree, 2 unknown". Unknown is counted apart because a model that
// could not decide neither confirms nor contradicts the browser.
func modelLine(t result.Totals) string {
	return fmt.Sprintf("model: %d agree, %d disagree, %d unknown", t.ModelAgrees(), t.ModelDisagrees, t.ModelUnknown)
}

// fixLine tallies the fixes --try-fix proved in the browser: "fixes tried
// in the browser: 3 verified, 1 not verified"; empty when none was tried.
func fixLine(r *result.Run) string {
	verified, not, skipped := 0, 0, 0
	for i := range r.Records {
		d := r.Records[i].Diagnosis
		switch {
		case d == nil || d.FixCheck == nil:
		case d.FixCheck.Verified:
			verified++
		case d.FixCheck.Verdict == "":
			skipped++
		default:
			not++
		}
	}
	if verified+not+skipped == 0 {
		return ""
	}
	s := fmt.Sprintf("fixes tried in the browser: %d verified, %d not verified", verified, not)
	if skipped > 0 {
		s += fmt.Sprintf(", %d could not be tried", skipped)
	}
	return s
}

// disagreeLine is the warning shown when the CORS model and the browser
// disagree; empty when they agree on every record.
func disagreeLine(t result.Totals) string {
	if t.ModelDisagrees == 0 {
		return ""
	}
	return "model disagrees with the browser on " + plural(t.ModelDisagrees, "case")
}

// expectFailed reports whether a record counts as an expectation failure.
// It follows result.Run.Tally, which counts every record whose ExpectMet is
// false, so that reports and totals never disagree.
func expectFailed(rec *result.Record) bool {
	return !rec.ExpectMet
}

// noVerdict reports whether corsproof itself failed to get a verdict for a
// record (timeout or internal error), unless the case expected exactly that.
func noVerdict(rec *result.Record) bool {
	if rec.Verdict != cors.VerdictTimeout && rec.Verdict != cors.VerdictError {
		return false
	}
	return rec.Expect == nil || rec.Expect.Verdict != rec.Verdict
}

// reason says in one line why the browser did what it did: Chromium's
// CorsError and failed parameter, else the net error, blocked reason or the
// error the page saw. Empty for a plain allowed request.
func reason(rec *result.Record) string {
	if rec.EngineReason != "" || rec.ReasonText != "" {
		return engineReason(rec)
	}
	switch {
	case rec.CorsError != "" && rec.FailedParameter != "":
		return string(rec.CorsError) + " (" + rec.FailedParameter + ")"
	case rec.CorsError != "":
		return string(rec.CorsError)
	case rec.BlockedReason != "" && rec.NetError != "":
		return rec.BlockedReason + " (" + rec.NetError + ")"
	case rec.BlockedReason != "":
		return rec.BlockedReason
	case rec.NetError != "":
		return rec.NetError
	case rec.Verdict != cors.VerdictAllowed && rec.Page.Error != "":
		return rec.Page.Error
	}
	return ""
}

// engineReason is the reason of an engine that is not Chromium: its own
// code and the Chromium CorsError of the same check, "CORSMissingAllowOrigin
// = MissingAllowOriginHeader", or its text verbatim when corsproof could
// not classify it.
func engineReason(rec *result.Record) string {
	var r string
	switch {
	case rec.EngineReason != "" && rec.CorsError != "":
		r = rec.EngineReason + " = " + string(rec.CorsError)
	case rec.EngineReason != "":
		r = rec.EngineReason + " (no Chromium equivalent)"
	default:
		return "unclassified: " + rec.ReasonText
	}
	if rec.FailedParameter != "" {
		r += " (" + rec.FailedParameter + ")"
	}
	return r
}

// headersNote says that a record's headers are not the raw wire headers,
// or nothing when they are.
func headersNote(rec *result.Record) string {
	if rec.HeadersSource == "" {
		return ""
	}
	return "Headers as the browser's WebDriver BiDi events give them, not the raw wire headers (duplicates merged, order may differ)."
}

// header is one header line.
type header struct {
	Name, Value string
}

// headerLines returns a header map as wire lines in a stable order: sorted
// by lower-case name, and a value Chromium joined with "\n" split back into
// one line per value, as it crossed the wire.
func headerLines(h map[string]string) []header {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
	})
	var out []header
	for _, name := range names {
		for _, v := range strings.Split(h[name], "\n") {
			out = append(out, header{name, v})
		}
	}
	return out
}

// statusLine renders a response's status: "204 No Content", or the error
// that ended the exchange when no response arrived.
func statusLine(ex *result.Exchange) string {
	if ex.Status == 0 {
		if ex.Error != "" {
			return "no response (" + ex.Error + ")"
		}
		return "no response"
	}
	text := ex.StatusText
	if text == "" {
		text = http.StatusText(ex.Status)
	}
	s := fmt.Sprintf("%d %s", ex.Status, text)
	s = strings.TrimSpace(s)
	if ex.FromCache {
		s += " (from cache)"
	}
	return s
}

// exchangeSection is one step of a case's timeline with a title.
type exchangeSection struct {
	Title    string
	Exchange *result.Exchange
	// Missing says why the exchange is absent when Exchange is nil.
	Missing string
}

// timeline lists the steps of a case: preflight, redirects and the actual
// request, saying why a step is missing when that helps the reader.
func timeline(rec *result.Record) []exchangeSection {
	var out []exchangeSection
	if rec.Preflight != nil {
		out = append(out, exchangeSection{Title: "Preflight", Exchange: rec.Preflight})
	} else {
		out = append(out, exchangeSection{Title: "Preflight", Missing: "none sent"})
	}
	for i := range rec.Redirects {
		out = append(out, exchangeSection{Title: fmt.Sprintf("Redirect %d", i+1), Exchange: &rec.Redirects[i]})
	}
	if rec.Actual != nil {
		out = append(out, exchangeSection{Title: "Actual", Exchange: rec.Actual})
	} else {
		missing := "not sent"
		if rec.Preflight != nil && rec.Verdict == cors.VerdictBlocked {
			missing = "not sent: the preflight failed"
		}
		out = append(out, exchangeSection{Title: "Actual", Missing: missing})
	}
	return out
}

// wireText renders an exchange as request and response lines, the way curl
// -v shows them: "> " for what was sent and "< " for what came back.
func wireText(ex *result.Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", ex.Method, ex.URL)
	for _, h := range headerLines(ex.RequestHeaders) {
		fmt.Fprintf(&b, "> %s: %s\n", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "< %s\n", statusLine(ex))
	for _, h := range headerLines(ex.ResponseHeaders) {
		fmt.Fprintf(&b, "< %s: %s\n", h.Name, h.Value)
	}
	return b.String()
}

// recordWireText renders every exchange of a record with section titles.
func recordWireText(rec *result.Record) string {
	var b strings.Builder
	for i, s := range timeline(rec) {
		if i > 0 {
			b.WriteString("\n")
		}
		if s.Exchange == nil {
			fmt.Fprintf(&b, "%s: %s\n", s.Title, s.Missing)
			continue
		}
		fmt.Fprintf(&b, "%s:\n%s", s.Title, wireText(s.Exchange))
	}
	return b.String()
}

// requestSummary describes the request the page made in one line:
// "GET https://api.example.test/x from https://app.example.test".
func requestSummary(rec *result.Record) string {
	method := rec.Request.Method
	if method == "" {
		method = "GET"
	}
	return fmt.Sprintf("%s %s from %s", method, rec.Request.URL, rec.Origin)
}

// requestDetails lists the request options that change CORS behaviour.
func requestDetails(rec *result.Record) string {
	var parts []string
	if rec.Request.API != "" {
		parts = append(parts, "api "+string(rec.Request.API))
	}
	if rec.Request.Credentials != "" {
		parts = append(parts, "credentials "+string(rec.Request.Credentials))
	}
	if rec.Request.Mode != "" {
		parts = append(parts, "mode "+string(rec.Request.Mode))
	}
	return strings.Join(parts, ", ")
}

// readableLines lists what the page's JavaScript could read.
func readableLines(rec *result.Record) []header {
	return headerLines(rec.Page.ReadableHeaders)
}

// suiteKey names the group a record belongs to in per-suite output: its
// file, else its suite name, else "probe" for ad-hoc requests.
func suiteKey(rec *result.Record) string {
	switch {
	case rec.File != "":
		return rec.File
	case rec.Suite != "":
		return rec.Suite
	}
	return "probe"
}

// suiteName is the human name of a record's suite.
func suiteName(rec *result.Record) string {
	if rec.Suite != "" {
		return rec.Suite
	}
	return suiteKey(rec)
}
