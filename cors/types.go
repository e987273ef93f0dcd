package cors

import "strings"

// Verdict is what happened to a request: what the browser did, as a record
// or an expectation states it, or what the model predicts. It is the one
// definition of the word; records, suites and reports all use it, and its
// values are the strings their JSON and YAML hold.
type Verdict string

// Verdicts. Blocked means a CORS check refused the response; a refused
// connection or a DNS failure is a network error, not blocked.
const (
	// VerdictAllowed means the page gets the response.
	VerdictAllowed Verdict = "allowed"
	// VerdictBlocked means a CORS check (or, for a browser verdict, some
	// other browser policy such as mixed content) refuses the response.
	VerdictBlocked Verdict = "blocked"
	// VerdictNetworkError means the request failed for a reason that is not
	// a CORS check: refused connection, DNS, TLS, an unsafe port.
	VerdictNetworkError Verdict = "network-error"
	// VerdictTimeout means no verdict came within the case's time limit.
	VerdictTimeout Verdict = "timeout"
	// VerdictError means nothing went on the wire: the page's API refused
	// the request (forbidden method, invalid header, a method no-cors mode
	// does not allow) with a TypeError rather than a CORS error, or the
	// harness could not run the case.
	VerdictError Verdict = "error"
	// VerdictUnknown is the model's alone: the input lacks the response the
	// model would need to check (no actual response was recorded and
	// nothing failed before it). A browser never reports it.
	VerdictUnknown Verdict = "unknown"
)

// browserVerdicts are the verdicts a browser run can record, in the order
// hints list them.
var browserVerdicts = []Verdict{VerdictAllowed, VerdictBlocked, VerdictNetworkError, VerdictTimeout, VerdictError}

// BrowserVerdicts returns the verdicts a record or an expectation may hold:
// every Verdict but VerdictUnknown. The slice is a copy.
func BrowserVerdicts() []Verdict {
	return append([]Verdict(nil), browserVerdicts...)
}

// IsBrowserVerdict reports whether v is one of BrowserVerdicts.
func (v Verdict) IsBrowserVerdict() bool {
	for _, b := range browserVerdicts {
		if b == v {
			return true
		}
	}
	return false
}

// noCORSOpinion reports whether a browser verdict says nothing about CORS:
// network errors, timeouts and errors end the request before or outside the
// CORS checks, so the model has nothing to compare with them.
func (v Verdict) noCORSOpinion() bool {
	return v == VerdictNetworkError || v == VerdictTimeout || v == VerdictError
}

// Request is the request as the page made it.
type Request struct {
	// Origin is the page's serialized origin: scheme://host[:port] or "null".
	Origin string `json:"origin"`
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are the request headers as the page set them.
	Headers map[string]string `json:"headers,omitempty"`
	// Credentials is omit, same-origin or include; empty means same-origin.
	Credentials string `json:"credentials,omitempty"`
	// Mode is cors, no-cors or same-origin; empty means cors.
	Mode string `json:"mode,omitempty"`
	// API is fetch or xhr; it changes only which errors the page's API raises.
	API string `json:"api,omitempty"`
	// Body is the request body; a non-empty string body makes the API add
	// Content-Type: text/plain;charset=UTF-8 when the page set none.
	Body string `json:"body,omitempty"`
}

// Response is one raw response as it crossed the wire.
type Response struct {
	// URL is the URL that answered; it matters for redirects and for
	// matching a preflight to the URL it was sent to. May be empty.
	URL    string `json:"url,omitempty"`
	Status int    `json:"status"`
	// Headers are the raw response headers. A header sent on several lines
	// holds the values joined with "\n", as Chromium reports them over CDP.
	// Names are matched case-insensitively.
	Headers map[string]string `json:"headers,omitempty"`
}

// AddHeader adds one header line to r as Chromium reports several lines
// of one header: joined with "\n" under one name, whatever the case of
// each line's name (the first spelling is kept).
func (r *Response) AddHeader(name, value string) {
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	for k, prev := range r.Headers {
		if strings.EqualFold(k, name) {
			r.Headers[k] = prev + "\n" + value
			return
		}
	}
	r.Headers[name] = value
}

