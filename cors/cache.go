package cors

import (
	"fmt"
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
//   - an entry is keyed by the page origin and the request URL (a
//     different query string is a different entry);
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
//   - a preflight that failed its checks caches nothing.
type PreflightCache struct {
	entries map[cacheKey]cacheEntry
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
	return &PreflightCache{entries: map[cacheKey]cacheEntry{}}
}

func keyOf(r Request) cacheKey {
	u, _, _ := strings.Cut(strings.TrimSpace(r.URL), "#")
	return cacheKey{origin: normalizeOrigin(r.Origin), url: u}
}

// Lookup predicts whether r, made at time at, sends a preflight.
func (c *PreflightCache) Lookup(r Request, at time.Duration) CachedPreflight {
	p := Predict(Input{Request: r})
	if !p.PreflightNeeded || !p.CrossOrigin || p.Verdict == VerdictError {
		return CachedPreflight{Cause: CauseNotNeeded, Reason: "the request needs no preflight"}
	}
	e, ok := c.entries[keyOf(r)]
	if !ok {
		return CachedPreflight{Sent: true, Cause: CauseNoEntry, Reason: "no preflight result is cached for this origin and URL"}
	}
	miss := c.miss(r)
	from := e.step + 1
	age := at - e.at
	near := age > e.maxAge-ExpiryJitter && age < e.maxAge+ExpiryJitter
	if age >= e.maxAge && !near {
		return miss(CachedPreflight{Sent: true, Cause: CauseExpired, FromStep: from,
			Reason: fmt.Sprintf("the result cached by step %d expired: it was %s old and Max-Age allowed %s", from, seconds(age), seconds(e.maxAge))})
	}
	creds := strings.EqualFold(r.Credentials, "include")
	if creds && !e.credentials {
		return miss(CachedPreflight{Sent: true, Cause: CauseCredentials, FromStep: from,
			Reason: fmt.Sprintf("the request includes credentials and the result cached by step %d was made without them", from)})
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
			Reason: fmt.Sprintf("the method %s is not in the Access-Control-Allow-Methods cached by step %d", quote(method), from)})
	}
	if !(wildcard && slices.Contains(e.headers, "*")) {
		for _, n := range p.RequestHeaderNames {
			if !slices.Contains(e.headers, n) {
				return miss(CachedPreflight{Sent: true, Cause: CauseNewHeader, FromStep: from,
					Reason: fmt.Sprintf("the header %s is not in the Access-Control-Allow-Headers cached by step %d", quote(n), from)})
			}
		}
	}
	if near {
		// Kept in the cache: if the browser still used it, it expires
		// later, and if it preflighted, Observe replaces it.
		return CachedPreflight{Sent: age >= e.maxAge, Cause: CauseExpired, FromStep: from, Uncertain: true,
			Reason: fmt.Sprintf("the result cached by step %d was %s old, within %s of its Max-Age %s: the browser's clock decides", from, seconds(age), ExpiryJitter, seconds(e.maxAge))}
	}
	return CachedPreflight{Cause: CauseCached, FromStep: from,
		Reason: fmt.Sprintf("the result cached by step %d covers it (%s old, Max-Age %s)", from, seconds(age), seconds(e.maxAge))}
}

// miss returns a function that drops r's entry and passes its prediction
// on: a request the entry does not cover (or that finds it expired) takes
// it out of the cache, whatever its own preflight then brings.
func (c *PreflightCache) miss(r Request) func(CachedPreflight) CachedPreflight {
	return func(p CachedPreflight) CachedPreflight {
		delete(c.entries, keyOf(r))
		return p
	}
}

// Observe records what step (0-based) left in the cache: the preflight
// response it got at time at, if one went out, and the browser's CorsError
// for the step. A preflight that failed (a preflight CorsError, or no
// answer) caches nothing.
func (c *PreflightCache) Observe(r Request, preflight *Response, browserError CorsError, at time.Duration, step int) {
	if preflight == nil || preflight.Status == 0 || browserError.AboutPreflight() {
		return
	}
	maxAge, present := headerValue(preflight.Headers, hMaxAge)
	secs := ParseMaxAge(maxAge, present)
	k := keyOf(r)
	if secs <= 0 {
		// Max-Age 0 caches nothing; measured: the next identical request
		// preflights again at once.
		delete(c.entries, k)
		return
	}
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
	c := NewPreflightCache()
	out := make([]CachedPreflight, len(steps))
	for i, s := range steps {
		out[i] = c.Lookup(s.Input.Request, s.At)
		stored := s.StoredAt
		if stored == 0 {
			stored = s.At
		}
		c.Observe(s.Input.Request, s.Input.Preflight, s.CorsError, stored, i)
	}
	return out
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}
