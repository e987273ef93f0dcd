package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProseKeepsCodeSpans(t *testing.T) {
	t.Parallel()
	s := "Send `Access-Control-Allow-Origin: https://a.test` on the <b>GET</b> response_for `*` and a stray ` tick"
	assert.Equal(t, "Send `Access-Control-Allow-Origin: https://a.test` on the &lt;b&gt;GET&lt;/b&gt; response\\_for `*` and a stray \\` tick", mdProse(s))
	assert.Equal(t, "Send <code>Access-Control-Allow-Origin: https://a.test</code> on the &lt;b&gt;GET&lt;/b&gt; response_for <code>*</code> and a stray ` tick", string(htmlProse(s)))
	// Hostile bytes inside a span stay escaped, in both.
	hostile := "value `<img src=x onerror=alert(1)>\x1b[31m`"
	assert.NotContains(t, string(htmlProse(hostile)), "<img")
	assert.NotContains(t, mdProse(hostile), "\x1b")
	assert.NotContains(t, string(htmlProse(hostile)), "\x1b")
}
