package result

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	a := &Run{
		Settings: Settings{
			Suites:  []string{"api"},
			Browser: "Chromium 156",
			Driver:  "chromedp",
			Started: t0.Add(time.Second),
		},
		DurationMS: 900,
		Records:    []Record{{Name: "a1", Verdict: cors.VerdictAllowed, ExpectMet: true}, {Name: "a2", Verdict: cors.VerdictBlocked, ExpectMet: false}},
	}
	b := &Run{
		Settings: Settings{
			Suites:  []string{"api", "auth"},
			Browser: "Chromium 156",
			Driver:  "chromedp",
			Started: t0,
		},
		DurationMS: 1200,
		Records:    []Record{{Name: "b1", Verdict: cors.VerdictBlocked, ExpectMet: true}},
	}
	m, err := Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"api", "auth"}, m.Suites)
	assert.Equal(t, "Chromium 156", m.Browser, "one browser stays one")
	assert.Equal(t, t0, m.Started, "the earliest start")
	assert.Equal(t, int64(1200), m.DurationMS, "shards run side by side")
	require.Len(t, m.Records, 3)
	assert.Equal(t, []string{"a1", "a2", "b1"}, []string{m.Records[0].Name, m.Records[1].Name, m.Records[2].Name})
	assert.Equal(t, 3, m.Totals.Cases)
	assert.Equal(t, 2, m.Totals.ByVerdict[cors.VerdictBlocked])
	assert.Equal(t, 1, m.Totals.ExpectFail)

	c := &Run{Settings: Settings{Browser: "Chromium 150"}, Records: []Record{{Name: "c"}}}
	m, err = Merge(a, c)
	require.NoError(t, err)
	assert.Equal(t, "Chromium 156, Chromium 150", m.Browser, "different browsers are listed")

	_, err = Merge()
	assert.Error(t, err)
}

// TestMergeKeepsSettingsTheShardsShare: the engine, the browser's product
// string, the time-out and the launch settings of shards that agree survive
// the merge (the reports' reproduce commands read the engine and the
// time-out); a setting the shards disagree on is listed, or dropped when it
// cannot be.
func TestMergeKeepsSettingsTheShardsShare(t *testing.T) {
	shard := func(sh string, timeout int64, launch ...string) *Run {
		r := shardRun(sh, "c"+sh[:1])
		r.Engine, r.Browser, r.BrowserProduct = "firefox", "Firefox 153.8.0", "Firefox/153.8.0"
		r.TimeoutMS, r.Launch = timeout, launch
		return r
	}
	m, err := Merge(shard("1/2", 10000, "--headless"), shard("2/2", 10000, "--headless"))
	require.NoError(t, err)
	assert.Equal(t, "firefox", m.Engine)
	assert.Equal(t, "Firefox/153.8.0", m.BrowserProduct)
	assert.Equal(t, int64(10000), m.TimeoutMS)
	assert.Equal(t, []string{"--headless"}, m.Launch)

	m, err = Merge(shard("1/2", 10000, "--headless"), shard("2/2", 5000, "--headless", "--x"))
	require.NoError(t, err)
	assert.Zero(t, m.TimeoutMS, "no one time-out is true of every record")
	assert.Nil(t, m.Launch, "no one launch is true of every record")
}

// TestMergeOneSpellingPerSuiteFile: jobs that name the suite file
// differently (suites/a.yaml, ./a.yaml, /ci/suites/a.yaml) split the same
// way; their merge names the file one way, so the JUnit and HTML reports,
// which group cases by file, show one suite instead of one per spelling.
func TestMergeOneSpellingPerSuiteFile(t *testing.T) {
	a, b := shardRun("1/2", "x"), shardRun("2/2", "y")
	a.Records[0].File, b.Records[0].File = "suites/api.yaml", "/ci/checkout/suites/api.yaml"
	m, err := Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, "suites/api.yaml", m.Records[0].File)
	assert.Equal(t, "suites/api.yaml", m.Records[1].File)
	assert.Equal(t, "/ci/checkout/suites/api.yaml", b.Records[0].File, "the inputs are left alone")

	// Two files that share a suite name but not a file name stay apart.
	c, d := shardRun("1/2", "x"), shardRun("2/2", "y")
	c.Records[0].File, d.Records[0].File = "suites/api.yaml", "other/api-v2.yaml"
	m, err = Merge(c, d)
	require.NoError(t, err)
	assert.Equal(t, "other/api-v2.yaml", m.Records[1].File)
}

