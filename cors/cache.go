package cors

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Why a request in a sequence does or does not send a preflight, for
// CachedPreflight.Cause.
const (
	// CauseNotNeeded: the request needs no preflight at all.
	CauseNotNeeded = "not-needed"
	// CauseCached: an earlier preflight result covers the request.
	CauseCached = "cached"
	// CauseNoEntry: nothing is cached for this origin and URL.
	CauseNoEntry = "no-entry"
	// CauseDropped: a result was cached, but a later request to the same
	// origin and URL that it did not cover dropped it, and that request's
	// own preflight failed, so nothing replaced it.
	CauseDropped = "dropped"
	// CauseFailed: the last preflight for this origin and URL failed (or
	// got no answer), and a failed preflight caches nothing.
	CauseFailed = "failed"
	// CauseOpaque: the page's origin is opaque ("null"), and Chromium
	// reuses no cached preflight result for it.
	CauseOpaque = "opaque-origin"
	// CauseFresh: the step started afresh (fresh: true), with an empty
	// preflight cache.
	CauseFresh = "fresh"
	// CauseExpired: the cached result outlived its Max-Age.
	CauseExpired = "expired"
	// CauseNewMethod: the cached result does not list the method.
	CauseNewMethod = "new-method"
	// CauseNewHeader: the cached result does not list a request header.
	CauseNewHeader = "new-header"
	// CauseCredentials: the cached result does not allow credentials and
	// the request includes them.
	CauseCredentials = "credentials"
)

// CachedPreflight is the model's word on whether one request of a sequence
// sends a preflight, given what the earlier requests left in the preflight
// cache.
type CachedPreflight struct {
	// Sent is the prediction: a preflight goes on the wire.
	Sent bool `json:"sent"`
	// Cause is one of the Cause* constants.
	Cause string `json:"cause"`
	// Reason says why in plain words.
	Reason string `json:"reason"`
	// FromStep is the 1-based step whose cached result the prediction
	// leans on: the one that covers the request, or the one that no longer
	// does; 0 when there is none.
	FromStep int `json:"from_step,omitempty"`
	// Uncertain is true when the request came within ExpiryJitter of the
	// cached result's expiry: the browser's own clock decides, so either
	// outcome agrees with the model.
	Uncertain bool `json:"uncertain,omitempty"`
}

// ExpiryJitter is how far the caller's clock may be from the browser's
// around a cached result's expiry. The model gets the browser's own times
// where the driver gives them (a request's requestWillBeSent, a
// preflight's loadingFinished), and the harness's otherwise; Chromium
// stores a result and looks it up in its network service, a little after
// either, by up to a few hundred milliseconds on a loaded machine
// (measured on the harness's clock: a Max-Age 1 result used at a call
// "1.0 s" after it).
const ExpiryJitter = 250 * time.Millisecond

// PreflightCache models Chromium's preflight cache for one browser context
// over a sequence of requests. Its clock is the caller's: times are
// offsets from the start of the sequence.
//
// What it models was measured with Chromium 156 against a loopback server
// (see the README's facts; TestStepsPreflightCache in
// cmd/corsproof/steps_test.go holds the model to the browser step by step):
//   - an entry is keyed by the page origin and the request URL as the
//     browser parses it, fragment included (cacheURL; a different query
//     string is a different entry);
//   - it lives for Access-Control-Max-Age seconds (ParseMaxAge: 5 s when
//     absent or not a number, at most 7200 s — measured under a moved clock,
//     runner's TestMaxAgeCapInChromium — nothing cached for 0);
//   - Cache-Control on the preflight response does not matter (the
//     built-in API sends no-store on every response, and results are
//     cached all the same);
//   - it covers a later request when every method and header that request
//     needs a preflight for is listed in the cached Allow-Methods and
//     Allow-Headers (or "*" when the entry was stored by a request
//     without credentials, whatever the later request's mode), so a new
//     custom header or method sends a new preflight, whose result replaces
//     the entry;
//   - an entry made by a request with credentials mode include covers
//     requests with and without credentials; one made without does not
//     cover a request with credentials, even when its preflight answered
//     Access-Control-Allow-Credentials: true;
//   - a request the entry does not cover drops it: when that request's
//     preflight fails, the request that the old entry covered preflights
//     again;
//   - a preflight that failed its checks caches nothing;
//   - a page whose origin is opaque ("null") reuses no cached result.
type PreflightCache struct {
	entries map[cacheKey]cacheEntry
	// gone says why a key that had a preflight go out holds no entry (its
	// Max-Age cached nothing, its preflight failed), for the reason of the
	// next lookup.
	gone map[cacheKey]goneEntry
	// dropped is the step whose entry the last Lookup dropped, -1 for none.
	dropped int
	// names label the steps in reasons: "step N" when a step has none.
	names []string
	// fresh is the step that emptied the cache (fresh: true), -1 for none.
	fresh int
	// redirected holds the URLs an earlier step was redirected to, by the
	// step: a preflight sent after a redirect is not in the record, so what
	// it cached there is unknown.
	redirected map[cacheKey]int
}

