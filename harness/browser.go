// Package harness runs cases in a real Chromium over the DevTools protocol and
// turns what the browser reports into records: the browser lifecycle, an
// isolated browser context per case, and passive capture of the network,
// audits and console events that carry the browser's CORS verdict.
package harness

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/corsproof/corsproof/internal/ctxwait"
	"github.com/corsproof/corsproof/result"
)

// ErrNoBrowser is returned when no Chromium can be found.
var ErrNoBrowser = errors.New("no chromium browser found")

// ErrNoFirefox is returned when no Firefox can be found; it is an
// ErrNoBrowser too.
var ErrNoFirefox error = noFirefox{}

type noFirefox struct{}

func (noFirefox) Error() string        { return "no firefox browser found" }
func (noFirefox) Is(target error) bool { return target == ErrNoBrowser }

// NotFoundError is no browser of an engine on PATH, nor named by a flag or
// the environment. It is ErrNoBrowser (and ErrNoFirefox for Firefox).
type NotFoundError struct {
	Engine string
	// Looked are the names looked up on PATH.
	Looked []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%v on PATH (looked for %s)", e.Unwrap(), strings.Join(e.Looked, ", "))
}

// Unwrap returns ErrNoFirefox or ErrNoBrowser.
func (e *NotFoundError) Unwrap() error {
	if e.Engine == EngineFirefox {
		return ErrNoFirefox
	}
	return ErrNoBrowser
}

// Hint says how to get one.
func (e *NotFoundError) Hint() string {
	if e.Engine == EngineFirefox {
		return "install Firefox ESR with `sudo apt-get install firefox-esr`, or name it with --browser or $CORSPROOF_FIREFOX"
	}
	return "install Chromium with `sudo apt-get install chromium`, or name it with --browser or $CORSPROOF_BROWSER"
}

// candidates are the names looked up on PATH, in order.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chromium-headless-shell"}

// FindBrowser returns the browser binary to use: flag, then
// $CORSPROOF_BROWSER, then PATH. It never downloads anything.
func FindBrowser(flag string) (string, error) {
	if flag != "" {
		return checkBinary(flag, "--browser")
	}
	if env := os.Getenv("CORSPROOF_BROWSER"); env != "" {
		return checkBinary(env, "$CORSPROOF_BROWSER")
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return realBinary(p), nil
		}
	}
	return "", &NotFoundError{Engine: EngineChromium, Looked: candidates}
}

// launchFailed is the error of a browser at path that did not start: a
// LaunchError with advice, unless the run was interrupted meanwhile (a
// deadline the caller set is a start limit like Options.LaunchTimeout).
func launchFailed(ctx context.Context, path string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("launching browser %s: %w", path, err)
	}
	return &LaunchError{Path: path, Err: err, Advice: launchAdvice(path, err)}
}

func checkBinary(path, source string) (string, error) {
	return checkBinaryFor(path, source, ErrNoBrowser)
}

// checkBinaryFor is checkBinary with the error to wrap when the binary is
// not there.
func checkBinaryFor(path, source string, notFound error) (string, error) {
	if strings.ContainsRune(path, filepath.Separator) {
		// A path is the user's, relative to where they stand: made
		// absolute now, "./chrome" cannot turn into "chrome" (cleaned by
		// EvalSymlinks) and be looked up on PATH instead.
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", fmt.Errorf("%w: %s names %q: %v", notFound, source, path, err)
		}
		path = abs
	}
	p, err := exec.LookPath(path)
	if err != nil {
		advice := launchAdvice(path, err)
		if strings.HasPrefix(source, "$") {
			// The path came from the environment, not from --browser.
			advice = strings.ReplaceAll(advice, "leave --browser out", "unset "+source)
		}
		if notFound == ErrNoFirefox {
			advice = strings.ReplaceAll(advice, "Chromium", "Firefox")
		}
		return "", &LaunchError{Path: path, Err: fmt.Errorf("%w: %s names %q: %w", notFound, source, path, err), Advice: advice}
	}
	return realBinary(p), nil
}

