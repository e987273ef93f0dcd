package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShareFieldsAreThePagesFields: the page writes and reads share links
// with its own list of fields; a field added to Request but not to the
// page (or the reverse) would make links that open half a form.
func TestShareFieldsAreThePagesFields(t *testing.T) {
	m := regexp.MustCompile(`var fields=\[([^\]]*)\]`).FindStringSubmatch(pageJS)
	require.NotNil(t, m, "page.js declares its fields")
	var page []string
	for _, f := range strings.Split(m[1], ",") {
		page = append(page, strings.Trim(f, `" `))
	}
	assert.ElementsMatch(t, ShareFields(), page)
}

// TestShareFragment: a share link opens the form with its request; text
// that names no field of the form is refused, not opened as an empty form.
func TestShareFragment(t *testing.T) {
	frag, err := ShareFragment("http://127.0.0.1:9/#url=http%3A%2F%2Fx.test&method=PUT")
	require.NoError(t, err)
	assert.Equal(t, "url=http%3A%2F%2Fx.test&method=PUT", frag)
	frag, err = ShareFragment("")
	require.NoError(t, err)
	assert.Empty(t, frag)
	for _, bad := range []string{"not-a-link", "http://127.0.0.1:9/#a=b", "%zz"} {
		_, err := ShareFragment(bad)
		var le *LinkError
		assert.ErrorAs(t, err, &le, bad)
	}
}