type goneEntry struct {
	cause, reason string
}

type cacheKey struct{ origin, url string }

type cacheEntry struct {
	at          time.Duration
	maxAge      time.Duration
	methods     []string
	headers     []string // lower-cased
	credentials bool
	step        int
}

// NewPreflightCache returns an empty cache, as a new browser context has.
func NewPreflightCache() *PreflightCache {
	return &PreflightCache{entries: map[cacheKey]cacheEntry{}, gone: map[cacheKey]goneEntry{}, dropped: -1, fresh: -1, redirected: map[cacheKey]int{}}
}

// Name labels the steps (0-based) in the reasons the cache gives, as
// reports name them ("step 1, call 2"); a step without a name is "step N".
func (c *PreflightCache) Name(names []string) {
	c.names = names
}

func (c *PreflightCache) name(step int) string {
	if step < len(c.names) && c.names[step] != "" {
		return c.names[step]
	}
	return fmt.Sprintf("step %d", step+1)
}

func keyOf(r Request) cacheKey {
	return cacheKey{origin: normalizeOrigin(r.Origin), url: cacheURL(r.URL)}
}

// cacheURL is the URL as the preflight cache keys it: as the browser
// parses it, fragment included. Measured in Chromium 156: a URL with
// "#frag" is another entry than the same URL without it (and "#other"
// another again), while "HTTP://LocalHost:…" and "/api/x/../open" find the
// entry of "http://localhost:…" and "/api/open". Percent-escapes, "//", a
// trailing slash and an empty "?" are kept: each made its own entry.
func cacheURL(raw string) string {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return s
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && p != defaultPorts[scheme] {
		host += ":" + p
	}
	path := removeDotSegments(u.EscapedPath())
	if path == "" {
		path = "/"
	}
	out := scheme + "://" + host + path
	if u.ForceQuery || u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" || u.RawFragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out
}

// removeDotSegments resolves "." and ".." segments of a URL path (RFC 3986
// section 5.2.4) and leaves everything else, empty segments too, alone.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	var out []string
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch seg {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return strings.Join(out, "/")
}

