package cors

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsSecretHeader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc   string
		header string
		want   bool
	}{
		{desc: "Authorization", header: "Authorization", want: true},
		{desc: "case and spaces do not matter", header: " AUTHORIZATION ", want: true},
		{desc: "Proxy-Authorization", header: "Proxy-Authorization", want: true},
		{desc: "Cookie", header: "cookie", want: true},
		{desc: "Set-Cookie", header: "Set-Cookie", want: true},
		{desc: "token-like name", header: "X-Token", want: true},
		{desc: "API key", header: "X-Api-Key", want: true},
		{desc: "CSRF token", header: "X-CSRF-Token", want: true},
		{desc: "session id", header: "X-Session-Id", want: true},
		{desc: "custom auth header", header: "X-Auth-User", want: true},
		{desc: "CORS credentials header stays readable", header: "Access-Control-Allow-Credentials", want: false},
		{desc: "CORS allow-headers stays readable", header: "Access-Control-Allow-Headers", want: false},
		{desc: "authentication challenge is not a secret", header: "WWW-Authenticate", want: false},
		{desc: "Content-Type", header: "Content-Type", want: false},
		{desc: "Vary", header: "Vary", want: false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, IsSecretHeader(tc.header))
		})
	}
}

func TestIsSecretQueryParam(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc  string
		param string
		want  bool
	}{
		{desc: "access_token", param: "access_token", want: true},
		{desc: "api_key", param: "API_KEY", want: true},
		{desc: "signature", param: "X-Amz-Signature", want: true},
		{desc: "page number", param: "page", want: false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, IsSecretQueryParam(tc.param))
		})
	}
}
