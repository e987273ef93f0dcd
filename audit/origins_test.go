package audit

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/contract"
)

func TestAttackerOrigins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc   string
		scheme string
		legit  []string
		want   []AttackerOrigin
	}{
		{"named host: the scanners' whole list", "https", []string{"https://api.example.com"}, []AttackerOrigin{
			{KindArbitrary, "https://evil.test", ""},
			{KindNull, "null", ""},
			{contract.KindSuffix, "https://api.example.com.evil.test", "https://api.example.com"},
			// The one a stranger can register: what endsWith("example.com") lets in.
			{contract.KindPrefix, "https://evilexample.com", "https://api.example.com"},
			{contract.KindPrefix, "https://evilapi.example.com", "https://api.example.com"},
			{contract.KindSubdomain, "https://evil.example.com", "https://api.example.com"},
			{contract.KindScheme, "http://api.example.com", "https://api.example.com"},
			{contract.KindPort, "https://api.example.com:8443", "https://api.example.com"},
			{KindUnescapedDot, "https://apixexample.com", "https://api.example.com"},
			{KindSpecialChar, "https://api.example.com_.evil.test", "https://api.example.com"},
			{KindSpecialChar, "https://api.example.com!.evil.test", "https://api.example.com"},
		}},
		{"IP origin: no host-name look-alikes, the arbitrary site over http for an http API", "http", []string{"http://127.0.0.1:8080"}, []AttackerOrigin{
			{KindArbitrary, "http://evil.test", ""},
			{KindNull, "null", ""},
			{contract.KindScheme, "https://127.0.0.1:8080", "http://127.0.0.1:8080"},
			{contract.KindPort, "http://127.0.0.1", "http://127.0.0.1:8080"},
		}},
		{"a look-alike that is itself legitimate is left out, and each origin comes once", "https", []string{"https://example.com", "http://example.com"}, []AttackerOrigin{
			{KindArbitrary, "https://evil.test", ""},
			{KindNull, "null", ""},
			{contract.KindSuffix, "https://example.com.evil.test", "https://example.com"},
			{contract.KindPrefix, "https://evilexample.com", "https://example.com"},
			{contract.KindSubdomain, "https://evil.example.com", "https://example.com"},
			{contract.KindPort, "https://example.com:8443", "https://example.com"},
			{KindUnescapedDot, "https://examplexcom", "https://example.com"},
			{KindSpecialChar, "https://example.com_.evil.test", "https://example.com"},
			{KindSpecialChar, "https://example.com!.evil.test", "https://example.com"},
			{contract.KindSuffix, "http://example.com.evil.test", "http://example.com"},
			{contract.KindPrefix, "http://evilexample.com", "http://example.com"},
			{contract.KindSubdomain, "http://evil.example.com", "http://example.com"},
			{contract.KindPort, "http://example.com:8080", "http://example.com"},
			{KindUnescapedDot, "http://examplexcom", "http://example.com"},
			{KindSpecialChar, "http://example.com_.evil.test", "http://example.com"},
			{KindSpecialChar, "http://example.com!.evil.test", "http://example.com"},
		}},
		{"an https front end of an http API: the arbitrary site over http", "http", []string{"https://app.example.com"}, nil},
		{"no legitimate origin, no attacker", "https", nil, nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got := AttackerOrigins(tc.scheme, tc.legit)
			if tc.want == nil && len(tc.legit) > 0 {
				assert.Equal(t, AttackerOrigin{KindArbitrary, "http://evil.test", ""}, got[0])
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseSeverity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, in string
		want     Severity
		ok       bool
	}{
		{"lower case", "high", SeverityHigh, true},
		{"any case", "Medium", SeverityMedium, true},
		{"none fails on any finding", "none", SeverityNone, true},
		{"unknown", "critical", "", false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSeverity(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
		})
	}
	assert.True(t, SeverityHigh.AtLeast(SeverityMedium))
	assert.False(t, SeverityInfo.AtLeast(SeverityMedium))
}
