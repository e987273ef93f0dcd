// Package input reads the files a user names on the command line (suites,
// policies, HAR exports, saved runs) with the same two guards everywhere:
// only a regular file is read, or stdin when the name is "-", so a FIFO or
// a device cannot stall or flood a command; and no more than a limit, so
// a wrong path fails at once with an error naming the limit instead of
// exhausting memory. Reading gives up when its context is done, so a
// signal stops a command that waits on a slow pipe.
package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// Stdin is the name that reads standard input.
const Stdin = "-"

// LimitError is a file larger than the limit a command reads.
type LimitError struct{ fileerr.Problem }

// NotRegularError is a path that names something other than a regular
// file: a directory, a FIFO, a device, a socket.
type NotRegularError struct{ fileerr.Problem }

// Read reads the file at path, or stdin for "-" (named "stdin" in
// messages), up to limit bytes. what says what the file is for messages
// ("suite", "HAR file"); flag, when not empty, is the flag that raises the
// limit. It returns the data and the name to use for the file in
// messages. A file that does not exist or cannot be opened returns the
// *fs.PathError, for the caller to wrap. A nil stdin is the process's.
func Read(ctx context.Context, path string, stdin io.Reader, limit int64, what, flag string) ([]byte, string, error) {
	if path == Stdin {
		if stdin == nil {
			stdin = os.Stdin
		}
		data, err := readAll(ctx, stdin, limit)
		return check(data, err, "stdin", limit, what, flag)
	}
	// O_NONBLOCK: opening a FIFO must not wait for a writer before the
	// check below refuses it. A regular file ignores the flag.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, path, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, path, err
	} else if !fi.Mode().IsRegular() {
		return nil, path, notRegular(path, fi.Mode(), what)
	} else if fi.Size() > limit {
		return nil, path, tooLarge(path, limit, what, flag)
	}
	data, err := readAll(ctx, f, limit)
	return check(data, err, path, limit, what, flag)
}

// errTooLarge marks a read that went past the limit.
var errTooLarge = errors.New("too large")

func check(data []byte, err error, name string, limit int64, what, flag string) ([]byte, string, error) {
	switch {
	case errors.Is(err, errTooLarge):
		return nil, name, tooLarge(name, limit, what, flag)
	case err != nil:
		return nil, name, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, name, nil
}

// readAll reads r to its end or to limit+1 bytes, and returns early with
// ctx's error when ctx is done first; the read then finishes (or blocks)
// in the background, which the exiting process does not wait for.
func readAll(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	type res struct {
		data []byte
		err  error
	}
	done := make(chan res, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err == nil && int64(len(data)) > limit {
			data, err = nil, errTooLarge
		}
		done <- res{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func tooLarge(name string, limit int64, what, flag string) error {
	hint := "check the path: this is not a " + what + " corsproof wrote or reads"
	if flag != "" {
		hint = fmt.Sprintf("if it really is one, raise the limit with %s (in MiB)", flag)
	}
	return &LimitError{fileerr.Problem{File: name, Message: fmt.Sprintf("is larger than %s, the limit for a %s", mib(limit), what), Hint: hint}}
}

func notRegular(path string, mode fs.FileMode, what string) error {
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case mode&fs.ModeCharDevice != 0, mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return &NotRegularError{fileerr.Problem{File: path, Message: fmt.Sprintf("is %s, not a %s", kind, what),
		Hint: "give the path of a file; to read a pipe, redirect it to stdin and pass -"}}
}

// mib renders a byte count in MiB for messages.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// MiB converts a flag's MiB to bytes.
func MiB(n int) int64 { return int64(n) << 20 }
