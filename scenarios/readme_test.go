package scenarios

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
)

// TestREADMESuiteExample keeps the README's suite example true: it must
// parse as written, with every field the README annotates.
func TestREADMESuiteExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(data), "```yaml\n")
	require.True(t, ok, "the README shows a suite in a yaml block")
	example, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	s, err := Parse("README.md", []byte(example))
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	c := s.Cases[0]
	assert.Equal(t, "https://app.example.test", c.Origin)
	assert.Equal(t, "http://127.0.0.1:8080/v1/login", c.Request.URL)
	assert.Equal(t, CredentialsInclude, c.Request.Credentials)
	assert.Equal(t, map[string]string{"session": "abc"}, c.Cookies)
	require.NotNil(t, c.Expect)
	assert.Equal(t, cors.VerdictBlocked, c.Expect.Verdict)
}

// TestREADMEStepsExample keeps the README's sequence example true: the
// second yaml block is a case with steps that parses under cases:.
func TestREADMEStepsExample(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := strings.Split(string(data), "```yaml\n")
	require.GreaterOrEqual(t, len(blocks), 3, "the README shows a sequence in a second yaml block")
	example, _, _ := strings.Cut(blocks[2], "```")
	s, err := Parse("README.md", []byte("version: 1\nname: x\ntarget: http://127.0.0.1:8080\ncases:\n"+example))
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	c := s.Cases[0]
	require.Len(t, c.Steps, 5)
	assert.Equal(t, Duration(2500*time.Millisecond), c.Steps[2].Wait)
	assert.Equal(t, "http://localhost:3000", c.Steps[4].Origin)
	assert.Equal(t, map[string]string{"X-Token": "a", "X-Other": "b"}, c.Steps[3].Request.Headers)
}
