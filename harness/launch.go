package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// This file is the one place that starts a browser process and stops it:
// profile, command line, death signal, DevTools transport and clean-up.
// Both drivers connect to what it starts, so a browser launched for one
// driver is launched exactly as for the other.

// Transport is how a browser corsproof launches offers its DevTools
// protocol to a driver.
type Transport int

const (
	// TransportPipe starts the browser with --remote-debugging-pipe: it
	// reads commands from its file descriptor 3 and writes answers and
	// events to 4. Nothing listens on a port.
	TransportPipe Transport = iota
	// TransportPort starts it with --remote-debugging-port=0: it listens
	// on a free port on 127.0.0.1 and prints the WebSocket address.
	TransportPort
	// TransportBiDi starts Firefox with --remote-debugging-port 0: it
	// listens for WebDriver BiDi on a free port on 127.0.0.1 and prints
	// "WebDriver BiDi listening on ws://…".
	TransportBiDi
)

// Pipe is corsproof's side of a launched browser's DevTools pipe. The
// driver that connects over it owns both files.
type Pipe struct {
	// FromBrowser carries the browser's answers and events.
	FromBrowser *os.File
	// ToBrowser carries the commands for the browser.
	ToBrowser *os.File
}

// closeTimeout bounds how long a browser that was asked to exit may take
// before it is killed. Chromium takes about 100 ms (measured: 156); the
// margin is for a machine busy with other work.
const closeTimeout = 10 * time.Second

// process is a browser corsproof launched.
type process struct {
	cmd     *exec.Cmd
	profile string
	// tmpDir is the $TMPDIR the browser inherited, where it keeps its
	// process-singleton folder.
	tmpDir string
	// wsURL is the DevTools address it printed (TransportPort).
	wsURL string
	// pipe is the DevTools pipe (TransportPipe).
	pipe *Pipe
	out  *browserOutput

	exited chan struct{}
	// exitErr is cmd.Wait's error, once exited is closed.
	exitErr error
	// terminated and killed are set before corsproof sends SIGTERM or
	// SIGKILL; they are read after exited is closed.
	terminated, killed bool

	stopOnce sync.Once
	stopErr  error
}

// launch creates a fresh profile and starts the browser at path with
// launchFlags(opts) on the given transport. On TransportPort it returns
// once the browser has printed its DevTools address, or gives up when ctx
// is done. A failed launch leaves nothing behind.
func launch(ctx context.Context, path string, opts Options, t Transport) (*process, error) {
	var flags []string
	var err error
	if t != TransportBiDi {
		if flags, err = flagArgs(launchFlags(opts)); err != nil {
			return nil, err
		}
	}
	profile, err := os.MkdirTemp("", "corsproof-profile-")
	if err != nil {
		return nil, fmt.Errorf("creating browser profile: %w", err)
	}
	p := &process{profile: profile, out: newBrowserOutput(), exited: make(chan struct{})}
	write := writeProfile
	if t == TransportBiDi {
		write = func(profile string, _ CookieMode) error { return writeFirefoxProfile(profile, opts) }
	}
	if err := write(profile, opts.ThirdPartyCookies); err != nil {
		return nil, errors.Join(err, p.removeProfile())
	}
	if p.tmpDir, err = browserTmp(profile); err != nil {
		return nil, errors.Join(err, p.removeProfile())
	}
	debug := "--remote-debugging-pipe"
	if t == TransportPort {
		debug = "--remote-debugging-port=0"
	}
	// Without a URL, full Chromium opens chrome://newtab, a WebUI page of
	// its own, instead of a blank tab (measured: 156).
	args := append(append([]string{"--user-data-dir=" + profile, debug}, flags...), "about:blank")
	env := append(append(os.Environ(), "TMPDIR="+p.tmpDir), profileEnv(profile, t == TransportBiDi)...)
	if t == TransportBiDi {
		args, env = firefoxArgs(profile), append(env, firefoxEnv...)
	}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// The browser's children can keep its output open after it exits; do
	// not wait for them.
	p.cmd.WaitDelay = time.Second
	setDeathSignal(p.cmd)
	var childEnds []*os.File
	if t == TransportPipe {
		browserReads, toBrowser, err := pipePair()
		if err != nil {
			return nil, errors.Join(err, p.removeProfile())
		}
		fromBrowser, browserWrites, err := pipePair()
		if err != nil {
			closeAll(toBrowser, browserReads)
			return nil, errors.Join(err, p.removeProfile())
		}
		// ExtraFiles become the child's descriptors 3, 4, ….
		p.cmd.ExtraFiles = []*os.File{browserReads, browserWrites}
		childEnds = p.cmd.ExtraFiles
		p.pipe = &Pipe{FromBrowser: fromBrowser, ToBrowser: toBrowser}
	}
	started := make(chan error, 1)
	go p.run(started)
	err = <-started
	// The browser has its own copies of its ends now; ours would keep the
	// pipe open after it exits.
	closeAll(childEnds...)
	if err != nil {
		p.closePipe()
		return nil, errors.Join(fmt.Errorf("starting %s: %w", path, err), p.removeProfile())
	}
	if t == TransportPort || t == TransportBiDi {
		select {
		case p.wsURL = <-p.out.url:
		case <-p.exited:
			err = p.exitedEarly()
		case <-ctx.Done():
			err = fmt.Errorf("waiting for the browser to listen: %w: %s", ctx.Err(), p.out.tail())
		}
		if err != nil {
			return nil, errors.Join(err, p.abandon())
		}
	}
	return p, nil
}

