package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheChecks(t *testing.T) {
	t.Parallel()
	c := Case{Name: "get", Origin: "https://a.example.test", Request: Request{Method: "GET", URL: "http://127.0.0.1:1/x"}}
	s := &Suite{Cases: []Case{c, {Name: "b", Origin: "https://b.example.test"}}}
	others := CacheCheckOrigins(s, c.Origin)
	assert.Equal(t, []string{"https://b.example.test", UnlistedOrigin}, others)
	got := CacheChecks(c, others)
	require.Len(t, got, 2)
	assert.Equal(t, "get › cache check from https://b.example.test", got[0].Name)
	assert.Equal(t, CheckCache, got[0].Check)
	require.Len(t, got[0].Steps, 2)
	assert.False(t, got[0].Steps[0].Fresh)
	assert.Equal(t, "", got[0].Steps[0].Origin, "the prime is the case's own origin")
	assert.True(t, got[0].Steps[1].Fresh)
	assert.Equal(t, "https://b.example.test", got[0].Steps[1].Origin)
	assert.Equal(t, c.Request, got[0].Steps[1].Request, "the same request")
	assert.NoError(t, got[0].Validate())

	assert.Nil(t, CacheChecks(Case{Origin: "null", Request: c.Request}, others))
	nc := c
	nc.Request.Mode = ModeNoCORS
	assert.Nil(t, CacheChecks(nc, others))
	assert.Equal(t, []string{UnlistedOrigin}, CacheCheckOrigins(&Suite{Cases: []Case{c}}, c.Origin))
}

func TestErrorPathsGenerated(t *testing.T) {
	t.Parallel()
	c := Case{Name: "me", Origin: "https://a.example.test", Cookies: map[string]string{"sid": "1"},
		Request: Request{Method: "GET", URL: "http://127.0.0.1:1/api/me/?q=1", Headers: map[string]string{"authorization": "Bearer good", "X-Trace": "1"}, Credentials: CredentialsInclude}}
	got := ErrorPaths(c)
	require.Len(t, got, 4, "no body: no malformed-body path")
	byKind := map[string]Case{}
	for _, g := range got {
		byKind[g.Check] = g
		assert.Equal(t, c.Origin, g.Origin)
		assert.Equal(t, c.Request.Credentials, g.Request.Credentials, "the CORS-relevant shape is kept")
	}
	un := byKind[CheckErrorPath+ErrorUnauthenticated]
	assert.Equal(t, map[string]string{"X-Trace": "1"}, un.Request.Headers)
	assert.Nil(t, un.Cookies)
	bad := byKind[CheckErrorPath+ErrorBadToken]
	assert.Equal(t, map[string]string{"X-Trace": "1", "Authorization": BadToken}, bad.Request.Headers)
	unknown := byKind[CheckErrorPath+ErrorUnknownRoute]
	assert.Equal(t, "http://127.0.0.1:1/api/me/"+UnknownRoute+"?q=1", unknown.Request.URL)
	assert.Equal(t, c.Request.Headers, unknown.Request.Headers)
	assert.Equal(t, "Bearer good", c.Request.Headers["authorization"], "the case itself is untouched")

	burst := byKind[CheckErrorPath+ErrorRateLimited]
	require.Len(t, burst.Steps, ErrorBurst)
	for _, st := range burst.Steps {
		assert.Equal(t, c.Request, st.Request, "every call of the burst is the case's request")
	}
	assert.Equal(t, c.Cookies, burst.Cookies)

	plain := Case{Name: "p", Origin: c.Origin, Request: Request{Method: "GET", URL: "http://127.0.0.1:1/", Headers: map[string]string{"X-Trace": "1"}}}
	assert.Len(t, ErrorPaths(plain), 3, "no credentials: nothing to take away")
	assert.Equal(t, map[string]string{"X-Trace": "1"}, plain.Request.Headers, "the bad token goes into a copy, not into the case's headers")

	put := Case{Name: "put", Origin: c.Origin, Request: Request{Method: "PUT", URL: "http://127.0.0.1:1/items/1", Body: `{"a":1}`,
		Headers: map[string]string{"Content-Type": "application/json"}}}
	var malformed *Case
	for _, g := range ErrorPaths(put) {
		if g.Check == CheckErrorPath+ErrorMalformedBody {
			malformed = &g
		}
	}
	require.NotNil(t, malformed, "a request with a body gets a malformed-body path")
	assert.Equal(t, MalformedBody, malformed.Request.Body)
	assert.Equal(t, put.Request.Headers, malformed.Request.Headers, "the CORS-relevant shape is kept")
	assert.Equal(t, `{"a":1}`, put.Request.Body, "the case itself is untouched")
}
