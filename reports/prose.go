package reports

import (
	"html"
	"html/template"
	"strings"
)

// The diagnosis texts of package cors mark header lines and values as code
// spans in backticks; every value from the network inside them has been
// escaped by cors's quote, which never leaves a backtick in a span. The
// reports render those spans as code instead of escaping the backticks
// into literal characters.

// proseSegment is a run of text or, when code is set, a code span's body.
type proseSegment struct {
	text string
	code bool
}

// splitCode cuts s at backticks into alternating text and code segments.
// An unmatched last backtick stays as text.
func splitCode(s string) []proseSegment {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		// Odd number of backticks: glue the unmatched one back on.
		last := len(parts) - 1
		parts[last-1] += "`" + parts[last]
		parts = parts[:last]
	}
	out := make([]proseSegment, 0, len(parts))
	for i, p := range parts {
		if p == "" {
			continue
		}
		out = append(out, proseSegment{text: p, code: i%2 == 1})
	}
	return out
}

// mdProse renders diagnosis prose for Markdown on one line: text escaped
// as mdInline does, code spans kept as code spans. A span's body holds no
// backtick (splitCode cut there), so one backtick fences it.
func mdProse(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	var b strings.Builder
	for _, seg := range splitCode(s) {
		if seg.code {
			b.WriteString("`" + visibleControls(seg.text) + "`")
			continue
		}
		b.WriteString(mdInline(seg.text))
	}
	return b.String()
}

// htmlProse renders diagnosis prose for HTML: everything escaped, code
// spans as <code> elements.
func htmlProse(s string) template.HTML {
	var b strings.Builder
	for _, seg := range splitCode(visibleControls(s)) {
		if seg.code {
			b.WriteString("<code>" + html.EscapeString(seg.text) + "</code>")
			continue
		}
		b.WriteString(html.EscapeString(seg.text))
	}
	return template.HTML(b.String()) // #nosec G203 -- every segment is escaped above.
}