// shardRun is a run that holds shard sh with records of suite "api" named
// after cases.
func shardRun(sh string, cases ...string) *Run {
	r := &Run{Settings: Settings{Suites: []string{"api"}, Shard: sh}}
	for _, c := range cases {
		r.Records = append(r.Records, Record{Suite: "api", Name: c, Verdict: cors.VerdictAllowed, ExpectMet: true})
	}
	return r
}

func TestMergeInputsRefuses(t *testing.T) {
	t.Parallel()
	probe := &Run{Records: []Record{{Name: "probe"}}}
	for _, tc := range []struct {
		desc   string
		inputs []Input
		// want are substrings of the error; shardErr says which type.
		want     []string
		shardErr bool
	}{
		{
			desc:   "the same file twice",
			inputs: []Input{{"a.json", shardRun("", "x", "y")}, {"a.json", shardRun("", "x", "y")}},
			want:   []string{`merging runs: 2 cases appear more than once: case "x" of suite "api" is in both a.json and a.json; case "y"`},
		},
		{
			desc:   "one case in two runs",
			inputs: []Input{{"a.json", shardRun("", "x", "y")}, {"b.json", shardRun("", "y", "z")}},
			want:   []string{`merging runs: case "y" of suite "api" is in both a.json and b.json`},
		},
		{
			desc:   "one case twice in one run",
			inputs: []Input{{"a.json", shardRun("", "x", "x")}},
			want:   []string{`case "x" of suite "api" is twice in a.json`},
		},
		{
			desc:   "probe records have no suite",
			inputs: []Input{{"p1.json", probe}, {"p2.json", probe}},
			want:   []string{`merging runs: case "probe" is in both p1.json and p2.json`},
		},
		{
			desc: "many duplicates are counted, not all listed",
			inputs: []Input{
				{"a.json", shardRun("", "1", "2", "3", "4", "5")},
				{"b.json", shardRun("", "1", "2", "3", "4", "5")},
			},
			want: []string{"5 cases appear more than once", `case "3"`, "and 2 more"},
		},
		{
			desc:     "a shard given twice",
			inputs:   []Input{{"r1.json", shardRun("1/2", "x")}, {"r1-again.json", shardRun("1/2", "x")}},
			want:     []string{"merging runs: shard 1/2 is given 2 times: r1.json, r1-again.json; shard 2/2 is missing (given: 1/2 in r1.json)"},
			shardErr: true,
		},
		{
			desc:     "a shard missing",
			inputs:   []Input{{"r1.json", shardRun("1/3", "x")}, {"r3.json", shardRun("3/3", "z")}},
			want:     []string{"merging runs: shard 2/3 is missing (given: 1/3 in r1.json, 3/3 in r3.json)"},
			shardErr: true,
		},
		{
			desc:     "several shards missing",
			inputs:   []Input{{"r2.json", shardRun("2/4", "x")}},
			want:     []string{"shards 1/4, 3/4, 4/4 are missing (given: 2/4 in r2.json)"},
			shardErr: true,
		},
		{
			desc:     "shards of different splits",
			inputs:   []Input{{"r1.json", shardRun("1/2", "x")}, {"r2.json", shardRun("2/3", "y")}},
			want:     []string{"merging runs: r1.json is shard 1/2 but r2.json is shard 2/3"},
			shardErr: true,
		},
		{
			desc:     "a run without a shard among shards",
			inputs:   []Input{{"r1.json", shardRun("1/2", "x")}, {"whole.json", shardRun("", "y")}},
			want:     []string{"merging runs: whole.json has no shard but r1.json is shard 1/2"},
			shardErr: true,
		},
		{
			desc:     "a shard that does not parse",
			inputs:   []Input{{"r1.json", shardRun("1/2", "x")}, {"bad.json", shardRun("3/2", "y")}},
			want:     []string{`merging runs: bad.json: shard "3/2": want i/n`},
			shardErr: true,
		},
		{
			desc: "shard problems come before duplicates",
			// Both runs hold "x": the shard error explains why.
			inputs:   []Input{{"r1.json", shardRun("1/2", "x")}, {"r1.json", shardRun("1/2", "x")}},
			want:     []string{"shard 1/2 is given 2 times"},
			shardErr: true,
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			_, err := MergeInputs(tc.inputs...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			var hinted interface{ Hint() string }
			require.True(t, errors.As(err, &hinted), "the error has a hint for the user")
			assert.NotEmpty(t, hinted.Hint())
			var se *ShardSetError
			var de *DuplicateRecordError
			if tc.shardErr {
				assert.True(t, errors.As(err, &se), "a *ShardSetError")
			} else {
				assert.True(t, errors.As(err, &de), "a *DuplicateRecordError")
			}
		})
	}
}