// Lookup predicts whether r, made at time at, sends a preflight.
func (c *PreflightCache) Lookup(r Request, at time.Duration) CachedPreflight {
	p := Predict(Input{Request: r})
	if !p.PreflightNeeded || !p.CrossOrigin || p.Verdict == VerdictError {
		return CachedPreflight{Cause: CauseNotNeeded, Reason: "the request needs no preflight"}
	}
	c.dropped = -1
	e, ok := c.entries[keyOf(r)]
	if !ok {
		if g, ok := c.gone[keyOf(r)]; ok {
			return CachedPreflight{Sent: true, Cause: g.cause, Reason: g.reason}
		}
		if step, ok := c.redirected[keyOf(r)]; ok {
			return CachedPreflight{Sent: true, Cause: CauseNoEntry, Uncertain: true,
				Reason: fmt.Sprintf("%s was redirected to this URL, and what a preflight after that redirect cached is not in the record: the browser decides", c.name(step))}
		}
		if c.fresh >= 0 {
			return CachedPreflight{Sent: true, Cause: CauseFresh, Reason: fmt.Sprintf("%s started afresh (fresh: true), with an empty preflight cache", c.name(c.fresh))}
		}
		return CachedPreflight{Sent: true, Cause: CauseNoEntry, Reason: "no preflight result is cached for this origin and URL"}
	}
	miss := c.miss(r, e.step)
	from := e.step + 1
	by := c.name(e.step)
	age := at - e.at
	near := age > e.maxAge-ExpiryJitter && age < e.maxAge+ExpiryJitter
	if age >= e.maxAge && !near {
		// Expired, not dropped: a failed preflight now says so itself.
		delete(c.entries, keyOf(r))
		return CachedPreflight{Sent: true, Cause: CauseExpired, FromStep: from,
			Reason: fmt.Sprintf("the result cached by %s expired: it was %s old and Max-Age allowed %s", by, seconds(age), seconds(e.maxAge))}
	}
	creds := strings.EqualFold(r.Credentials, "include")
	if creds && !e.credentials {
		return miss(CachedPreflight{Sent: true, Cause: CauseCredentials, FromStep: from,
			Reason: fmt.Sprintf("the request includes credentials and the result cached by %s was made without them", by)})
	}
	// The cached methods are matched as a fresh preflight's are (check.go):
	// case-sensitively, so a cached PATCH does not cover "patch". A "*" in
	// the entry is a wildcard only when the entry was stored by a request
	// without credentials: Chromium keeps the storing request's credentials
	// mode with the entry and reads "*" by it, not by the later request's
	// (measured: an entry stored with credentials and "PUT, *" does not
	// cover DELETE without credentials).
	method := p.Method
	wildcard := !e.credentials
	switch {
	case IsSafelistedMethod(method), slices.Contains(e.methods, method):
	case wildcard && slices.Contains(e.methods, "*"):
	default:
		return miss(CachedPreflight{Sent: true, Cause: CauseNewMethod, FromStep: from,
			Reason: fmt.Sprintf("the method %s is not in the Access-Control-Allow-Methods cached by %s", quote(method), by)})
	}
	if !(wildcard && slices.Contains(e.headers, "*")) {
		for _, n := range p.RequestHeaderNames {
			if !slices.Contains(e.headers, n) {
				return miss(CachedPreflight{Sent: true, Cause: CauseNewHeader, FromStep: from,
					Reason: fmt.Sprintf("the header %s is not in the Access-Control-Allow-Headers cached by %s", quote(n), by)})
			}
		}
	}
	if near {
		// Kept in the cache: if the browser still used it, it expires
		// later, and if it preflighted, Observe replaces it.
		return CachedPreflight{Sent: age >= e.maxAge, Cause: CauseExpired, FromStep: from, Uncertain: true,
			Reason: fmt.Sprintf("the result cached by %s was %s old, within %s of its Max-Age %s: the browser's clock decides", by, seconds(age), ExpiryJitter, seconds(e.maxAge))}
	}
	return CachedPreflight{Cause: CauseCached, FromStep: from,
		Reason: fmt.Sprintf("the result cached by %s covers it (%s old, Max-Age %s)", by, seconds(age), seconds(e.maxAge))}
}

// miss returns a function that drops r's entry and passes its prediction
// on: a request the entry does not cover (or that finds it expired) takes
// it out of the cache, whatever its own preflight then brings.
func (c *PreflightCache) miss(r Request, step int) func(CachedPreflight) CachedPreflight {
	return func(p CachedPreflight) CachedPreflight {
		delete(c.entries, keyOf(r))
		c.dropped = step
		return p
	}
}

