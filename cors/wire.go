package cors

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chromium's DevTools protocol reports a header value byte by byte as
// windows-1252 (measured: 156): 0x80 arrives as U+20AC, 0x85 as U+2026,
// 0x81 (unassigned) as U+0081, 0xE9 as U+00E9. The network stack's CORS
// checks see the bytes themselves, and JavaScript sees them as Latin-1 (a
// ByteString). The model therefore turns what CDP says back into the bytes
// that crossed the wire before it compares anything, or a non-ASCII byte
// reads as a different value than the one the browser checked.

// cp1252 maps the characters windows-1252 gives bytes 0x80-0x9F back to the
// bytes; the five bytes it leaves unassigned come through as U+0080-U+009F
// themselves and need no entry.
var cp1252 = map[rune]byte{
	'\u20ac': 0x80, '\u201a': 0x82, '\u0192': 0x83, '\u201e': 0x84, '\u2026': 0x85,
	'\u2020': 0x86, '\u2021': 0x87, '\u02c6': 0x88, '\u2030': 0x89, '\u0160': 0x8a,
	'\u2039': 0x8b, '\u0152': 0x8c, '\u017d': 0x8e, '\u2018': 0x91, '\u2019': 0x92,
	'\u201c': 0x93, '\u201d': 0x94, '\u2022': 0x95, '\u2013': 0x96, '\u2014': 0x97,
	'\u02dc': 0x98, '\u2122': 0x99, '\u0161': 0x9a, '\u203a': 0x9b, '\u0153': 0x9c,
	'\u017e': 0x9e, '\u0178': 0x9f,
}

// WireBytes returns the bytes of a header value as they crossed the wire,
// from the string Chromium's DevTools protocol reports (windows-1252, one
// character per byte). ASCII is returned unchanged. A character that no
// byte decodes to (the value did not come from CDP) is kept as UTF-8.
func WireBytes(cdp string) string {
	ascii := true
	for i := 0; i < len(cdp); i++ {
		if cdp[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return cdp
	}
	var b strings.Builder
	for _, r := range cdp {
		switch c, ok := cp1252[r]; {
		case ok:
			b.WriteByte(c)
		case r <= 0xff:
			b.WriteByte(byte(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// validHostBytes reports whether GURL can take the host of a URL written
// with these bytes: GURL reads them as UTF-8 (invalid sequences fail) and
// IDNA refuses controls, format characters such as the bidi overrides,
// separators and symbols. Letters, digits and marks of any script pass, so
// https://bücher.example is still a URL.
func validHostBytes(host string) bool {
	if !utf8.ValidString(host) {
		return false
	}
	for _, r := range host {
		if r < 0x80 {
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			return false
		}
	}
	return true
}
