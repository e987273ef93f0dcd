package harness

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// driverNames are the drivers in a fixed order, for subtests.
var driverNames = []string{"chromedp", "rod"}

// assertCommandLine reads the launched browser's command line back from
// the system: the launcher's switches and launchFlags, nothing else.
func assertCommandLine(t *testing.T, b *Browser, debug string) {
	t.Helper()
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(b.proc.cmd.Process.Pid) + "/cmdline")
	require.NoError(t, err)
	got := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	want := []string{b.path, "--user-data-dir=" + b.profile, debug}
	for _, f := range launchFlags(b.opts) {
		if v, ok := f.Value.(string); ok {
			want = append(want, "--"+f.Name+"="+v)
		} else {
			want = append(want, "--"+f.Name)
		}
	}
	assert.Equal(t, append(want, "about:blank"), got)
}

func TestChromedpCommandLine(t *testing.T) {
	assertCommandLine(t, testBrowser, "--remote-debugging-pipe")
}

// TestLaunchFailures are launches that fail before any connection: what
// the error says, for each driver.
func TestLaunchFailures(t *testing.T) {
	for _, name := range driverNames {
		for _, tc := range []struct {
			desc string
			opts Options
			want string
		}{
			{"browser exits at once", Options{Path: "/bin/false"}, "browser exited before it answered (exit status 1): no output"},
			{"flag of a bad type", Options{Path: "/bin/true", ExtraFlags: map[string]any{"window-size": 3}}, "--window-size: value 3 is int"},
		} {
			t.Run(name+"/"+tc.desc, func(t *testing.T) {
				if _, err := os.Stat(tc.opts.Path); err != nil {
					t.Skip(tc.opts.Path, "is missing")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				_, err := LaunchWith(ctx, Drivers[name], tc.opts)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				assert.Contains(t, err.Error(), "launching browser "+tc.opts.Path)
			})
		}
	}
}