// Observe records what step (0-based) left in the cache: the preflight
// response it got at time at, if one went out, and the browser's CorsError
// for the step. A preflight that failed (a preflight CorsError, or no
// answer) caches nothing.
func (c *PreflightCache) Observe(r Request, preflight *Response, browserError CorsError, at time.Duration, step int) {
	dropped := c.dropped
	c.dropped = -1
	if preflight == nil {
		return
	}
	k := keyOf(r)
	delete(c.redirected, k)
	if preflight.Status == 0 || browserError.AboutPreflight() {
		if _, ok := c.entries[k]; ok {
			return
		}
		if dropped >= 0 {
			c.gone[k] = goneEntry{CauseDropped, fmt.Sprintf("the result cached by %s was dropped by %s, a request it did not cover, whose own preflight failed, so nothing replaced it", c.name(dropped), c.name(step))}
		} else {
			c.gone[k] = goneEntry{CauseFailed, fmt.Sprintf("the preflight of %s failed, and a failed preflight caches nothing", c.name(step))}
		}
		return
	}
	if k.origin == "null" {
		// Measured in Chromium 156: three calls from one sandboxed page
		// (origin "null") with Max-Age 60 preflight three times.
		c.gone[k] = goneEntry{CauseOpaque, fmt.Sprintf("the page's origin is opaque (null), and Chromium reuses no cached preflight result for it (the preflight of %s is not reused)", c.name(step))}
		return
	}
	maxAge, present := headerValue(preflight.Headers, hMaxAge)
	secs := ParseMaxAge(maxAge, present)
	if secs <= 0 {
		// Max-Age 0 caches nothing; measured: the next identical request
		// preflights again at once.
		delete(c.entries, k)
		c.gone[k] = goneEntry{CauseNoEntry, fmt.Sprintf("the preflight of %s answered Access-Control-Max-Age %s, which caches nothing", c.name(step), quote(maxAge))}
		return
	}
	delete(c.gone, k)
	e := cacheEntry{at: at, maxAge: time.Duration(secs) * time.Second, step: step}
	e.methods, _ = listHeader(preflight.Headers, hACAM)
	names, _ := listHeader(preflight.Headers, hACAH)
	for _, n := range names {
		e.headers = append(e.headers, strings.ToLower(n))
	}
	// A preflight that passed for a request with credentials allowed them;
	// one made without does not vouch for them, whatever it answered.
	e.credentials = strings.EqualFold(r.Credentials, "include")
	c.entries[k] = e
}

// SequenceStep is one request of a sequence as the model reads it.
type SequenceStep struct {
	// Name labels the step in reasons; empty means "step N".
	Name string
	// Fresh is true for a step that starts with an empty preflight cache
	// (fresh: true), as another user's browser would.
	Fresh bool
	Input Input
	// At is when the request was made, from the start of the sequence.
	At time.Duration
	// StoredAt is when the step's preflight answer arrived and its result
	// was stored, on At's clock; zero means At.
	StoredAt time.Duration
	// CorsError is the browser's reason when the step was blocked: it says
	// whether the step's preflight result was cached.
	CorsError CorsError
}

// PredictPreflights says for every step of a sequence whether it sends a
// preflight, given the responses the earlier steps recorded.
func PredictPreflights(steps []SequenceStep) []CachedPreflight {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.Name
	}
	c := NewPreflightCache()
	c.Name(names)
	out := make([]CachedPreflight, len(steps))
	for i, s := range steps {
		if s.Fresh && i > 0 {
			c = NewPreflightCache()
			c.Name(names)
			c.fresh = i
		}
		out[i] = c.Lookup(s.Input.Request, s.At)
		stored := s.StoredAt
		if stored == 0 {
			stored = s.At
		}
		c.Observe(s.Input.Request, s.Input.Preflight, s.CorsError, stored, i)
		c.NoteRedirects(s.Input, i)
	}
	return out
}

// NoteRedirects notes the URLs step's request was redirected to (in's
// Redirects): the browser may have preflighted there and cached the
// result, out of the model's sight, so a later lookup there is uncertain.
func (c *PreflightCache) NoteRedirects(in Input, step int) {
	at := strings.TrimSpace(in.Request.URL)
	for _, hop := range in.Redirects {
		if hop.URL != "" {
			at = hop.URL
		}
		loc, ok := headerValue(hop.Headers, hLocation)
		if !ok || loc == "" {
			return
		}
		at = resolveURL(at, loc)
		next := in.Request
		next.URL = at
		if _, cached := c.entries[keyOf(next)]; !cached {
			c.redirected[keyOf(next)] = step
		}
	}
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}
