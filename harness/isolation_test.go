package harness

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// warmOnce answers the first preflight with a long Max-Age and every later
// one with a refusal: a case passes the second time only if the preflight
// cache of an earlier case leaked into it.
func warmOnce(t *testing.T) string {
	var preflights atomic.Int32
	return corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions {
			if preflights.Add(1) == 1 {
				w.Header().Set("Access-Control-Allow-Headers", "x-token")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1", Path: "/", SameSite: http.SameSiteNoneMode, Secure: true})
		}
		if _, err := r.Cookie("sid"); err == nil {
			w.Header().Set("X-Had-Cookie", "yes")
		}
		w.Header().Set("Access-Control-Expose-Headers", "X-Had-Cookie")
	}).URL
}

func preflighted(url string) scenarios.Case {
	return scenarios.Case{Name: "warm", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: url, Headers: map[string]string{"X-Token": "1"}}}
}

func TestPreflightCacheWouldLeakWithoutReset(t *testing.T) {
	// The control: in one tab with no reset, the second case rides on the
	// first case's cached preflight. This is what the isolation tests
	// below must prevent, and shows they can fail.
	url := warmOnce(t) + "/data"
	s := testBrowser.newSession()
	defer s.close()
	first, err := s.run(context.Background(), preflighted(url))
	require.NoError(t, err)
	require.Equal(t, cors.VerdictAllowed, first.Verdict)
	second, err := s.run(context.Background(), preflighted(url))
	require.NoError(t, err)
	assert.Equal(t, cors.VerdictAllowed, second.Verdict)
	assert.Nil(t, second.Preflight, "served from the preflight cache")
}

func TestIsolationHoldsWhenContextsAreReused(t *testing.T) {
	for _, iso := range []Isolation{IsolationClean, IsolationFresh} {
		for _, jobs := range []int{1, 2} {
			t.Run(string(iso)+"/j"+string(rune('0'+jobs)), func(t *testing.T) {
				url := warmOnce(t) + "/data"
				cases := []scenarios.Case{preflighted(url), preflighted(url), preflighted(url)}
				recs := testBrowser.RunCases(context.Background(), cases, jobs, iso, nil)
				require.Len(t, recs, 3)
				allowed := 0
				for _, r := range recs {
					require.NotNil(t, r.Preflight, "every case sends its own preflight")
					if r.Verdict == cors.VerdictAllowed {
						allowed++
					}
				}
				assert.Equal(t, 1, allowed, "only the case that got the one good preflight passes")
			})
		}
	}
}

func TestCookiesDoNotLeakBetweenCases(t *testing.T) {
	base := warmOnce(t)
	set := scenarios.Case{Name: "set", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/set", Credentials: "include"}}
	check := scenarios.Case{Name: "check", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/check", Credentials: "include"}}

	// Control: in one tab with no reset, the cookie is sent back.
	s := testBrowser.newSession()
	defer s.close()
	_, err := s.run(context.Background(), set)
	require.NoError(t, err)
	again, err := s.run(context.Background(), check)
	require.NoError(t, err)
	require.NotNil(t, again.Actual)
	require.Equal(t, "yes", again.Page.ReadableHeaders["x-had-cookie"], "third-party cookies are allowed, so the cookie comes back: %+v", again.Actual)

	recs := testBrowser.RunCases(context.Background(), []scenarios.Case{set, check}, 1, IsolationClean, nil)
	require.Len(t, recs, 2)
	assert.Empty(t, recs[1].Page.ReadableHeaders["x-had-cookie"])
	assert.Empty(t, recs[1].Actual.CookiesSent)
}

func TestSeededCookiesAreTheBrowsersToSend(t *testing.T) {
	checkSeededCookies(t, testBrowser, warmOnce(t))
}

// checkSeededCookies: a cookie seeded in the jar goes with a credentialed
// request and stays home without credentials; the browser decides, and the
// record says what it sent. Run on each engine.
func checkSeededCookies(t *testing.T, b *Browser, base string) {
	for _, tc := range []struct {
		desc        string
		credentials scenarios.Credentials
		sent        bool
	}{
		{"credentials include sends the seeded cookie", "include", true},
		{"credentials omit leaves it home", "omit", false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec := b.RunOne(context.Background(), scenarios.Case{
				Name: tc.desc, Origin: "https://app.example.test", Cookies: map[string]string{"sid": "1"},
				Request: scenarios.Request{URL: base + "/check", Credentials: tc.credentials},
			})
			require.Equal(t, cors.VerdictAllowed, rec.Verdict, rec.Page.Error)
			require.NotNil(t, rec.Actual)
			// The record holds the jar the case put, as a step's does: the
			// reproduce command needs it, and the diagnosis says when the
			// credentials mode never sends it.
			assert.Equal(t, map[string]string{"sid": "1"}, rec.Cookies)
			warnings := strings.Join(concluded(rec, scenarios.Case{}).Diagnosis.Warnings, "\n")
			assert.Equal(t, !tc.sent, strings.Contains(warnings, "`sid`"), warnings)
			if tc.sent {
				assert.Equal(t, []string{"sid"}, rec.Actual.CookiesSent)
				assert.Equal(t, "yes", rec.Page.ReadableHeaders["x-had-cookie"])
			} else {
				assert.Empty(t, rec.Actual.CookiesSent)
				assert.NotContains(t, rec.Actual.RequestHeaders, "Cookie")
			}
		})
	}
}
