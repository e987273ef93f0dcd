package scenarios

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigHAR writes a HAR of n entries in the shapes that were quadratic: many
// requests to one URL under one name, each PUT with its preflight, and
// redirect chains.
func bigHAR(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"log":{"version":"1.2","entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		origin := `{"name":"Origin","value":"https://app.example.test"}`
		switch i % 4 {
		case 0: // a preflight for the PUT that follows
			fmt.Fprintf(&b, `{"request":{"method":"OPTIONS","url":"http://127.0.0.1:8080/api/x","headers":[%s,{"name":"Access-Control-Request-Method","value":"PUT"},{"name":"Access-Control-Request-Headers","value":"x-token"}]},"response":{"status":204,"headers":[]}}`, origin)
		case 1:
			fmt.Fprintf(&b, `{"request":{"method":"PUT","url":"http://127.0.0.1:8080/api/x","headers":[%s,{"name":"X-Token","value":"t%d"}]},"response":{"status":0,"headers":[],"_error":"net::ERR_FAILED"}}`, origin, i)
		case 2: // a redirect to the next entry's URL
			fmt.Fprintf(&b, `{"request":{"method":"GET","url":"http://127.0.0.1:8080/api/r","headers":[%s]},"response":{"status":307,"redirectURL":"http://127.0.0.1:8080/api/s","headers":[]}}`, origin)
		default:
			fmt.Fprintf(&b, `{"request":{"method":"GET","url":"http://127.0.0.1:8080/api/s","headers":[%s]},"response":{"status":200,"headers":[]}}`, origin)
		}
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// TestImportHARScales: 50,000 entries import in linear time (it took more
// than 11 minutes when names, preflights and redirects were matched by
// scanning every entry, and each case was re-parsed as YAML). Wall time
// is no test on a shared machine; the ratio of 50,000 entries to 5,000,
// measured side by side, is: about 10 when linear, about 100 when
// quadratic.
func TestImportHARScales(t *testing.T) {
	small, big := bigHAR(5_000), bigHAR(50_000)
	timeImport := func(data []byte) time.Duration {
		start := time.Now()
		_, _, err := ImportHAR(data, HAROptions{File: "big.har"})
		require.NoError(t, err)
		return time.Since(start)
	}
	var smalls []time.Duration
	for range 3 {
		smalls = append(smalls, timeImport(small))
	}
	slices.Sort(smalls)
	start := time.Now()
	s, rep, err := ImportHAR(big, HAROptions{File: "big.har"})
	took := time.Since(start)
	require.NoError(t, err)
	ratio := float64(took) / float64(smalls[1])
	t.Logf("50,000 entries (%d MB): %d cases in %v; 5,000 entries: %v (median of 3); ratio %.1f", len(big)>>20, len(s.Cases), took, smalls[1], ratio)
	assert.Less(t, ratio, 40.0, "10× the entries must not take 100× the time")
	assert.Equal(t, 25_000, len(s.Cases), "each PUT with its preflight, each redirect chain")
	assert.Equal(t, 50_000, rep.Entries)
	names := map[string]bool{}
	for _, c := range s.Cases {
		assert.False(t, names[c.Name], "name %q is unique", c.Name)
		names[c.Name] = true
	}
	assert.True(t, names["PUT 127.0.0.1:8080/api/x #12500"], "numbered in order")
}