// realBinary skips Debian's /usr/bin/chromium shell wrapper, which adds its
// own flags and prints noise on every start, when the real binary is there.
func realBinary(p string) string {
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	if p == "/usr/bin/chromium" {
		if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
			return "/usr/lib/chromium/chromium"
		}
	}
	return p
}

// LNAMode says how Local Network Access checks are handled.
type LNAMode string

// LNA modes.
const (
	// LNAGrant grants each page origin the local and loopback network
	// permissions, as a user who accepted the prompt would. Chromium only
	// asks secure contexts, so http pages stay blocked
	// (InsecureLocalNetwork).
	LNAGrant LNAMode = "grant"
	// LNAEnforce leaves the checks as a fresh profile has them (no
	// permission): what a user who never answered the prompt sees. A page
	// origin on a loopback or private address is granted what the real
	// page there has without a prompt (see lnaGrants): corsproof's page
	// has no address space of its own.
	LNAEnforce LNAMode = "enforce"
	// LNAOff turns the checks off with a browser feature switch. It is the
	// default: a page served by the harness has no address space of its
	// own (Chromium counts it as public), while the real page usually sits
	// on the same network as the API under test, so leaving the checks on
	// would block loopback and private targets that real users reach.
	LNAOff LNAMode = "off"
)

// CookieMode says whether the profile allows third-party cookies.
type CookieMode string

// Third-party cookie modes.
const (
	// CookiesAllow sends third-party cookies, as desktop Chromium does with
	// a default user profile.
	CookiesAllow CookieMode = "allow"
	// CookiesBlock blocks them, as a fresh headless profile does.
	CookiesBlock CookieMode = "block"
)

// Engines a run can use.
const (
	// EngineChromium is Chromium over CDP (chromedp or rod), the default.
	EngineChromium = "chromium"
	// EngineFirefox is Firefox (ESR) over WebDriver BiDi.
	EngineFirefox = "firefox"
)

// EngineOf is the engine of a browser binary, read off its name: Firefox
// for firefox, firefox-esr or firefox-bin, Chromium for anything else
// (chromium, chrome, chromium-headless-shell, a wrapper script).
func EngineOf(path string) string {
	if strings.HasPrefix(filepath.Base(path), "firefox") {
		return EngineFirefox
	}
	return EngineChromium
}

// ParseSwitches turns switches written NAME or NAME=VALUE, with or without
// leading dashes, into Options.ExtraFlags: true for a bare switch.
func ParseSwitches(args []string) map[string]any {
	if len(args) == 0 {
		return nil
	}
	out := make(map[string]any, len(args))
	for _, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if hasValue {
			out[name] = value
		} else {
			out[name] = true
		}
	}
	return out
}

// firefoxCandidates are the Firefox names looked up on PATH, in order.
var firefoxCandidates = []string{"firefox-esr", "firefox"}

// FindEngineBrowser is FindBrowser for an engine: for Firefox the flag,
// then $CORSPROOF_FIREFOX, then firefox-esr and firefox on PATH.
func FindEngineBrowser(engine, flag string) (string, error) {
	if engine != EngineFirefox {
		return FindBrowser(flag)
	}
	if flag != "" {
		return checkBinaryFor(flag, "--browser", ErrNoFirefox)
	}
	if env := os.Getenv("CORSPROOF_FIREFOX"); env != "" {
		return checkBinaryFor(env, "$CORSPROOF_FIREFOX", ErrNoFirefox)
	}
	for _, name := range firefoxCandidates {
		if p, err := exec.LookPath(name); err == nil {
			return realBinary(p), nil
		}
	}
	return "", &NotFoundError{Engine: EngineFirefox, Looked: firefoxCandidates}
}

