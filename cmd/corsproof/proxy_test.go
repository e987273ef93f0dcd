package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProxyListensOnLoopbackOnly runs `corsproof proxy` with its default
// --addr and reads the kernel's table of listening sockets (what `ss -ltn`
// shows): the proxy's port is bound on 127.0.0.1 and nowhere else.
func TestProxyListensOnLoopbackOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	var opts *proxyOptions
	cmd := newProxyCmd(&factory{stdout: &stdout, stderr: &stderr}, func(_ context.Context, o *proxyOptions) error {
		opts = o
		return nil
	})
	cmd.SetArgs([]string{"--target", "http://127.0.0.1:1", "--allow-origin", "http://localhost:5173"})
	require.NoError(t, cmd.Execute())
	require.Equal(t, "127.0.0.1:8787", opts.addr, "the default")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	opts.ready = func(u string) { ready <- u }
	done := make(chan error, 1)
	go func() { done <- runProxy(ctx, opts) }()
	select {
	case err := <-done:
		if errors.Is(err, syscall.EADDRINUSE) {
			t.Skipf("port 8787 is taken on this machine: %v", err)
		}
		t.Fatalf("proxy ended: %v\n%s", err, stderr.String())
	case u := <-ready:
		assert.Equal(t, "http://127.0.0.1:8787", u)
	}
	addrs := listening(t, 8787)
	assert.Equal(t, []string{"127.0.0.1"}, addrs, "listening sockets on port 8787")
	assert.NotContains(t, stderr.String(), "warning", "loopback needs no warning")
	cancel()
	require.NoError(t, <-done)
}

// listening returns the local addresses of the sockets listening on port,
// from /proc/net/tcp and /proc/net/tcp6.
func listening(t *testing.T, port int) []string {
	t.Helper()
	var out []string
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Scan() // the header line
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || fields[3] != "0A" { // 0A is TCP_LISTEN
				continue
			}
			hexIP, hexPort, ok := strings.Cut(fields[1], ":")
			require.True(t, ok, fields[1])
			p, err := strconv.ParseUint(hexPort, 16, 16)
			require.NoError(t, err)
			if int(p) != port {
				continue
			}
			out = append(out, kernelIP(t, hexIP).String())
		}
		f.Close()
		require.NoError(t, sc.Err())
	}
	return out
}

// kernelIP decodes an address of /proc/net/tcp*: 32-bit words in host
// (little-endian) byte order.
func kernelIP(t *testing.T, h string) net.IP {
	b, err := hex.DecodeString(h)
	require.NoError(t, err)
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	return net.IP(b)
}

// TestServersOnATakenAddress: serve and proxy on an address another
// program holds say so, and how to pick another.
func TestServersOnATakenAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	addr := l.Addr().String()
	f, _, _ := testFactory(t)
	for name, err := range map[string]error{
		"serve": runServe(context.Background(), &serveOptions{f: f, addr: addr, quiet: true}),
		"proxy": runProxy(context.Background(), &proxyOptions{f: f, target: "http://127.0.0.1:1", allowOrigins: []string{"http://localhost:5173"}, addr: addr, quiet: true, logFormat: "text"}),
	} {
		var ue *usageError
		require.ErrorAs(t, err, &ue, name)
		assert.Contains(t, ue.Hint(), "another program listens on "+addr, name)
	}
}
