package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// TestImportRefusesWhatRunRefuses: every suite import writes loads in the
// strict loader; a request that cannot become such a case is a positioned
// error naming the request, never a suite that run then rejects.
func TestImportRefusesWhatRunRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, kind, in, origin string
		field, value           string
	}{
		{desc: "no origin at all", kind: "curl", in: `curl http://a.test/x`, field: "request 1 (GET http://a.test/x)"},
		{desc: "empty origin header", kind: "curl", in: `curl http://a.test/x -H 'Origin: '`, field: "request 1 (GET http://a.test/x)"},
		{desc: "javascript: origin", kind: "curl", in: `curl http://a.test/x -H 'Origin: javascript:alert(1)'`, field: "request 1 (GET http://a.test/x): origin", value: "javascript:alert(1)"},
		{desc: "method with a space", kind: "curl", in: `curl -X 'GE T' http://a.test/x -H 'Origin: https://o.test'`, field: "request 1 (GE T http://a.test/x): request.method", value: "GE T"},
		{desc: "user and password in the URL", kind: "curl", in: `curl http://u:p@a.test/x -H 'Origin: https://o.test'`, field: "request 1 (GET http://u:p@a.test/x): request.url"},
		{desc: "CRLF in a header value", kind: "curl", in: `curl http://a.test/x -H 'Origin: https://o.test' -H $'X-A: a\r\nX-B: b'`, field: "request 1 (GET http://a.test/x): request.headers.X-A"},
		{desc: "fetch without a referrer", kind: "fetch", in: `fetch("http://a.test/x", {"method": "GET"});`, field: "request 1 (GET http://a.test/x)"},
		{desc: "fetch with a bad method", kind: "fetch", in: `fetch("http://a.test/x", {"method": "GE T", "referrer": "https://o.test/"});`, field: "request 1 (GE T http://a.test/x): request.method", value: "GE T"},
		{desc: "a javascript: origin given on the command line", kind: "curl", in: `curl http://a.test/x`, origin: "javascript:x", field: "request 1 (GET http://a.test/x): origin", value: "javascript:x"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			s, _, err := Import(tt.kind, []byte(tt.in), HAROptions{File: "copied.txt", Origin: tt.origin})
			require.Error(t, err, "%+v", s)
			probs := fileerr.Problems(err)
			require.NotEmpty(t, probs, "%v", err)
			p := probs[0]
			assert.Equal(t, "copied.txt", p.File)
			assert.Equal(t, tt.field, p.Field, "%v", err)
			if tt.value != "" {
				assert.Equal(t, tt.value, p.Value)
			}
			assert.NotEmpty(t, p.Hint)
		})
	}
}

// TestImportCurlAnsiCWordEnds is the $'…' word bug: the blank after the
// closing quote ends the word.
func TestImportCurlAnsiCWordEnds(t *testing.T) {
	t.Parallel()
	s, err := ImportCurl(`curl http://a.test/ -H 'Origin: https://o.test' -H $'X-A: b' --compressed -H $'X-B: \x41\u00e9' --data-raw "a\"b"`)
	require.NoError(t, err)
	require.Len(t, s.Cases, 1)
	assert.Equal(t, map[string]string{"X-A": "b", "X-B": "Aé"}, s.Cases[0].Request.Headers)
	assert.Equal(t, `a"b`, s.Cases[0].Request.Body)
	requireValid(t, s)
}

// TestImportBeyondRunsDefaultLimits: an import whose suite passes run's
// default --max-cases or --max-file-size is written (import allows a HAR
// of 100,000 entries; run reads 50,000 cases by default), and
// RunLimitFlags names the flags run then needs. It was refused after the
// whole import, as "INPUT: is larger than 32 MiB", naming the input.
// Not parallel: it lowers DefaultLimits while no other test runs.
func TestImportBeyondRunsDefaultLimits(t *testing.T) {
	saved := DefaultLimits
	t.Cleanup(func() { DefaultLimits = saved })
	DefaultLimits.Cases, DefaultLimits.FileBytes = 2, 1<<10
	in := ""
	for i := range 3 {
		in += fmt.Sprintf("curl 'http://a.test/%d' -H 'Origin: http://o.test' -H 'X-Pad: %s'\n", i, strings.Repeat("p", 400))
	}
	s, _, err := Import("curl", []byte(in), HAROptions{File: "copy.txt"})
	require.NoError(t, err)
	require.Len(t, s.Cases, 3)
	data, err := s.Marshal()
	require.NoError(t, err)
	require.Greater(t, len(data), 1<<10)
	assert.Equal(t, "--max-cases 3 --max-file-size 1", RunLimitFlags(len(s.Cases), data))
	DefaultLimits = saved
	assert.Empty(t, RunLimitFlags(len(s.Cases), data))
}