func TestMergeInputsJoinsAWholeSplit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc   string
		inputs []Input
		want   []string
	}{
		{
			desc: "every shard once, in any order",
			inputs: []Input{
				{"r3.json", shardRun("3/3", "c")},
				{"r1.json", shardRun("1/3", "a", "d")},
				{"r2.json", shardRun("2/3", "b")},
			},
			want: []string{"c", "a", "d", "b"},
		},
		{
			desc:   "an empty shard, when n is larger than the cases",
			inputs: []Input{{"r1.json", shardRun("1/3", "a")}, {"r2.json", shardRun("2/3", "b")}, {"r3.json", shardRun("3/3")}},
			want:   []string{"a", "b"},
		},
		{
			desc:   "runs without shards are a plain union",
			inputs: []Input{{"a.json", shardRun("", "a")}, {"b.json", shardRun("", "b")}},
			want:   []string{"a", "b"},
		},
		{
			desc: "the same case name in two suites is two cases",
			inputs: []Input{
				{"a.json", &Run{Records: []Record{{Suite: "api", Name: "x"}}}},
				{"b.json", &Run{Records: []Record{{Suite: "auth", Name: "x"}}}},
			},
			want: []string{"x", "x"},
		},
		{
			desc:   "nil runs are skipped",
			inputs: []Input{{"a.json", shardRun("1/1", "a")}, {"nil.json", nil}},
			want:   []string{"a"},
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m, err := MergeInputs(tc.inputs...)
			require.NoError(t, err)
			var got []string
			for _, r := range m.Records {
				got = append(got, r.Name)
			}
			assert.Equal(t, tc.want, got, "records keep the order of the runs given")
			assert.Equal(t, len(tc.want), m.Totals.Cases)
			assert.Empty(t, m.Shard, "the merged run is not a shard")
		})
	}
}

func TestMergeNamesUnnamedRuns(t *testing.T) {
	t.Parallel()
	a := shardRun("", "x")
	_, err := Merge(a, a)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `case "x" of suite "api" is in both run 1 and run 2`)
}

// A split made by scenarios.Shard.Split, recorded as runs, merges back into
// the whole run: the two halves of the design agree on the key.
func TestSplitThenMerge(t *testing.T) {
	t.Parallel()
	var suites []*scenarios.Suite
	for _, name := range []string{"auth", "api"} {
		s := &scenarios.Suite{Name: name}
		for i := range 5 {
			s.Cases = append(s.Cases, scenarios.Case{Name: fmt.Sprintf("case %d", i)})
		}
		suites = append(suites, s)
	}
	for n := 1; n <= 12; n++ {
		m, err := MergeInputs(shardRuns(t, suites, n, func(s *scenarios.Suite) []Record {
			var recs []Record
			for _, c := range s.Cases {
				recs = append(recs, Record{Suite: s.Name, Name: c.Name})
			}
			return recs
		})...)
		require.NoError(t, err, "n=%d", n)
		assert.Equal(t, 10, m.Totals.Cases, "n=%d: every case once", n)
		assert.Equal(t, []string{"auth", "api"}, m.Suites)
	}
}

