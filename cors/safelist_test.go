package cors

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPreflightReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc    string
		method  string
		headers map[string]string
		want    bool
		kinds   []string
		names   []string
	}{
		{desc: "GET without headers is simple", method: "GET", want: false},
		{desc: "lower-case post is normalized and simple", method: "post", want: false},
		{desc: "patch needs a preflight", method: "patch", want: true, kinds: []string{ReasonMethod}},
		{desc: "form content type is simple", method: "POST", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{desc: "mixed-case essence with parameters is simple", method: "POST", headers: map[string]string{"Content-Type": "Text/Plain;charset=utf-8"}},
		{desc: "trailing semicolon is simple", method: "POST", headers: map[string]string{"content-type": "text/plain;"}},
		{desc: "json content type needs a preflight", method: "POST", headers: map[string]string{"Content-Type": "application/json"},
			want: true, kinds: []string{ReasonContentType}, names: []string{"content-type"}},
		{desc: "space inside the essence", method: "POST", headers: map[string]string{"content-type": "text /plain"},
			want: true, kinds: []string{ReasonContentType}},
		{desc: "quote in a multipart parameter", method: "POST", headers: map[string]string{"content-type": `multipart/form-data;"`},
			want: true, kinds: []string{ReasonContentType}},
		{desc: "129-byte accept value", method: "GET", headers: map[string]string{"Accept": strings.Repeat("a", 129)},
			want: true, kinds: []string{ReasonValueLength}, names: []string{"accept"}},
		{desc: "128-byte accept value is fine", method: "GET", headers: map[string]string{"Accept": strings.Repeat("a", 128)}},
		{desc: "@ in accept-language", method: "GET", headers: map[string]string{"accept-language": "@"},
			want: true, kinds: []string{ReasonValue}},
		{desc: "simple range", method: "GET", headers: map[string]string{"Range": "bytes=100-200"}},
		{desc: "multi range", method: "GET", headers: map[string]string{"Range": "bytes=100-200,300-400"}, want: true, kinds: []string{ReasonValue}},
		{desc: "suffix range", method: "GET", headers: map[string]string{"Range": "bytes=-500"}, want: true, kinds: []string{ReasonValue}},
		{desc: "custom headers sorted and lower-cased", method: "GET", headers: map[string]string{"X-B": "1", "x-a": "2", "Authorization": "t"},
			want: true, kinds: []string{ReasonHeader, ReasonHeader, ReasonHeader}, names: []string{"authorization", "x-a", "x-b"}},
		{desc: "forbidden header is dropped, no preflight", method: "GET", headers: map[string]string{"Cookie": "a=b", "Sec-Foo": "1"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := Predict(Input{Request: Request{Origin: page, Method: tc.method, URL: api, Headers: tc.headers}})
			assert.Equal(t, tc.want, p.PreflightNeeded, "%v", p.PreflightReasons)
			var kinds []string
			for _, r := range p.PreflightReasons {
				kinds = append(kinds, r.Kind)
				assert.NotEmpty(t, r.Detail)
			}
			assert.Equal(t, tc.kinds, kinds)
			if tc.names != nil {
				assert.Equal(t, tc.names, p.RequestHeaderNames)
			}
		})
	}
}

func TestReadableHeaders(t *testing.T) {
	t.Parallel()
	h := map[string]string{"Content-Type": "x", "X-A": "1", "X-B": "2", "Set-Cookie": "a=b", "Access-Control-Expose-Headers": "x-a, *"}
	cases := []struct {
		desc        string
		credentials bool
		readable    []string
	}{
		{desc: "star exposes everything but Set-Cookie without credentials", readable: []string{"access-control-expose-headers", "content-type", "x-a", "x-b"}},
		{desc: "star is literal with credentials", credentials: true, readable: []string{"content-type", "x-a"}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			r, u := readableHeaders(h, tc.credentials)
			assert.Equal(t, tc.readable, r)
			assert.Contains(t, u, "set-cookie")
		})
	}
}

func TestParseMaxAge(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc    string
		value   string
		present bool
		want    int64
	}{
		{desc: "absent uses the 5 s default", want: 5},
		{desc: "plain value", value: "600", present: true, want: 600},
		{desc: "capped at two hours", value: "86400", present: true, want: 7200},
		{desc: "negative means no caching", value: "-1", present: true, want: 0},
		{desc: "garbage uses the default", value: "ten", present: true, want: 5},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, ParseMaxAge(tc.value, tc.present))
		})
	}
}

func TestSerializeOrigin(t *testing.T) {
	t.Parallel()
	cases := []struct{ desc, in, want string }{
		{desc: "default https port dropped", in: "https://A.Example.com:443/path?q", want: "https://a.example.com"},
		{desc: "non-default port kept", in: "http://a.test:8080/", want: "http://a.test:8080"},
		{desc: "data URL is opaque", in: "data:text/plain,hi", want: "null"},
		{desc: "IPv6 host bracketed", in: "http://[::1]:80/", want: "http://[::1]"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, err := SerializeOrigin(tc.in)
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
