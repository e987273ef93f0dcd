package audit

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/scenarios"
)

// CheckKind names the request an attacker page makes in one check.
type CheckKind string

// The checks each URL gets from each attacker origin.
const (
	// CheckSimple is a plain read without credentials: what any page can
	// do without the victim being logged in.
	CheckSimple CheckKind = "simple"
	// CheckCredentialed is the same read with credentials: "include",
	// the victim's cookies in the jar.
	CheckCredentialed CheckKind = "credentialed"
	// CheckPreflighted is a request with the given headers (or method)
	// that needs a preflight, with credentials.
	CheckPreflighted CheckKind = "preflighted"
)

// DefaultMaxRequests is the request budget of an audit unless Options say
// otherwise.
const DefaultMaxRequests = 1000

// Options say what to audit.
type Options struct {
	// URLs are the endpoints to audit; nothing else is requested.
	URLs []string
	// Origins are the legitimate origins of the API's own front ends; when
	// empty, each URL's own origin stands for them.
	Origins []string
	// Cookies are put in the browser's jar for the credentialed checks,
	// as a logged-in victim's browser holds them (SameSite=None; Secure).
	Cookies map[string]string
	// Headers are set by the page in the preflighted check.
	Headers map[string]string
	// Method is the method of every check; empty means GET. Methods other
	// than GET, HEAD and OPTIONS are made only when Unsafe is set (the
	// command line sets it when -X names the method).
	Method string
	Unsafe bool
	// MaxRequests bounds the requests the browser may send in all (a
	// preflighted check counts two); zero means DefaultMaxRequests.
	MaxRequests int
	// Private says the endpoints are not public even where they answer
	// "*" (an intranet API, a device on the local network): then a read
	// without credentials is medium, not informational.
	Private bool
	// Firefox says the checks run in Firefox, which loads no page at a
	// host holding "!" (measured on ESR 153.8: the navigation fails with
	// NS_ERROR_UNKNOWN_HOST at once, although corsproof lists the name in
	// network.dns.localDomains). No Firefox user's page has such an
	// origin, so that special-character look-alike is not an attack on
	// Firefox users and its checks are left out; "_" is kept (Firefox
	// loads it and sends it in Origin).
	Firefox bool
}

// Check is one request the audit makes: a URL, an attacker origin and a
// kind of request.
type Check struct {
	URL    string         `json:"url"`
	Origin AttackerOrigin `json:"origin"`
	Kind   CheckKind      `json:"kind"`
	// Requests is how many requests the browser sends for it.
	Requests int `json:"-"`
}

// Plan is an audit ready to run: the checks, and the suite whose cases make
// them (case i makes check i).
type Plan struct {
	Options Options
	Checks  []Check
	Suite   *scenarios.Suite
	// Legit are the legitimate origins the attacker origins came from, per URL.
	Legit map[string][]string
}

// InputError is something wrong with what the audit was asked to do, with
// the flag that said it and what to do instead.
type InputError struct {
	Flag, Value, Reason, Advice string
}

func (e *InputError) Error() string {
	if e.Value == "" {
		return e.Flag + ": " + e.Reason
	}
	return fmt.Sprintf("%s %q: %s", e.Flag, e.Value, e.Reason)
}

// Hint says what to do about it.
func (e *InputError) Hint() string { return e.Advice }

// safeMethods are the methods an audit makes without being told otherwise:
// they change nothing on a server that follows HTTP.
var safeMethods = []string{"GET", "HEAD", "OPTIONS"}

