package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/corsproof/corsproof/testapi"
)

// TestScripts runs the transcripts in testdata/script: each is a readable
// record of commands, their output and their exit codes, failure paths
// included. The corsproof command runs in-process through Main.
func TestScripts(t *testing.T) {
	var mu sync.Mutex
	last := map[*testscript.TestScript]ExitCode{}
	bgs := map[*testscript.TestScript]*bgRun{}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"corsproof": func(ts *testscript.TestScript, neg bool, args []string) {
				var stdout, stderr bytes.Buffer
				// Relative paths in arguments are relative to the script's
				// work directory.
				for i, a := range args {
					args[i] = ts.MkAbs(a)
					if !fileArg(a) {
						args[i] = a
					}
				}
				code := Main(args, &stdout, &stderr)
				fmt.Fprint(ts.Stdout(), stdout.String())
				fmt.Fprint(ts.Stderr(), stderr.String())
				mu.Lock()
				last[ts] = code
				mu.Unlock()
				if neg && code == ExitOK {
					ts.Fatalf("corsproof succeeded unexpectedly")
				}
				if !neg && code != ExitOK {
					ts.Fatalf("corsproof exited %d", code)
				}
			},
			// target starts the built-in target API on loopback for the
			// script and sets $TARGET to its base URL.
			"target": func(ts *testscript.TestScript, neg bool, args []string) {
				srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
				ts.Check(err)
				ts.Setenv("TARGET", srv.URL)
				ts.Defer(func() { srv.Close() })
			},
			// upstream starts an API on loopback that sends no CORS headers
			// at all and sets $UPSTREAM to its base URL.
			"upstream": func(ts *testscript.TestScript, neg bool, args []string) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("X-Request-Id", "1")
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, "{\"method\": %q, \"path\": %q}\n", r.Method, r.URL.Path)
				}))
				ts.Setenv("UPSTREAM", srv.URL)
				ts.Defer(srv.Close)
			},
			// bg corsproof proxy ARGS... starts the proxy in the background
			// and sets $PROXY to its URL once it listens; stop ends it.
			"bg": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || args[0] != "corsproof" || args[1] != "proxy" {
					ts.Fatalf("usage: bg corsproof proxy ARGS...")
				}
				args = args[1:]
				for i, a := range args {
					if fileArg(a) {
						args[i] = ts.MkAbs(a)
					}
				}
				b := startBackground(args)
				select {
				case url := <-b.stderr.ready:
					ts.Setenv("PROXY", url)
				case <-b.done:
					ts.Fatalf("corsproof %s ended before it listened:\n%s", strings.Join(args, " "), b.stderr.String())
				}
				mu.Lock()
				bgs[ts] = b
				mu.Unlock()
				ts.Defer(func() { _ = b.stop() })
			},
			// stop ends the background proxy and shows its output, for
			// stdout and stderr to check.
			"stop": func(ts *testscript.TestScript, neg bool, args []string) {
				mu.Lock()
				b := bgs[ts]
				mu.Unlock()
				if b == nil {
					ts.Fatalf("stop: nothing runs in the background")
				}
				err := b.stop()
				fmt.Fprint(ts.Stdout(), b.stdout.String())
				fmt.Fprint(ts.Stderr(), b.stderr.String())
				ts.Check(err)
			},
			// subst FILE... replaces $TARGET in files with the target's URL,
			// since txtar files are not expanded.
			"subst": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, f := range args {
					data := ts.ReadFile(f)
					ts.Check(os.WriteFile(ts.MkAbs(f), []byte(strings.ReplaceAll(data, "$TARGET", ts.Getenv("TARGET"))), 0o644))
				}
			},
			// exit N checks the exit code of the last corsproof command.
			"exit": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: exit N")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				mu.Lock()
				got := last[ts]
				mu.Unlock()
				if int(got) != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
}

// fileArg reports whether an argument names a file of the script's work
// directory (suite files, reports), which must be made absolute.
func fileArg(a string) bool {
	for _, suffix := range []string{".yaml", ".yml", ".json", ".html", ".xml", ".md", ".jsonl", ".har"} {
		if len(a) > len(suffix) && a[len(a)-len(suffix):] == suffix && a[0] != '-' && !strings.Contains(a, "=") {
			return true
		}
	}
	return false
}

// bgRun is a corsproof command running in the background of a script.
type bgRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
	stdout *lockedBuffer
	stderr *readyWatch
}

// proxyReady is the banner line a proxy prints once it listens.
var proxyReady = regexp.MustCompile(`proxy on (http://\S+) ->`)

func startBackground(args []string) *bgRun {
	ctx, cancel := context.WithCancel(context.Background())
	b := &bgRun{cancel: cancel, done: make(chan struct{}), stdout: &lockedBuffer{}, stderr: &readyWatch{ready: make(chan string, 1)}}
	root := newRootCmd(&factory{stdout: b.stdout, stderr: b.stderr})
	root.SetArgs(args)
	go func() {
		defer close(b.done)
		if b.err = root.ExecuteContext(ctx); b.err != nil {
			printError(b.stderr, b.err)
		}
	}()
	return b
}

// stop cancels the command and waits for it to end.
func (b *bgRun) stop() error {
	b.once.Do(b.cancel)
	<-b.done
	return b.err
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// readyWatch is a stderr that tells, once, the URL of the banner line.
type readyWatch struct {
	lockedBuffer
	ready chan string
	seen  bool
}

func (r *readyWatch) Write(p []byte) (int, error) {
	n, err := r.lockedBuffer.Write(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen {
		if m := proxyReady.FindStringSubmatch(r.buf.String()); m != nil {
			r.seen = true
			r.ready <- m[1]
		}
	}
	return n, err
}
