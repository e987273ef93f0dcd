package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// HAR writes a run's network log as HAR 1.2, the format browsers' DevTools
// import and export. Unlike Playwright's HAR it keeps the preflight OPTIONS
// requests and every redirect hop with their raw wire headers, so the file
// shows what crossed the wire, not only what the page saw.
//
// Each case is a page (title: the case name). Its entries are, in order,
// the preflight (_resourceType "preflight", as Chromium's own HAR export
// writes it), the redirect hops and the actual request (_resourceType
// "fetch" or "xhr"). A request the browser blocked has response.status 0,
// response._error with Chromium's net error, and on the entry _corsError
// and _corsFailedParameter with Chromium's CorsError; the status the server
// actually answered, if any, is kept in response._serverStatus. The entry
// of the actual request also carries _corsproof with the case name, the
// page's API, credentials mode and fetch mode and the verdict: fields no
// browser export has, which scenarios.ImportHAR reads back so a replay
// makes exactly the same request.
//
// corsproof records no wall-clock time per request: a page starts at the
// run's start plus the durations of the cases before it, and the actual
// request's time is the case's duration; preflight and redirect entries
// have time 0. The order of entries is the order of events.
type HAR struct {
	opts Options
}

// NewHAR returns the HAR reporter.
func NewHAR(opts Options) *HAR { return &HAR{opts: opts} }

// HAR 1.2 document types (http://www.softwareishard.com/blog/har-12-spec/),
// with Chromium's extension fields where DevTools reads them.
type (
	harDoc struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harNameVer `json:"creator"`
		Browser harNameVer `json:"browser"`
		Pages   []harPage  `json:"pages"`
		Entries []harEntry `json:"entries"`
	}
	harNameVer struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harPage struct {
		StartedDateTime string         `json:"startedDateTime"`
		ID              string         `json:"id"`
		Title           string         `json:"title"`
		PageTimings     harPageTimings `json:"pageTimings"`
		// Origin is the page's origin, which no standard field holds.
		Origin string `json:"_origin,omitempty"`
	}
	harPageTimings struct {
		OnContentLoad int `json:"onContentLoad"`
		OnLoad        int `json:"onLoad"`
	}
	harEntry struct {
		Pageref         string       `json:"pageref"`
		StartedDateTime string       `json:"startedDateTime"`
		Time            float64      `json:"time"`
		Request         harRequest   `json:"request"`
		Response        harResponse  `json:"response"`
		Cache           struct{}     `json:"cache"`
		Timings         harTimings   `json:"timings"`
		ResourceType    string       `json:"_resourceType"`
		Initiator       harInitiator `json:"_initiator"`
		CorsError       string       `json:"_corsError,omitempty"`
		CorsFailedParam string       `json:"_corsFailedParameter,omitempty"`
		Corsproof       *HARCase     `json:"_corsproof,omitempty"`
		Comment         string       `json:"comment,omitempty"`
	}
	harRequest struct {
		Method      string         `json:"method"`
		URL         string         `json:"url"`
		HTTPVersion string         `json:"httpVersion"`
		Headers     []harNameValue `json:"headers"`
		QueryString []harNameValue `json:"queryString"`
		Cookies     []harNameValue `json:"cookies"`
		HeadersSize int            `json:"headersSize"`
		BodySize    int            `json:"bodySize"`
		PostData    *harPostData   `json:"postData,omitempty"`
	}
	harPostData struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
	}
	harResponse struct {
		Status       int            `json:"status"`
		StatusText   string         `json:"statusText"`
		HTTPVersion  string         `json:"httpVersion"`
		Headers      []harNameValue `json:"headers"`
		Cookies      []harNameValue `json:"cookies"`
		Content      harContent     `json:"content"`
		RedirectURL  string         `json:"redirectURL"`
		HeadersSize  int            `json:"headersSize"`
		BodySize     int            `json:"bodySize"`
		Error        string         `json:"_error,omitempty"`
		ServerStatus int            `json:"_serverStatus,omitempty"`
	}
	harContent struct {
		Size     int    `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text,omitempty"`
	}
	harNameValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
	harInitiator struct {
		Type string `json:"type"`
		URL  string `json:"url,omitempty"`
	}
)

// HARCase is the _corsproof extension on the entry of a case's actual
// request: what the page asked for, which the wire alone does not say
// (a credentialed request without cookies looks like an uncredentialed
// one), and what the browser decided.
type HARCase struct {
	Case        string                `json:"case"`
	Origin      string                `json:"origin"`
	API         scenarios.API         `json:"api"`
	Credentials scenarios.Credentials `json:"credentials"`
	Mode        scenarios.Mode        `json:"mode,omitempty"`
	Verdict     cors.Verdict          `json:"verdict"`
}