// NewPlan checks the options and plans the checks: every URL gets, from
// every attacker origin, a simple and a credentialed read, and a
// preflighted request when the headers or the method need one; from each
// legitimate origin that is not the URL's own, a simple read (and the
// preflighted request), whose answers show whether the API's
// Access-Control-Allow-Origin depends on the Origin.
func NewPlan(o Options) (*Plan, error) {
	if len(o.URLs) == 0 {
		return nil, &InputError{Flag: "URL", Reason: "no URL to audit", Advice: "for example corsproof audit https://api.example.com/me"}
	}
	if o.Method == "" {
		o.Method = "GET"
	}
	if !cors.IsToken(o.Method) {
		return nil, &InputError{Flag: "-X", Value: o.Method, Reason: "is not a method", Advice: "for example -X GET"}
	}
	if !o.Unsafe && !slices.Contains(safeMethods, strings.ToUpper(o.Method)) {
		return nil, &InputError{Flag: "-X", Value: o.Method, Reason: "is not GET, HEAD or OPTIONS", Advice: "an audit changes nothing unless told: set Options.Unsafe to make this method"}
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = DefaultMaxRequests
	}
	if o.MaxRequests < 0 {
		return nil, &InputError{Flag: "--max-requests", Value: fmt.Sprint(o.MaxRequests), Reason: "must be positive", Advice: "for example --max-requests 200"}
	}
	var legit []string
	for _, l := range o.Origins {
		n, err := pages.Normalize(l)
		if err != nil {
			return nil, &InputError{Flag: "--origin", Value: l, Reason: "is not an origin", Advice: "write scheme://host[:port], e.g. --origin https://shop.example.com"}
		}
		if strings.Contains(n, "*") {
			return nil, &InputError{Flag: "--origin", Value: l, Reason: "is a pattern, not an origin",
				Advice: "give a page origin of the front end, e.g. --origin https://app.example.com; the audit derives the look-alikes from it"}
		}
		if u, err := url.Parse(n); err != nil || (net.ParseIP(u.Hostname()) == nil && !validHost(u.Hostname())) {
			return nil, &InputError{Flag: "--origin", Value: l, Reason: "has a host name no page can have",
				Advice: "host names are dot-separated labels of letters, digits and hyphens, e.g. --origin https://shop.example.com"}
		}
		if !slices.Contains(legit, n) {
			legit = append(legit, n)
		}
	}
	p := &Plan{Options: o, Legit: map[string][]string{}, Suite: &scenarios.Suite{Version: 1, Name: "audit"}}
	simpleMethod := cors.IsSafelistedMethod(cors.NormalizeMethod(o.Method))
	preflighted := len(o.Headers) > 0 || !simpleMethod
	requests := 0
	seenURL := map[string]bool{}
	for _, raw := range o.URLs {
		// A URL named twice is audited once: its findings would repeat,
		// with doubled counts.
		if seenURL[raw] {
			continue
		}
		seenURL[raw] = true
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return nil, &InputError{Flag: "URL", Value: raw, Reason: "is not an http or https URL", Advice: "for example https://api.example.com/me"}
		}
		own := legit
		if len(own) == 0 {
			n, err := pages.Normalize(u.Scheme + "://" + u.Host)
			if err != nil {
				return nil, &InputError{Flag: "URL", Value: raw, Reason: err.Error()}
			}
			own = []string{n}
		}
		p.Legit[raw] = own
		self, _ := pages.Normalize(u.Scheme + "://" + u.Host)
		origins := AttackerOrigins(u.Scheme, own)
		for _, l := range own {
			// A page at the URL's own origin makes a same-origin request,
			// which CORS never sees.
			if l != self {
				origins = append(origins, AttackerOrigin{Kind: KindLegitimate, Origin: l})
			}
		}
		for _, ao := range origins {
			if p.Options.Firefox && ao.Kind == KindSpecialChar && strings.Contains(ao.Origin, "!") {
				continue
			}
			kinds := []CheckKind{CheckSimple, CheckCredentialed}
			if ao.Kind == KindLegitimate {
				// What the API answers its front end, to compare with the
				// attacker pages' answers (vary.go): the simple request
				// without credentials, and the preflighted one, which is
				// credentialed as every preflighted check is (with
				// --cookie seeded; nothing of it is excerpted).
				kinds = []CheckKind{CheckSimple}
			}
			if preflighted {
				kinds = append(kinds, CheckPreflighted)
			}
			for _, k := range kinds {
				c := Check{URL: raw, Origin: ao, Kind: k, Requests: 1}
				if k == CheckPreflighted || !simpleMethod {
					c.Requests = 2
				}
				requests += c.Requests
				p.Checks = append(p.Checks, c)
				p.Suite.Cases = append(p.Suite.Cases, p.caseFor(c))
			}
		}
	}
	if requests > o.MaxRequests {
		return nil, &InputError{Flag: "--max-requests", Value: fmt.Sprint(o.MaxRequests),
			Reason: fmt.Sprintf("the audit needs %d requests (%d checks)", requests, len(p.Checks)),
			Advice: fmt.Sprintf("raise it to --max-requests %d, or audit fewer URLs or origins", requests)}
	}
	for i, c := range p.Suite.Cases {
		if err := c.Validate(); err != nil && !onlySpecialOrigin(p.Checks[i], err) {
			return nil, &InputError{Flag: "check " + p.Suite.Cases[i].Name, Reason: strings.ReplaceAll(err.Error(), "\n", "; "),
				Advice: "check the URL, --origin, --cookie and -H values"}
		}
	}
	return p, nil
}

// Requests is how many requests the plan makes at most.
func (p *Plan) Requests() int {
	n := 0
	for _, c := range p.Checks {
		n += c.Requests
	}
	return n
}

// caseFor is the case that makes a check.
func (p *Plan) caseFor(c Check) scenarios.Case {
	req := scenarios.Request{API: scenarios.APIFetch, Method: p.Options.Method, URL: c.URL, Credentials: scenarios.CredentialsOmit}
	cs := scenarios.Case{
		Name:   fmt.Sprintf("%s %s from %s (%s)", c.Kind, c.URL, c.Origin.Origin, c.Origin.Kind),
		Why:    "audit: can a page at " + c.Origin.Origin + " read " + c.URL + "?",
		Origin: c.Origin.Origin,
	}
	if c.Origin.Kind == KindLegitimate {
		cs.Why = "audit: what does " + c.URL + " answer its own front end at " + c.Origin.Origin + "?"
	}
	if c.Kind != CheckSimple {
		req.Credentials = scenarios.CredentialsInclude
		if len(p.Options.Cookies) > 0 {
			cs.Cookies = p.Options.Cookies
		}
	}
	if c.Kind == CheckPreflighted && len(p.Options.Headers) > 0 {
		req.Headers = p.Options.Headers
	}
	cs.Request = req
	return cs
}

// onlySpecialOrigin reports whether the one thing a case's validation
// found wrong is the special-character origin the audit means to send:
// the browser takes it (see specialChars), corsproof's suite files do not.
func onlySpecialOrigin(c Check, err error) bool {
	if c.Origin.Kind != KindSpecialChar {
		return false
	}
	probs := fileerr.Problems(err)
	for _, pr := range probs {
		if pr.Field != "case.origin" {
			return false
		}
	}
	return len(probs) > 0
}
