// Package varnishtest starts a real Varnish on loopback for tests:
// Debian's varnishd as a child process in the foreground, with its work
// folder (-n), compiled VCL and shared memory log in the test's temporary
// folder, a 16 MB malloc store, no management port and no privilege
// separation (-j none), so it leaves no state owned by anyone else. Tests
// that need it skip when varnishd is not installed, unless
// CORSPROOF_REQUIRE_VARNISH is set (CI sets it), when they fail instead.
package varnishtest

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/corsproof/corsproof/internal/testtool"
)

// Binary finds varnishd, or skips (fails under CORSPROOF_REQUIRE_VARNISH)
// the test when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	return testtool.Need{What: "varnishd", Require: "CORSPROOF_REQUIRE_VARNISH", Package: "varnish"}.Binary(t, "varnishd", "/usr/sbin/varnishd")
}

// Start runs varnishd in front of backend (http://127.0.0.1:PORT) with vcl,
// the subroutines of a VCL 4.1 program (the vcl line and the backend
// default are added; Varnish's built-in VCL runs after each subroutine that
// does not return), until the test ends, and returns its base URL,
// http://127.0.0.1:PORT.
func Start(t testing.TB, backend, vcl string) string {
	t.Helper()
	bin := Binary(t)
	u, err := url.Parse(backend)
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		t.Fatalf("varnishtest: backend %q is not http://HOST:PORT", backend)
	}
	dir := t.TempDir()
	port := testtool.FreePort(t)
	src := fmt.Sprintf("vcl 4.1;\n\nbackend default {\n    .host = %q;\n    .port = %q;\n}\n\n%s\n", u.Hostname(), u.Port(), vcl)
	path := filepath.Join(dir, "test.vcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var out testtool.Buffer
	// -F keeps the manager in the foreground, so the test owns it; -T
	// none opens no management port; -j none runs the worker as the
	// test's user, who owns the work folder.
	cmd := exec.Command(bin, "-F", "-n", filepath.Join(dir, "work"), "-a", addr, "-f", path,
		"-s", "malloc,16m", "-T", "none", "-j", "none", "-p", "thread_pools=1", "-p", "thread_pool_min=5")
	cmd.Stdout, cmd.Stderr = &out, &out
	// varnishd compiles the VCL, then starts the child, which accepts once
	// it is ready. SIGTERM stops the manager, which stops its child; the
	// group takes whatever is left.
	testtool.Serve(t, cmd, addr, syscall.SIGTERM, func() string { return out.String() + "\nVCL:\n" + src })
	return "http://" + addr
}
