package main

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParentOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc    string
		stat    string
		want    int
		wantErr bool
	}{
		{desc: "plain name", stat: "1234 (chromium) S 1200 1234 1234 0 -1", want: 1200},
		{desc: "name with spaces and parentheses", stat: "77 (Web Content (x)) R 5 77 77 0 -1", want: 5},
		{desc: "no command name", stat: "77 chromium S 5", wantErr: true},
		{desc: "truncated", stat: "77 (c) S", wantErr: true},
		{desc: "parent not a number", stat: "77 (c) S x 1", wantErr: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, err := parentOf([]byte(tc.stat))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPSSKB(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc    string
		rollup  string
		want    int64
		wantErr bool
	}{
		{
			desc:   "kernel format",
			rollup: "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:              123456 kB\nPss:               98765 kB\nPss_Dirty:          4321 kB\n",
			want:   98765,
		},
		{desc: "no Pss line", rollup: "Rss: 1 kB\n", wantErr: true},
		{desc: "Pss without a value", rollup: "Pss:\n", wantErr: true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			got, err := pssKB([]byte(tc.rollup))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestSamplerSeesChildTree starts sh, which starts sleep, and checks that
// both are found below this process and their memory is counted.
func TestSamplerSeesChildTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		for _, pid := range descendants(os.Getpid()) {
			_ = syscall.Kill(pid, syscall.SIGKILL) // the sleep too, not only sh
		}
		_ = cmd.Wait()
	})
	var below []int
	require.Eventually(t, func() bool {
		below = descendants(os.Getpid())
		return len(below) >= 2
	}, 5*time.Second, 20*time.Millisecond, "sh and its sleep")
	assert.True(t, slices.Contains(below, cmd.Process.Pid))

	// The sampler takes its first sample before it looks at Stop.
	peak, procs := startSampler(os.Getpid(), 10*time.Millisecond).Stop()
	assert.Positive(t, peak)
	assert.GreaterOrEqual(t, procs, 2)
}

// TestReapLeftoversFindsOrphans leaves a sleep behind its exited shell: as
// a subreaper this process inherits it, counts it as left at exit, and
// kills it after the grace period.
func TestReapLeftoversFindsOrphans(t *testing.T) {
	require.NoError(t, becomeSubreaper())
	require.Empty(t, descendants(os.Getpid()), "another test left a process")
	cmd := exec.Command("sh", "-c", "sleep 30 & exit 0")
	require.NoError(t, cmd.Run())
	atExit, killed := reapLeftovers(os.Getpid(), 100*time.Millisecond)
	assert.Equal(t, 1, atExit)
	assert.Equal(t, 1, killed)
	assert.Empty(t, descendants(os.Getpid()))

	require.NoError(t, exec.Command("true").Run())
	atExit, killed = reapLeftovers(os.Getpid(), 100*time.Millisecond)
	assert.Zero(t, atExit, "a tool that cleans up leaves nothing")
	assert.Zero(t, killed)
}
