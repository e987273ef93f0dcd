package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// LaunchError is a browser that could not be started or never answered
// over DevTools, with the cause and what to do about it.
type LaunchError struct {
	// Path is the binary as corsproof resolved it.
	Path string
	Err  error
	// Advice says what to do, printed as the hint.
	Advice string
}

func (e *LaunchError) Error() string { return fmt.Sprintf("launching browser %s: %v", e.Path, e.Err) }
func (e *LaunchError) Unwrap() error { return e.Err }

// Hint says what to do about it.
func (e *LaunchError) Hint() string { return e.Advice }

// DefaultLaunchTimeout bounds a launch unless Options.LaunchTimeout says
// otherwise: Chromium answers in about 1.2 s (measured: 156, 2 cores); the
// margin is for a machine busy with other work.
const DefaultLaunchTimeout = 20 * time.Second

// launchAdvice explains why path did not start as a browser.
func launchAdvice(path string, err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Sprintf("a name without a slash is looked up on PATH; for a file in this folder write ./%s", path)
	case errors.Is(err, syscall.ENOEXEC):
		return "the file is not a program the system can run: a script needs a first line such as #!/bin/sh"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES):
		return fmt.Sprintf("make it executable (chmod +x %s), or name the browser's binary itself", path)
	case errors.Is(err, fs.ErrNotExist) && errors.As(err, &pe):
		if interp := interpreter(path); interp != "" {
			return fmt.Sprintf("its interpreter %s does not exist: fix the script's #! line", interp)
		}
		return "check the path, or leave --browser out to find Chromium on PATH"
	case errors.Is(err, errExitedEarly):
		return fmt.Sprintf("run it by hand to see why: %s --headless --remote-debugging-pipe; corsproof needs Chromium or Chrome (a wrapper script must pass \"$@\" on and keep descriptors 3 and 4)", path)
	case errors.Is(err, errNoBiDiAnswer):
		return "it started but never answered over WebDriver BiDi: is it Firefox 128 or later? On a slow or loaded machine allow longer with --launch-timeout"
	case errors.Is(err, errNoAnswer):
		return "it started but never answered over the DevTools protocol: is it Chromium or Chrome? A wrapper script must exec the browser with \"$@\" and keep descriptors 3 and 4 open; on a slow or loaded machine allow longer with --launch-timeout"
	}
	return "check --browser (or $CORSPROOF_BROWSER); corsproof needs Chromium or Chrome"
}

// interpreter returns the #! line's program of a script, or "".
func interpreter(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	rest, ok := strings.CutPrefix(line, "#!")
	if !ok {
		return ""
	}
	if fields := strings.Fields(rest); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

var (
	errExitedEarly  = errors.New("the browser exited before it answered")
	errNoAnswer     = errors.New("no answer over DevTools")
	errNoBiDiAnswer = errors.New("no answer over WebDriver BiDi")
)

// noAnswer is the error of a browser that started and never answered the
// protocol of transport t.
func noAnswer(t Transport) error {
	if t == TransportBiDi {
		return errNoBiDiAnswer
	}
	return errNoAnswer
}
