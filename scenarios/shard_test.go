package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
			assert.Equal(t, tc.in, got.String(), "String writes what ParseShard reads")
		})
	}
}

func TestShardString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", Shard{}.String(), "a run that was not split records no shard")
	assert.Equal(t, "2/3", Shard{2, 3}.String())
}

// suitesOf builds suites named s0, s1… with the given numbers of cases.
func suitesOf(sizes ...int) []*Suite {
	var out []*Suite
	for si, n := range sizes {
		s := &Suite{Name: fmt.Sprintf("s%d", si), File: fmt.Sprintf("s%d.yaml", si)}
		for ci := range n {
			s.Cases = append(s.Cases, Case{Name: fmt.Sprintf("case %d", ci), File: s.File, Line: ci + 1})
		}
		out = append(out, s)
	}
	return out
}

// splitAll runs Split for every shard of n and returns, for each shard, the
// keys (suite/case) it holds.
func splitAll(t *testing.T, suites []*Suite, n int) [][]string {
	t.Helper()
	var shards [][]string
	for i := 1; i <= n; i++ {
		part, err := Shard{i, n}.Split(suites)
		require.NoError(t, err, "shard %d/%d", i, n)
		require.Len(t, part, len(suites), "shard %d/%d keeps every suite, empty or not", i, n)
		var keys []string
		for _, s := range part {
			for _, c := range s.Cases {
				keys = append(keys, s.Name+"/"+c.Name)
			}
		}
		shards = append(shards, keys)
	}
	return shards
}

// assertPartition checks that the shards hold every case exactly once and
// differ in size by at most one.
func assertPartition(t *testing.T, suites []*Suite, shards [][]string) {
	t.Helper()
	var want []string
	for _, s := range suites {
		for _, c := range s.Cases {
			want = append(want, s.Name+"/"+c.Name)
		}
	}
	seen := map[string]int{}
	lo, hi := len(want)+1, -1
	for _, keys := range shards {
		for _, k := range keys {
			seen[k]++
		}
		lo, hi = min(lo, len(keys)), max(hi, len(keys))
	}
	for _, k := range want {
		assert.Equal(t, 1, seen[k], "%s is in exactly one of %d shards", k, len(shards))
	}
	assert.Len(t, seen, len(want), "shards hold no case the suites do not")
	assert.LessOrEqual(t, hi-lo, 1, "no shard is more than one case larger than another (sizes %d..%d of %d shards)", lo, hi, len(shards))
}

func TestSplitIsBalanced(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc  string
		sizes []int
	}{
		{desc: "one suite of four", sizes: []int{4}},
		{desc: "one suite of seven", sizes: []int{7}},
		{desc: "many one-case suites", sizes: []int{1, 1, 1, 1, 1}},
		{desc: "suites of mixed sizes", sizes: []int{3, 1, 5, 2}},
		{desc: "a large and a small suite", sizes: []int{40, 3}},
		{desc: "an empty suite among others", sizes: []int{0, 2, 3}},
		{desc: "no cases at all", sizes: []int{0}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			suites := suitesOf(tc.sizes...)
			total := 0
			for _, n := range tc.sizes {
				total += n
			}
			// n up to the number of cases, and past it, where some
			// shards are empty but still none is two larger.
			for n := 1; n <= total+3; n++ {
				assertPartition(t, suites, splitAll(t, suites, n))
			}
		})
	}
}

