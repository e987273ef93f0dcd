package cors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each case is a sequence as Chromium 156 ran it (cmd/corsproof
// TestStepsPreflightCache checks the same facts against the browser and
// the target's log); want says which steps sent a preflight.
func TestPredictPreflights(t *testing.T) {
	t.Parallel()
	const page, api = "https://app.example.test", "http://127.0.0.1:8080/api/x"
	put := func(headers ...string) Request {
		h := map[string]string{}
		for _, n := range headers {
			h[n] = "1"
		}
		return Request{Origin: page, Method: "PUT", URL: api, Headers: h, Credentials: "omit"}
	}
	ok := func(maxAge string, headers string) *Response {
		h := map[string]string{"Access-Control-Allow-Origin": page, "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": headers}
		if maxAge != "-" {
			h["Access-Control-Max-Age"] = maxAge
		}
		return &Response{Status: 204, Headers: h}
	}
	s := func(r Request, at time.Duration, pre *Response) SequenceStep {
		return SequenceStep{Input: Input{Request: r, Preflight: pre}, At: at}
	}
	sec := time.Second
	tests := []struct {
		desc   string
		steps  []SequenceStep
		want   []bool
		causes []string
	}{
		{"twice within Max-Age, then after it", []SequenceStep{
			s(put("X-Token"), 0, ok("1", "x-token")), s(put("X-Token"), sec/10, nil), s(put("X-Token"), 1600*time.Millisecond, ok("1", "x-token"))},
			[]bool{true, false, true}, []string{CauseNoEntry, CauseCached, CauseExpired}},
		{"no Max-Age keeps 5 s", []SequenceStep{
			s(put("X-Token"), 0, ok("-", "x-token")), s(put("X-Token"), 4*sec, nil), s(put("X-Token"), 6*sec, ok("-", "x-token"))},
			[]bool{true, false, true}, []string{CauseNoEntry, CauseCached, CauseExpired}},
		{"Max-Age above the cap is 7200 s", []SequenceStep{
			s(put("X-Token"), 0, ok("86400", "x-token")), s(put("X-Token"), 7199*sec, nil), s(put("X-Token"), 7201*sec, ok("86400", "x-token"))},
			[]bool{true, false, true}, nil},
		{"Max-Age 0 and negative cache nothing", []SequenceStep{
			s(put("X-Token"), 0, ok("0", "x-token")), s(put("X-Token"), sec/100, ok("-1", "x-token")), s(put("X-Token"), sec/50, ok("-1", "x-token"))},
			[]bool{true, true, true}, []string{CauseNoEntry, CauseNoEntry, CauseNoEntry}},
		{"a new header, then the first again", []SequenceStep{
			s(put("X-Token"), 0, ok("60", "x-token")), s(put("X-Token", "X-Other"), sec, ok("60", "x-token, x-other")), s(put("X-Token"), 2*sec, nil)},
			[]bool{true, true, false}, []string{CauseNoEntry, CauseNewHeader, CauseCached}},
		{"a static list covers a later header", []SequenceStep{
			s(put("X-Token"), 0, ok("60", "x-token, x-other")), s(put("X-Other"), sec, nil)},
			[]bool{true, false}, nil},
		{"a miss drops the entry even when its preflight fails", []SequenceStep{
			s(put("X-Token"), 0, ok("60", "x-token")),
			{Input: Input{Request: put("X-Token", "X-Other"), Preflight: ok("60", "x-token")}, At: sec, CorsError: ErrHeaderDisallowedByPreflightResponse},
			s(put("X-Token"), 2*sec, ok("60", "x-token"))},
			[]bool{true, true, true}, []string{CauseNoEntry, CauseNewHeader, CauseDropped}},
		{"another origin is another entry", []SequenceStep{
			s(put("X-Token"), 0, ok("60", "x-token")),
			s(Request{Origin: "http://localhost:3000", Method: "PUT", URL: api, Headers: map[string]string{"X-Token": "1"}}, sec, ok("60", "x-token")),
			s(put("X-Token"), 2*sec, nil)},
			[]bool{true, true, false}, nil},
		{"credentials: an entry made without them does not cover them; one made with them covers both", func() []SequenceStep {
			inc := put("X-Token")
			inc.Credentials = "include"
			pre := ok("60", "x-token")
			pre.Headers["Access-Control-Allow-Credentials"] = "true"
			return []SequenceStep{s(put("X-Token"), 0, pre), s(inc, sec, pre), s(put("X-Token"), 2*sec, nil)}
		}(), []bool{true, true, false}, []string{CauseNoEntry, CauseCredentials, CauseCached}},
		{"a cached PATCH does not cover patch (methods match case-sensitively, measured in Chromium 156)", func() []SequenceStep {
			upper, lower := put(), put()
			upper.Method, lower.Method = "PATCH", "patch"
			pre := ok("60", "")
			pre.Headers["Access-Control-Allow-Methods"] = "PATCH"
			return []SequenceStep{s(upper, 0, pre),
				{Input: Input{Request: lower, Preflight: pre}, At: sec, CorsError: ErrMethodDisallowedByPreflightResponse},
				s(upper, 2*sec, pre)}
		}(), []bool{true, true, true}, []string{CauseNoEntry, CauseNewMethod, CauseDropped}},
		{"a * in an entry stored with credentials is no wildcard, even for a later request without them", func() []SequenceStep {
			inc, del, other := put("X-Token"), put("X-Token"), put("X-Token", "X-Other")
			inc.Credentials = "include"
			del.Method = "DELETE"
			pre := ok("60", "x-token, *")
			pre.Headers["Access-Control-Allow-Methods"] = "PUT, *"
			pre.Headers["Access-Control-Allow-Credentials"] = "true"
			return []SequenceStep{s(inc, 0, pre), s(del, sec, pre), s(other, 2*sec, nil), s(inc, 3*sec, pre), s(other, 4*sec, pre)}
		}(), []bool{true, true, false, true, true}, []string{CauseNoEntry, CauseNewMethod, CauseCached, CauseCredentials, CauseNewHeader}},
		{"the URL as the browser parses it is the key, fragment included (measured in Chromium 156)", func() []SequenceStep {
			at := func(u string) Request { r := put("X-Token"); r.URL = u; return r }
			pre := ok("60", "x-token")
			return []SequenceStep{
				s(at("http://127.0.0.1:8080/api/x"), 0, pre),
				s(at("HTTP://127.0.0.1:8080/api/y/../x"), sec, nil),
				s(at("http://127.0.0.1:8080/api/x#frag"), 2*sec, pre),
				s(at("http://127.0.0.1:8080/api/x#frag"), 3*sec, nil),
				s(at("http://127.0.0.1:8080/api/x#other"), 4*sec, pre),
				s(at("http://127.0.0.1:8080/api/x?"), 5*sec, pre),
				s(at("http://127.0.0.1:8080//api/x"), 6*sec, pre),
				s(at("http://127.0.0.1:8080/api/%78"), 7*sec, pre),
				s(at("http://127.0.0.1:8080/api/./x"), 8*sec, nil),
			}
		}(), []bool{true, false, true, false, true, true, true, true, false}, nil},
		{"a failed preflight caches nothing, whatever its Max-Age", []SequenceStep{
			{Input: Input{Request: put("X-Token"), Preflight: ok("600", "")}, CorsError: ErrHeaderDisallowedByPreflightResponse},
			{Input: Input{Request: put("X-Token"), Preflight: ok("600", "")}, At: sec, CorsError: ErrHeaderDisallowedByPreflightResponse}},
			[]bool{true, true}, []string{CauseNoEntry, CauseFailed}},
		{"a page with an opaque origin reuses nothing (measured in Chromium 156)", func() []SequenceStep {
			null := put("X-Token")
			null.Origin = "null"
			return []SequenceStep{s(null, 0, ok("60", "x-token")), s(null, sec, ok("60", "x-token")), s(put("X-Token"), 2*sec, ok("60", "x-token")), s(put("X-Token"), 3*sec, nil)}
		}(), []bool{true, true, true, false}, []string{CauseNoEntry, CauseOpaque, CauseNoEntry, CauseCached}},
		{"a simple request needs none", []SequenceStep{
			s(Request{Origin: page, Method: "GET", URL: api}, 0, nil)},
			[]bool{false}, []string{CauseNotNeeded}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			got := PredictPreflights(tt.steps)
			sent := make([]bool, len(got))
			causes := make([]string, len(got))
			for i, p := range got {
				sent[i], causes[i] = p.Sent, p.Cause
				assert.NotEmpty(t, p.Reason)
			}
			assert.Equal(t, tt.want, sent, "causes %v", causes)
			if tt.causes != nil {
				assert.Equal(t, tt.causes, causes)
			}
		})
	}
}