// Report writes the whole run as one HAR document.
func (h *HAR) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, h.opts)
	if err != nil {
		return err
	}
	doc := harDoc{Log: harLog{
		Version: "1.2",
		Creator: harNameVer{Name: h.opts.program(), Version: "1"},
		Browser: browserNameVersion(r.Browser),
		Pages:   []harPage{},
		Entries: []harEntry{},
	}}
	start := r.Started
	for i := range r.Records {
		rec := &r.Records[i]
		id := fmt.Sprintf("page_%d", i+1)
		doc.Log.Pages = append(doc.Log.Pages, harPage{
			StartedDateTime: harTime(start), ID: id, Title: rec.Name,
			PageTimings: harPageTimings{OnContentLoad: -1, OnLoad: -1}, Origin: rec.Origin,
		})
		doc.Log.Entries = append(doc.Log.Entries, caseEntries(rec, id, start)...)
		start = start.Add(time.Duration(rec.DurationMS) * time.Millisecond)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing har: %w", err)
	}
	return nil
}

// browserNameVersion splits "Chromium 156.0.8078.108" at its last space.
func browserNameVersion(s string) harNameVer {
	if i := strings.LastIndex(s, " "); i > 0 {
		return harNameVer{Name: s[:i], Version: s[i+1:]}
	}
	return harNameVer{Name: cmp.Or(s, "unknown"), Version: ""}
}

// harTime formats a time as HAR's ISO 8601 with milliseconds.
func harTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// caseEntries are a record's entries: those of each step that ran, in
// order at its own time, for a case with steps (its preflights and calls
// are the point of it); the record's own otherwise.
func caseEntries(rec *result.Record, pageID string, start time.Time) []harEntry {
	if len(rec.Steps) == 0 {
		return recordEntries(rec, pageID, start)
	}
	var out []harEntry
	for i := range rec.Steps {
		st := rec.Steps[i]
		if st.Verdict == cors.VerdictNotRun || (st.Verdict == cors.VerdictError && st.Preflight == nil && st.Actual == nil) {
			continue
		}
		st.Name = rec.Name + " › " + st.Name
		out = append(out, recordEntries(&st, pageID, start.Add(time.Duration(st.AtMS)*time.Millisecond))...)
	}
	return out
}

// recordEntries turns one prepared record into its HAR entries.
func recordEntries(rec *result.Record, pageID string, start time.Time) []harEntry {
	var out []harEntry
	resourceType := "fetch"
	if rec.Request.API == scenarios.APIXHR {
		resourceType = "xhr"
	}
	at := harTime(start)
	if rec.Preflight != nil {
		e := exchangeEntry(rec.Preflight, pageID, at)
		e.ResourceType = "preflight"
		e.Initiator = harInitiator{Type: "preflight", URL: rec.Request.URL}
		out = append(out, e)
	}
	for i := range rec.Redirects {
		e := exchangeEntry(&rec.Redirects[i], pageID, at)
		e.ResourceType = resourceType
		e.Initiator = harInitiator{Type: "script"}
		out = append(out, e)
	}
	actual := rec.Actual
	var e harEntry
	if actual != nil {
		e = exchangeEntry(actual, pageID, at)
		if rec.Page.Body != "" && rec.Verdict == cors.VerdictAllowed {
			e.Response.Content.Text = rec.Page.Body
			e.Response.Content.Size = len(rec.Page.Body)
		}
	} else {
		// Never sent (a failed preflight, mixed content…): write the
		// request the page asked for, as DevTools lists such requests
		// with their provisional headers.
		headers := make(map[string]string, len(rec.Request.Headers)+1)
		for k, v := range rec.Request.Headers {
			headers[k] = v
		}
		if rec.Origin != "" {
			headers["Origin"] = rec.Origin
		}
		ex := result.Exchange{Method: cmp.Or(rec.Request.Method, "GET"), URL: rec.Request.URL, RequestHeaders: headers}
		e = exchangeEntry(&ex, pageID, at)
		e.Comment = "not sent on the wire"
		if rec.Preflight != nil && rec.Verdict == cors.VerdictBlocked {
			e.Comment = "not sent: the preflight failed"
		}
	}
	if rec.Request.Body != "" {
		e.Request.BodySize = len(rec.Request.Body)
		e.Request.PostData = &harPostData{
			MimeType: headerValue(e.Request.Headers, "content-type", "text/plain;charset=UTF-8"),
			Text:     rec.Request.Body,
		}
	}
	e.ResourceType = resourceType
	e.Initiator = harInitiator{Type: "script"}
	e.Time = float64(rec.DurationMS)
	e.Timings.Wait = float64(rec.DurationMS)
	if rec.Verdict != cors.VerdictAllowed {
		// DevTools shows a request the page could not read as failed:
		// status 0 with the error, whatever the server answered.
		if e.Response.Status != 0 {
			e.Response.ServerStatus = e.Response.Status
		}
		e.Response.Status = 0
		e.Response.StatusText = ""
		fallback := "net::ERR_FAILED"
		if rec.Verdict == cors.VerdictTimeout {
			// corsproof gave up waiting; Chromium had no error yet.
			fallback = "net::ERR_TIMED_OUT"
		}
		e.Response.Error = cmp.Or(rec.NetError, e.Response.Error, fallback)
		e.Response.RedirectURL = ""
	}
	if rec.Verdict == cors.VerdictBlocked {
		e.CorsError = string(rec.CorsError)
		e.CorsFailedParam = rec.FailedParameter
	}
	e.Corsproof = &HARCase{
		Case: rec.Name, Origin: rec.Origin, API: rec.Request.API,
		Credentials: rec.Request.Credentials, Mode: rec.Request.Mode, Verdict: rec.Verdict,
	}
	return append(out, e)
}