// run starts the browser and waits for it. Linux sends the death signal
// when the thread that started the child ends, not the process, so the
// goroutine keeps its thread until the browser has exited
// (https://go.dev/issue/27505).
func (p *process) run(started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := p.cmd.Start(); err != nil {
		started <- err
		return
	}
	started <- nil
	p.exitErr = p.cmd.Wait()
	close(p.exited)
}

// endpoint is where a driver reaches the launched browser.
func (p *process) endpoint() Endpoint {
	return Endpoint{URL: p.wsURL, Pipe: p.pipe, Launched: true}
}

// stop ends the browser and removes what it leaves on disk, and returns
// once the process is gone. asked says whether the driver asked the browser
// to close over CDP (Browser.close): Chromium then exits cleanly by itself.
// Otherwise it is told to exit with a closed pipe or, on a port, SIGTERM;
// one that has not exited after closeTimeout is killed.
func (p *process) stop(asked bool) error {
	p.stopOnce.Do(func() { p.stopErr = p.shutdown(asked, closeTimeout) })
	return p.stopErr
}

// abandon stops a browser that failed to start: it gets a moment to exit
// on its closed pipe, then is killed; having to kill it is no news, the
// launch failed anyway. What it left on disk is still an error.
func (p *process) abandon() error {
	p.stopOnce.Do(func() { p.stopErr = p.shutdown(false, abandonTimeout) })
	if p.killed {
		return errors.Join(p.removeSingleton(), p.removeProfile())
	}
	return p.stopErr
}

// abandonTimeout bounds the wait for a browser that failed to start.
const abandonTimeout = 2 * time.Second

func (p *process) shutdown(asked bool, timeout time.Duration) error {
	// A browser whose DevTools pipe closes exits as cleanly as after
	// Browser.close (measured: 156), whatever state the driver is in.
	p.closePipe()
	var err error
	select {
	case <-p.exited:
	default:
		if p.pipe == nil && !asked {
			// SIGTERM ends Chromium and its children at once; the only
			// thing it leaves is the singleton folder removed below.
			p.terminated = true
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-p.exited:
		case <-time.After(timeout):
			p.killed = true
			killTree(p.cmd)
			<-p.exited
			err = fmt.Errorf("stopping browser: it did not exit within %s; killed it", timeout)
		}
	}
	return errors.Join(err, p.removeSingleton(), p.removeProfile())
}

