// Package result defines the record corsproof keeps for each request a page
// made: the request, the browser's verdict and reason, the raw headers of the
// preflight and the actual request, and the diagnosis. It is the contract
// between the harness, which fills records, and the reports, which render them.
package result

import (
	"slices"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// Record is what corsproof knows about one case after the browser ran it.
type Record struct {
	Name string `json:"name"`
	// Suite and File name where the case came from; empty for probe.
	Suite string `json:"suite,omitempty"`
	File  string `json:"file,omitempty"`
	// Line is the case's line in File (0 when unknown): where to look, and
	// how merge puts the records of shards back in the suite's order.
	Line int `json:"line,omitempty"`
	// Path names the network path the case ran on (see scenarios.Path);
	// empty for a run without paths.
	Path    string            `json:"path,omitempty"`
	Origin  string            `json:"origin"`
	Request scenarios.Request `json:"request"`
	// Cookies are the cookies the case put in the browser's jar before the
	// request (see scenarios.Case.Cookies).
	Cookies map[string]string `json:"cookies,omitempty"`

	Verdict cors.Verdict `json:"verdict"`
	// CorsError and FailedParameter are Chromium's own reason
	// (Network.loadingFailed corsErrorStatus), empty unless blocked. The
	// name is kept as the browser spelled it, legacy or not; comparisons
	// resolve it (cors.CorsError.Canonical).
	CorsError       cors.CorsError `json:"cors_error,omitempty"`
	FailedParameter string         `json:"failed_parameter,omitempty"`
	// EngineReason is the engine's own reason code where it is not
	// Chromium's CorsError: Firefox's (MDN's name, such as
	// CORSMissingAllowOrigin, cors.FirefoxReason). CorsError then holds
	// the Chromium CorsError of the same check, empty when Chromium has
	// none. ReasonText is the reason as the engine wrote it, verbatim; a
	// reason corsproof cannot classify is there with no EngineReason.
	EngineReason string `json:"engine_reason,omitempty"`
	ReasonText   string `json:"reason_text,omitempty"`
	// HeadersSource says where the exchanges' headers come from when they
	// are not the raw wire headers: HeadersFromEvents for Firefox.
	HeadersSource string `json:"headers_source,omitempty"`
	// NetError is Chromium's net error text for failed requests (net::ERR_FAILED…).
	NetError string `json:"net_error,omitempty"`
	// BlockedReason is Chromium's non-CORS blocked reason (mixed-content, csp…).
	BlockedReason string `json:"blocked_reason,omitempty"`
	// CertCheck is corsproof's own check of the certificate of the case's
	// https target against --ca; nil without --ca or for an http target.
	CertCheck *CertCheck `json:"cert_check,omitempty"`
	// Console holds the browser's console messages about the request.
	Console []string `json:"console,omitempty"`
	// Fault names what went wrong with the browser itself during the case:
	// FaultRendererCrashed, FaultBrowserGone. Empty when nothing did.
	Fault string `json:"fault,omitempty"`
	// Retried is true when the browser died or stopped answering while the
	// case ran, and the record is that of its second run, on a new browser.
	Retried bool `json:"retried,omitempty"`

	// Preflight is the OPTIONS request, nil when none was sent.
	Preflight *Exchange `json:"preflight"`
	// Actual is the request itself, nil when it never went out.
	Actual *Exchange `json:"actual"`
	// Redirects are the hops the actual request followed before its final URL.
	Redirects []Exchange `json:"redirects,omitempty"`
	// Contacted are the origins (scheme://host[:port]) the browser sent a
	// request to for this case, from its own network events: the request
	// URL, its preflight and every redirect hop. Page origins never appear:
	// corsproof answers them itself.
	Contacted []string `json:"contacted,omitempty"`

	Page Page `json:"page"`

	// AddressSpaces says which Local Network Access address spaces were involved.
	AddressSpaces *AddressSpaces `json:"address_spaces,omitempty"`

	Expect     *scenarios.Expect `json:"expect,omitempty"`
	ExpectMet  bool              `json:"expect_met"`
	Mismatches []string          `json:"mismatches"`

	Diagnosis *cors.Diagnosis `json:"diagnosis,omitempty"`
	// PathDiff compares the record with the same case over the run's
	// reference path; nil on the reference path and in runs without paths.
	PathDiff *PathDiff `json:"path_diff,omitempty"`
	// CacheCheck and ErrorPath are the findings of the generated
	// cache-poisoning and error-path cases (--cache-check, --error-paths).
	CacheCheck *CacheCheck     `json:"cache_check,omitempty"`
	ErrorPath  *ErrorPathCheck `json:"error_path,omitempty"`

	// Steps hold one entry per step of a case with steps (or of a case run
	// with --repeat), each with its own request, verdict, preflight and
	// actual exchanges, expectations and diagnosis. The case's own fields
	// then repeat its last step, and its expectations hold when every
	// step's do. A step has no steps of its own.
	Steps []Record `json:"steps,omitempty"`
	// WaitMS is the pause before a step, and AtMS when the step's request
	// was made, in milliseconds from the start of its case.
	WaitMS int64 `json:"wait_ms,omitempty"`
	AtMS   int64 `json:"at_ms,omitempty"`
	// Fresh is true for a step that started with an empty preflight
	// cache, HTTP cache and cookie jar (fresh: true).
	Fresh bool `json:"fresh,omitempty"`
	// PreflightModel is the CORS model's prediction for a step: whether it
	// sends a preflight given what the earlier steps left in the preflight
	// cache, and whether the browser did as predicted.
	PreflightModel *PreflightModel `json:"preflight_model,omitempty"`
	// Economy counts the preflights of a case with steps: what they cost
	// and the change that removes them.
	Economy *Economy `json:"economy,omitempty"`

	Browser string `json:"browser"`
	// BrowserProduct is the browser's own product string
	// (Browser.getVersion), such as "HeadlessChrome/156.0.8078.108".
	BrowserProduct string `json:"browser_product,omitempty"`
	Driver         string `json:"driver,omitempty"`
	DurationMS     int64  `json:"duration_ms"`
	// Timing says where the case's time went, when the run was asked for
	// it (--timings).
	Timing *Timing `json:"timing,omitempty"`
}

// Timing splits a case's time into the harness's phases, in milliseconds.
// Reset happens before the case's clock starts (it readies the context the
// case then uses), so the phases need not add up to DurationMS.
type Timing struct {
	// ResetMS is clearing the browser context before the case (caches,
	// cookies, the empty-jar check), or making a new one.
	ResetMS float64 `json:"reset_ms"`
	// PageMS is loading the page at the case's origin; 0 when the page of
	// the case before, at the same origin, was kept.
	PageMS float64 `json:"page_ms"`
	// RequestMS is from handing the request to the page to the page's
	// answer (the fetch or XHR settling, body read).
	RequestMS float64 `json:"request_ms"`
	// EventsMS is waiting after that for the network events the record
	// needs (preflight, ExtraInfo raw headers, loading finished or failed).
	EventsMS float64 `json:"events_ms"`
}

// HeadersFromEvents is the HeadersSource of a record made over WebDriver
// BiDi: the headers are those of the browser's network events, not the raw
// wire headers (duplicate response headers come merged as "a, b", and
// order and case may differ from what was sent).
const HeadersFromEvents = "bidi-network-events: not raw wire headers"

// Faults of the browser a record can name.
const (
	// FaultRendererCrashed: the page's renderer process crashed during the
	// case (Inspector.targetCrashed); the verdict is error.
	FaultRendererCrashed = "renderer-crashed"
	// FaultBrowserGone: the browser died or stopped answering during the
	// case, and no new one could run it (verdict error or not-run).
	FaultBrowserGone = "browser-gone"
)

// Exchange is one request and its response as they crossed the wire, from the
// *ExtraInfo events. Header maps use the names as sent; a header that appeared
// on several lines holds the values joined with "\n", as Chromium reports them.
type Exchange struct {
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	RequestHeaders  map[string]string `json:"request_headers"`
	Status          int               `json:"status,omitempty"`
	StatusText      string            `json:"status_text,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	// Error is the net error that ended this request, if any.
	Error string `json:"error,omitempty"`
	// CookiesSent and CookiesBlocked name the cookies attached or withheld.
	CookiesSent    []string `json:"cookies_sent,omitempty"`
	CookiesBlocked []Cookie `json:"cookies_blocked,omitempty"`
	// FromCache is true when the response came from the HTTP cache.
	FromCache bool `json:"from_cache,omitempty"`
	// TimeMS is how long the exchange took, from the browser's
	// requestWillBeSent to its loadingFinished or loadingFailed.
	TimeMS float64 `json:"time_ms,omitempty"`
	// SentAt and EndedAt are the browser's clock, in seconds, at this
	// hop's requestWillBeSent and at the request's loadingFinished or
	// loadingFailed (last hop only): Chromium's monotonic clock, Firefox's
	// BiDi timestamps (milliseconds since the epoch) over 1000; zero when
	// the driver gave none. They
	// mean nothing outside one browser's run, so they are not saved: they
	// give the preflight-cache model the browser's own clock.
	SentAt  float64 `json:"-"`
	EndedAt float64 `json:"-"`
}

// Cookie is a cookie the browser withheld and its reasons.
type Cookie struct {
	Name    string   `json:"name"`
	Reasons []string `json:"reasons"`
}

// Page is what the page's script saw.
type Page struct {
	// Origin is self.origin as the page reported it.
	Origin string `json:"origin,omitempty"`
	// SecureContext is self.isSecureContext: true for https pages and
	// localhost, which matters for Local Network Access and mixed content.
	SecureContext bool `json:"secure_context"`
	OK            bool `json:"ok"`
	Status        int  `json:"status"`
	// Type is the fetch Response.type (basic, cors, opaque…); empty for XHR.
	Type  string `json:"type,omitempty"`
	Error string `json:"error"`
	// ReadableHeaders are the response headers JavaScript could read.
	ReadableHeaders map[string]string `json:"readable_headers"`
	Body            string            `json:"body,omitempty"`
}

// AddressSpaces are the Local Network Access address spaces of the page and
// the target, as Chromium classified them.
type AddressSpaces struct {
	Page   string `json:"page,omitempty"`
	Target string `json:"target,omitempty"`
	// Policy is Chromium's local network request policy for the request.
	Policy string `json:"policy,omitempty"`
}

// Settings say what a run ran on and how: the header of a saved run (the
// first line of its JSON Lines), and the part of a run that merging keeps
// when runs agree.
type Settings struct {
	Tool   string   `json:"tool"`
	Suites []string `json:"suites"`
	// Engine is the browser engine, chromium or firefox.
	Engine  string `json:"engine,omitempty"`
	Browser string `json:"browser"`
	// BrowserProduct is the browser's own product string.
	BrowserProduct string `json:"browser_product,omitempty"`
	// BrowserPath is the binary that ran, empty when connected to a remote one.
	BrowserPath string `json:"browser_path,omitempty"`
	Driver      string `json:"driver,omitempty"`
	// ThirdPartyCookies records whether the profile allowed them.
	ThirdPartyCookies string `json:"third_party_cookies"`
	// TimeoutMS is how long one request could take before its verdict
	// became timeout.
	TimeoutMS int64 `json:"timeout_ms,omitempty"`
	// Isolation records how cases were kept apart (clean or fresh).
	Isolation string `json:"isolation,omitempty"`
	// LNA records how Local Network Access checks were handled.
	LNA string `json:"lna"`
	// CAFile is the --ca file whose certificate authorities were trusted
	// for the run's https targets, empty when none was; CertChecks say,
	// target by target, whether the served chain verified against them.
	CAFile     string      `json:"ca_file,omitempty"`
	CertChecks []CertCheck `json:"cert_checks,omitempty"`
	// Shard is the part of a split run this run holds, "i/n" as --shard
	// takes it (see scenarios.Shard); empty for a whole run. Merge checks
	// that shards cover 1..n.
	Shard string `json:"shard,omitempty"`
	// Repeat and EveryMS are --repeat and --every: each case made that many
	// calls, that far apart; 0 for a run without --repeat.
	Repeat  int       `json:"repeat,omitempty"`
	EveryMS int64     `json:"every_ms,omitempty"`
	Started time.Time `json:"started"`
	// Launch lists the switches, features and preferences the browser was
	// started with to keep it off the network, each with its reason; empty
	// for a browser corsproof connected to.
	Launch []string `json:"launch,omitempty"`
}

// Run is one run of one or more suites on one browser. Its JSON is the
// settings' fields followed by the run's own.
type Run struct {
	Settings
	DurationMS int64    `json:"duration_ms"`
	Records    []Record `json:"records"`
	Totals     Totals   `json:"totals"`
	// Contacted is every origin the browser sent a request to in the run,
	// sorted: the whole of the run's network footprint.
	Contacted []string `json:"contacted,omitempty"`
	// Baseline is how the run compares with a saved run (run --baseline);
	// nil without one.
	Baseline *BaselineDiff `json:"baseline,omitempty"`
}

// Totals count a run's records.
type Totals struct {
	Cases      int                  `json:"cases"`
	ByVerdict  map[cors.Verdict]int `json:"by_verdict"`
	ExpectMet  int                  `json:"expect_met"`
	ExpectFail int                  `json:"expect_failed"`
	// ModelDisagrees counts records whose diagnosis disagrees with the browser.
	ModelDisagrees int `json:"model_disagrees"`
	// ModelUnknown counts records the model could not decide (no final
	// response to check): neither agreement nor disagreement.
	ModelUnknown int `json:"model_unknown"`
}

// ModelAgrees counts the records whose diagnosis agrees with the browser.
func (t Totals) ModelAgrees() int {
	return t.Cases - t.ModelDisagrees - t.ModelUnknown
}

// Tally recomputes the totals from the records.
func (r *Run) Tally() {
	t := Totals{ByVerdict: map[cors.Verdict]int{}}
	for _, rec := range r.Records {
		t.Cases++
		t.ByVerdict[rec.Verdict]++
		if rec.ExpectMet {
			t.ExpectMet++
		} else {
			t.ExpectFail++
		}
		switch d := rec.Diagnosis; {
		case d == nil:
		case d.ModelUndecided():
			t.ModelUnknown++
		case d.ModelDisagrees():
			t.ModelDisagrees++
		}
	}
	r.Totals = t
	seen := map[string]bool{}
	r.Contacted = nil
	for _, rec := range r.Records {
		for _, o := range rec.Contacted {
			if !seen[o] {
				seen[o] = true
				r.Contacted = append(r.Contacted, o)
			}
		}
	}
	slices.Sort(r.Contacted)
}

// BaselineDiff is a run compared with a saved one (run --baseline): every
// case whose verdict, CorsError, failed parameter, preflight or status
// changed, and every case only one of them has, for scripts to read.
type BaselineDiff struct {
	// File is the saved run as --baseline named it; Browser and Started
	// are that run's.
	File    string    `json:"file"`
	Browser string    `json:"browser,omitempty"`
	Started time.Time `json:"started,omitzero"`
	// NotCompared counts the saved run's cases this run did not run
	// (other shards of its --shard, cases its --case left out), left out
	// of the comparison.
	NotCompared int `json:"not_compared,omitempty"`
	// Allowed is --allow-changes: the changes do not fail the run.
	Allowed bool             `json:"allowed,omitempty"`
	Changes []BaselineChange `json:"changes"`
}

// BaselineChange is one case that differs from the saved run.
type BaselineChange struct {
	Suite string `json:"suite,omitempty"`
	File  string `json:"file,omitempty"`
	Case  string `json:"case"`
	// Kind is changed (in both runs), added (only in this run) or removed
	// (only in the saved run).
	Kind string `json:"kind"`
	// Fields are what differs in a changed case: verdict, cors_error,
	// failed_parameter, preflight, status, step_preflights.
	Fields []BaselineField `json:"fields,omitempty"`
	// Reasons say why a step's preflight changed.
	Reasons []string `json:"reasons,omitempty"`
}

// BaselineField is one field of a changed case, before and after.
type BaselineField struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}
