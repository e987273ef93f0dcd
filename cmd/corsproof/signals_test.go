package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/runner"
)

// TestSignalsStopEveryPhase: a signal (a cancelled context, as Main makes
// it) stops reading a pipe that never ends and a HAR import that is still
// working, at once; `timeout 60 corsproof import har big.har` used to run
// for 688 s.
func TestSignalsStopEveryPhase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc  string
		kind  string
		stdin func(t *testing.T) io.Reader
	}{
		{"stdin that never ends", "har", func(t *testing.T) io.Reader {
			r, w := io.Pipe()
			t.Cleanup(func() { _ = w.Close() })
			go func() { _, _ = w.Write([]byte(`{"log":{"entries":[`)) }()
			return r
		}},
		{"stdin that never ends, curl", "curl", func(t *testing.T) io.Reader {
			r, w := io.Pipe()
			t.Cleanup(func() { _ = w.Close() })
			return r
		}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr strings.Builder
			opts := &importCmdOptions{f: &factory{stdout: &stdout, stderr: &stderr}, kind: tc.kind, file: "-", stdin: tc.stdin(t)}
			done := make(chan error, 1)
			go func() { done <- runImport(ctx, opts) }()
			time.Sleep(100 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				require.Error(t, err)
				assert.ErrorIs(t, err, context.Canceled)
				assert.Equal(t, ExitFailed, exitCode(ctx, err))
			case <-time.After(2 * time.Second):
				t.Fatal("import went on after the signal")
			}
		})
	}
}

// TestRunRefusesFIFO: `run` on a FIFO fails at once instead of waiting for
// a writer.
func TestRunRefusesFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "suite.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	var stdout, stderr strings.Builder
	code := Main([]string{"run", fifo}, &stdout, &stderr)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr.String(), "corsproof: error: "+fifo+": is a named pipe (FIFO), not a suite file")
	assert.Contains(t, stderr.String(), "corsproof: hint: give the path of a file")

	stderr.Reset()
	code = Main([]string{"import", "har", "/dev/zero"}, &stdout, &stderr)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr.String(), "/dev/zero: is a device")
	_ = os.Remove(fifo)
}

func TestIncompleteRunExitCode(t *testing.T) {
	t.Parallel()
	err := errors.Join(errors.New("x"), &runner.IncompleteError{NotRun: 7, Cases: 10, Cause: errors.New("relaunching the browser: boom")})
	assert.Equal(t, ExitIncomplete, exitCode(context.Background(), err))
	assert.Equal(t, "run incomplete: 7 of 10 cases not run: relaunching the browser: boom", (&runner.IncompleteError{NotRun: 7, Cases: 10, Cause: errors.New("relaunching the browser: boom")}).Error())
}

// TestInterruptibleReturnsAtTheSignal: a phase that does not watch ctx
// (parsing, importing, generating) still ends the command at the signal.
func TestInterruptibleReturnsAtTheSignal(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	defer close(block)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := interruptible(ctx, "importing big.har", func() (int, error) { <-block; return 0, nil })
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "interrupted while importing big.har")
	v, err := interruptible(context.Background(), "x", func() (int, error) { return 7, nil })
	assert.Equal(t, 7, v)
	assert.NoError(t, err)
}
