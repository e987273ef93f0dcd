package cors

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWireBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ desc, cdp, wire string }{
		{"ascii unchanged", "https://a.test", "https://a.test"},
		{"windows-1252 specials back to their bytes", "\u20ac\u2026\u0178", "\x80\x85\x9f"},
		{"bytes windows-1252 leaves unassigned come as C1", "\u0081\u008d\u009d", "\x81\x8d\x9d"},
		{"Latin-1 letters are single bytes", "\u00e9", "\xe9"},
		{"UTF-8 of a bidi override, as CDP spells it", "\u00e2\u20ac\u00ae", "\u202e"},
		{"a character no byte gives stays UTF-8", "\u202e", "\u202e"},
	} {
		assert.Equal(t, tc.wire, WireBytes(tc.cdp), tc.desc)
	}
}

// TestNonASCIIAllowOrigin: Access-Control-Allow-Origin values with C1,
// bidi and non-UTF-8 bytes, written as Chromium 156 reports them over CDP
// (windows-1252), with the verdict Chromium gave for each (measured with
// corsproof probe against a server sending the raw bytes).
func TestNonASCIIAllowOrigin(t *testing.T) {
	t.Parallel()
	const origin = "https://app.example.test"
	for _, tc := range []struct {
		desc, cdp string
		want      CorsError
	}{
		{"U+202E after the host", origin + "\u00e2\u20ac\u00ae", ErrInvalidAllowOriginValue},
		{"U+202E before the scheme", "\u00e2\u20ac\u00ae" + origin, ErrInvalidAllowOriginValue},
		{"U+202E in the path", origin + "/\u00e2\u20ac\u00ae", ErrAllowOriginMismatch},
		{"C1 NEL byte 0x85 (CDP: …)", origin + "\u2026", ErrInvalidAllowOriginValue},
		{"unassigned byte 0x81", origin + "\u0081", ErrInvalidAllowOriginValue},
		{"Latin-1 byte 0xE9, not UTF-8", origin + "\u00e9", ErrInvalidAllowOriginValue},
		{"an IDN in UTF-8 is a URL, just not this origin", "https://b\u00c3\u00bccher.example", ErrAllowOriginMismatch},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			p := Predict(Input{Request: Request{Origin: origin, Method: "GET", URL: "http://127.0.0.1:8080/x"},
				Actual: &Response{Status: 200, Headers: map[string]string{"Access-Control-Allow-Origin": tc.cdp}}})
			assert.Equal(t, VerdictBlocked, p.Verdict)
			assert.Equal(t, tc.want, p.CorsError)
		})
	}
}
