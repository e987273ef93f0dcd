// Package nginxtest starts a real nginx on loopback for tests: Debian's
// nginx binary as a child process, with a generated configuration whose
// pid file, logs, temporary files and cache live in the test's temporary
// folder. Tests that need it skip when nginx is not installed, unless
// CORSPROOF_REQUIRE_NGINX is set (CI sets it), when they fail instead.
package nginxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

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
	var out testtool.Buffer
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", path, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// nginx says nothing when it is ready: it is when it accepts. SIGQUIT
	// is its graceful stop; the group takes the workers.
	testtool.Serve(t, cmd, addr, syscall.SIGQUIT, func() string {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return out.String() + string(log) + "\nconfig:\n" + conf
	})
	return "http://" + addr
}
