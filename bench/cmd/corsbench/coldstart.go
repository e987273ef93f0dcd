package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// browserFlags are the flags of issue 5's benchmark, given to every browser
// this program starts itself; corsproof and the peer add their own.
var browserFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-features=LocalNetworkAccessChecks",
}

// coldStart is one timed start: until the first answer and until exit.
type coldStart struct {
	First, Exit time.Duration
}

// timeUntil starts cmd and times the first stdout line for which match is
// true, then the process's exit. Reading stops matching after the first
// hit, but stdout is drained so the process never blocks on a full pipe.
func timeUntil(cmd *exec.Cmd, match func(line []byte) bool) (coldStart, error) {
	var res coldStart
	out, err := cmd.StdoutPipe()
	if err != nil {
		return res, fmt.Errorf("timing %s: %w", cmd.Path, err)
	}
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("timing %s: %w", cmd.Path, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if res.First == 0 && match(sc.Bytes()) {
			res.First = time.Since(start)
		}
	}
	_, _ = io.Copy(io.Discard, out)
	werr := cmd.Wait()
	res.Exit = time.Since(start)
	var exit *exec.ExitError
	if werr != nil && !(errors.As(werr, &exit) && res.First > 0) {
		return res, fmt.Errorf("timing %s: %w: %s", cmd.Path, werr, lastLines(errBuf.String(), 3))
	}
	if res.First == 0 {
		return res, fmt.Errorf("timing %s: no answer on stdout: %s", cmd.Path, lastLines(errBuf.String(), 3))
	}
	return res, nil
}

// probeStart times `corsproof probe URL --origin O` until it prints the
// verdict line (ALLOWED or BLOCKED first on a line).
func probeStart(ctx context.Context, bin, browser, url string) (coldStart, error) {
	cmd := exec.CommandContext(ctx, bin, "probe", url, "--origin", benchOrigin, "--browser", browser)
	return timeUntil(cmd, func(line []byte) bool {
		return bytes.HasPrefix(line, []byte("ALLOWED")) || bytes.HasPrefix(line, []byte("BLOCKED"))
	})
}

// bareStart times a bare browser launch to its first page: the same binary
// and flags with a fresh profile, `--dump-dom about:blank`, until the DOM
// of the loaded page is printed. It is the least a tool that launches a
// browser and loads one page can take.
func bareStart(ctx context.Context, browser string) (coldStart, error) {
	profile, err := os.MkdirTemp("", "corsbench-profile-")
	if err != nil {
		return coldStart{}, fmt.Errorf("creating browser profile: %w", err)
	}
	defer os.RemoveAll(profile)
	args := append(append([]string{}, browserFlags...), "--user-data-dir="+profile, "--dump-dom", "about:blank")
	cmd := exec.CommandContext(ctx, browser, args...)
	return timeUntil(cmd, func(line []byte) bool { return bytes.Contains(line, []byte("<html")) })
}
