package harness

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
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

// singletonOf is the folder in $TMPDIR that a running Chromium keeps its
// process-singleton socket in, which a killed one leaves behind.
func singletonOf(t *testing.T, b *Browser) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(b.profile, "SingletonSocket"))
	if strings.Contains(b.path, "headless-shell") {
		return "" // the headless shell has no process singleton
	}
	require.NoError(t, err, "a running Chromium links its singleton socket from the profile")
	dir := filepath.Dir(target)
	require.DirExists(t, dir)
	return dir
}

// assertGone checks what Close promises once it returns: the browser
// process has exited and been waited for, and its profile and singleton
// folder are removed.
func assertGone(t *testing.T, pid int, profile, singleton string) {
	t.Helper()
	assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "browser process %d is gone", pid)
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	assert.ErrorIs(t, err, os.ErrNotExist, "no /proc entry for %d, not even a zombie", pid)
	assert.NoDirExists(t, profile)
	if singleton != "" {
		assert.NoDirExists(t, singleton)
	}
}

// TestNothingWrittenOutsideTheProfile: browsers write outside their
// profile unless told otherwise (Chromium's crash reporter database with
// every dump of a killed browser in ~/.config/chromium/Crash Reports;
// Firefox's ~/Downloads, ~/.cache/mozilla, ~/.config/mozilla); a run must
// leave nothing in the user's home.
func TestNothingWrittenOutsideTheProfile(t *testing.T) {
	for _, engine := range []string{EngineChromium, EngineFirefox} {
		t.Run(engine, func(t *testing.T) {
			if _, err := FindEngineBrowser(engine, ""); err != nil && engine == EngineFirefox {
				testFirefox(t) // skips, or fails when Firefox is required
			}
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", "")
			t.Setenv("XDG_CACHE_HOME", "")
			t.Setenv("CHROME_CONFIG_HOME", "")
			var d Driver = Chromedp{}
			if engine == EngineFirefox {
				d = Firefox{}
			}
			b, err := LaunchWith(context.Background(), d, Options{Engine: engine, Timeout: 10 * time.Second})
			require.NoError(t, err)
			profile := b.profile
			recs := b.RunCases(context.Background(), []scenarios.Case{{Name: "one", Origin: "https://app.example.test",
				Request: scenarios.Request{URL: "http://127.0.0.1:1/x"}}}, 1, IsolationClean, nil)
			require.Len(t, recs, 1)
			if engine == EngineChromium {
				assert.DirExists(t, filepath.Join(profile, "config", "chromium", "Crash Reports"), "the control: the crash reporter's database is in the profile")
			}
			require.NoError(t, b.Close())
			entries, err := os.ReadDir(home)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			assert.Empty(t, names, "nothing in $HOME")
			assert.NoDirExists(t, profile)
		})
	}
}

// TestCloseWaitsForTheBrowser launches through each driver with a context
// that is cancelled as soon as the launch returns, as Ctrl-C does to a
// run: the browser still answers, and Close returns only once its process
// is gone and its folders are removed.
func TestCloseWaitsForTheBrowser(t *testing.T) {
	base := api(t)
	for _, name := range driverNames {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			b, err := LaunchWith(ctx, Drivers[name], Options{Timeout: 10 * time.Second})
			cancel()
			require.NoError(t, err)
			pid, profile, singleton := b.proc.cmd.Process.Pid, b.profile, singletonOf(t, b)
			require.NoError(t, syscall.Kill(pid, 0), "the control: the browser runs")

			rec := b.RunOne(context.Background(), scenarios.Case{Name: "after cancel", Origin: "https://app.example.test",
				Request: scenarios.Request{URL: base + "/open"}})
			assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "the browser outlives its launch context: %+v", rec.Page)

			require.NoError(t, b.Close())
			assertGone(t, pid, profile, singleton)
			assert.Nil(t, b.proc.exitErr, "the browser exited by itself, cleanly")
			assert.False(t, b.proc.killed)
		})
	}
}

// TestLostConnectionLeavesNothing drops the driver's side of the
// connection first (chromedp's context cancelled, rod's WebSocket closed),
// so that Close cannot ask over CDP: the browser must still be stopped and
// leave nothing behind.
func TestLostConnectionLeavesNothing(t *testing.T) {
	for _, name := range driverNames {
		t.Run(name, func(t *testing.T) {
			b, err := LaunchWith(context.Background(), Drivers[name], Options{Timeout: 10 * time.Second})
			require.NoError(t, err)
			pid, profile, singleton := b.proc.cmd.Process.Pid, b.profile, singletonOf(t, b)
			switch c := b.conn.(type) {
			case *chromedpConn:
				c.cancel()
			case *rodConn:
				require.NoError(t, c.tee.ws.Close())
			default:
				t.Fatalf("no way to drop a %T", c)
			}
			require.NoError(t, b.Close())
			assertGone(t, pid, profile, singleton)
			assert.False(t, b.proc.killed, "stopped without a kill")
		})
	}
}

// TestCancelledLaunchLeavesNothing cancels the launch while the browser is
// starting. The browser is started through a wrapper that tells the test
// its PID and arguments and then becomes the browser (exec keeps the PID),
// so the cancel comes at a known point, before the browser can answer.
func TestCancelledLaunchLeavesNothing(t *testing.T) {
	path, err := FindBrowser("")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, name := range driverNames {
		t.Run(name, func(t *testing.T) {
			fifo := filepath.Join(dir, name+".fifo")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			wrapper := filepath.Join(dir, name+".sh")
			require.NoError(t, os.WriteFile(wrapper, []byte("#!/bin/sh\necho \"$$ $*\" > '"+fifo+"'\nexec '"+path+"' \"$@\"\n"), 0o700))

			started := make(chan string, 1)
			go func() {
				// Returns when the wrapper has written its line and closed.
				if data, err := os.ReadFile(fifo); err == nil {
					started <- string(data)
				}
			}()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			launched := make(chan error, 1)
			go func() {
				b, err := LaunchWith(ctx, Drivers[name], Options{Path: wrapper})
				if b != nil {
					_ = b.Close()
				}
				launched <- err
			}()
			var line string
			select {
			case line = <-started:
			case err := <-launched:
				t.Fatalf("the launch ended before the browser started: %v", err)
			}
			cancel()
			err := <-launched
			require.ErrorIs(t, err, context.Canceled)

			fields := strings.Fields(line)
			require.NotEmpty(t, fields)
			pid, err := strconv.Atoi(fields[0])
			require.NoError(t, err)
			var profile string
			for _, f := range fields {
				if p, ok := strings.CutPrefix(f, "--user-data-dir="); ok {
					profile = p
				}
			}
			require.NotEmpty(t, profile, "the wrapper saw the profile: %s", line)
			// The singleton folder, if the browser got as far as making
			// one, is checked by TestMain's leak check.
			assertGone(t, pid, profile, "")
		})
	}
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
				// The error names the binary as launched: FindBrowser
				// resolves symbolic links (/bin is one on merged-/usr systems).
				path, ferr := FindBrowser(tc.opts.Path)
				require.NoError(t, ferr)
				assert.Contains(t, err.Error(), "launching browser "+path)
			})
		}
	}
}
