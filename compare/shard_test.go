package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// TestForShard: a shard compared with a whole saved run (the merged run of
// yesterday's shards) sees only its own cases in it; the other shards'
// cases are theirs to compare, and a case no suite has any more is still
// reported as removed.
func TestForShard(t *testing.T) {
	t.Parallel()
	suites := []*scenarios.Suite{
		{Name: "api", Cases: []scenarios.Case{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}},
	}
	var old result.Run
	for _, n := range []string{"a", "b", "b @edge", "c", "c › cache check from https://unlisted-origin.example", "d", "gone"} {
		old.Records = append(old.Records, result.Record{Suite: "api", Name: n, Verdict: "allowed"})
	}
	sh := scenarios.Shard{Index: 1, Count: 2} // a and c
	part, skipped, err := ForShard(&old, suites, sh)
	require.NoError(t, err)
	var names []string
	for _, r := range part.Records {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"a", "c", "c › cache check from https://unlisted-origin.example", "gone"}, names)
	assert.Equal(t, 2, skipped, "cases b and d: b on a path is the same case")
	assert.Len(t, old.Records, 7, "the saved run is left alone")

	now := &result.Run{Records: []result.Record{{Suite: "api", Name: "a", Verdict: "allowed"}, {Suite: "api", Name: "c", Verdict: "allowed"},
		{Suite: "api", Name: "c › cache check from https://unlisted-origin.example", Verdict: "allowed"}}}
	changes := Diff(part, now)
	require.Len(t, changes, 1, "only the case that is gone from every suite")
	assert.Equal(t, Removed, changes[0].Kind)
	assert.Equal(t, "gone", changes[0].Case)

	whole, skipped, err := ForShard(&old, suites, scenarios.Shard{})
	require.NoError(t, err)
	assert.Same(t, &old, whole, "a run that is not a shard compares with all of it")
	assert.Zero(t, skipped)
}
