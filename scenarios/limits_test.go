package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

func suiteWithHeaders(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: x\ncases:\n  - name: a\n    origin: https://o.test\n    request:\n      url: http://a.test/\n      headers:\n")
	for i := range n {
		fmt.Fprintf(&b, "        X-H%d: v\n", i)
	}
	return b.String()
}

func suiteWithCases(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: x\ntarget: http://a.test\ndefaults: {origin: https://o.test}\ncases:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {name: c%d, request: {url: /x}}\n", i)
	}
	return b.String()
}

// TestSuiteLimits: each limit is a positioned error naming it, found in
// seconds however the file is shaped (100,000 headers in one case took
// 12 minutes, 200 KB of "[" ran out of memory).
func TestSuiteLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, in string
		lim      Limits
		want     string
		line     int
		hint     string
	}{
		{desc: "100,000 headers in one case", in: suiteWithHeaders(100_000), want: "is key 10001 of one mapping; the limit is 10000", line: 10_009},
		{desc: "1,001 headers in one case", in: suiteWithHeaders(1_001), want: "has 1001 headers; the limit for one case is 1000", line: 4},
		{desc: "1,000 headers in one case", in: suiteWithHeaders(1_000)},
		{desc: "200 KB of [", in: "version: 1\ncases: " + strings.Repeat("[", 200_000), want: "nests collections more than 64 deep", line: 2},
		{desc: "cases over --max-cases", in: suiteWithCases(11), lim: Limits{Cases: 10}, want: "is case 11 of 11; the limit for one suite is 10", line: 16, hint: "--max-cases"},
		{desc: "a file over --max-file-size", in: suiteWithCases(10), lim: Limits{FileBytes: 100}, want: "is larger than", hint: "--max-file-size"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := ParseWith("big.yaml", []byte(tc.in), tc.lim)
			assert.Less(t, time.Since(start), 10*time.Second)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			probs := fileerr.Problems(err)
			require.Len(t, probs, 1, "%v", err)
			p := probs[0]
			assert.Equal(t, "big.yaml", p.File)
			assert.Contains(t, p.Message, tc.want)
			if tc.line != 0 {
				assert.Equal(t, tc.line, p.Line)
			}
			assert.NotEmpty(t, p.Hint)
			if tc.hint != "" {
				assert.Contains(t, p.Hint, tc.hint)
			}
			var le *LimitError
			var ye *yamlpos.LimitError
			assert.True(t, errors.As(err, &le) || errors.As(err, &ye), "a limit error: %T", err)
		})
	}
}

func TestHAREntriesLimit(t *testing.T) {
	t.Parallel()
	_, _, err := ImportHAR(bigHAR(11), HAROptions{File: "u.har", MaxEntries: 10})
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "log.entries", le.Field)
	assert.Equal(t, "holds 11 entries; the limit is 10", le.Message)
	assert.Contains(t, le.Hint, "--max-har-entries")
}