// The bugs Split replaces: hash mod n put a 4-case suite split in 3 all in
// shard 1, and per-suite selection filled shard 1 with small suites.
func TestSplitKnownCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc  string
		sizes []int
		n     int
		want  []int
	}{
		{desc: "four cases in three shards", sizes: []int{4}, n: 3, want: []int{2, 1, 1}},
		{desc: "four one-case suites in four shards", sizes: []int{1, 1, 1, 1}, n: 4, want: []int{1, 1, 1, 1}},
		{desc: "two cases in three shards", sizes: []int{2}, n: 3, want: []int{1, 1, 0}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			var got []int
			for _, keys := range splitAll(t, suitesOf(tc.sizes...), tc.n) {
				got = append(got, len(keys))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

const shardSuiteYAML = `version: 1
name: %s
defaults:
  origin: https://app.example.test
cases:
  - name: open 1
    request: {url: https://api.example.test/open?i=1}
  - name: open 2
    request: {url: https://api.example.test/open?i=2}
  - name: none 1
    request: {url: https://api.example.test/none?i=1}
  - name: none 2
    request: {url: https://api.example.test/none?i=2}
  - name: creds
    request: {url: https://api.example.test/creds, credentials: include}
`

// writeSuite writes a suite file named name.yaml into dir.
func writeSuite(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name+".yaml")
	require.NoError(t, os.WriteFile(path, fmt.Appendf(nil, shardSuiteYAML, name), 0o600))
	return path
}

// The CI bug: `run suite.yaml --shard 1/2` and `run ./suite.yaml --shard
// 2/2` ran the same cases, since the shard hashed the path as typed. Here
// each job of a split loads the suite files under its own spelling of their
// paths, and in its own order, and together they still run every case once.
func TestSplitIsIndependentOfPathSpelling(t *testing.T) {
	dir := t.TempDir()
	writeSuite(t, dir, "api")
	writeSuite(t, dir, "auth")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))

	// spellings lists, for each way of writing the paths, the files as a
	// job would pass them; relative ones are read from dir.
	spellings := map[string][]string{
		"plain":         {filepath.Join(dir, "api.yaml"), filepath.Join(dir, "auth.yaml")},
		"dot":           {dir + "/./api.yaml", dir + "/./auth.yaml"},
		"dot-dot":       {dir + "/sub/../api.yaml", dir + "//auth.yaml"},
		"reversed":      {filepath.Join(dir, "auth.yaml"), filepath.Join(dir, "api.yaml")},
		"relative":      {"api.yaml", "auth.yaml"},
		"relative dot":  {"./api.yaml", "./auth.yaml"},
		"relative mix":  {"sub/../auth.yaml", "./api.yaml"},
		"absolute+rel.": {filepath.Join(dir, "api.yaml"), "./auth.yaml"},
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range spellings {
			if !yield(k) {
				return
			}
		}
	})
	// Relative paths are read from dir, as a CI job started there would.
	// t.Chdir changes the whole process, so this test is not parallel.
	t.Chdir(dir)
	load := func(t *testing.T, spelling string) []*Suite {
		t.Helper()
		var suites []*Suite
		for _, p := range spellings[spelling] {
			s, err := Load(p)
			require.NoError(t, err)
			suites = append(suites, s)
		}
		return suites
	}
	all := load(t, "plain")

	for n := 1; n <= 3; n++ {
		// Every pair of spellings: job i of n uses one, the other jobs
		// the other, and no case is lost or run twice.
		for _, a := range names {
			for _, b := range names {
				t.Run(fmt.Sprintf("n=%d %s and %s", n, a, b), func(t *testing.T) {
					var shards [][]string
					for i := 1; i <= n; i++ {
						spelling := b
						if i == 1 {
							spelling = a
						}
						part, err := Shard{i, n}.Split(load(t, spelling))
						require.NoError(t, err)
						var keys []string
						for _, s := range part {
							for _, c := range s.Cases {
								keys = append(keys, s.Name+"/"+c.Name)
							}
						}
						shards = append(shards, keys)
					}
					assertPartition(t, all, shards)
				})
			}
		}
	}
}

func TestSplitKeepsOrderAndInput(t *testing.T) {
	t.Parallel()
	suites := suitesOf(3, 2)
	before := fmt.Sprint(suites[0].Cases, suites[1].Cases)
	part, err := Shard{1, 2}.Split(suites)
	require.NoError(t, err)
	assert.Equal(t, before, fmt.Sprint(suites[0].Cases, suites[1].Cases), "Split does not change the suites it is given")
	require.Len(t, part, 2)
	assert.Equal(t, []string{"s0", "s1"}, []string{part[0].Name, part[1].Name}, "suites keep the order given")
	var got []string
	for _, c := range part[0].Cases {
		got = append(got, c.Name)
	}
	// Sorted order is case 0, case 1, case 2 of s0 then s1's: shard 1 of 2
	// takes every other one, and they stay in declared order.
	assert.Equal(t, []string{"case 0", "case 2"}, got)
	assert.Equal(t, "case 1", part[1].Cases[0].Name)

	whole, err := Shard{}.Split(suites)
	require.NoError(t, err)
	assert.Len(t, whole[0].Cases, 3, "the zero shard is the whole run")
	assert.Len(t, whole[1].Cases, 2)
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	twice := suitesOf(2)
	twice = append(twice, twice[0])
	sameName := suitesOf(2, 2)
	sameName[1].Name = "s0"
	builtIn := suitesOf(1, 1)
	builtIn[0].File, builtIn[1].File, builtIn[1].Name = "", "", "s0"
	for _, tc := range []struct {
		desc     string
		suites   []*Suite
		shard    Shard
		want     []string
		wantHint string
	}{
		{
			desc: "the same file passed twice", suites: twice, shard: Shard{1, 2},
			want:     []string{`case "case 0" of suite "s0" is in both s0.yaml:1 and s0.yaml:1`, "splitting cases"},
			wantHint: "pass each suite file once",
		},
		{
			desc: "two files whose suites share a name", suites: sameName, shard: Shard{2, 2},
			want:     []string{`case "case 0" of suite "s0" is in both s0.yaml:1 and s1.yaml:1`},
			wantHint: "give each suite its own name: in its file",
		},
		{
			desc: "even unsplit, since merge would refuse it", suites: sameName, shard: Shard{1, 1},
			want: []string{`suite "s0"`},
		},
		{
			desc: "suites without files", suites: builtIn, shard: Shard{1, 2},
			want: []string{`is in both suite "s0":1 and suite "s0":1`},
		},
		{desc: "index past count", suites: suitesOf(1), shard: Shard{3, 2}, want: []string{"shard 3/2: want i/n"}},
		{desc: "zero index", suites: suitesOf(1), shard: Shard{0, 2}, want: []string{"shard 0/2"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, err := tc.shard.Split(tc.suites)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.wantHint != "" {
				var de *DuplicateCaseError
				require.True(t, errors.As(err, &de))
				assert.Equal(t, tc.wantHint, de.Hint())
			}
		})
	}
}
