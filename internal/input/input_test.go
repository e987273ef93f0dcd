package input

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
)

func TestReadRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, tc := range []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a suite file"},
		{"/dev/zero", "is a device, not a suite file"},
		{dir, "is a directory, not a suite file"},
	} {
		start := time.Now()
		_, _, err := Read(context.Background(), tc.path, nil, 1<<20, "suite file", "--max-file-size")
		var nr *NotRegularError
		require.True(t, errors.As(err, &nr), "%s: %v", tc.path, err)
		assert.Equal(t, tc.path, nr.File)
		assert.Contains(t, nr.Message, tc.want)
		assert.Contains(t, nr.Hint, "pass -")
		assert.Less(t, time.Since(start), time.Second, "refused without waiting for a writer")
	}
}

func TestReadLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, make([]byte, 2<<20+1), 0o600))
	_, _, err := Read(context.Background(), path, nil, 2<<20, "suite file", "--max-file-size")
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "is larger than 2 MiB, the limit for a suite file", le.Message)
	assert.Contains(t, le.Hint, "--max-file-size")

	data, name, err := Read(context.Background(), path, nil, 3<<20, "suite file", "")
	require.NoError(t, err)
	assert.Equal(t, path, name)
	assert.Len(t, data, 2<<20+1)

	// stdin has no size to check first: the read stops at the limit.
	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	_, name, err = Read(context.Background(), Stdin, zero, 1<<20, "HAR file", "--max-file-size")
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "stdin", name)

	_, _, err = Read(context.Background(), filepath.Join(t.TempDir(), "missing"), nil, 1, "suite file", "")
	assert.True(t, errors.Is(err, os.ErrNotExist), "%v", err)
}

// TestReadStopsOnCancel: a read from a pipe that never ends returns when
// the context is done, as it is on Ctrl-C.
func TestReadStopsOnCancel(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	go func() { _, _ = io.Copy(w, strings.NewReader("version: 1\n")) }()
	_, _, err := Read(ctx, Stdin, r, 1<<20, "suite file", "")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestReadStdinDefault: callers without a reader of their own (policies,
// saved runs) read "-" from the process's stdin; it once was a nil reader
// and a panic.
func TestReadStdinDefault(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old; r.Close() })
	go func() {
		_, _ = w.Write([]byte("version: 1\n"))
		w.Close()
	}()
	data, name, err := Read(context.Background(), Stdin, nil, 1<<20, "policy file", "")
	require.NoError(t, err)
	assert.Equal(t, "stdin", name)
	assert.Equal(t, "version: 1\n", string(data))
}
