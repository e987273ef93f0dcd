package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/policy"
)

func TestConcreteOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, pattern, want string
		ok                  bool
	}{
		{"https pattern", "https://*.example.com", "https://app.example.com", true},
		{"pattern with port", "http://*.example.test:3000", "http://app.example.test:3000", true},
		{"deep suffix", "https://*.preview.shop.example.com", "https://app.preview.shop.example.com", true},
		{"exact origin is no pattern", "https://example.com", "", false},
		{"star alone is no pattern", "*", "", false},
		{"reflect is no pattern", "reflect", "", false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, ok := ConcreteOrigin(tc.pattern)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
			if ok {
				r := policy.Route{AllowOrigins: []string{tc.pattern}}
				assert.True(t, r.AllowsOrigin(got), "the concrete origin must match its own pattern")
			}
		})
	}
}

func TestLookAlikes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc  string
		entry string
		want  []Variant
	}{
		{"https origin with subdomain", "https://app.example.com", []Variant{
			{KindSuffix, "https://app.example.com.evil.test", "https://app.example.com"},
			{KindPrefix, "https://evilapp.example.com", "https://app.example.com"},
			{KindSubdomain, "https://evil.example.com", "https://app.example.com"},
			{KindScheme, "http://app.example.com", "https://app.example.com"},
			{KindPort, "https://app.example.com:8443", "https://app.example.com"},
		}},
		{"bare domain gets a subdomain, not a sibling", "https://example.com", []Variant{
			{KindSuffix, "https://example.com.evil.test", "https://example.com"},
			{KindPrefix, "https://evilexample.com", "https://example.com"},
			{KindSubdomain, "https://evil.example.com", "https://example.com"},
			{KindScheme, "http://example.com", "https://example.com"},
			{KindPort, "https://example.com:8443", "https://example.com"},
		}},
		{"localhost with port: the port is dropped", "http://localhost:3000", []Variant{
			{KindSuffix, "http://localhost.evil.test:3000", "http://localhost:3000"},
			{KindPrefix, "http://evillocalhost:3000", "http://localhost:3000"},
			{KindSubdomain, "http://evil.localhost:3000", "http://localhost:3000"},
			{KindScheme, "https://localhost:3000", "http://localhost:3000"},
			{KindPort, "http://localhost", "http://localhost:3000"},
		}},
		{"IPv4 origin has no host-name look-alikes", "http://127.0.0.1:8080", []Variant{
			{KindScheme, "https://127.0.0.1:8080", "http://127.0.0.1:8080"},
			{KindPort, "http://127.0.0.1", "http://127.0.0.1:8080"},
		}},
		{"IPv6 origin", "http://[::1]:3000", []Variant{
			{KindScheme, "https://[::1]:3000", "http://[::1]:3000"},
			{KindPort, "http://[::1]", "http://[::1]:3000"},
		}},
		{"pattern", "https://*.example.com", []Variant{
			{KindSuffix, "https://app.example.com.evil.test", "https://*.example.com"},
			{KindPrefix, "https://evilexample.com", "https://*.example.com"},
			{KindBareDomain, "https://example.com", "https://*.example.com"},
			{KindScheme, "http://app.example.com", "https://*.example.com"},
			{KindPort, "https://app.example.com:8443", "https://*.example.com"},
		}},
		{"star has none", "*", nil},
		{"reflect has none", "reflect", nil},
		{"null has none", "null", nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got := LookAlikes(tc.entry)
			assert.Equal(t, tc.want, got)
			r := policy.Route{AllowOrigins: []string{tc.entry}}
			for _, v := range got {
				assert.False(t, r.AllowsOrigin(v.Origin), "%s must not be allowed by %s", v.Origin, tc.entry)
			}
		})
	}
}

func TestLookAlikesDropInvalidHosts(t *testing.T) {
	t.Parallel()
	// A 60-byte first label: "evil" in front makes it longer than the
	// 63 bytes a label may have, so the prefix look-alike is dropped.
	long := "https://a123456789b123456789c123456789d123456789e123456789f123456789.example.com"
	got := LookAlikes(long)
	for _, v := range got {
		assert.NotEqual(t, KindPrefix, v.Kind, "an over-long label must not be generated: %s", v.Origin)
	}
	assert.NotEmpty(t, got)
}

func TestDeniedOrigins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc    string
		origins []string
		want    []string
	}{
		{"entries that allow each other's variants drop them", []string{"https://example.com", "http://example.com"}, []string{
			"https://example.com.evil.test", "http://example.com.evil.test",
			"https://evilexample.com", "http://evilexample.com",
			"https://evil.example.com", "http://evil.example.com",
			"https://example.com:8443", "http://example.com:8080",
			"null", "http://127.0.0.1", "http://[::1]",
		}},
		{"an allowed IP origin is not denied", []string{"http://127.0.0.1"}, []string{
			"https://127.0.0.1", "http://127.0.0.1:8080", "null", "http://[::1]",
		}},
		{"an allowed null is not denied", []string{"null"}, []string{"http://127.0.0.1", "http://[::1]"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			r := policy.Route{AllowOrigins: tc.origins}
			var got []string
			for _, v := range deniedOrigins(r) {
				got = append(got, v.Origin)
				assert.False(t, r.AllowsOrigin(v.Origin), v.Origin)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDeniedOriginsCapKeepsEveryKind(t *testing.T) {
	t.Parallel()
	r := policy.Route{AllowOrigins: []string{
		"https://a.example.com", "https://b.example.org", "https://c.example.net", "https://d.example.io", "https://*.example.dev",
	}}
	vs := deniedOrigins(r)
	kinds := map[string]int{}
	for _, v := range vs {
		kinds[v.Kind]++
	}
	look := len(vs) - kinds[KindNull] - kinds[KindIP]
	assert.Equal(t, MaxLookAlikes, look)
	for _, k := range kindOrder {
		require.Positive(t, kinds[k], "kind %s must survive the cap", k)
	}
}
