package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// isCmdCurl says whether text is DevTools' "Copy as cURL (cmd)": Chromium
// and Firefox on Windows quote every argument as ^"…^" and continue lines
// with a trailing ^, which bash quoting would misread.
func isCmdCurl(text string) bool {
	return cmdCurlStart.MatchString(text) || cmdCurlContinuation.MatchString(text)
}

var (
	cmdCurlStart        = regexp.MustCompile(`^\s*(?i:curl(\.exe)?)\s+\^"`)
	cmdCurlContinuation = regexp.MustCompile(`(?m)\s\^\r?$`)
)

// cmdWords splits text written for cmd.exe into commands and words, as
// cmd.exe and then the C runtime's argument parser read it (the two layers
// DevTools' Windows escaping writes for): outside a cmd quote, ^ makes the
// next character literal (^ before a line break continues the line, and the
// character after the break is literal, which is how a newline inside a
// value is written), & and line breaks end a command; the C runtime then
// splits on blanks outside "…"; inside one, \" is a quote and \\ one
// backslash, the inverse of what DevTools writes.
func cmdWords(text string) ([][]string, []span, error) {
	var cmds [][]string
	var spans []span
	var line strings.Builder
	inQuote := false
	// start is where the command being read began (-1 before its first
	// character); pos is the byte being read.
	start, pos := -1, 0
	endCmd := func() error {
		words, err := crtWords(line.String())
		line.Reset()
		if err != nil {
			return fmt.Errorf("command %d: %w", len(cmds)+1, err)
		}
		if len(words) > 0 {
			cmds = append(cmds, words)
			spans = append(spans, span{max(start, 0), pos})
		}
		start = -1
		return nil
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		pos = i
		if start < 0 && strings.IndexByte(" \t\r\n&", c) < 0 {
			start = i
		}
		switch {
		case inQuote && c != '"' && c != '\n':
			line.WriteByte(c)
		case c == '"':
			inQuote = !inQuote
			line.WriteByte(c)
		case c == '^':
			if i+1 >= len(text) {
				continue
			}
			i++
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			if text[i] == '\n' {
				// The break is gone; the character after it is literal.
				if i+1 >= len(text) {
					continue
				}
				i++
				if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
					i++
				}
			}
			line.WriteByte(text[i])
		case c == '&' || c == '\n':
			inQuote = false
			if err := endCmd(); err != nil {
				return nil, nil, err
			}
		case c == '\r':
		default:
			line.WriteByte(c)
		}
	}
	pos = len(text)
	if err := endCmd(); err != nil {
		return nil, nil, err
	}
	return cmds, spans, nil
}

// crtWords splits one command line into arguments by the rules of the
// Microsoft C runtime, but for backslashes inside quotes, which it reads as
// DevTools wrote them.
func crtWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, inQuote := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inQuote:
			// DevTools doubles every backslash and writes a quote as \"
			// inside a quoted argument; undoing exactly that gives the
			// value the browser sent (the C runtime would keep \\ that
			// does not precede a quote).
			if i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
				i++
			}
			cur.WriteByte(s[i])
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inWord = true
		case c == '"':
			if inQuote && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				inQuote = !inQuote
			}
			inWord = true
		case (c == ' ' || c == '\t') && !inQuote:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inQuote {
		return nil, errors.New(`unterminated "…" (was the command cut off?)`)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
