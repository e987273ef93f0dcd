// Package testtool finds the real programs the tests start next to the
// browser (nginx, Varnish, libfaketime) and gives them loopback ports. A
// test that needs a missing program skips, unless the environment
// variable that CI sets for it says the program must be there: then the
// test fails, so a CI machine without it cannot pass by skipping.
package testtool

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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
