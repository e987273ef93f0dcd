package pages

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, in, want string
		err            bool
	}{
		{desc: "https without port", in: "https://app.example.test", want: "https://app.example.test"},
		{desc: "default port dropped", in: "https://App.Example.test:443", want: "https://app.example.test"},
		{desc: "http default port dropped", in: "http://localhost:80", want: "http://localhost"},
		{desc: "other port kept", in: "http://localhost:3000", want: "http://localhost:3000"},
		{desc: "IPv4", in: "http://192.0.2.10:8080", want: "http://192.0.2.10:8080"},
		{desc: "IPv6", in: "http://[::1]:8080", want: "http://[::1]:8080"},
		{desc: "path", in: "https://app.example.test/x", err: true},
		{desc: "userinfo", in: "https://u@app.example.test", err: true},
		{desc: "scheme", in: "ftp://app.example.test", err: true},
		{desc: "bad port", in: "http://localhost:99999", err: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.err {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.in)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFor(t *testing.T) {
	t.Parallel()
	p, err := For("https://app.example.test:8443")
	require.NoError(t, err)
	assert.Equal(t, "https://app.example.test:8443"+Path, p.URL)
	assert.NotContains(t, p.Headers, "Content-Security-Policy")
	assert.Contains(t, string(p.Body), "__corsproof")

	null, err := For("null")
	require.NoError(t, err)
	assert.Equal(t, "sandbox allow-scripts", null.Headers["Content-Security-Policy"], "an opaque origin comes from a sandbox without allow-same-origin")
	assert.True(t, strings.HasSuffix(null.URL, Path))

	_, err = For("https://app.example.test/path")
	assert.Error(t, err)
}