// exchangeEntry turns one wire exchange into an entry without the fields
// that depend on its role in the case.
func exchangeEntry(ex *result.Exchange, pageID, at string) harEntry {
	req := harRequest{
		Method:      ex.Method,
		URL:         ex.URL,
		HTTPVersion: httpVersion(ex.RequestHeaders),
		Headers:     harHeaders(ex.RequestHeaders),
		QueryString: queryString(ex.URL),
		Cookies:     requestCookies(ex),
		HeadersSize: -1,
	}
	resp := harResponse{
		Status:      ex.Status,
		StatusText:  ex.StatusText,
		HTTPVersion: req.HTTPVersion,
		Headers:     harHeaders(ex.ResponseHeaders),
		Cookies:     responseCookies(ex.ResponseHeaders),
		HeadersSize: -1,
		BodySize:    -1,
		Error:       ex.Error,
	}
	if resp.Status != 0 && resp.StatusText == "" {
		resp.StatusText = http.StatusText(resp.Status)
	}
	resp.Content.MimeType = headerValue(resp.Headers, "content-type", "x-unknown")
	if resp.Status >= 300 && resp.Status < 400 {
		if loc := headerValue(resp.Headers, "location", ""); loc != "" {
			if base, err := url.Parse(ex.URL); err == nil {
				if ref, err := base.Parse(loc); err == nil {
					loc = ref.String()
				}
			}
			resp.RedirectURL = loc
		}
	}
	return harEntry{Pageref: pageID, StartedDateTime: at, Request: req, Response: resp}
}

// httpVersion guesses the protocol from the raw headers: Chromium reports
// HTTP/2 requests with their pseudo-headers (:method, :authority…).
func httpVersion(h map[string]string) string {
	for name := range h {
		if strings.HasPrefix(name, ":") {
			return "h2"
		}
	}
	return "HTTP/1.1"
}

// harHeaders lists a header map as HAR name/value pairs, one per wire line.
func harHeaders(h map[string]string) []harNameValue {
	out := []harNameValue{}
	for _, l := range headerLines(h) {
		out = append(out, harNameValue{Name: l.Name, Value: l.Value})
	}
	return out
}

// headerValue returns the first value of a header, case-insensitively.
func headerValue(hs []harNameValue, name, def string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return def
}

// queryString lists a URL's query parameters in order.
func queryString(raw string) []harNameValue {
	out := []harNameValue{}
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return out
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		out = append(out, harNameValue{Name: name, Value: value})
	}
	return out
}

// requestCookies lists the cookies a request carried. When the Cookie
// header was redacted, the names still come from the cookies Chromium said
// it attached, each with a redacted value.
func requestCookies(ex *result.Exchange) []harNameValue {
	out := []harNameValue{}
	for name, v := range ex.RequestHeaders {
		if !strings.EqualFold(name, "cookie") {
			continue
		}
		if v == Redacted {
			for _, c := range ex.CookiesSent {
				out = append(out, harNameValue{Name: c, Value: Redacted})
			}
			continue
		}
		for _, line := range strings.Split(v, "\n") {
			for _, part := range strings.Split(line, ";") {
				name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
				if name != "" {
					out = append(out, harNameValue{Name: name, Value: value})
				}
			}
		}
	}
	return out
}

// responseCookies lists the cookies a response set, name and value only.
func responseCookies(h map[string]string) []harNameValue {
	out := []harNameValue{}
	for name, v := range h {
		if !strings.EqualFold(name, "set-cookie") {
			continue
		}
		for _, line := range strings.Split(v, "\n") {
			pair, _, _ := strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if v == Redacted || !ok {
				name, value = Redacted, Redacted
			}
			out = append(out, harNameValue{Name: name, Value: value})
		}
	}
	return out
}
