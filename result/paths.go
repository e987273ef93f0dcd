package result

import (
	"fmt"
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// PathDiff compares a record made over one network path with the record of
// the same case over the reference path (the first of the run's paths):
// whether the browser decided differently, and what each hop changed in
// the CORS-relevant headers of each exchange.
type PathDiff struct {
	// Reference is the name of the path compared with.
	Reference string `json:"reference"`
	// ReferenceVerdict and ReferenceCorsError are what the browser did on
	// the reference path.
	ReferenceVerdict   cors.Verdict   `json:"reference_verdict"`
	ReferenceCorsError cors.CorsError `json:"reference_cors_error,omitempty"`
	// VerdictChanged is true when verdict or CorsError differ: a failure
	// of the record. Header drift alone is a warning.
	VerdictChanged bool `json:"verdict_changed"`
	// Exchanges hold one entry per exchange (preflight, actual) that
	// differs; empty when the paths answered alike.
	Exchanges []ExchangeDiff `json:"exchanges,omitempty"`
}

// ExchangeDiff is what differs in one exchange between two paths.
type ExchangeDiff struct {
	// Exchange is "preflight" or "actual".
	Exchange string `json:"exchange"`
	// Presence is set when the exchange happened on one path only:
	// "reference only" or "this path only".
	Presence string `json:"presence,omitempty"`
	// ReferenceStatus and Status are the response statuses when they
	// differ (0: no response).
	ReferenceStatus int          `json:"reference_status,omitempty"`
	Status          int          `json:"status,omitempty"`
	Headers         []HeaderDiff `json:"headers,omitempty"`
}

// Header changes a path can make.
const (
	HeaderAdded      = "added"
	HeaderRemoved    = "removed"
	HeaderDuplicated = "duplicated"
	HeaderChanged    = "changed"
)

// HeaderDiff is one response header that differs between two paths.
type HeaderDiff struct {
	// Name is the header name in lower case.
	Name string `json:"name"`
	// Change is HeaderAdded, HeaderRemoved, HeaderDuplicated or
	// HeaderChanged.
	Change string `json:"change"`
	// Reference and Value are the header as the reference path and this
	// path sent it; lines of a repeated header are joined with "\n".
	Reference string `json:"reference,omitempty"`
	Value     string `json:"value,omitempty"`
}

// CacheCheck is the finding of a shared-cache poisoning check: origin A's
// request primed whatever cache sits on the path, then origin B made the
// same request from a fresh browser context, so only a cache outside the
// browser could carry A's answer to B.
type CacheCheck struct {
	PrimedBy string `json:"primed_by"`
	Origin   string `json:"origin"`
	// Poisoned is true when B was answered with an
	// Access-Control-Allow-Origin naming another origin.
	Poisoned bool `json:"poisoned"`
	// Exchange is the exchange that carried the foreign ACAO (preflight
	// or actual), and ACAO its value.
	Exchange string `json:"exchange,omitempty"`
	ACAO     string `json:"acao,omitempty"`
	// Cause and Fix say why a cache could do this and what stops it.
	Cause string `json:"cause,omitempty"`
	Fix   string `json:"fix,omitempty"`
	// CorsError is the browser's reason for blocking B's request
	// (PreflightAllowOriginMismatch when a cached preflight answered it).
	CorsError cors.CorsError `json:"cors_error,omitempty"`
	// Evidence are the response headers of the poisoned exchange that show
	// a cache answered it: a Varnish hit's two transaction ids, an Age,
	// an X-Cache HIT, the primer's own X-Request-Id.
	Evidence []string `json:"evidence,omitempty"`
	Summary  string   `json:"summary"`
}

// ErrorPathCheck is the finding of an error-path case: a request shaped to
// reach the API's error handling (no credentials, a bad token, an unknown
// route), and whether that error response carried CORS headers.
type ErrorPathCheck struct {
	// Kind is the error path tried (unauthenticated, bad-token,
	// unknown-route, malformed-body, rate-limited).
	Kind string `json:"kind"`
	// Call is, for a burst (rate-limited), the call that was judged: the
	// first that reached an error, or the last.
	Call int `json:"call,omitempty"`
	// Status is the status of the response that failed (the preflight's
	// when the preflight failed), 0 when none arrived.
	Status int `json:"status,omitempty"`
	// Exchange is the exchange that was answered (preflight or actual).
	Exchange string `json:"exchange,omitempty"`
	// Reached is true when the request got an error (status 400 or more).
	Reached bool `json:"reached"`
	// Hidden is true when the browser hid that error behind a CORS error:
	// the page cannot read the status. A failure of the record.
	Hidden  bool   `json:"hidden"`
	Fix     string `json:"fix,omitempty"`
	Summary string `json:"summary"`
}

// GetExchanges is d's exchange diffs, none for a nil d.
func (d *PathDiff) GetExchanges() []ExchangeDiff {
	if d == nil {
		return nil
	}
	return d.Exchanges
}

// Lines say in words what differs in one exchange, one line each.
func (ex ExchangeDiff) Lines() []string {
	var out []string
	if ex.Presence != "" {
		return []string{fmt.Sprintf("%s: sent on the %s", ex.Exchange, ex.Presence)}
	}
	if ex.ReferenceStatus != 0 || ex.Status != 0 {
		out = append(out, fmt.Sprintf("%s: status %s, was %s", ex.Exchange, statusText(ex.Status), statusText(ex.ReferenceStatus)))
	}
	for _, h := range ex.Headers {
		switch h.Change {
		case HeaderAdded:
			out = append(out, fmt.Sprintf("%s: %s added: %s", ex.Exchange, h.Name, quoteLines(h.Value)))
		case HeaderRemoved:
			out = append(out, fmt.Sprintf("%s: %s removed (was %s)", ex.Exchange, h.Name, quoteLines(h.Reference)))
		default:
			out = append(out, fmt.Sprintf("%s: %s %s: %s, was %s", ex.Exchange, h.Name, h.Change, quoteLines(h.Value), quoteLines(h.Reference)))
		}
	}
	return out
}

func statusText(s int) string {
	if s == 0 {
		return "none"
	}
	return fmt.Sprint(s)
}

// quoteLines shows a header's lines as "a" + "b".
func quoteLines(v string) string {
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = fmt.Sprintf("%q", l)
	}
	return strings.Join(lines, " + ")
}
