package cors

import "testing"

func TestSite(t *testing.T) {
	for _, tc := range []struct{ origin, want string }{
		{"https://app.example.com", "https://example.com"},
		{"https://api.example.com:8443", "https://example.com"},
		{"http://example.com", "http://example.com"},
		{"https://shop.example.com.evil.test", "https://evil.test"},
		{"https://evilshop.example.com", "https://example.com"},
		{"https://user.github.io", "https://user.github.io"}, // a private registry
		{"https://a.b.example.co.uk", "https://example.co.uk"},
		{"http://localhost:3000", "http://localhost"},
		{"http://evil.localhost:3000", "http://evil.localhost"},
		{"http://127.0.0.1:8080", "http://127.0.0.1"},
		{"http://[::1]:8080", "http://[::1]"},
		{"HTTPS://APP.Example.COM.", "https://example.com"},
		{"null", "null"},
		{"", ""},
		{"not a url", "not a url"},
	} {
		if got := Site(tc.origin); got != tc.want {
			t.Errorf("Site(%q) = %q, want %q", tc.origin, got, tc.want)
		}
	}
}
