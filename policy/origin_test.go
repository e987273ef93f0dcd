package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAllowsOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		entries []string
		origin  string
		want    bool
	}{
		{desc: "exact", entries: []string{"https://app.example.test"}, origin: "https://app.example.test", want: true},
		{desc: "exact, other scheme", entries: []string{"https://app.example.test"}, origin: "http://app.example.test"},
		{desc: "exact, other port", entries: []string{"https://app.example.test"}, origin: "https://app.example.test:8443"},
		{desc: "exact, trailing slash sent", entries: []string{"https://app.example.test"}, origin: "https://app.example.test/"},
		{desc: "exact, upper case sent", entries: []string{"https://app.example.test"}, origin: "https://APP.example.test"},
		{desc: "exact, suffix look-alike", entries: []string{"https://app.example.test"}, origin: "https://app.example.test.evil.test"},
		{desc: "exact with port", entries: []string{"http://localhost:3000"}, origin: "http://localhost:3000", want: true},
		{desc: "exact IPv6", entries: []string{"http://[::1]:8080"}, origin: "http://[::1]:8080", want: true},
		{desc: "star allows anything", entries: []string{"*"}, origin: "https://evil.example.test", want: true},
		{desc: "star allows null", entries: []string{"*"}, origin: "null", want: true},
		{desc: "reflect allows anything", entries: []string{"reflect"}, origin: "https://evil.example.test", want: true},
		{desc: "no origin header", entries: []string{"*", "reflect"}, origin: ""},
		{desc: "null entry", entries: []string{"null"}, origin: "null", want: true},
		{desc: "null entry, real origin", entries: []string{"null"}, origin: "https://app.example.test"},
		{desc: "null origin, exact list", entries: []string{"https://app.example.test"}, origin: "null"},
		{desc: "empty list", entries: nil, origin: "https://app.example.test"},
		{desc: "pattern one label", entries: []string{"https://*.example.com"}, origin: "https://app.example.com", want: true},
		{desc: "pattern two labels", entries: []string{"https://*.example.com"}, origin: "https://a.b.example.com", want: true},
		{desc: "pattern apex", entries: []string{"https://*.example.com"}, origin: "https://example.com"},
		{desc: "pattern suffix look-alike", entries: []string{"https://*.example.com"}, origin: "https://example.com.evil.test"},
		{desc: "pattern prefix look-alike", entries: []string{"https://*.example.com"}, origin: "https://evilexample.com"},
		{desc: "pattern hyphen look-alike", entries: []string{"https://*.example.com"}, origin: "https://evil-example.com"},
		{desc: "pattern subdomain of look-alike", entries: []string{"https://*.example.com"}, origin: "https://a.evilexample.com"},
		{desc: "pattern other scheme", entries: []string{"https://*.example.com"}, origin: "http://app.example.com"},
		{desc: "pattern other port", entries: []string{"https://*.example.com"}, origin: "https://app.example.com:8443"},
		{desc: "pattern with port", entries: []string{"https://*.example.com:8443"}, origin: "https://app.example.com:8443", want: true},
		{desc: "pattern with port, none sent", entries: []string{"https://*.example.com:8443"}, origin: "https://app.example.com"},
		{desc: "pattern empty label", entries: []string{"https://*.example.com"}, origin: "https://a..example.com"},
		{desc: "pattern leading dot", entries: []string{"https://*.example.com"}, origin: "https://.example.com"},
		{desc: "pattern path smuggled", entries: []string{"https://*.example.com"}, origin: "https://evil.test/.example.com"},
		{desc: "pattern userinfo smuggled", entries: []string{"https://*.example.com"}, origin: "https://a.example.com@evil.test"},
		{desc: "pattern upper case", entries: []string{"https://*.example.com"}, origin: "https://APP.example.com"},
		{desc: "pattern trailing slash", entries: []string{"https://*.example.com"}, origin: "https://app.example.com/"},
		{desc: "pattern bad label", entries: []string{"https://*.example.com"}, origin: "https://-a.example.com"},
		{desc: "pattern null", entries: []string{"https://*.example.com"}, origin: "null"},
		{desc: "second entry matches", entries: []string{"https://a.test", "https://*.example.com"}, origin: "https://x.example.com", want: true},
		{desc: "malformed pattern entry never matches", entries: []string{"https://api.*.example.com"}, origin: "https://api.x.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Route{AllowOrigins: tc.entries}.AllowsOrigin(tc.origin))
		})
	}
}

func TestMatchOriginPrefersNamedEntries(t *testing.T) {
	t.Parallel()
	r := Route{AllowOrigins: []string{"*", "https://a.test"}}
	entry, ok := r.MatchOrigin("https://a.test")
	assert.True(t, ok)
	assert.Equal(t, "https://a.test", entry, "a listed origin is echoed even when * is present")
	entry, ok = r.MatchOrigin("https://b.test")
	assert.True(t, ok)
	assert.Equal(t, "*", entry)
}

func TestCheckOriginEntry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, entry string
		ok          bool
	}{
		{desc: "https", entry: "https://app.example.test", ok: true},
		{desc: "http with port", entry: "http://localhost:3000", ok: true},
		{desc: "IPv4", entry: "http://127.0.0.1:8080", ok: true},
		{desc: "IPv6", entry: "http://[::1]", ok: true},
		{desc: "star", entry: "*", ok: true},
		{desc: "reflect", entry: "reflect", ok: true},
		{desc: "null", entry: "null", ok: true},
		{desc: "pattern", entry: "https://*.example.com", ok: true},
		{desc: "pattern with port", entry: "http://*.example.com:8080", ok: true},
		{desc: "short IPv4", entry: "http://127.1"},
		{desc: "IPv4 out of range", entry: "http://300.0.0.1"},
		{desc: "IPv4 in brackets", entry: "http://[127.0.0.1]"},
		{desc: "port zero", entry: "http://a.test:0"},
		{desc: "port leading zero", entry: "http://a.test:080"},
		{desc: "empty port", entry: "http://a.test:"},
		{desc: "no host", entry: "https://"},
		{desc: "path", entry: "https://a.test/x"},
		{desc: "query", entry: "https://a.test?x"},
		{desc: "space", entry: "https://a .test"},
		{desc: "trailing dot", entry: "https://a.test."},
		{desc: "label too long", entry: "https://" + string(make([]byte, 64)) + ".test"},
		{desc: "pattern star only", entry: "https://*"},
		{desc: "pattern as scheme", entry: "*://a.test"},
		{desc: "pattern over IPv6", entry: "http://*.[::1]"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			msg, _ := checkOriginEntry(tc.entry)
			if tc.ok {
				assert.Empty(t, msg)
				return
			}
			assert.NotEmpty(t, msg, "entry %q should be rejected", tc.entry)
		})
	}
}