// TestPredictPreflightsReasons: a step that preflights where an earlier
// one did too says what became of that earlier result — Max-Age 0 cached
// nothing, a request it did not cover dropped it, a fresh step emptied the
// cache — and names steps as the reports do.
func TestPredictPreflightsReasons(t *testing.T) {
	t.Parallel()
	const page, api = "https://app.example.test", "http://127.0.0.1:8080/api/x"
	put := Request{Origin: page, Method: "PUT", URL: api, Headers: map[string]string{"X-Token": "1"}, Credentials: "omit"}
	del := put
	del.Method = "DELETE"
	pre := func(maxAge string) *Response {
		return &Response{Status: 204, Headers: map[string]string{"Access-Control-Allow-Origin": page, "Access-Control-Allow-Methods": "PUT",
			"Access-Control-Allow-Headers": "x-token", "Access-Control-Max-Age": maxAge}}
	}
	sec := time.Second
	got := PredictPreflights([]SequenceStep{
		{Name: "save", Input: Input{Request: put, Preflight: pre("0")}},
		{Name: "save again", Input: Input{Request: put, Preflight: pre("60")}, At: sec},
		{Name: "delete", Input: Input{Request: del, Preflight: pre("60")}, At: 2 * sec, CorsError: ErrMethodDisallowedByPreflightResponse},
		{Name: "save a third time", Input: Input{Request: put, Preflight: pre("60")}, At: 3 * sec},
		{Input: Input{Request: put}, At: 4 * sec},
		{Fresh: true, Input: Input{Request: put, Preflight: pre("60")}, At: 5 * sec},
	})
	want := []struct {
		sent          bool
		cause, reason string
	}{
		{true, CauseNoEntry, "no preflight result is cached for this origin and URL"},
		{true, CauseNoEntry, "the preflight of save answered Access-Control-Max-Age `0`, which caches nothing"},
		{true, CauseNewMethod, "the method `DELETE` is not in the Access-Control-Allow-Methods cached by save again"},
		{true, CauseDropped, "the result cached by save again was dropped by delete, a request it did not cover, whose own preflight failed, so nothing replaced it"},
		{false, CauseCached, "the result cached by save a third time covers it (1.0 s old, Max-Age 60.0 s)"},
		{true, CauseFresh, "step 6 started afresh (fresh: true), with an empty preflight cache"},
	}
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, w.sent, got[i].Sent, "step %d", i+1)
		assert.Equal(t, w.cause, got[i].Cause, "step %d", i+1)
		assert.Equal(t, w.reason, got[i].Reason, "step %d", i+1)
	}
}