// failedAlone reports whether the browser exited with an error that
// corsproof did not cause. Call it after stop.
func (p *process) failedAlone() bool {
	return p.exitErr != nil && !p.terminated && !p.killed
}

// exitedEarly is the error of a browser that exited while it started: its
// exit status and the last of its output. Call it once exited is closed.
func (p *process) exitedEarly() error {
	return fmt.Errorf("%w (%v): %s", errExitedEarly, p.exitErr, p.out.tail())
}

func (p *process) closePipe() {
	if p.pipe != nil {
		// The driver's connection may have closed them already.
		closeAll(p.pipe.FromBrowser, p.pipe.ToBrowser)
	}
}

// removeSingleton removes the folder Chromium keeps its process-singleton
// socket in, which the profile's SingletonSocket link names. A browser that
// exits after Browser.close or a closed pipe removes it itself; a killed
// one, or one stopped with SIGTERM, leaves it in $TMPDIR as
// org.chromium.Chromium.XXXXXX (measured: 156).
func (p *process) removeSingleton() error {
	target, err := os.Readlink(filepath.Join(p.profile, "SingletonSocket"))
	if err != nil {
		// Removed on a clean exit; the headless shell never makes one.
		return nil
	}
	dir := filepath.Dir(target)
	if filepath.Base(target) != "SingletonSocket" || filepath.Dir(dir) != filepath.Clean(p.tmpDir) {
		// Not a folder this browser made in its $TMPDIR: not ours.
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing browser singleton folder %s: %w", dir, err)
	}
	return nil
}

func (p *process) removeProfile() error {
	var err error
	for range 10 {
		if err = os.RemoveAll(p.profile); err == nil {
			return nil
		}
		// A child of the browser, such as the crashpad handler, can still
		// write for a moment after the browser itself has exited.
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("removing browser profile %s: %w", p.profile, err)
}

// flagArgs writes flags as command-line switches: a bare switch for true,
// none for false, --name=value for a string.
func flagArgs(flags []Flag) ([]string, error) {
	args := make([]string, 0, len(flags))
	for _, f := range flags {
		switch v := f.Value.(type) {
		case bool:
			if v {
				args = append(args, "--"+f.Name)
			}
		case string:
			args = append(args, "--"+f.Name+"="+v)
		default:
			return nil, fmt.Errorf("browser flag --%s: value %v is %T, want a string or a bool", f.Name, f.Value, f.Value)
		}
	}
	return args, nil
}

func pipePair() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("creating DevTools pipe: %w", err)
	}
	return r, w, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// browserOutput takes the browser's stdout and stderr: it finds the
// "DevTools listening on ws://…" line and keeps the last lines before it
// for error messages.
type browserOutput struct {
	mu    sync.Mutex
	part  []byte
	lines []string
	found bool
	url   chan string
}

func newBrowserOutput() *browserOutput {
	return &browserOutput{url: make(chan string, 1)}
}

func (o *browserOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.part = append(o.part, p...)
	for {
		i := strings.IndexByte(string(o.part), '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(o.part[:i]))
		o.part = o.part[i+1:]
		u, ok := strings.CutPrefix(line, "DevTools listening on ")
		if !ok {
			u, ok = strings.CutPrefix(line, "WebDriver BiDi listening on ")
		}
		if ok && !o.found {
			o.found = true
			o.url <- u
		}
		if !o.found {
			o.lines = append(o.lines, line)
			if len(o.lines) > 20 {
				o.lines = o.lines[1:]
			}
		}
	}
	return len(p), nil
}

func (o *browserOutput) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.Join(append(append([]string{}, o.lines...), string(o.part)), "\n")
	if s = strings.TrimSpace(s); s == "" {
		return "no output"
	}
	return s
}
