package scenarios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

// HAROptions change how ImportHAR turns a HAR file into a suite.
type HAROptions struct {
	// File names the HAR in messages and in the suite's name; "HAR" when empty.
	File string
	// Name is the suite's name; "imported from FILE" when empty.
	Name string
	// Origin, when set, is the page origin of every case, instead of the
	// one each entry's Origin header, page or Referer gives.
	Origin string
	// OnlyFailed keeps only the requests that failed in the user's browser.
	OnlyFailed bool
	// WithCredentialsValues keeps the values of Authorization and other
	// token-like headers and query parameters. By default they are replaced
	// by RedactedValue: the names are what CORS looks at, the values are
	// the user's secrets.
	WithCredentialsValues bool
	// MaxEntries bounds the HAR's entries; zero means
	// DefaultLimits.HAREntries.
	MaxEntries int
}

// SkipKind is why ImportHAR did not turn an entry into a case.
type SkipKind string

// Reasons for skipping an entry.
const (
	SkipSameOrigin SkipKind = "same-origin"
	SkipPreflight  SkipKind = "preflight"
	SkipRedirect   SkipKind = "redirect hop"
	SkipScheme     SkipKind = "not http(s)"
	SkipNotCORS    SkipKind = "not a CORS request"
	SkipNoOrigin   SkipKind = "no page origin"
	SkipSucceeded  SkipKind = "succeeded"
	SkipMalformed  SkipKind = "malformed entry"
	SkipInvalid    SkipKind = "cannot replay"
)

// SkippedEntry is one HAR entry that did not become a case, and why.
type SkippedEntry struct {
	// Entry is the index in log.entries, counting from 0.
	Entry  int
	Method string
	URL    string
	Kind   SkipKind
	// Reason says in a few words what made the entry a Kind.
	Reason string
}

// ImportedCase says where a case came from and what the import changed.
type ImportedCase struct {
	// Entry is the index in log.entries of the request, counting from 0.
	Entry int
	// Preflight is the index of the preflight matched to it, or -1.
	Preflight int
	Name      string
	// Observed is what the user's browser did, the expectation to reproduce.
	Observed  cors.Verdict
	CorsError cors.CorsError
	// Dropped names the request headers the browser added itself, or
	// that a page cannot set; one dropped because its recorded name or
	// value is not one a page can send is named in Notes instead.
	Dropped []string
	// Redacted names the headers and query parameters whose values were
	// replaced by RedactedValue.
	Redacted []string
	// Notes say what was inferred, such as the credentials mode.
	Notes []string
}

// ImportReport lists what ImportHAR made of each entry.
type ImportReport struct {
	File string
	// Unit is what Entries counts: "" for a HAR's entries (numbered from
	// 0, as log.entries), "command" for curl and "call" for fetch
	// (numbered from 1, as their errors count them).
	Unit    string
	Entries int
	Cases   []ImportedCase
	Skipped []SkippedEntry
}

// ErrNothingToReplay is returned (wrapped, with the counts) when a HAR holds
// no request ImportHAR can replay.
var ErrNothingToReplay = errors.New("nothing to replay")

// SkipSummary counts the skipped entries by kind: "all same-origin" or
// "9 same-origin, 2 preflight".
func (r *ImportReport) SkipSummary() string {
	counts := map[SkipKind]int{}
	var kinds []SkipKind
	for _, s := range r.Skipped {
		if counts[s.Kind] == 0 {
			kinds = append(kinds, s.Kind)
		}
		counts[s.Kind]++
	}
	if len(kinds) == 1 && counts[kinds[0]] == r.Entries {
		return "all skipped: " + string(kinds[0])
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d skipped: %s", counts[k], k)
	}
	return strings.Join(parts, "; ")
}

// The HAR input types. Only the fields the import reads are declared;
// numbers are float64 and extension fields raw, because exporters differ
// (Firefox, Chromium, proxies) and one odd entry must not sink the file.
type (
	harInLog struct {
		Pages   []harInPage
		Entries []json.RawMessage
	}
	harInPage struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		Origin string `json:"_origin"`
	}
	harInEntry struct {
		Pageref      string          `json:"pageref"`
		Request      *harInRequest   `json:"request"`
		Response     *harInResponse  `json:"response"`
		ResourceType string          `json:"_resourceType"`
		Initiator    json.RawMessage `json:"_initiator"`
		CorsError    json.RawMessage `json:"_corsError"`
		FailedParam  string          `json:"_corsFailedParameter"`
		Error        string          `json:"_error"`
		Corsproof    *harInCase      `json:"_corsproof"`
	}
	harInRequest struct {
		Method   string        `json:"method"`
		URL      string        `json:"url"`
		Headers  []harInHeader `json:"headers"`
		Cookies  []harInHeader `json:"cookies"`
		PostData *struct {
			Text string `json:"text"`
		} `json:"postData"`
	}
	harInResponse struct {
		Status      float64         `json:"status"`
		Headers     []harInHeader   `json:"headers"`
		RedirectURL string          `json:"redirectURL"`
		Error       string          `json:"_error"`
		CorsError   json.RawMessage `json:"_corsError"`
	}
	harInHeader struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harInCase struct {
		Case        string `json:"case"`
		Origin      string `json:"origin"`
		API         string `json:"api"`
		Credentials string `json:"credentials"`
		Mode        string `json:"mode"`
		Verdict     string `json:"verdict"`
	}
)

