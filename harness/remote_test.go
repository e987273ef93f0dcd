package harness

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// startRemoteBrowser starts a Chromium that listens on a DevTools port, as
// a browser in a container or on another machine would, and returns its
// WebSocket URL.
func startRemoteBrowser(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	path, err := FindBrowser("")
	require.NoError(t, err)
	// Its own folders, not t.TempDir(): its helper processes may still be
	// writing for a moment after the browser exits, and the test would
	// fail on a folder it cannot remove.
	tmp, err := os.MkdirTemp("/tmp", "cp-remote-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	args := []string{"--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + filepath.Join(tmp, "profile")}
	// As corsproof would launch it, sandbox decision included (as root
	// Chromium starts only without it).
	for _, f := range launchFlags(Options{LNA: LNAOff, noSandbox: sandboxDecision(Options{})}) {
		if f.Value == true {
			args = append(args, "--"+f.Name)
		} else {
			args = append(args, "--"+f.Name+"="+f.Value.(string))
		}
	}
	cmd := exec.Command(path, append(args, "about:blank")...)
	// It is someone else's browser: what it leaves in its $TMPDIR is not
	// corsproof's to clean, so keep it out of the leak check's folder.
	// (A short path: Chromium refuses a singleton socket path over ~100 bytes.)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	return startAnnouncing(t, cmd, "DevTools listening on ", 20*time.Second), cmd
}

// startAnnouncing starts cmd, a browser someone else runs, ends it when
// the test does (SIGTERM, which ends Chromium and Firefox with their
// children, then a kill) and returns the address it prints on stderr
// after prefix.
func startAnnouncing(t *testing.T, cmd *exec.Cmd, prefix string, wait time.Duration) string {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), prefix); ok {
				found <- url
			}
		}
	}()
	select {
	case url := <-found:
		return url
	case <-time.After(wait):
		t.Fatalf("%s did not print %q", cmd.Path, prefix)
		return ""
	}
}

func TestRemoteBrowser(t *testing.T) {
	url, cmd := startRemoteBrowser(t)
	base := api(t)
	b, err := Launch(context.Background(), Options{URL: url, Timeout: 10 * time.Second})
	require.NoError(t, err)
	assert.Contains(t, b.Product(), "Chrome/")
	assert.Empty(t, b.Path(), "nothing was launched")
	recs := b.RunCases(context.Background(), []scenarios.Case{
		{Name: "open", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/open"}},
		{Name: "none", Origin: "https://app.example.test", Request: scenarios.Request{URL: base + "/none"}},
	}, 2, "", nil)
	require.Len(t, recs, 2)
	assert.Equal(t, cors.VerdictAllowed, recs[0].Verdict)
	assert.Equal(t, cors.ErrMissingAllowOriginHeader, recs[1].CorsError)
	require.NoError(t, b.Close())

	// Disconnecting leaves the remote browser running: it is not ours.
	require.NoError(t, cmd.Process.Signal(syscall.Signal(0)), "remote browser still running")
	again, err := Launch(context.Background(), Options{URL: url, Timeout: 10 * time.Second})
	require.NoError(t, err, "the remote browser still answers")
	require.NoError(t, again.Close())
}

// TestRemoteBrowserNotAnswering: a --browser-url where no browser listens
// is the flag's error, with what to start there, not the DevTools
// client's own words alone.
func TestRemoteBrowserNotAnswering(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = Launch(context.Background(), Options{URL: url, Timeout: 5 * time.Second, LaunchTimeout: 5 * time.Second})
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "--browser-url", oe.Option)
	assert.Equal(t, url, oe.Value)
	assert.Contains(t, oe.Reason, "connection refused")
	assert.Contains(t, oe.Advice, "--remote-debugging-port")
}
