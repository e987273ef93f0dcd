// Package nginxtest starts a real nginx on loopback for tests: Debian's
// nginx binary as a child process, with a generated configuration whose
// pid file, logs, temporary files and cache live in the test's temporary
// folder. Tests that need it skip when nginx is not installed, unless
// CORSPROOF_REQUIRE_NGINX is set (CI sets it), when they fail instead.
package nginxtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/corsproof/corsproof/internal/testtool"
)

// Binary finds nginx, or skips (fails under CORSPROOF_REQUIRE_NGINX) the
// test when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	return testtool.Need{What: "nginx", Require: "CORSPROOF_REQUIRE_NGINX", Package: "nginx"}.Binary(t, "nginx", "/usr/sbin/nginx")
}

// Start runs nginx with server, the directives of one server block (its
// listen directive is added), until the test ends, and returns its base
// URL, http://127.0.0.1:PORT. A cache zone named edge is declared, so
// server may use proxy_cache edge.
func Start(t testing.TB, server string) string {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	port := testtool.FreePort(t)
	user := ""
	if os.Geteuid() == 0 {
		// Workers run as nobody otherwise, and cannot use the test's
		// private temporary folder.
		user = "user root;\n"
	}
	conf := fmt.Sprintf(`%sworker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[2]s/client_body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    proxy_cache_path %[2]s/cache keys_zone=edge:1m;
    server {
        listen 127.0.0.1:%[3]d;
%[4]s
    }
}
`, user, dir, port, server)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", path, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	// exited is closed once nginx is gone, waitErr set before: both the
	// start-up loop and the cleanup wait on it (a value sent once would
	// leave the cleanup of a failed start waiting forever).
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// SIGQUIT is nginx's graceful stop; the group takes the workers.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// nginx says nothing when it is ready: it is when it accepts.
	for i := 0; ; i++ {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s%s\nconfig:\n%s", waitErr, out.String(), log, conf)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i > 500 {
			t.Fatalf("nginx did not accept on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "http://" + addr
}
