package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

// bidiLine renders m as its BiDi log line and decodes it back.
func bidiLine(t *testing.T, m bidiLogged, showSecrets bool) string {
	t.Helper()
	b, err := debugBiDi(7, m, showSecrets)
	require.NoError(t, err)
	var got struct {
		MS      int64          `json:"ms"`
		Dir     string         `json:"dir"`
		Method  string         `json:"method"`
		Message map[string]any `json:"message"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, int64(7), got.MS)
	assert.Equal(t, m.method, got.Method)
	assert.Equal(t, map[bool]string{true: "sent", false: "received"}[m.sent], got.Dir)
	assert.NotEmpty(t, got.Message)
	return string(b)
}

func TestDebugBiDiRedactsCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		m    bidiLogged
		kept []string
	}{
		{desc: "request headers and cookies of a network event",
			m: bidiLogged{method: "network.beforeRequestSent", raw: []byte(`{"type":"event","method":"network.beforeRequestSent","params":{"context":"c1","request":{"request":"9","url":"https://api.test/x","method":"GET",` +
				`"headers":[{"name":"Authorization","value":{"type":"string","value":"Bearer s3cret"}},{"name":"Cookie","value":{"type":"base64","value":"c2lkPXMzY3JldA=="}},{"name":"Origin","value":{"type":"string","value":"https://app.test"}}],` +
				`"cookies":[{"name":"sid","value":{"type":"string","value":"s3cret"},"domain":"api.test"}]},"timestamp":1.5}}`)},
			kept: []string{`{"name":"Authorization","value":{"type":"string","value":"[redacted]"}}`, `{"name":"Cookie","value":{"type":"string","value":"[redacted]"}}`,
				`{"name":"Origin","value":{"type":"string","value":"https://app.test"}}`, `"name":"sid"`, `"domain":"api.test"`, `"timestamp":1.5`}},
		{desc: "response headers of a network event",
			m:    bidiLogged{method: "network.responseCompleted", raw: []byte(`{"type":"event","method":"network.responseCompleted","params":{"response":{"status":200,"headers":[{"name":"Set-Cookie","value":{"type":"string","value":"sid=s3cret; Secure"}},{"name":"Access-Control-Allow-Credentials","value":{"type":"string","value":"true"}}]}}}`)},
			kept: []string{`{"name":"Set-Cookie","value":{"type":"string","value":"[redacted]"}}`, `{"name":"Access-Control-Allow-Credentials","value":{"type":"string","value":"true"}}`}},
		{desc: "a cookie put in the jar",
			m:    bidiLogged{sent: true, method: "storage.setCookie", raw: []byte(`{"id":3,"method":"storage.setCookie","params":{"cookie":{"name":"sid","value":{"type":"string","value":"s3cret"},"domain":"api.test"}}}`)},
			kept: []string{`"value":{"type":"string","value":"[redacted]"}`, `"name":"sid"`, `"id":3`}},
		{desc: "the request spec handed to the page",
			m:    bidiLogged{sent: true, method: "script.evaluate", raw: []byte(`{"id":4,"method":"script.evaluate","params":{"awaitPromise":true,"expression":"(async () => JSON.stringify(await (self.__corsproof.run({\"api\":\"fetch\",\"headers\":{\"X-Api-Key\":\"s3cret\",\"X-Trace\":\"<1>\"},\"url\":\"https://api.test/x\"}))))()"}}`)},
			kept: []string{`(async () => JSON.stringify(await (self.__corsproof.run({\"api\":\"fetch\",\"headers\":{\"X-Api-Key\":\"[redacted]\",\"X-Trace\":\"<1>\"},\"url\":\"https://api.test/x\"}))))()`}},
		{desc: "the outcome the page answers with",
			m:    bidiLogged{method: "script.evaluate", raw: []byte(`{"type":"success","id":4,"result":{"type":"success","realm":"r1","result":{"type":"string","value":"{\"ok\":true,\"headers\":{\"x-auth-token\":\"s3cret\",\"content-type\":\"text/plain\"},\"body\":\"ok\"}"}}}`)},
			kept: []string{`\"x-auth-token\":\"[redacted]\"`, `\"content-type\":\"text/plain\"`, `"realm":"r1"`}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			line := bidiLine(t, tc.m, false)
			assert.NotContains(t, line, "s3cret")
			assert.NotContains(t, line, "c2lkPXMzY3JldA==")
			for _, k := range tc.kept {
				assert.Contains(t, line, k)
			}
			shown := bidiLine(t, tc.m, true)
			assert.Contains(t, shown, `"message":`+string(tc.m.raw), "DebugSecrets keeps the message as it went over the wire")
		})
	}
}

// TestRedactEmbeddedJSONKeepsUnknownText: an expression corsproof did not
// build (OpenDocument's) is kept as written.
func TestRedactEmbeddedJSONKeepsUnknownText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"self.__corsproof.info()", "fetch(u).then(r => { return r.status })", ""} {
		assert.Equal(t, s, redactEmbeddedJSON(s))
	}
}

// TestOpenPrivate: a --debug-cdp file is the user's alone even where an
// earlier run left a wider file or someone planted a link at its name.
func TestOpenPrivate(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "launch.txt")
	require.NoError(t, os.WriteFile(wide, []byte("old"), 0o644))
	require.NoError(t, writePrivate(wide, []byte("new")))
	fi, err := os.Stat(wide)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	target := filepath.Join(dir, "elsewhere")
	require.NoError(t, os.WriteFile(target, []byte("keep"), 0o644))
	link := filepath.Join(dir, "0001-case.cdp.jsonl")
	require.NoError(t, os.Symlink(target, link))
	_, err = openPrivate(link)
	require.Error(t, err, "the link is not followed")
	data, _ := os.ReadFile(target)
	assert.Equal(t, "keep", string(data))
}
