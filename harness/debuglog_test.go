package harness

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logged renders ev as its CDP log line and decodes the event back.
func logged(t *testing.T, ev any, showSecrets bool) (line string, event map[string]any) {
	t.Helper()
	b, err := debugEvent(42, ev, showSecrets)
	require.NoError(t, err)
	var got struct {
		MS    int64          `json:"ms"`
		Type  string         `json:"type"`
		Event map[string]any `json:"event"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, int64(42), got.MS)
	assert.Equal(t, fmt.Sprintf("%T", ev), got.Type)
	return string(b), got.Event
}

func TestDebugEventRedactsCredentials(t *testing.T) {
	t.Parallel()
	sent := &network.EventRequestWillBeSentExtraInfo{
		RequestID: "1",
		Headers:   network.Headers{"Authorization": "Bearer s3cret", "Cookie": "sid=s3cret", "X-Api-Key": "s3cret", "Content-Type": "application/json", "Origin": "https://app.test"},
		AssociatedCookies: []*network.AssociatedCookie{{
			Cookie: &network.Cookie{Name: "sid", Value: "s3cret", Domain: "api.test"},
		}},
	}
	received := &network.EventResponseReceivedExtraInfo{
		RequestID:   "1",
		StatusCode:  200,
		Headers:     network.Headers{"Set-Cookie": "sid=s3cret; Secure", "Access-Control-Allow-Credentials": "true"},
		HeadersText: "HTTP/1.1 200 OK\r\nSet-Cookie: sid=s3cret; Secure\r\nAccess-Control-Allow-Credentials: true\r\n\r\n",
		BlockedCookies: []*network.BlockedSetCookieWithReason{{
			BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonSameSiteLax},
			CookieLine:     "sid=s3cret; SameSite=Lax",
		}},
	}
	paused := &fetch.EventRequestPaused{
		RequestID:       "2",
		Request:         &network.Request{URL: "https://app.test/", Method: "GET", Headers: network.Headers{"Proxy-Authorization": "Basic s3cret"}},
		ResponseHeaders: []*fetch.HeaderEntry{{Name: "Set-Cookie", Value: "a=s3cret"}, {Name: "Content-Type", Value: "text/html"}},
	}
	for _, tc := range []struct {
		desc string
		ev   any
		kept []string
	}{
		{desc: "request headers and associated cookies", ev: sent,
			kept: []string{`"Content-Type":"application/json"`, `"Origin":"https://app.test"`, `"name":"sid"`, `"domain":"api.test"`}},
		{desc: "response headers, raw header text and blocked cookie lines", ev: received,
			kept: []string{`"Access-Control-Allow-Credentials":"true"`, `Set-Cookie: [redacted]\r\n`, `Access-Control-Allow-Credentials: true`, `"cookieLine":"sid=[redacted]; SameSite=Lax"`, `"statusCode":200`}},
		{desc: "Fetch domain header lists", ev: paused,
			kept: []string{`{"name":"Content-Type","value":"text/html"}`, `{"name":"Set-Cookie","value":"[redacted]"}`, `"Proxy-Authorization":"[redacted]"`}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			line, _ := logged(t, tc.ev, false)
			assert.NotContains(t, line, "s3cret")
			for _, k := range tc.kept {
				assert.Contains(t, line, k)
			}
			shown, _ := logged(t, tc.ev, true)
			assert.Contains(t, shown, "s3cret", "DebugSecrets keeps the values")
		})
	}
}
