package main

import (
	"bytes"
	"fmt"
	"os"
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