// Shards deal cases out round robin by suite and case name, so their
// records come back in another order; the merged run has them as one
// unsharded run does: suites in the order first met, each suite's cases by
// line, the checks generated from them after its cases.
func TestMergeRestoresTheSuitesOrder(t *testing.T) {
	t.Parallel()
	var suites []*scenarios.Suite
	var whole []string
	for si, name := range []string{"orders", "auth"} {
		s := &scenarios.Suite{Name: name, File: name + ".yaml"}
		for i := range 5 {
			// Names sort against the file's order: "e …" is on line 10.
			s.Cases = append(s.Cases, scenarios.Case{Name: fmt.Sprintf("%c %d", 'e'-i, si), File: s.File, Line: 10 + 4*i})
		}
		for _, c := range s.Cases {
			whole = append(whole, c.Name)
		}
		for _, c := range s.Cases {
			whole = append(whole, c.Name+" › error path")
		}
		suites = append(suites, s)
	}
	for n := 1; n <= 6; n++ {
		m, err := MergeInputs(shardRuns(t, suites, n, func(s *scenarios.Suite) []Record {
			var recs []Record
			for _, c := range s.Cases {
				recs = append(recs, Record{Suite: s.Name, File: c.File, Line: c.Line, Name: c.Name})
			}
			for _, c := range s.Cases {
				recs = append(recs, Record{Suite: s.Name, File: c.File, Line: c.Line, Name: c.Name + " › error path", ErrorPath: &ErrorPathCheck{Kind: "no-credentials"}})
			}
			return recs
		})...)
		require.NoError(t, err, "n=%d", n)
		var got []string
		for _, r := range m.Records {
			got = append(got, r.Name)
		}
		assert.Equal(t, whole, got, "n=%d", n)
	}
}

// A suite whose cases all fell in a later shard still comes where the run
// names it, not after the suites of the first shard.
func TestMergeKeepsTheSuitesOrderOfTheRun(t *testing.T) {
	t.Parallel()
	shard := func(i int, recs ...Record) Input {
		return Input{Name: fmt.Sprintf("r%d.json", i), Run: &Run{Settings: Settings{Shard: fmt.Sprintf("%d/2", i), Suites: []string{"a", "b"}}, Records: recs}}
	}
	m, err := MergeInputs(
		shard(1, Record{Suite: "b", File: "b.yaml", Line: 3, Name: "b1"}),
		shard(2, Record{Suite: "a", File: "a.yaml", Line: 5, Name: "a1"}, Record{Suite: "b", File: "b.yaml", Line: 2, Name: "b0"}),
	)
	require.NoError(t, err)
	var got []string
	for _, r := range m.Records {
		got = append(got, r.Name)
	}
	assert.Equal(t, []string{"a1", "b0", "b1"}, got)
}

// shardRuns splits suites into n shards, as scenarios.Shard.Split does, and
// records each shard as a run whose records for each suite part are
// records(part).
func shardRuns(t *testing.T, suites []*scenarios.Suite, n int, records func(*scenarios.Suite) []Record) []Input {
	t.Helper()
	var inputs []Input
	for i := 1; i <= n; i++ {
		sh := scenarios.Shard{Index: i, Count: n}
		part, err := sh.Split(suites)
		require.NoError(t, err)
		run := &Run{Settings: Settings{Shard: sh.String()}}
		for _, s := range part {
			run.Suites = append(run.Suites, s.Name)
			run.Records = append(run.Records, records(s)...)
		}
		inputs = append(inputs, Input{Name: fmt.Sprintf("r%d.json", i), Run: run})
	}
	return inputs
}