// TestPredictPreflightsAfterARedirect: a request redirected to another URL
// of the API may preflight there too, and the record keeps only its first
// preflight, so a later call of that URL may find a result the model never
// saw (measured in Chromium 156: it does). The model says it cannot know
// instead of predicting a preflight the browser does not send.
func TestPredictPreflightsAfterARedirect(t *testing.T) {
	t.Parallel()
	const page, a, b = "https://app.example.test", "http://127.0.0.1:8080/api/a?redirect=%2Fapi%2Fb", "http://127.0.0.1:8080/api/b"
	put := func(u string) Request {
		return Request{Origin: page, Method: "PUT", URL: u, Headers: map[string]string{"X-Token": "1"}, Credentials: "omit"}
	}
	pre := &Response{Status: 204, Headers: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "x-token", "Access-Control-Max-Age": "60"}}
	hop := Response{URL: a, Status: 307, Headers: map[string]string{"Location": "/api/b", "Access-Control-Allow-Origin": "*"}}
	got := PredictPreflights([]SequenceStep{
		{Input: Input{Request: put(a), Preflight: pre, Redirects: []Response{hop}}},
		{Input: Input{Request: put(b)}, At: time.Second},
		{Input: Input{Request: put(b), Preflight: pre}, At: 2 * time.Second},
		{Input: Input{Request: put(b)}, At: 3 * time.Second},
	})
	assert.True(t, got[1].Uncertain, got[1].Reason)
	assert.Contains(t, got[1].Reason, "step 1 was redirected to this URL")
	assert.True(t, got[2].Uncertain, got[2].Reason)
	// Once the URL preflighted on its own, the model knows again.
	assert.False(t, got[3].Sent)
	assert.False(t, got[3].Uncertain)
	assert.Equal(t, CauseCached, got[3].Cause)
}

