package harness

import (
	"os"
	"strings"
)

// Chromium runs with its sandbox wherever it can: corsproof's pages are
// its own, but the responses they read come from servers under test. It
// can not as root (Chromium refuses to start: "Running as root without
// --no-sandbox is not supported"), which is how CI containers and this
// project's own CI run, and not where the kernel gives it no user
// namespaces and Debian's setuid helper (chromium-sandbox) is missing:
// then Chromium exits at once with "No usable sandbox!" (measured: 156
// as an unprivileged user with --disable-namespace-sandbox), and the
// launch is made again without it, saying why in the run's settings.

// runsAsRoot is whether the browser will run as root; tests pretend
// otherwise to launch it through a wrapper that drops to another user.
var runsAsRoot = func() bool { return os.Geteuid() == 0 }

// sandboxDecision says why Chromium must run without its sandbox, or ""
// when it may try with it.
func sandboxDecision(opts Options) string {
	switch {
	case opts.noSandbox != "":
		return opts.noSandbox
	case hasSwitch(opts, "no-sandbox"):
		return "--browser-arg no-sandbox"
	case runsAsRoot():
		return "corsproof runs as root, and Chromium refuses its sandbox to root (CI containers); run as another user to have it"
	}
	return ""
}

// noUsableSandbox is what Chromium prints when it cannot sandbox itself.
const noUsableSandbox = "No usable sandbox!"

// withoutSandbox returns the options for a second launch without the
// sandbox when the first, made with it, failed for want of one.
func withoutSandbox(opts Options, err error) (Options, bool) {
	if opts.noSandbox != "" || err == nil || !strings.Contains(err.Error(), noUsableSandbox) {
		return opts, false
	}
	opts.noSandbox = "Chromium found no usable sandbox here (no user namespaces, no chromium-sandbox helper) and exited; started again without it"
	return opts, true
}

func hasSwitch(opts Options, name string) bool {
	_, ok := opts.ExtraFlags[name]
	return ok
}