// Input is everything the model looks at for one request.
type Input struct {
	Request Request `json:"request"`
	// Preflight is the first OPTIONS response seen; nil when none was seen
	// (none needed, or the browser answered from its preflight cache).
	Preflight *Response `json:"preflight,omitempty"`
	// Actual is the final response of the request itself; nil when the
	// request never went out or its response was not recorded.
	Actual *Response `json:"actual,omitempty"`
	// Redirects are the redirect responses of the actual request, in order.
	// Each one's Location header names the next URL.
	Redirects []Response `json:"redirects,omitempty"`
	// RedirectPreflights are preflights sent after a redirect, to the new
	// URL. They are matched to a URL by Response.URL, or taken in order when
	// they carry no URL.
	RedirectPreflights []Response `json:"redirect_preflights,omitempty"`
}

// Reasons a request needs a preflight, for PreflightReason.Kind.
const (
	ReasonMethod      = "method"
	ReasonHeader      = "header"
	ReasonContentType = "content-type"
	ReasonValueLength = "value-length"
	ReasonValue       = "value"
	ReasonTotalLength = "total-length"
)

// PreflightReason is one reason the request needs a CORS preflight.
type PreflightReason struct {
	// Kind is one of the Reason* constants.
	Kind string `json:"kind"`
	// Name is the method or the lower-cased header name concerned.
	Name string `json:"name"`
	// Detail says why in plain words.
	Detail string `json:"detail"`
}

// Where a check failed, for Prediction.FailedAt.
const (
	StagePreflight = "preflight"
	StageRedirect  = "redirect"
	StageActual    = "actual"
	StageRequest   = "request"
)

// Prediction is what the model predicts Chromium does with a request.
type Prediction struct {
	// Verdict is allowed, blocked, error or unknown; the model never
	// predicts a network error or a timeout.
	Verdict Verdict `json:"verdict"`
	// CrossOrigin is true when CORS applies at some point of the request.
	CrossOrigin bool `json:"cross_origin"`
	// Method is the method after the API's normalisation.
	Method string `json:"method"`
	// PreflightNeeded is true when the browser must send a preflight for
	// the request (unless a cached one covers it).
	PreflightNeeded  bool              `json:"preflight_needed"`
	PreflightReasons []PreflightReason `json:"preflight_reasons,omitempty"`
	// RequestHeaderNames is the Access-Control-Request-Headers list the
	// preflight carries: the non-safelisted header names, lower-cased and sorted.
	RequestHeaderNames []string `json:"request_header_names,omitempty"`
	// CorsError is the Chromium CorsError name of the failing check, if blocked.
	CorsError CorsError `json:"cors_error,omitempty"`
	// FailedParameter is the value Chromium reports with the error.
	FailedParameter string `json:"failed_parameter,omitempty"`
	// Blocker is a non-CORS reason the model predicts the browser blocks
	// the request for (BlockerMixedContent); then Verdict is blocked and
	// CorsError is empty.
	Blocker string `json:"blocker,omitempty"`
	// FailedAt is the Stage* where the check failed; FailedURL and
	// FailedStatus describe that response.
	FailedAt     string `json:"failed_at,omitempty"`
	FailedURL    string `json:"failed_url,omitempty"`
	FailedStatus int    `json:"failed_status,omitempty"`
	// RequestOrigin is the Origin header value of the last request the
	// browser made for this fetch: the page origin, or "null" once a
	// redirect tainted it.
	RequestOrigin string `json:"request_origin"`
	// ReadableHeaders are the lower-cased names of the final response's
	// headers that script can read; UnreadableHeaders are the others present.
	ReadableHeaders   []string `json:"readable_headers,omitempty"`
	UnreadableHeaders []string `json:"unreadable_headers,omitempty"`
	// MaxAgeSeconds is how long Chromium caches the preflight result.
	MaxAgeSeconds int64 `json:"max_age_seconds,omitempty"`
	// Notes explain steps of the reasoning and the limits of the input.
	Notes []string `json:"notes,omitempty"`
	// Warnings flag risky configurations and places where Chromium and the
	// Fetch standard differ for this request.
	Warnings []string `json:"warnings,omitempty"`
}
