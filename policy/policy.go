package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/input"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

// FormatVersion is the only version of the policy format there is.
const FormatVersion = 1

// Defaults applied by Parse to fields a route leaves out.
const (
	DefaultPreflightStatus = 204
	DefaultStatus          = 200
	// MaxDelayMS caps delay_ms so a typo cannot hang a server for hours.
	MaxDelayMS = 60000
)

// Paths the built-in target API (package testapi) answers itself, before
// any route; a policy route may not claim them.
const (
	SetCookiePath = "/set-cookie"
	CookiesPath   = "/cookies"
)

// Policy is a parsed policy file: the CORS behaviour of each route of the
// target API, or, for `corsproof verify`, the contract an API must honour.
type Policy struct {
	Version int     `json:"version"`
	Routes  []Route `json:"routes"`
	// File is the path the policy was read from, for messages.
	File string `json:"-"`
}

// Route is the CORS behaviour of every path under one prefix.
//
// Parse fills the defaults (Vary and CORSOnErrors true, statuses 204
// and 200); a Route built in Go code with zero statuses gets the same
// statuses from the built-in target API, but its booleans mean what they say.
type Route struct {
	// Path is a prefix matched on segment boundaries; the longest match wins.
	Path string `json:"path"`
	// AllowOrigins lists exact origins, "*", "reflect" (allow and echo any
	// origin), "null", and patterns such as https://*.example.com. Empty
	// means the route sends no CORS headers at all.
	AllowOrigins     []string `json:"allow_origins,omitempty"`
	AllowCredentials bool     `json:"allow_credentials"`
	AllowMethods     []string `json:"allow_methods,omitempty"`
	AllowHeaders     []string `json:"allow_headers,omitempty"`
	ExposeHeaders    []string `json:"expose_headers,omitempty"`
	// MaxAge is Access-Control-Max-Age in seconds; nil sends no header.
	MaxAge *int `json:"max_age,omitempty"`
	// Vary sends Vary: Origin on responses that depend on the origin.
	Vary bool `json:"vary"`
	// PreflightStatus is the status of preflight answers.
	PreflightStatus int `json:"preflight_status"`
	// Status is the status of actual responses.
	Status int `json:"status"`
	// Redirect answers actual requests with 307 to this URL or path.
	Redirect string `json:"redirect,omitempty"`
	// PreflightRedirect answers preflights with 307 to this URL or path.
	PreflightRedirect string `json:"preflight_redirect,omitempty"`
	// ACAOOverride is sent verbatim as Access-Control-Allow-Origin, one
	// header line per value, to model broken servers.
	ACAOOverride []string `json:"acao_override,omitempty"`
	// CORSOnErrors puts CORS headers on answers with a status of 400 or more.
	CORSOnErrors bool `json:"cors_on_errors"`
	// DelayMS delays every answer of the route.
	DelayMS int `json:"delay_ms,omitempty"`
	// Line and Column locate the route in its policy file; zero when unknown.
	Line   int `json:"-"`
	Column int `json:"-"`
	// pos locates the route's fields (allow_origins[2], vary) in its file.
	pos map[string][2]int
}

// At returns where field of the route (allow_origins[2], vary) starts in
// its policy file, or where the route starts when the field is not known.
func (r Route) At(field string) (line, col int) {
	if p, ok := r.pos[field]; ok {
		return p[0], p[1]
	}
	// A list written as one string (allow_origins: "*") has no items.
	if list, _, ok := strings.Cut(field, "["); ok {
		if p, ok := r.pos[list]; ok {
			return p[0], p[1]
		}
	}
	return r.Line, r.Column
}

// Parse parses and validates a policy file. file names the source in
// messages. It reports every problem at once: the error joins one
// *fileerr.Problem per problem, in file order, each naming file:line:col,
// the field, the value and a hint.
func Parse(file string, data []byte) (*Policy, error) {
	if file == "" {
		file = "policy"
	}
	d := &decoder{Walker: yamlpos.Walker{File: file}}
	p := d.policy(data)
	if err := d.Err(); err != nil {
		return nil, err
	}
	p.File = file
	return p, nil
}

// Load reads and parses the policy file at path; see LoadContext.
func Load(path string) (*Policy, error) {
	return LoadContext(context.Background(), path)
}

// MaxFileBytes bounds a policy file's size, and MaxRoutes its routes.
const (
	MaxFileBytes = 8 << 20
	MaxRoutes    = 1_000
)

// LoadContext reads the policy file at path (a regular file of at most
// MaxFileBytes) and parses it; reading gives up when ctx is done.
func LoadContext(ctx context.Context, path string) (*Policy, error) {
	data, name, err := input.Read(ctx, path, nil, MaxFileBytes, "policy file", "")
	if err != nil {
		if len(fileerr.Problems(err)) > 0 {
			return nil, err
		}
		return nil, fmt.Errorf("loading policy: %w", err)
	}
	return Parse(name, data)
}

// Match returns the route whose path is the longest prefix of path, on
// segment boundaries, and false when no route matches.
func (p *Policy) Match(path string) (Route, bool) {
	best := -1
	for i, r := range p.Routes {
		if !pathHasPrefix(path, r.Path) {
			continue
		}
		if best < 0 || len(r.Path) > len(p.Routes[best].Path) {
			best = i
		}
	}
	if best < 0 {
		return Route{}, false
	}
	return p.Routes[best], true
}

// pathHasPrefix reports whether prefix covers path on a segment boundary.
func pathHasPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}