// harBrowserAdded are request headers the browser adds by itself although a
// page could set them; replaying them would test a different request. Every
// forbidden request header (cors.IsForbiddenRequestHeader: Cookie, Host,
// Origin, Sec-*, Proxy-* …) and every HTTP/2 pseudo-header (":authority"…)
// is dropped too.
var harBrowserAdded = map[string]bool{
	"accept-language":           true,
	"priority":                  true,
	"upgrade-insecure-requests": true,
	"user-agent":                true,
	"x-client-data":             true,
}

// harCacheHeaders are added by DevTools when "Disable cache" is on; they are
// the page's own only when the preflight listed them.
var harCacheHeaders = map[string]bool{"cache-control": true, "pragma": true}

// harCredentialErrors are the CorsErrors only a credentialed request can
// get: when a HAR reports one, the page used credentials: include even if
// no cookie went out.
var harCredentialErrors = []cors.CorsError{
	cors.ErrWildcardOriginNotAllowed, cors.ErrInvalidAllowCredentials,
	cors.ErrPreflightWildcardOriginNotAllowed, cors.ErrPreflightInvalidAllowCredentials,
}

// ImportHAR turns the cross-origin fetch and XHR requests of a HAR 1.2 file,
// as Chromium's and Firefox's DevTools (and corsproof's own HAR report)
// export it, into a suite that makes the same requests from the same page
// origins, each expecting what the user's browser did.
//
// For each entry:
//   - the page origin is the request's Origin header, else corsproof's
//     _corsproof.origin, else the origin of its page's URL, else of its
//     Referer; opts.Origin overrides them all. Requests to the page's own
//     origin are skipped.
//   - preflights (OPTIONS with Access-Control-Request-Method, or
//     _resourceType/_initiator "preflight") are matched to their request
//     (same URL and page origin, method as requested, nearest entry) instead
//     of becoming cases; a preflight whose request is missing becomes a case
//     rebuilt from it. Headers its Access-Control-Request-Headers names but
//     the request lacks are added with placeholder values.
//   - navigations, no-cors loads (images, scripts…) and non-http URLs
//     (data:, blob:, ws:…) are skipped: the browser makes no CORS check.
//   - headers the browser adds or a page cannot set are dropped: Accept: */*, Host,
//     Origin, Referer, User-Agent, Accept-Encoding, Accept-Language,
//     Connection, Content-Length, Cookie, Priority, DNT, Upgrade-Insecure-Requests,
//     X-Client-Data, Access-Control-Request-*, every Sec-* (Sec-Fetch-*,
//     sec-ch-ua*) and Proxy-*, the rest of Fetch's forbidden names and HTTP/2
//     pseudo-headers; Cache-Control and Pragma too unless the preflight
//     listed them (DevTools adds them with "Disable cache").
//   - credentials are include when the request carried cookies (a Cookie
//     header or cookies[]), when its CorsError happens only to credentialed
//     requests, or when _corsproof says so; same-origin otherwise.
//   - the expectation is what happened: a response with a status is
//     allowed; status 0, an _error or a _corsError is blocked (with the
//     CorsError when the HAR carries one), or network-error for a net error
//     other than net::ERR_FAILED, which is how Chromium ends CORS failures.
//   - values of Authorization and token-like headers and query parameters
//     become RedactedValue unless opts.WithCredentialsValues.
//
// Bad JSON and files that are not HAR are errors located by line and
// column (fileerr.Problems lists them); a HAR with nothing to replay returns the
// report and an error wrapping ErrNothingToReplay.
func ImportHAR(data []byte, opts HAROptions) (*Suite, *ImportReport, error) {
	file := opts.File
	if file == "" {
		file = "HAR"
	}
	if opts.Origin != "" {
		if is := originIssue(opts.Origin); is != nil {
			return nil, nil, &OriginError{fileerr.Problem{File: file, Field: "--origin", Value: opts.Origin, Message: is.reason, Hint: is.hint}}
		}
	}
	log, err := decodeHAR(file, data)
	if err != nil {
		return nil, nil, err
	}
	if max := cmp.Or(opts.MaxEntries, DefaultLimits.HAREntries); len(log.Entries) > max {
		return nil, nil, &LimitError{fileerr.Problem{File: file, Field: "log.entries", Message: fmt.Sprintf("holds %d entries; the limit is %d", len(log.Entries), max),
			Hint: "raise it with --max-har-entries, or export a shorter session (Preserve log off, or filter the Network panel first)"}}
	}
	rep := &ImportReport{File: file, Entries: len(log.Entries)}
	im := harImport{opts: opts, file: file, pages: map[string]harInPage{}, rep: rep}
	for _, p := range log.Pages {
		im.pages[p.ID] = p
	}
	im.parseEntries(log.Entries)
	im.linkRedirects()
	im.matchPreflights()
	cases := im.buildCases()
	if len(cases) == 0 {
		if rep.Entries == 0 {
			return nil, rep, fmt.Errorf("%s: %w: the HAR has no entries", file, ErrNothingToReplay)
		}
		return nil, rep, fmt.Errorf("%s: %w: %d %s, %s", file, ErrNothingToReplay, rep.Entries,
			pluralWord(rep.Entries, "entry", "entries"), rep.SkipSummary())
	}
	name := opts.Name
	if name == "" {
		name = "imported from " + filepath.Base(file)
	}
	s := &Suite{Version: SuiteVersion, Name: name, Cases: cases}
	// Each case passed Validate; loading the suite back as run will is
	// the last word, once for all of them.
	if err := checkWritten(s, file, "har"); err != nil {
		return nil, rep, err
	}
	return s, rep, nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// decodeHAR checks that data is a HAR document and returns its log.
func decodeHAR(file string, data []byte) (*harInLog, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &SyntaxError{fileerr.Problem{File: file, Line: 1, Col: 1, Message: "is empty", Hint: "export the HAR again with DevTools' Network panel: Save all as HAR"}}
	}
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		return nil, &SyntaxError{fileerr.Problem{File: file, Line: line, Col: col, Message: "is not valid UTF-8, so it is not a HAR file", Hint: "HAR is JSON in UTF-8; export it again"}}
	}
	var top any
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonProblem(file, data, err)
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, &TypeError{fileerr.Problem{File: file, Line: 1, Col: 1, Message: "is JSON but not a HAR file: the top level is " + jsonKind(top) + ", not an object with \"log\"", Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	logv, ok := obj["log"]
	if !ok {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, strconv.Quote(k))
		}
		sort.Strings(keys)
		if len(keys) > 5 {
			keys = append(keys[:5], "…")
		}
		return nil, &MissingError{fileerr.Problem{File: file, Line: 1, Col: 1, Field: "log", Message: "is missing: this JSON is not a HAR file (top-level keys: " + strings.Join(keys, ", ") + ")", Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	lm, ok := logv.(map[string]any)
	if !ok {
		return nil, &TypeError{fileerr.Problem{File: file, Line: 1, Col: 1, Field: "log", Message: "is " + jsonKind(logv) + ", want an object", Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	ents, ok := lm["entries"]
	if !ok {
		return nil, &MissingError{fileerr.Problem{File: file, Line: 1, Col: 1, Field: "log.entries", Message: "is missing: not a HAR file", Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	if _, ok := ents.([]any); !ok {
		return nil, &TypeError{fileerr.Problem{File: file, Line: 1, Col: 1, Field: "log.entries", Message: "is " + jsonKind(ents) + ", want a list", Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	// Pages are optional and differ between exporters: a malformed pages
	// list is ignored, not fatal.
	var pages struct {
		Log struct {
			Pages []harInPage `json:"pages"`
		} `json:"log"`
	}
	_ = json.Unmarshal(data, &pages)
	var entries struct {
		Log struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, jsonProblem(file, data, err)
	}
	return &harInLog{Pages: pages.Log.Pages, Entries: entries.Log.Entries}, nil
}

// jsonKind names the JSON type of a decoded value for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// jsonProblem turns a JSON decoding error into a located SyntaxError.
func jsonProblem(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// The offset counts the offending byte as read; point at it.
		line, col := lineCol(data, se.Offset-1)
		reason := "is not valid JSON: " + se.Error()
		hint := "the file is damaged; export the HAR again"
		if int(se.Offset) >= len(data) || strings.Contains(se.Error(), "unexpected end") {
			line, col = lineCol(data, se.Offset)
			reason = "ends early: the JSON is truncated (" + se.Error() + ")"
			hint = "the file was cut off; export or copy the whole HAR again"
		}
		return &SyntaxError{fileerr.Problem{File: file, Line: line, Col: col, Message: reason, Hint: hint}}
	case errors.As(err, &te):
		line, col := lineCol(data, te.Offset)
		return &TypeError{fileerr.Problem{File: file, Line: line, Col: col, Field: te.Field, Message: "is a JSON " + te.Value + ", want " + te.Type.String(), Hint: "pass the file DevTools saves with Save all as HAR"}}
	}
	return &SyntaxError{fileerr.Problem{File: file, Line: 1, Col: 1, Message: "is not valid JSON: " + err.Error()}}
}

// lineCol converts a byte offset to a 1-based line and column (in runes).
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// harImport holds the state of one import.
type harImport struct {
	opts    HAROptions
	file    string
	pages   map[string]harInPage
	rep     *ImportReport
	entries []*harReq
	// hops are redirect hops after the first: not cases, but a preflight
	// may belong to one.
	hops []*harReq
}

// harReq is one usable entry, decoded and classified.
type harReq struct {
	index       int
	method, url string
	origin      string // page origin
	target      string // origin of url
	headers     [][2]string
	cookies     bool
	body        string
	api         API
	status      int
	netError    string
	corsError   string
	corsParam   string
	// refused is the CorsError the recorded response fails the access
	// check with, for a response the HAR shows with its status but that
	// the browser cannot have let the page read.
	refused     cors.CorsError
	cp          *harInCase
	preflight   bool
	acrm        string
	acrh        []string
	matched     *harReq // for a preflight: its request; for a request: its preflight
	secFetchMod string
	sameOrigin  bool
	redirectURL string
	next, prev  *harReq // redirect hops: the request this one redirected to, and from
}

// final is the last hop of a redirect chain, whose outcome is the case's.
func (hr *harReq) final() *harReq {
	f := hr
	for f.next != nil {
		f = f.next
	}
	return f
}

func (im *harImport) skip(i int, method, u string, kind SkipKind, reason string) {
	im.rep.Skipped = append(im.rep.Skipped, SkippedEntry{Entry: i, Method: method, URL: u, Kind: kind, Reason: reason})
}

// parseEntries decodes each entry and skips those that cannot be a case.
func (im *harImport) parseEntries(raw []json.RawMessage) {
	for i, r := range raw {
		var e harInEntry
		if err := json.Unmarshal(r, &e); err != nil {
			im.skip(i, "", "", SkipMalformed, "entry is not a HAR entry: "+err.Error())
			continue
		}
		if e.Request == nil || e.Request.URL == "" {
			im.skip(i, "", "", SkipMalformed, "entry has no request.url")
			continue
		}
		hr := &harReq{index: i, method: cors.NormalizeMethod(strings.TrimSpace(e.Request.Method)), url: e.Request.URL, cp: e.Corsproof}
		u, err := url.Parse(hr.url)
		if err != nil {
			im.skip(i, hr.method, hr.url, SkipMalformed, "request.url is not a URL")
			continue
		}
		if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
			im.skip(i, hr.method, hr.url, SkipScheme, fmt.Sprintf("%s: URL: the browser makes no CORS check", s))
			continue
		}
		if u.Host == "" {
			im.skip(i, hr.method, hr.url, SkipMalformed, "request.url has no host")
			continue
		}
		hr.target = urlOrigin(u)
		var originHeader, referer string
		for _, h := range e.Request.Headers {
			name := strings.TrimSpace(h.Name)
			switch strings.ToLower(name) {
			case "origin":
				originHeader = strings.TrimSpace(h.Value)
			case "referer":
				referer = strings.TrimSpace(h.Value)
			case "cookie":
				hr.cookies = true
			case "access-control-request-method":
				hr.acrm = strings.TrimSpace(h.Value)
			case "access-control-request-headers":
				for _, n := range strings.Split(h.Value, ",") {
					if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
						hr.acrh = append(hr.acrh, n)
					}
				}
			case "sec-fetch-mode":
				hr.secFetchMod = strings.ToLower(strings.TrimSpace(h.Value))
			}
			hr.headers = append(hr.headers, [2]string{name, h.Value})
		}
		if len(e.Request.Cookies) > 0 {
			hr.cookies = true
		}
		if e.Request.PostData != nil {
			hr.body = e.Request.PostData.Text
		}
		initiator := rawType(e.Initiator)
		hr.preflight = hr.method == "OPTIONS" && (hr.acrm != "" || e.ResourceType == "preflight" || initiator == "preflight")
		// Page origin, most reliable first.
		switch {
		case im.opts.Origin != "":
			hr.origin = im.opts.Origin
		case originHeader != "":
			hr.origin = originHeader
		case e.Corsproof != nil && e.Corsproof.Origin != "":
			hr.origin = e.Corsproof.Origin
		default:
			if p, ok := im.pages[e.Pageref]; ok {
				if p.Origin != "" {
					hr.origin = p.Origin
				} else if pu, err := url.Parse(p.Title); err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "" {
					hr.origin = urlOrigin(pu)
				}
			}
			if hr.origin == "" && referer != "" {
				if ru, err := url.Parse(referer); err == nil && (ru.Scheme == "http" || ru.Scheme == "https") && ru.Host != "" {
					hr.origin = urlOrigin(ru)
				}
			}
		}
		if hr.origin == "" {
			if kind, reason := notCORS(hr, e.ResourceType, false); kind != "" {
				im.skip(i, hr.method, hr.url, kind, reason)
			} else {
				im.skip(i, hr.method, hr.url, SkipNoOrigin, "no Origin or Referer header and no page URL")
			}
			continue
		}
		if hr.origin != "null" {
			if is := originIssue(hr.origin); is != nil {
				if ou, err := url.Parse(hr.origin); err == nil && ou.Host != "" {
					hr.origin = urlOrigin(ou)
				}
				if is := originIssue(hr.origin); is != nil {
					im.skip(i, hr.method, hr.url, SkipNoOrigin, fmt.Sprintf("page origin %q %s", hr.origin, is.reason))
					continue
				}
			}
		}
		if e.Response != nil {
			hr.status = int(e.Response.Status)
			if hr.status >= 300 && hr.status < 400 && e.Response.RedirectURL != "" {
				if ru, err := u.Parse(e.Response.RedirectURL); err == nil {
					hr.redirectURL = ru.String()
				}
			}
		}
		hr.sameOrigin = hr.origin == hr.target
		if hr.sameOrigin && hr.redirectURL == "" {
			// A same-origin hop that redirects elsewhere may start a
			// cross-origin chain; linkRedirects decides.
			im.skip(i, hr.method, hr.url, SkipSameOrigin, "the page's origin "+hr.origin+" is the URL's")
			continue
		}
		if !hr.preflight {
			if kind, reason := notCORS(hr, e.ResourceType, originHeader != ""); kind != "" {
				im.skip(i, hr.method, hr.url, kind, reason)
				continue
			}
		}
		hr.api = APIFetch
		if e.ResourceType == "xhr" {
			hr.api = APIXHR
		}
		if e.Response != nil {
			hr.netError = e.Response.Error
			hr.corsError, hr.corsParam = corsErrorField(e.Response.CorsError)
		}
		hr.netError = firstNonEmpty(hr.netError, e.Error)
		if ce, p := corsErrorField(e.CorsError); ce != "" {
			hr.corsError, hr.corsParam = ce, p
		}
		hr.corsParam = firstNonEmpty(hr.corsParam, e.FailedParam)
		if e.Response != nil && !hr.preflight && hr.cp == nil && hr.redirectURL == "" {
			hr.refused = refusedResponse(hr, e.Response.Headers)
		}
		im.entries = append(im.entries, hr)
	}
}

// refusedResponse checks the response a HAR recorded with a status and
// headers against the page's origin, as the browser checks it: Firefox
// records a response it blocked with the status and headers the server
// sent, and nothing else says it was blocked. It returns the CorsError the
// check fails with, or "" when it passes or the HAR recorded no headers.
func refusedResponse(hr *harReq, headers []harInHeader) cors.CorsError {
	if hr.status < 200 || len(headers) == 0 || hr.netError != "" || hr.corsError != "" || hr.sameOrigin {
		return ""
	}
	r := &cors.Response{URL: hr.url, Status: hr.status}
	for _, h := range headers {
		r.AddHeader(h.Name, h.Value)
	}
	creds := string(CredentialsSameOrigin)
	if hr.cookies {
		creds = string(CredentialsInclude)
	}
	// Only the response's access check is asked: without a preflight the
	// model takes one as passed, which the recorded response shows it did.
	p := cors.Predict(cors.Input{Request: cors.Request{Origin: hr.origin, Method: hr.method, URL: hr.url, Credentials: creds, Mode: string(ModeCORS)}, Actual: r})
	if p.Verdict == cors.VerdictBlocked && p.FailedAt == cors.StageActual {
		return p.CorsError
	}
	return ""
}

// notCORS says why a request is not one a page's fetch or xhr made in cors
// mode, or returns "" when it is (or may be).
func notCORS(hr *harReq, resourceType string, hasOrigin bool) (SkipKind, string) {
	if hr.cp != nil {
		return "", ""
	}
	switch hr.secFetchMod {
	case "", "cors":
	default:
		return SkipNotCORS, "Sec-Fetch-Mode is " + hr.secFetchMod + ": the browser makes no CORS check"
	}
	switch resourceType {
	case "fetch", "xhr":
		return "", ""
	case "":
	default:
		if hr.secFetchMod != "cors" {
			return SkipNotCORS, "resource type " + resourceType + " is not a fetch or XHR"
		}
		return "", ""
	}
	if hr.secFetchMod == "" && !hasOrigin {
		return SkipNotCORS, "no Origin header and no Sec-Fetch-Mode: cors, so not a CORS request"
	}
	return "", ""
}

// rawType reads the "type" of an _initiator object, or the string itself.
func rawType(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Type
	}
	return ""
}

// corsErrorField reads a CorsError written as a string or as Chromium's
// corsErrorStatus object {corsError, failedParameter}.
func corsErrorField(raw json.RawMessage) (string, string) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), ""
	}
	var o struct {
		CorsError       string `json:"corsError"`
		FailedParameter string `json:"failedParameter"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return strings.TrimSpace(o.CorsError), o.FailedParameter
	}
	return "", ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// urlOrigin serializes the origin of an http(s) URL as self.origin does.
func urlOrigin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}

// linkRedirects joins redirect hops into chains: a hop answered 3xx with a
// redirectURL continues in the nearest later entry for that URL from the
// same page origin. A chain is one case: the first request is what the page
// asked for, the last hop's outcome is what happened. Chains that never
// leave the page's origin are skipped.
func (im *harImport) linkRedirects() {
	ix := newRedirectIndex(im.entries)
	for _, hr := range im.entries {
		if hr.redirectURL == "" || hr.preflight {
			continue
		}
		if n := ix.next(reqKey{hr.redirectURL, hr.origin}, hr.index); n != nil {
			hr.next, n.prev = n, hr
		}
	}
	// A hop comes after the one it continues, so walking in entry order
	// meets each chain's head first: its head and whether it leaves the
	// page's origin are known by then.
	heads := map[*harReq]*harReq{}
	crosses := map[*harReq]bool{}
	kept := im.entries[:0]
	for _, hr := range im.entries {
		head := hr
		if hr.prev != nil {
			head = heads[hr.prev]
		}
		heads[hr] = head
		cross, known := crosses[head]
		if !known {
			for h := head; h != nil; h = h.next {
				cross = cross || !h.sameOrigin
			}
			crosses[head] = cross
		}
		switch {
		case !cross:
			im.skip(hr.index, hr.method, hr.url, SkipSameOrigin, "the page's origin "+hr.origin+" is the URL's")
		case hr.prev != nil:
			im.hops = append(im.hops, hr)
			im.skip(hr.index, hr.method, hr.url, SkipRedirect, fmt.Sprintf("redirect hop of entry %d", head.index))
		default:
			kept = append(kept, hr)
		}
	}
	im.entries = kept
}

// matchPreflights pairs each preflight with the nearest request to the
// same URL from the same page origin with the requested method.
func (im *harImport) matchPreflights() {
	ix := newPreflightIndex(slices.Concat(im.entries, im.hops))
	for _, p := range im.entries {
		if !p.preflight {
			continue
		}
		if best := ix.match(p); best != nil {
			p.matched, best.matched = best, p
		}
	}
}

// buildCases turns the requests into validated cases with unique names.
func (im *harImport) buildCases() []Case {
	var cases []Case
	names := newUniqueNames()
	for _, hr := range im.entries {
		if hr.preflight && hr.matched != nil {
			im.skip(hr.index, hr.method, hr.url, SkipPreflight, fmt.Sprintf("preflight of entry %d", hr.matched.index))
			continue
		}
		c, ic, ok := im.buildCase(hr)
		if !ok {
			continue
		}
		c.Name = names.name(c.Name)
		// Check the case by the rules a suite file's cases are checked by,
		// so the import never writes a case `corsproof run` refuses; the
		// whole suite is loaded back once at the end (ImportHAR).
		err := c.Validate()
		if err == nil && len(c.Request.Headers) > DefaultLimits.Headers {
			err = fmt.Errorf("request.headers: %d headers, more than the %d a case may have", len(c.Request.Headers), DefaultLimits.Headers)
		}
		if err != nil {
			msg := err.Error()
			if ps := fileerr.Problems(err); len(ps) > 0 {
				p := ps[0]
				msg = p.Field + ": " + p.Message
				if p.Value != "" {
					msg = fmt.Sprintf("%s: %q %s", p.Field, p.Value, p.Message)
				}
			}
			im.skip(hr.index, hr.method, hr.url, SkipInvalid, msg)
			continue
		}
		ic.Name = c.Name
		im.rep.Cases = append(im.rep.Cases, ic)
		cases = append(cases, c)
	}
	sort.SliceStable(im.rep.Skipped, func(i, j int) bool { return im.rep.Skipped[i].Entry < im.rep.Skipped[j].Entry })
	return cases
}

// buildCase builds the case for one request (or for a preflight whose
// request is missing from the HAR).
func (im *harImport) buildCase(hr *harReq) (Case, ImportedCase, bool) {
	ic := ImportedCase{Entry: hr.index, Preflight: -1}
	// corsproof writes what the page asked for on the last hop.
	cp := hr.cp
	if cp == nil {
		cp = hr.final().cp
	}
	method, pre := hr.method, hr.matched
	fromPreflight := hr.preflight
	if fromPreflight {
		method = cors.NormalizeMethod(hr.acrm)
		pre = hr
		ic.Notes = append(ic.Notes, "rebuilt from a preflight whose request is not in the HAR")
	}
	if pre != nil && !fromPreflight {
		ic.Preflight = pre.index
	}
	if im.opts.OnlyFailed && !fromPreflight && hr.final().failed() == "" && (pre == nil || pre.failed() == "") {
		im.skip(hr.index, hr.method, hr.url, SkipSucceeded, "the user's browser allowed it; --only-failed keeps the failed requests")
		return Case{}, ic, false
	}
	var listed []string
	if pre != nil {
		listed = pre.acrh
	}
	req := Request{API: hr.api, Method: method, URL: hr.url, Credentials: DefaultCredentials}
	if hr.api == APIFetch {
		req.Mode = DefaultMode
	}
	if !fromPreflight && method != "GET" && method != "HEAD" {
		req.Body = hr.body
	}
	have := map[string]bool{}
	if !fromPreflight {
		for _, h := range hr.headers {
			name, value := h[0], strings.Trim(h[1], " \t")
			l := strings.ToLower(name)
			switch {
			case strings.HasPrefix(l, ":"), cors.IsForbiddenRequestHeader(l), harBrowserAdded[l]:
				ic.Dropped = appendOnce(ic.Dropped, name)
				continue
			case l == "accept" && value == "*/*":
				// fetch's and xhr's own default, which the browser adds.
				ic.Dropped = appendOnce(ic.Dropped, name)
				continue
			case harCacheHeaders[l] && !slices.Contains(listed, l):
				ic.Dropped = appendOnce(ic.Dropped, name)
				continue
			case headerNameIssue(name) != nil || headerValueIssue(value) != nil:
				ic.Notes = append(ic.Notes, fmt.Sprintf("dropped header %q: a page cannot send it as recorded", name))
				continue
			}
			if !im.opts.WithCredentialsValues && cors.IsSecretHeader(l) {
				value = redactValue(l, value)
				ic.Redacted = appendOnce(ic.Redacted, name)
			}
			if req.Headers == nil {
				req.Headers = map[string]string{}
			}
			if prev, ok := headerLookup(req.Headers, name); ok {
				req.Headers[prev] += ", " + value
			} else {
				req.Headers[name] = value
			}
			have[l] = true
		}
	}
	// The preflight names the non-safelisted headers the page set; one the
	// request entry lacks (a provisional header list, or a rebuilt case)
	// is added with a placeholder so the preflight asks for it again.
	for _, n := range listed {
		if have[n] || headerNameIssue(n) != nil {
			continue
		}
		if req.Headers == nil {
			req.Headers = map[string]string{}
		}
		v := RedactedValue
		if n == "content-type" {
			v = "application/json"
		}
		req.Headers[n] = v
		ic.Notes = append(ic.Notes, fmt.Sprintf("added header %s: %s, which the preflight asked for", n, v))
	}
	if !im.opts.WithCredentialsValues {
		if u, names := redactQuery(req.URL); len(names) > 0 {
			req.URL = u
			ic.Redacted = append(ic.Redacted, names...)
		}
	}

	// What the user's browser did: the outcome of the chain's last hop.
	last := hr.final()
	if last != hr {
		ic.Notes = append(ic.Notes, fmt.Sprintf("redirected to %s (entry %d)", last.url, last.index))
	}
	verdict, corsError, why := last.observed(pre, fromPreflight)
	ic.Observed, ic.CorsError = verdict, corsError
	switch {
	case cp != nil && cp.Credentials != "":
		req.Credentials = Credentials(cp.Credentials)
	case hr.cookies:
		req.Credentials = CredentialsInclude
		ic.Notes = append(ic.Notes, "credentials: include, because the request carried cookies (their values are not replayed)")
	case slices.Contains(harCredentialErrors, corsError):
		req.Credentials = CredentialsInclude
		ic.Notes = append(ic.Notes, "credentials: include, because "+string(corsError)+" happens only to credentialed requests")
	}
	if cp != nil {
		if cp.API != "" {
			req.API = API(cp.API)
		}
		req.Mode = Mode(cp.Mode)
		if req.API == APIFetch && req.Mode == "" {
			req.Mode = DefaultMode
		}
	}
	c := Case{Origin: hr.origin, Request: req}
	if verdict != "" {
		c.Expect = &Expect{Verdict: verdict, CorsError: corsError}
	}
	c.Name = caseName(cp, hr.url, method)
	c.Why = fmt.Sprintf("entry %d of %s: %s", hr.index, filepath.Base(im.file), why)
	return c, ic, true
}

// failed returns why an entry failed in the user's browser, or "".
func (hr *harReq) failed() string {
	switch {
	case hr.cp != nil && hr.cp.Verdict != "" && hr.cp.Verdict != string(cors.VerdictAllowed):
		return hr.cp.Verdict
	case hr.corsError != "":
		return hr.corsError
	case hr.netError != "":
		return hr.netError
	case hr.status == 0:
		return "status 0"
	case hr.refused != "":
		return string(hr.refused)
	}
	return ""
}

// observed is the verdict the user's browser reached, with a CorsError
// when the HAR names one, and the reason for the case's why. An older
// Chromium's name for the CorsError becomes the current one, so the case
// expects what today's browser reports for the same failure.
func (hr *harReq) observed(pre *harReq, fromPreflight bool) (cors.Verdict, cors.CorsError, string) {
	name := hr.corsError
	if name == "" && pre != nil {
		name = pre.corsError
	}
	corsError, _ := cors.LookupCorsError(name)
	if hr.cp != nil && cors.Verdict(hr.cp.Verdict).IsBrowserVerdict() {
		v := cors.Verdict(hr.cp.Verdict)
		if v != cors.VerdictBlocked {
			corsError = ""
		}
		return v, corsError, "the user's browser said " + hr.cp.Verdict + withError(corsError)
	}
	if fromPreflight {
		if corsError != "" {
			return cors.VerdictBlocked, corsError, "blocked in the user's browser" + withError(corsError)
		}
		return "", "", "rebuilt from its preflight; the HAR does not say what happened"
	}
	reason := hr.failed()
	if reason == "" && pre != nil && pre.status == 0 {
		reason = firstNonEmpty(pre.netError, "preflight status 0")
	}
	switch {
	case reason == "":
		return cors.VerdictAllowed, "", fmt.Sprintf("answered %d in the user's browser", hr.status)
	case corsError != "":
		return cors.VerdictBlocked, corsError, "blocked in the user's browser" + withError(corsError)
	case hr.netError != "" && hr.netError != "net::ERR_FAILED" && hr.netError != "net::ERR_INVALID_REDIRECT":
		return cors.VerdictNetworkError, "", "failed in the user's browser with " + hr.netError
	case hr.refused != "":
		return cors.VerdictBlocked, "", fmt.Sprintf("answered %d, but the response recorded fails the CORS check for %s (%s), so the user's browser blocked it", hr.status, hr.origin, hr.refused)
	}
	return cors.VerdictBlocked, "", "failed in the user's browser (" + reason + "), as a CORS failure looks in a HAR"
}

func withError(e cors.CorsError) string {
	if e == "" {
		return ""
	}
	return " (" + string(e) + ")"
}

// caseName names a case after the corsproof case it came from, or after
// its method, host and path.
func caseName(cp *harInCase, rawURL, method string) string {
	if cp != nil && strings.TrimSpace(cp.Case) != "" {
		return strings.TrimSpace(cp.Case)
	}
	name := method + " " + rawURL
	if u, err := url.Parse(rawURL); err == nil {
		name = method + " " + u.Host + u.EscapedPath()
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100]) + "…"
	}
	return name
}

// redactValue replaces a secret header value, keeping an Authorization
// scheme ("Bearer") because servers and proxies route on it.
func redactValue(lname, v string) string {
	if lname == "authorization" {
		if scheme, _, ok := strings.Cut(v, " "); ok && cors.IsToken(scheme) {
			return scheme + " " + RedactedValue
		}
	}
	return RedactedValue
}

// redactQuery replaces the values of secret-looking query parameters.
func redactQuery(raw string) (string, []string) {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw, nil
	}
	var names []string
	parts := strings.Split(u.RawQuery, "&")
	for i, p := range parts {
		name, _, ok := strings.Cut(p, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			n = name
		}
		if ok && cors.IsSecretQueryParam(n) {
			parts[i] = name + "=" + RedactedValue
			names = appendOnce(names, "?"+n)
		}
	}
	if len(names) == 0 {
		return raw, nil
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String(), names
}

func headerLookup(h map[string]string, name string) (string, bool) {
	for k := range h {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
