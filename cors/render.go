package cors

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxRendered bounds how much of a value from the network goes into a message.
const maxRendered = 120

// quote renders a value that came from the network or the page for a human:
// in backticks when it is short printable ASCII without backticks, otherwise
// as an escaped Go string literal, truncated. Header values are hostile: this
// keeps control characters, terminal escapes and huge values out of reports.
func quote(s string) string {
	truncated := false
	if len(s) > maxRendered {
		s = s[:maxRendered]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
		truncated = true
	}
	clean := s != ""
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f || s[i] == '`' {
			clean = false
			break
		}
	}
	var out string
	if clean {
		out = "`" + s + "`"
	} else {
		out = strconv.QuoteToASCII(s)
	}
	if truncated {
		out += "…"
	}
	return out
}

// quoteList renders several values with quote, comma-separated.
func quoteList(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = quote(s)
	}
	return strings.Join(parts, ", ")
}

// plain renders a value inside a longer code span (a header line we tell the
// user to send): the same escaping as quote, without the backticks.
func plain(s string) string {
	q := quote(s)
	if strings.HasPrefix(q, "`") {
		body, truncated := strings.CutSuffix(q, "…")
		body = strings.TrimSuffix(strings.TrimPrefix(body, "`"), "`")
		if truncated {
			body += "…"
		}
		return body
	}
	return q
}
