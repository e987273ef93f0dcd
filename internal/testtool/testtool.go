// Package testtool finds the real programs the tests start next to the
// browser (nginx, Varnish, libfaketime) and gives them loopback ports. A
// test that needs a missing program skips, unless the environment
// variable that CI sets for it says the program must be there: then the
// test fails, so a CI machine without it cannot pass by skipping.
package testtool

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Need is one program a test needs.
type Need struct {
	// What names it in messages ("nginx", "libfaketime").
	What string
	// Require is the environment variable that turns a skip into a
	// failure (CORSPROOF_REQUIRE_NGINX…).
	Require string
	// Package is the Debian package to install.
	Package string
}

// missing skips or fails the test for a program that is not there.
func (n Need) missing(t testing.TB) {
	t.Helper()
	if os.Getenv(n.Require) != "" {
		t.Fatalf("%s is not installed but %s is set: apt-get install %s", n.What, n.Require, n.Package)
	}
	t.Skipf("%s is not installed (apt-get install %s); set %s=1 to fail instead of skipping", n.What, n.Package, n.Require)
}

// Binary returns the first of names found on PATH (or as a path), or
// skips or fails the test.
func (n Need) Binary(t testing.TB, names ...string) string {
	t.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	n.missing(t)
	return ""
}

// File returns the first file matching one of the glob patterns, or skips
// or fails the test.
func (n Need) File(t testing.TB, patterns ...string) string {
	t.Helper()
	for _, p := range patterns {
		if m, _ := filepath.Glob(p); len(m) > 0 {
			return m[0]
		}
	}
	n.missing(t)
	return ""
}

// FreePort is a TCP port on 127.0.0.1 free a moment ago, for a program
// that cannot be handed a listening socket. Another process may take it
// first; the program's start then fails, and says so.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Serve starts cmd, a server that stays in the foreground, in a process
// group of its own that dies with the test process, and waits until it
// accepts on addr (up to a minute: a loaded machine is slow to start).
// When the test ends it sends stop to the group, and SIGKILL after five
// seconds. A server that exits or never accepts fails the test with
// what(), its output and the cause. Serve sets cmd's SysProcAttr and
// WaitDelay (a descendant that keeps the output pipe open cannot hold up
// the test's end).
func Serve(t testing.TB, cmd *exec.Cmd, addr string, stop syscall.Signal, what func() string) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	// exited is closed once the server is gone, waitErr set before: the
	// start-up loop and the cleanup both wait on it (a value sent once
	// would leave the cleanup of a failed start waiting forever).
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, stop)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-exited:
			t.Fatalf("%s exited: %v\n%s", filepath.Base(cmd.Path), waitErr, what())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not accept on %s: %v\n%s", filepath.Base(cmd.Path), addr, err, what())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Buffer is a server's output: written by exec's copying goroutine, read
// when its start fails.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
