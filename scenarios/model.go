// Package scenarios holds the suite model (version 1 of the suite format),
// loads and validates suite files, and imports requests captured elsewhere.
package scenarios

import "github.com/corsproof/corsproof/cors"

// API names the in-page API that makes the request.
type API string

// APIs a case may use.
const (
	APIFetch API = "fetch"
	APIXHR   API = "xhr"
)

// Credentials is the fetch credentials mode. For XHR, include means
// withCredentials = true and anything else means false.
type Credentials string

// Credentials modes.
const (
	CredentialsOmit       Credentials = "omit"
	CredentialsSameOrigin Credentials = "same-origin"
	CredentialsInclude    Credentials = "include"
)

// Mode is the fetch request mode.
type Mode string

// Request modes a page can ask for.
const (
	ModeCORS   Mode = "cors"
	ModeNoCORS Mode = "no-cors"
)

// Suite is one suite file: a named list of cases.
type Suite struct {
	Version int    `json:"version" yaml:"version"`
	Name    string `json:"name" yaml:"name"`
	// Target is the base URL that relative request URLs resolve against.
	Target string `json:"target,omitempty" yaml:"target,omitempty"`
	// Paths, when set, run every case on each path (see Path and OnPath)
	// and compare each path's records with the first path's.
	Paths []Path `json:"paths,omitempty" yaml:"paths,omitempty"`
	Cases []Case `json:"cases" yaml:"cases"`
	// File is the path the suite was loaded from; empty for built-in suites.
	File string `json:"-" yaml:"-"`
}

// Case is one request made by a page at an origin, with optional
// expectations about what the browser does with it.
type Case struct {
	Name string `json:"name" yaml:"name"`
	// Why says what the case checks, for generated suites.
	Why string `json:"why,omitempty" yaml:"why,omitempty"`
	// Origin is the page's serialized origin: scheme://host[:port] or "null".
	Origin  string  `json:"origin" yaml:"origin"`
	Request Request `json:"request" yaml:"request"`
	// Cookies are put in the browser's cookie jar for the request URL
	// before the case runs (SameSite=None, Secure, Path=/), as a logged-in
	// user's browser would hold them. The browser, not corsproof, decides
	// whether to send them: cases start with an empty jar otherwise.
	Cookies map[string]string `json:"cookies,omitempty" yaml:"cookies,omitempty"`
	Expect  *Expect           `json:"expect,omitempty" yaml:"expect,omitempty"`
	// Steps, when set, make the case a sequence: each step's request is
	// made in turn from the same page in the same browser context, so the
	// preflight cache, the HTTP cache and cookies carry from one step to
	// the next as they do in a user's tab. Request is then the first
	// step's request and Expect is nil: each step has its own.
	Steps []Step `json:"steps,omitempty" yaml:"steps,omitempty"`
	// Check names the generated check the case is (CheckCache,
	// CheckErrorPath); empty for a case of a suite file.
	Check string `json:"-" yaml:"-"`
	// Path names the network path the case runs on (see OnPath); empty
	// for a case of a run without paths.
	Path string `json:"-" yaml:"-"`
	// File and Line locate the case in its suite file for messages.
	File string `json:"-" yaml:"-"`
	Line int    `json:"-" yaml:"-"`
}

// Request is the request as the page makes it.
type Request struct {
	API         API               `json:"api" yaml:"api"`
	Method      string            `json:"method" yaml:"method"`
	URL         string            `json:"url" yaml:"url"`
	Headers     map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	Credentials Credentials       `json:"credentials" yaml:"credentials"`
	Body        string            `json:"body,omitempty" yaml:"body,omitempty"`
	Mode        Mode              `json:"mode,omitempty" yaml:"mode,omitempty"`
}

// Model is the request as the CORS model reads it, made by a page at origin.
// It is the one mapping from a suite's request to the model's: the harness
// asks the model whether to wait for a preflight, records are diagnosed and
// explain predicts through it, so all three read the same request. Values
// pass through unchanged; the model applies the defaults and the method
// normalisation the page's API would.
func (r Request) Model(origin string) cors.Request {
	return cors.Request{
		Origin:      origin,
		Method:      r.Method,
		URL:         r.URL,
		Headers:     r.Headers,
		Credentials: string(r.Credentials),
		Mode:        string(r.Mode),
		API:         string(r.API),
		Body:        r.Body,
	}
}

// Expect lists what a case expects; nil fields are not checked.
type Expect struct {
	Verdict         cors.Verdict   `json:"verdict,omitempty" yaml:"verdict,omitempty"`
	CorsError       cors.CorsError `json:"cors_error,omitempty" yaml:"cors_error,omitempty"`
	Preflight       *bool          `json:"preflight,omitempty" yaml:"preflight,omitempty"`
	Status          *int           `json:"status,omitempty" yaml:"status,omitempty"`
	ReadableHeaders []string       `json:"readable_headers,omitempty" yaml:"readable_headers,omitempty"`
}
