package cors

// Verdicts the model can predict.
const (
	// VerdictAllowed means the page gets the response.
	VerdictAllowed = "allowed"
	// VerdictBlocked means a CORS check refuses the response.
	VerdictBlocked = "blocked"
	// VerdictError means the page's API refuses the request before anything
	// goes on the wire (forbidden method, invalid header, a method no-cors
	// mode does not allow): the page sees a TypeError, not a CORS error.
	VerdictError = "error"
	// VerdictUnknown means the input lacks the response the model would need
	// to check (no actual response was recorded and nothing failed before it).
	VerdictUnknown = "unknown"
)

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
	// Verdict is one of the Verdict* constants.
	Verdict string `json:"verdict"`
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
	CorsError string `json:"cors_error,omitempty"`
	// FailedParameter is the value Chromium reports with the error.
	FailedParameter string `json:"failed_parameter,omitempty"`
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