// TestPredictPreflightsNearExpiry: a call within ExpiryJitter of a cached
// result's expiry may go either way in the browser (its clock is not the
// caller's), so the model says so instead of guessing; past the window it
// is sure again.
func TestPredictPreflightsNearExpiry(t *testing.T) {
	t.Parallel()
	const page, api = "https://app.example.test", "http://127.0.0.1:8080/api/x"
	put := Request{Origin: page, Method: "PUT", URL: api, Headers: map[string]string{"X-Token": "1"}, Credentials: "omit"}
	pre := &Response{Status: 204, Headers: map[string]string{"Access-Control-Allow-Origin": page, "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "x-token", "Access-Control-Max-Age": "1"}}
	ms := time.Millisecond
	got := PredictPreflights([]SequenceStep{
		{Input: Input{Request: put, Preflight: pre}},
		{Input: Input{Request: put}, At: 700 * ms},
		{Input: Input{Request: put}, At: 1000 * ms},
		{Input: Input{Request: put}, At: 1100 * ms},
		{Input: Input{Request: put, Preflight: pre}, At: 1300 * ms},
		{Input: Input{Request: put}, At: 1400 * ms},
	})
	uncertain := []bool{false, false, true, true, false, false}
	sent := []bool{true, false, true, true, true, false}
	for i, p := range got {
		assert.Equal(t, uncertain[i], p.Uncertain, "step %d: %s", i+1, p.Reason)
		assert.Equal(t, sent[i], p.Sent, "step %d: %s", i+1, p.Reason)
	}
	assert.Equal(t, CauseExpired, got[4].Cause, "past the window the old entry is expired for sure")
	// A miss that does not depend on the clock stays certain near expiry.
	other := put
	other.Headers = map[string]string{"X-Other": "1"}
	got = PredictPreflights([]SequenceStep{{Input: Input{Request: put, Preflight: pre}}, {Input: Input{Request: other}, At: 1000 * ms}})
	assert.False(t, got[1].Uncertain)
	assert.Equal(t, CauseNewHeader, got[1].Cause)
}

func TestPreflightAdvice(t *testing.T) {
	t.Parallel()
	r := Request{Origin: "https://app.example.test", Method: "PUT", URL: "http://127.0.0.1:8080/x",
		Headers: map[string]string{"X-Trace": "1", "Content-Type": "application/json"}, Body: "{}"}
	cause, fixes := PreflightAdvice(r, []string{CauseExpired, CauseExpired}, "", false)
	assert.Equal(t, "the server sends no Access-Control-Max-Age, so Chromium keeps each preflight result only 5 s", cause)
	assert.Contains(t, fixes[0], "Raise Access-Control-Max-Age on the preflight response to 7200")
	joined := ""
	for _, f := range fixes {
		joined += f + "\n"
	}
	assert.Contains(t, joined, "Use GET or POST instead of PUT")
	assert.Contains(t, joined, "CORS-safelisted Content-Type")
	assert.Contains(t, joined, "Drop the `x-trace` header")

	cause, fixes = PreflightAdvice(r, []string{CauseNewHeader}, "7200", true)
	assert.Contains(t, cause, "different request headers")
	assert.NotContains(t, fixes[0], "Raise", "at the cap there is nothing to raise")
	assert.Contains(t, fixes[0], "List every header")

	// A refused call of another request dropped the entry: a longer
	// Max-Age would not have kept it.
	cause, fixes = PreflightAdvice(r, []string{CauseDropped}, "600", true)
	assert.Contains(t, cause, "made Chromium drop the result")
	assert.NotContains(t, cause, "less than the time the calls span")
	assert.NotContains(t, fixes[0], "Raise")
	assert.Contains(t, fixes[0], "Allow every method and header the client sends to this URL")

	// Every preflight failed: a longer Max-Age caches nothing either.
	cause, fixes = PreflightAdvice(r, []string{CauseFailed, CauseFailed}, "600", true)
	assert.Contains(t, cause, "a failed preflight caches nothing")
	assert.NotContains(t, cause, "less than the time the calls span")
	assert.NotContains(t, fixes[0], "Raise")
	assert.Contains(t, fixes[0], "Make the preflight response allow the request first")

	cause, fixes = PreflightAdvice(r, []string{CauseOpaque}, "60", true)
	assert.Contains(t, cause, "opaque (null")
	assert.NotContains(t, fixes[0], "Raise")

	assert.True(t, IsStorm(5, 5))
	assert.True(t, IsStorm(20, 5))
	assert.False(t, IsStorm(20, 4), "one per five calls is not a storm")
	assert.False(t, IsStorm(1, 1))
}

// FuzzCacheURL: the cache key of a URL from a hostile suite or record
// never panics, and keying a key again changes nothing.
func FuzzCacheURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/api/x/../open?a=1#frag", "HTTP://LocalHost:80/", "https://[::1]:443/a/./b/..", "http://h//x?", "http://h/%zz", "/relative", "http://h/a/b/../../../.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := cacheURL(s)
		if again := cacheURL(k); again != k {
			t.Fatalf("cacheURL(%q) = %q, but cacheURL(%q) = %q", s, k, k, again)
		}
	})
}
