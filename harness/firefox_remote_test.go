package harness

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// startRemoteFirefox starts a Firefox that listens for WebDriver BiDi, as
// one in a container would, with corsproof's preferences (so it reaches
// nothing but loopback), and returns its WebSocket URL.
func startRemoteFirefox(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	path, err := FindEngineBrowser(EngineFirefox, "")
	require.NoError(t, err)
	// Its own folder: it is someone else's browser, and what it leaves in
	// its $TMPDIR is not corsproof's to clean.
	tmp, err := os.MkdirTemp("/tmp", "cp-remote-ff-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	profile := filepath.Join(tmp, "profile")
	require.NoError(t, os.Mkdir(profile, 0o700))
	require.NoError(t, writeFirefoxProfile(profile, Options{Engine: EngineFirefox, Sinks: []string{"app.example.test"}}))
	cmd := exec.Command(path, firefoxArgs(profile)...)
	cmd.Env = append(append(os.Environ(), firefoxEnv...), "TMPDIR="+tmp)
	return startAnnouncing(t, cmd, "WebDriver BiDi listening on ", 30*time.Second), cmd
}

// TestFirefoxRemoteBrowserTwice: a Firefox lent with --browser-url takes
// one BiDi session at a time, so a run must end its session when it
// disconnects; otherwise the next run against the same Firefox fails with
// "Maximum number of active sessions".
func TestFirefoxRemoteBrowserTwice(t *testing.T) {
	needFirefox(t)
	url, cmd := startRemoteFirefox(t)
	base := api(t)
	for i := range 2 {
		b, err := LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, URL: url, Timeout: 10 * time.Second})
		require.NoError(t, err, "run %d against the same Firefox", i+1)
		assert.Empty(t, b.Path(), "nothing was launched")
		rec := b.RunOne(context.Background(), scenarios.Case{Name: "none", Origin: "https://app.example.test",
			Request: scenarios.Request{URL: base + "/none"}})
		assert.Equal(t, cors.ErrMissingAllowOriginHeader, rec.CorsError, "page: %+v console: %v", rec.Page, rec.Console)
		require.NoError(t, b.Close())
		require.NoError(t, cmd.Process.Signal(syscall.Signal(0)), "the lent Firefox still runs")
	}
}

// TestFirefoxRemoteBrowserNotAnswering: with --engine firefox the flag's
// error speaks of Firefox's WebDriver BiDi endpoint, not of Chromium's
// DevTools.
func TestFirefoxRemoteBrowserNotAnswering(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "ws://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = LaunchWith(context.Background(), Firefox{}, Options{Engine: EngineFirefox, URL: url, Timeout: 5 * time.Second, LaunchTimeout: 5 * time.Second})
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "--browser-url", oe.Option)
	assert.Contains(t, oe.Reason, "WebDriver BiDi endpoint")
	assert.Contains(t, oe.Advice, "launch Firefox")
	assert.NotContains(t, oe.Reason+oe.Advice, "Chromium")
	assert.NotContains(t, oe.Reason+oe.Advice, "DevTools")
}
