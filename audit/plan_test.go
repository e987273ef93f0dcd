package audit

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/scenarios"
)

func TestNewPlan(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(Options{URLs: []string{"http://127.0.0.1:8080/api/orders"}, Cookies: map[string]string{"session": "abc"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"http://127.0.0.1:8080"}, p.Legit["http://127.0.0.1:8080/api/orders"], "without --origin the URL's own origin is the legitimate one")
	require.Len(t, p.Checks, 8, "4 attacker origins, a simple and a credentialed read each; the legitimate origin is the URL's own, which CORS never sees")
	assert.Equal(t, 8, p.Requests())
	for i, c := range p.Suite.Cases {
		ch := p.Checks[i]
		assert.Equal(t, ch.Origin.Origin, c.Origin)
		assert.Equal(t, "GET", c.Request.Method)
		if ch.Kind == CheckSimple {
			assert.Equal(t, scenarios.CredentialsOmit, c.Request.Credentials)
			assert.Empty(t, c.Cookies, "the simple read has no cookie in the jar")
		} else {
			assert.Equal(t, scenarios.CredentialsInclude, c.Request.Credentials)
			assert.Equal(t, map[string]string{"session": "abc"}, c.Cookies)
		}
		assert.Empty(t, c.Request.Headers)
	}

	// Headers make a preflighted check, which costs two requests.
	p, err = NewPlan(Options{URLs: []string{"https://api.example.com/me"}, Origins: []string{"https://app.example.com"}, Headers: map[string]string{"Authorization": "Bearer x"}})
	require.NoError(t, err)
	require.Len(t, p.Checks, 35, "11 attacker origins, 3 checks each; the legitimate origin's simple and preflighted")
	assert.Equal(t, 47, p.Requests())
	for _, c := range p.Checks[33:] {
		assert.Equal(t, AttackerOrigin{Kind: KindLegitimate, Origin: "https://app.example.com"}, c.Origin)
	}
	assert.Equal(t, []CheckKind{CheckSimple, CheckPreflighted}, []CheckKind{p.Checks[33].Kind, p.Checks[34].Kind})
	last := p.Suite.Cases[2]
	assert.Equal(t, CheckPreflighted, p.Checks[2].Kind)
	assert.Equal(t, map[string]string{"Authorization": "Bearer x"}, last.Request.Headers)

	// A URL or an origin named twice (or spelled two ways) is audited once.
	twice, err := NewPlan(Options{URLs: []string{"https://api.example.com/me", "https://api.example.com/me"},
		Origins: []string{"https://app.example.com", "HTTPS://APP.example.com:443"}, Headers: map[string]string{"Authorization": "Bearer x"}})
	require.NoError(t, err)
	assert.Equal(t, len(p.Checks), len(twice.Checks))
	assert.Equal(t, p.Requests(), twice.Requests())
}

func TestNewPlanRefuses(t *testing.T) {
	t.Parallel()
	url := []string{"http://127.0.0.1:8080/api/orders"}
	for _, tc := range []struct {
		desc string
		opts Options
		flag string
	}{
		{"no URL", Options{}, "URL"},
		{"not http", Options{URLs: []string{"ftp://example.com/x"}}, "URL"},
		{"a method that changes data, unasked", Options{URLs: url, Method: "DELETE"}, "-X"},
		{"a bad legitimate origin", Options{URLs: url, Origins: []string{"https://app.example.com/path"}}, "--origin"},
		// A policy's pattern is no page origin: refused as --origin, not
		// later as the case of a check.
		{"a pattern as the legitimate origin", Options{URLs: url, Origins: []string{"https://*.example.com"}}, "--origin"},
		{"a host no browser serves", Options{URLs: url, Origins: []string{"https://app..example.com"}}, "--origin"},
		{"over the budget", Options{URLs: url, MaxRequests: 7}, "--max-requests"},
		{"a cookie the browser cannot hold", Options{URLs: url, Cookies: map[string]string{"a b": "c"}}, "check credentialed http://127.0.0.1:8080/api/orders from http://evil.test (arbitrary-origin)"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, err := NewPlan(tc.opts)
			var ie *InputError
			require.True(t, errors.As(err, &ie), "%v", err)
			assert.Equal(t, tc.flag, ie.Flag)
			assert.NotEmpty(t, ie.Hint())
		})
	}
	_, err := NewPlan(Options{URLs: url, Method: "DELETE", Unsafe: true})
	assert.NoError(t, err, "--unsafe lets -X through")
}

// TestPlanForFirefoxLeavesOutHostsFirefoxRefuses: Firefox loads no page at
// a host holding "!", so a Firefox audit makes no check from that
// look-alike (it would only end without a verdict); "_" stays, and a
// Chromium audit keeps both.
func TestPlanForFirefoxLeavesOutHostsFirefoxRefuses(t *testing.T) {
	t.Parallel()
	special := func(p *Plan) []string {
		var out []string
		for _, c := range p.Checks {
			if c.Origin.Kind == KindSpecialChar && !slices.Contains(out, c.Origin.Origin) {
				out = append(out, c.Origin.Origin)
			}
		}
		return out
	}
	o := Options{URLs: []string{"https://api.example.test/me"}, Origins: []string{"https://app.example.test"}}
	chromium, err := NewPlan(o)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.test_.evil.test", "https://app.example.test!.evil.test"}, special(chromium))
	o.Firefox = true
	firefox, err := NewPlan(o)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.test_.evil.test"}, special(firefox))
	assert.Equal(t, len(chromium.Checks)-2, len(firefox.Checks), "its simple and credentialed checks")
	assert.Len(t, firefox.Suite.Cases, len(firefox.Checks))
}
