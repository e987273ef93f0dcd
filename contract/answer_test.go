package contract

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/policy"
)

// TestAnswersMeetTheirOwnContract answers every case verify generates for
// a policy with PreflightAnswer and ActualAnswer, and runs the CORS model
// over the result: each case must get the verdict its check calls for, and
// an allowed origin's exposed headers must be readable. That is what makes
// `corsproof verify` pass against `corsproof proxy` by construction.
func TestAnswersMeetTheirOwnContract(t *testing.T) {
	const target = "http://127.0.0.1:8080"
	extra := `version: 1
routes:
  - path: /open
    allow_origins: ["*"]
    allow_methods: [GET, PUT]
    allow_headers: ["*"]
    expose_headers: [X-Total]
    max_age: 60
  - path: /closed
  - path: /creds
    allow_origins: [http://localhost:5173, "https://*.dev.example.test"]
    allow_credentials: true
    allow_methods: [PATCH]
    allow_headers: [X-Token, Content-Type]
    max_age: 0
`
	p2, err := policy.Parse("extra.yaml", []byte(extra))
	require.NoError(t, err)
	for _, p := range []*policy.Policy{loadPolicy(t, examplePolicy), p2} {
		c, err := Build(p, target)
		require.NoError(t, err)
		for i, ck := range c.Checks {
			cs := c.Suite.Cases[i]
			t.Run(p.File+" "+ck.Case, func(t *testing.T) {
				route, ok := p.Match(strings.TrimPrefix(cs.Request.URL, target))
				require.True(t, ok)
				req := cors.Request{Origin: cs.Origin, Method: cs.Request.Method, URL: cs.Request.URL,
					Headers: cs.Request.Headers, Credentials: string(cs.Request.Credentials), Mode: string(cs.Request.Mode)}
				pre := PreflightAnswer(route, cs.Origin)
				act := ActualAnswer(route, cs.Origin, http.StatusOK)
				in := cors.Input{Request: req,
					Preflight: &cors.Response{URL: cs.Request.URL, Status: pre.Status, Headers: flat(pre.Headers)},
					Actual:    &cors.Response{URL: cs.Request.URL, Status: http.StatusOK, Headers: flat(act.Headers)}}
				for _, h := range ck.Expose {
					in.Actual.Headers[h] = "1"
				}
				got := cors.Predict(in)
				want := cors.VerdictBlocked
				if ck.Allowed {
					want = cors.VerdictAllowed
				}
				assert.Equal(t, want, got.Verdict, "%s: %s %s", ck.Rule, got.CorsError, got.FailedParameter)
				for _, h := range ck.Expose {
					assert.Contains(t, got.ReadableHeaders, strings.ToLower(h))
				}
				if ck.MaxAge != nil {
					assert.Equal(t, strconv.Itoa(*ck.MaxAge), pre.Headers.Get("Access-Control-Max-Age"))
				}
				if ck.Vary && act.Allowed {
					assert.True(t, act.Vary, "echoed origins need Vary: Origin")
				}
			})
		}
	}
}

func TestAnswerHeaders(t *testing.T) {
	age := 600
	r := policy.Route{Path: "/api", AllowOrigins: []string{"http://localhost:5173"}, AllowCredentials: true,
		AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"X-Token"}, ExposeHeaders: []string{"X-Request-Id"},
		MaxAge: &age, Vary: true, CORSOnErrors: false}
	for _, tc := range []struct {
		desc   string
		got    Answer
		want   http.Header
		status int
	}{
		{desc: "preflight from the dev origin", got: PreflightAnswer(r, "http://localhost:5173"), status: 204, want: http.Header{
			"Access-Control-Allow-Origin": {"http://localhost:5173"}, "Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Allow-Methods": {"GET, PUT"}, "Access-Control-Allow-Headers": {"X-Token"}, "Access-Control-Max-Age": {"600"}}},
		{desc: "preflight from a look-alike", got: PreflightAnswer(r, "http://localhost:5173.evil.test"), status: 204, want: http.Header{}},
		{desc: "actual from the dev origin", got: ActualAnswer(r, "http://localhost:5173", 200), want: http.Header{
			"Access-Control-Allow-Origin": {"http://localhost:5173"}, "Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers": {"X-Request-Id"}}},
		{desc: "an error without cors_on_errors", got: ActualAnswer(r, "http://localhost:5173", 500), want: http.Header{}},
		{desc: "no Origin", got: ActualAnswer(r, "", 200), want: http.Header{}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got.Headers)
			assert.Equal(t, tc.status, tc.got.Status)
			assert.True(t, tc.got.Vary, "the answer depends on the origin, allowed or not")
		})
	}
	star := policy.Route{Path: "/", AllowOrigins: []string{"*"}}
	a := ActualAnswer(star, "", 200)
	assert.Equal(t, "*", a.Headers.Get("Access-Control-Allow-Origin"), "a static * goes out without an Origin too")
	assert.False(t, a.Vary)
}

// flat turns headers into the model's one-string-per-name form.
func flat(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = strings.Join(v, "\n")
	}
	return out
}
