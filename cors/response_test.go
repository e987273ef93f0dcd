package cors

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResponseAddHeader(t *testing.T) {
	var r Response
	r.AddHeader("Access-Control-Allow-Origin", "https://a.test")
	r.AddHeader("access-control-allow-origin", "https://b.test")
	r.AddHeader("Vary", "Origin")
	assert.Equal(t, map[string]string{
		"Access-Control-Allow-Origin": "https://a.test\nhttps://b.test",
		"Vary":                        "Origin",
	}, r.Headers)
	// The model sees two lines of one header, as Chromium reports them.
	res := Predict(Input{
		Request: Request{Origin: "https://a.test", URL: "https://api.test/x", Method: "GET"},
		Actual:  &Response{Status: 200, Headers: r.Headers},
	})
	assert.Equal(t, CorsError("MultipleAllowOriginValues"), res.CorsError)
}

func TestHasToken(t *testing.T) {
	assert.True(t, HasToken("Accept-Encoding, Origin", "origin"))
	assert.True(t, HasToken("accept-encoding\nORIGIN", "origin"), "a repeated header's lines")
	assert.True(t, HasToken("public, max-age=60", "max-age"))
	assert.False(t, HasToken("Origin-Agent", "origin"))
	assert.False(t, HasToken("", "origin"))
}