// Options configure a browser.
type Options struct {
	// Engine is EngineChromium (empty) or EngineFirefox.
	Engine string
	// Path is the browser binary, checked and resolved by FindBrowser;
	// empty means $CORSPROOF_BROWSER, then PATH.
	Path string
	// URL connects to a running browser's DevTools endpoint instead of
	// launching one (ws://… or http://host:port).
	URL string
	// LNA and ThirdPartyCookies default to LNAOff and CookiesAllow.
	LNA               LNAMode
	ThirdPartyCookies CookieMode
	// Timeout bounds one case; zero means 5 s.
	Timeout time.Duration
	// LaunchTimeout bounds a launch, until the browser answers; zero
	// means DefaultLaunchTimeout. A loaded machine, or a browser under a
	// tracer, may need more.
	LaunchTimeout time.Duration
	// DebugDir, when set, gets one file per case with every CDP event of
	// the case's tab as JSON lines (NNNN-case.cdp.jsonl), or for Firefox
	// every WebDriver BiDi message of the tab — commands, their answers and
	// events (NNNN-case.bidi.jsonl), for when a verdict needs explaining,
	// and launch.txt with the launch settings. Credential values are
	// redacted there as in reports (cors.IsSecretHeader) unless
	// DebugSecrets.
	DebugDir     string
	DebugSecrets bool
	// Timings records in each record where the case's time went
	// (result.Timing), for `make bench -phases`; off, records carry none,
	// so that reports of the same run compare equal.
	Timings bool
	// ExtraFlags are added to the launch command line.
	ExtraFlags map[string]any
	// Sinks are hosts (or host:port) the browser must never resolve or
	// connect to: the page origins, which corsproof answers itself (see
	// Sinks). They only take effect in a browser corsproof launches.
	Sinks []string
	// HostMap sends the browser's connections for a host:port to another
	// address (host:port → 127.0.0.1:port) without changing the URL the
	// page requests: --try-fix maps a target to its loopback mirror so the
	// request, its Origin and its cookies stay exactly as the page makes
	// them. Only in a browser corsproof launches.
	HostMap map[string]string
	// CAFile is a PEM file of certificate authorities to trust for the
	// https URLs of CATargets, and for nothing else (see ca.go). It needs
	// a browser corsproof launches: the check is made before the launch.
	CAFile string
	// CATargets are the URLs the run requests (CaseTargets); with CAFile,
	// the certificate of each https one is checked at launch.
	CATargets []string
	// MirrorPins are public keys, each the base64 SHA-256 of a
	// SubjectPublicKeyInfo, whose chains the browser accepts whatever
	// their certificate errors: for --try-fix's mirrors of https targets,
	// which serve certificates made with a key that exists only in this
	// process's memory (mirror.KeyPin), so trusting it trusts no other
	// server. They are added to the --ca pins, shown in the launch
	// settings, and need a browser corsproof launches.
	MirrorPins []string
	// MirrorCerts are, for Firefox, the certificates the mirrors of https
	// targets serve, by the target's host:port (HostMap's key): Firefox
	// accepts exactly that certificate from the target's mirror (its
	// profile's cert_override.txt), as Chromium accepts the MirrorPins
	// keys. For a target HostMap moves, at the mirror's port; for one it
	// does not, at the target's own host:port, where a user context
	// sent through the mirrors' proxy (TabOptions.Proxy) meets the
	// mirror — unless --ca already accepts the real server's leaf there
	// (one exception per host:port: the real one wins, see
	// FirefoxAcceptsMirror).
	MirrorCerts map[string]*x509.Certificate
	// ContextProxies, for Firefox, asks for a browser whose tabs may be
	// sent through a proxy (TabOptions.Proxy), loopback targets included:
	// Firefox otherwise never proxies localhost or 127.0.0.1
	// (network.proxy.allow_hijacking_localhost), and each https target's
	// mirror certificate is accepted at its host:port (MirrorCerts). Only
	// a Firefox measured to honour a user context's proxy gets it
	// (firefoxProxiesContexts): Options() of the launched browser says
	// whether it did. Chromium needs no launch setting
	// (ContextProxyBypass, per context).
	ContextProxies bool

	// pins are the public keys the browser accepts (checkCA), filled in
	// at launch; overrides, the same chains' leaves for their targets,
	// are Firefox's form of them.
	pins      []string
	overrides []certOverride
	// noSandbox says why Chromium runs without its sandbox, filled in at
	// launch (sandboxDecision); empty when it runs with it.
	noSandbox string
}

