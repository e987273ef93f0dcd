package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc, in string
		want     Shard
		err      bool
	}{
		{desc: "first of four", in: "1/4", want: Shard{1, 4}},
		{desc: "last of four", in: "4/4", want: Shard{4, 4}},
		{desc: "zero index", in: "0/4", err: true},
		{desc: "index past count", in: "5/4", err: true},
		{desc: "no slash", in: "2", err: true},
		{desc: "not numbers", in: "a/b", err: true},
		{desc: "zero count", in: "1/0", err: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := ParseShard(tc.in)
			if tc.err {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.in)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestShardsPartitionTheCases(t *testing.T) {
	t.Parallel()
	var cases []Case
	for f := range 3 {
		for i := range 200 {
			cases = append(cases, Case{File: fmt.Sprintf("suite-%d.yaml", f), Name: fmt.Sprintf("case %d", i)})
		}
	}
	for _, n := range []int{1, 2, 3, 7} {
		seen := map[string]int{}
		sizes := make([]int, n)
		for i := 1; i <= n; i++ {
			s := Shard{i, n}
			for _, c := range cases {
				if s.Holds(c) {
					seen[c.File+"/"+c.Name]++
					sizes[i-1]++
				}
			}
		}
		assert.Len(t, seen, len(cases), "n=%d: every case is in a shard", n)
		for k, v := range seen {
			assert.Equal(t, 1, v, "n=%d: %s is in exactly one shard", n, k)
		}
		for i, size := range sizes {
			// 600 cases over n shards: a fair hash keeps each near 600/n.
			assert.InDelta(t, len(cases)/n, size, float64(len(cases)/n)/3+5, "n=%d shard %d size", n, i+1)
		}
	}
}

func TestShardIsStableAndOrderFree(t *testing.T) {
	t.Parallel()
	s := Shard{2, 5}
	a := Case{File: "a.yaml", Name: "x"}
	want := s.Holds(a)
	for range 10 {
		assert.Equal(t, want, s.Holds(a), "the same case always lands in the same shard")
	}
	suite := &Suite{Cases: []Case{{File: "a.yaml", Name: "1"}, {File: "a.yaml", Name: "2"}, {File: "a.yaml", Name: "3"}, a}}
	rev := &Suite{Cases: []Case{a, {File: "a.yaml", Name: "3"}, {File: "a.yaml", Name: "2"}, {File: "a.yaml", Name: "1"}}}
	names := func(s *Suite) map[string]bool {
		m := map[string]bool{}
		for _, c := range s.Cases {
			m[c.Name] = true
		}
		return m
	}
	assert.Equal(t, names(s.Select(suite)), names(s.Select(rev)))
}
