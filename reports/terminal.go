package reports

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeTerminal makes a string from the network safe to print on a
// terminal: each escape sequence (CSI such as "\x1b[31m", OSC such as
// "\x1b]0;title\x07", DCS and the other string controls, and two-byte
// escapes) is replaced whole by one U+FFFD, so the reader sees that the value
// held something without the terminal acting on it; every other C0 or C1
// control character, DEL, invalid UTF-8 byte, bidirectional override and
// invisible character (isInvisible: U+2028, U+FFFE, zero-width space …) is
// replaced by U+FFFD; a tab becomes a space. Newlines are replaced too: callers split multi-line
// values before printing them.
func SanitizeTerminal(s string) string {
	if isPlainText(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			b.WriteRune(utf8.RuneError)
			i += escapeLen(s[i:])
			continue
		case r == 0x9b && size == 2: // C1 CSI: same as ESC [.
			b.WriteRune(utf8.RuneError)
			i += size + csiBodyLen(s[i+size:])
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			// C1 OSC, DCS, SOS, PM, APC: strings ended by BEL or ST.
			b.WriteRune(utf8.RuneError)
			i += size + stringBodyLen(s[i+size:])
			continue
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError && size == 1, isControl(r), isBidiControl(r), isInvisible(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlainText reports whether s is printable ASCII, the common case, which
// needs no copy.
func isPlainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}

// isInvisible reports whether r prints as nothing, or breaks the line,
// where a reader cannot see it: format characters (zero-width space, word
// joiner, soft hyphen, byte order mark…) except the joiners that scripts
// and emoji need, the line and paragraph separators (U+2028, U+2029, which
// some terminals and editors break lines at), and the noncharacters
// (U+FFFE, U+FFFF, U+FDD0-U+FDEF and their kin in every plane).
func isInvisible(r rune) bool {
	switch {
	case r == 0x200c || r == 0x200d:
		return false
	case r == 0x2028 || r == 0x2029:
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// isBidiControl reports whether r reorders text on display, which would let
// a value make the line around it read differently from what it is.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// escapeLen returns the length of the escape sequence at the start of s,
// which begins with ESC.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiBodyLen(s[2:])
	case ']', 'P', 'X', '^', '_':
		return 2 + stringBodyLen(s[2:])
	}
	if s[1] < 0x20 || s[1] >= 0x7f {
		// ESC followed by a control or non-ASCII: drop only the ESC.
		return 1
	}
	// Two-byte escapes (ESC c, ESC 7…) and nF sequences (ESC ( B): skip
	// intermediate bytes, then the final byte.
	n := 1
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] < 0x7f {
		n++
	}
	return n
}

// csiBodyLen returns the length of a CSI sequence's parameters,
// intermediates and final byte at the start of s.
func csiBodyLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x40 && c <= 0x7e {
			return i + 1
		}
		if c < 0x20 || c >= 0x7f {
			// Not a CSI byte: the sequence is broken; drop what we saw.
			return i
		}
	}
	return len(s)
}

// stringBodyLen returns the length of a control string's body and its
// terminator (BEL, ESC \ or C1 ST) at the start of s. An unterminated string
// runs to the end, as it would on a terminal.
func stringBodyLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // U+009C ST.
			return i + 2
		}
	}
	return len(s)
}
