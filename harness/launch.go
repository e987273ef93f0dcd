package harness

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
)

// This file starts a browser process and stops it.

// rodProcess is a browser the rod driver launched.
type rodProcess struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// startRodBrowser starts the browser and returns its DevTools WebSocket
// address once it prints it.
func startRodBrowser(ctx context.Context, spec LaunchSpec) (*rodProcess, string, error) {
	args := []string{"--user-data-dir=" + spec.Profile, "--remote-debugging-port=0"}
	for _, f := range spec.Flags {
		switch v := f.Value.(type) {
		case bool:
			if v {
				args = append(args, "--"+f.Name)
			}
		case string:
			args = append(args, "--"+f.Name+"="+v)
		default:
			return nil, "", fmt.Errorf("browser flag --%s: value %v is %T, want a string or a bool", f.Name, f.Value, f.Value)
		}
	}
	out := newDevtoolsListener()
	cmd := exec.Command(spec.Path, args...)
	cmd.Stderr = out
	// The browser's children can keep stderr open after it exits; do not
	// wait for them.
	cmd.WaitDelay = time.Second
	setDeathSignal(cmd)
	p := &rodProcess{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The death signal fires when the thread that started the child
		// ends, so that thread stays until the browser exits.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, "", fmt.Errorf("starting %s: %w", spec.Path, err)
	}
	select {
	case u := <-out.url:
		return p, u, nil
	case <-p.exited:
		return nil, "", fmt.Errorf("browser exited before it listened (%v): %s", p.err, out.tail())
	case <-ctx.Done():
		_ = p.stop(0)
		return nil, "", fmt.Errorf("waiting for the browser to listen: %w: %s", ctx.Err(), out.tail())
	}
}

// stop waits up to grace for the process to exit, then kills it, and
// returns once it is gone.
func (p *rodProcess) stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	if grace == 0 {
		return nil
	}
	return fmt.Errorf("browser did not close within %s; killed it", grace)
}

// devtoolsListener reads the browser's stderr for the "DevTools listening
// on ws://…" line and keeps the last lines for error messages.
type devtoolsListener struct {
	mu    sync.Mutex
	part  []byte
	lines []string
	found bool
	url   chan string
}

func newDevtoolsListener() *devtoolsListener {
	return &devtoolsListener{url: make(chan string, 1)}
}

func (l *devtoolsListener) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	for {
		i := strings.IndexByte(string(l.part), '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(l.part[:i]))
		l.part = l.part[i+1:]
		if u, ok := strings.CutPrefix(line, "DevTools listening on "); ok && !l.found {
			l.found = true
			l.url <- u
		}
		if !l.found {
			l.lines = append(l.lines, line)
			if len(l.lines) > 20 {
				l.lines = l.lines[1:]
			}
		}
	}
	return len(p), nil
}

func (l *devtoolsListener) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(append(append([]string{}, l.lines...), string(l.part)), "\n")
	if s = strings.TrimSpace(s); s == "" {
		return "no output"
	}
	return s
}