func (o *Options) defaults() {
	if o.LNA == "" {
		o.LNA = LNAOff
	}
	if o.ThirdPartyCookies == "" {
		o.ThirdPartyCookies = CookiesAllow
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.LaunchTimeout <= 0 {
		o.LaunchTimeout = DefaultLaunchTimeout
	}
}

// Browser is a running Chromium, launched or connected to, and the driver
// that speaks to it.
type Browser struct {
	opts    Options
	driver  Driver
	conn    Conn
	proc    *process // nil for a browser corsproof connected to
	profile string
	product string
	path    string
	// certChecks are the checks of the https targets against
	// Options.CAFile, made before launch.
	certChecks []result.CertCheck
	// tabs configure the browser contexts of new sessions: empty but in
	// the view RunCasesThrough makes.
	tabs TabOptions
}

// Launch starts (or connects to) a browser with the chromedp driver and
// waits until it answers.
func Launch(ctx context.Context, opts Options) (*Browser, error) {
	return LaunchWith(ctx, Chromedp{}, opts)
}

// LaunchWith starts (or connects to) a browser through the given driver.
// The browser outlives ctx, which only bounds the start: Close ends it.
func LaunchWith(ctx context.Context, d Driver, opts Options) (*Browser, error) {
	opts.defaults()
	b := &Browser{opts: opts, driver: d}
	started := time.Now()
	startCtx, cancel := context.WithTimeout(ctx, opts.LaunchTimeout)
	defer cancel()
	ep, where := Endpoint{URL: opts.URL}, opts.URL
	if opts.URL == "" {
		path, err := FindEngineBrowser(opts.Engine, opts.Path)
		if err != nil {
			return nil, err
		}
		// What --ca trusts comes from this launch's own check: options
		// copied from another browser (Options()) carry its pins and
		// overrides, which mean nothing without its --ca file.
		opts.pins, opts.overrides = nil, nil
		if opts.ContextProxies && opts.Engine == EngineFirefox && !firefoxProxiesContexts(path) {
			// Not a Firefox measured to send a user context through its
			// proxy: --try-fix proves its fixes in a second browser.
			opts.ContextProxies = false
		}
		if opts.CAFile != "" {
			if b.certChecks, opts.overrides, err = checkCA(startCtx, opts); err != nil {
				return nil, err
			}
			opts.pins = caPins(b.certChecks)
		}
		if opts.Engine != EngineFirefox {
			opts.noSandbox = sandboxDecision(opts)
		}
		b.opts = opts
		b.path, where = path, path
		proc, err := launch(startCtx, path, opts, d.Transport())
		if err != nil {
			if retry, ok := withoutSandbox(opts, err); ok {
				return LaunchWith(ctx, d, retry)
			}
			return nil, launchFailed(ctx, path, err)
		}
		b.proc, b.profile, ep = proc, proc.profile, proc.endpoint()
	}
	conn, err := d.Connect(startCtx, ep)
	if err != nil {
		if b.proc != nil {
			if errors.Is(err, context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.Canceled) {
				err = fmt.Errorf("%w within %s: %s", noAnswer(d.Transport()), time.Since(started).Round(time.Second), b.proc.out.tail())
			}
			stopErr := b.proc.abandon()
			if b.proc.failedAlone() {
				// The driver's error (a lost connection) is only the
				// consequence.
				err = b.proc.exitedEarly()
			}
			if retry, ok := withoutSandbox(b.opts, err); ok && stopErr == nil {
				return LaunchWith(ctx, d, retry)
			}
			return nil, errors.Join(launchFailed(ctx, where, err), stopErr)
		}
		if opts.URL != "" {
			if opts.Engine == EngineFirefox {
				return nil, &OptionError{Option: "--browser-url", Value: opts.URL, Reason: "does not answer as a WebDriver BiDi endpoint: " + err.Error(),
					Advice: "start Firefox with --remote-debugging-port PORT and pass ws://HOST:PORT (the URL it prints after \"WebDriver BiDi listening on\"; one corsproof run at a time), or drop --browser-url to let corsproof launch Firefox"}
			}
			return nil, &OptionError{Option: "--browser-url", Value: opts.URL, Reason: "does not answer as a DevTools endpoint: " + err.Error(),
				Advice: "start the browser with --remote-debugging-port=PORT and pass http://HOST:PORT (or the ws:// URL it prints), or drop --browser-url to let corsproof launch Chromium"}
		}
		return nil, fmt.Errorf("launching browser %s: %w", where, err)
	}
	b.conn = conn
	b.product = conn.Product()
	if opts.DebugDir != "" {
		if err := makeDebugDir(opts.DebugDir); err != nil {
			b.Close()
			return nil, err
		}
		if err := b.writeLaunchSettings(opts.DebugDir); err != nil {
			return nil, errors.Join(err, b.Close())
		}
	}
	return b, nil
}

// writeLaunchSettings writes dir/launch.txt: the case logs explain a
// verdict, the launch settings (Chromium's switches, Firefox's command
// line, environment and preferences) what the browser could and could not
// do on the network.
func (b *Browser) writeLaunchSettings(dir string) error {
	settings := strings.Join(append([]string{"# " + b.Version() + " " + b.path}, b.LaunchSettings()...), "\n") + "\n"
	if err := writePrivate(filepath.Join(dir, "launch.txt"), []byte(settings)); err != nil {
		return fmt.Errorf("writing launch settings: %w", err)
	}
	return nil
}

// within runs f but gives up when limit is done. The first call on a
// chromedp context must not carry a deadline (the deadline would stop the
// browser), so the limit is applied from outside.
func within[T any](limit context.Context, f func() (T, error)) (T, error) {
	return ctxwait.Do(limit, f)
}

// Flag is one browser command-line switch; Value is true for a bare switch.
type Flag struct {
	Name  string
	Value any
}

// Product is the browser's own product string, such as "HeadlessChrome/156.0.8078.108".
func (b *Browser) Product() string { return b.product }

// Path is the binary that was launched; empty for a connected browser.
func (b *Browser) Path() string { return b.path }

// Options returns the options the browser runs with, defaults filled in.
func (b *Browser) Options() Options { return b.opts }

// Version is a human-readable name and version, such as "Chromium 156.0.8078.108".
func (b *Browser) Version() string {
	name, ver, ok := strings.Cut(b.product, "/")
	if !ok {
		return b.product
	}
	if name == "Firefox" {
		return "Firefox " + ver
	}
	label := "Chromium"
	if strings.Contains(b.path, "headless-shell") {
		label = "Chromium headless-shell"
	} else if strings.Contains(strings.ToLower(name), "edge") {
		label = name
	}
	return label + " " + ver
}

// LaunchSettings lists what the browser was started with to keep it off
// the network (QuietSettings), or nothing for a browser corsproof
// connected to and did not start.
func (b *Browser) LaunchSettings() []string {
	if b.opts.URL != "" {
		return nil
	}
	if b.opts.Engine == EngineFirefox {
		return FirefoxSettings(b.opts)
	}
	return QuietSettings(b.opts)
}

// killer is a connection that knows its browser will not exit when asked
// to, and must be killed instead (firefoxConn after a content crash).
type killer interface{ mustKill() bool }

// Engine is the browser engine, EngineChromium or EngineFirefox.
func (b *Browser) Engine() string {
	if b.opts.Engine == EngineFirefox {
		return EngineFirefox
	}
	return EngineChromium
}

// Driver names the protocol client in use (chromedp, rod, bidi).
func (b *Browser) Driver() string { return b.driver.Name() }

// Close stops a launched browser and removes its profile, returning once
// the browser process has exited, or disconnects from a remote one. A
// Firefox one of whose content processes died is killed (see
// firefoxConn.mustKill).
func (b *Browser) Close() error {
	if k, ok := b.conn.(killer); ok && b.proc != nil && k.mustKill() {
		return b.Kill()
	}
	var connErr error
	if b.conn != nil {
		connErr = b.conn.Close()
	}
	if b.proc == nil {
		if connErr != nil {
			return fmt.Errorf("closing browser: %w", connErr)
		}
		return nil
	}
	// A close request that could not be sent is not an error in itself:
	// the launcher then stops the browser another way, and says so if
	// that fails too.
	return b.proc.stop(connErr == nil)
}
