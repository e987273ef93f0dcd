package harness

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"slices"
	"time"
)

// OptionError is a browser setting that cannot work, with what to do instead.
type OptionError struct {
	// Option names the setting as the user wrote it (a flag such as --lna).
	Option string
	Value  string
	Reason string
	// Advice says what to write instead.
	Advice string
}

// Hint is what to do about it, printed on a line of its own.
func (e *OptionError) Hint() string { return e.Advice }

func (e *OptionError) Error() string {
	if e.Value == "" {
		return e.Option + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %q %s", e.Option, e.Value, e.Reason)
}

// Validate checks the options without touching anything: no browser is
// looked up and no folder is made (Launch does both). The --ca file is
// read, so that a bad one is reported before anything starts.
func (o Options) Validate() error {
	switch o.Engine {
	case "", EngineChromium:
	case EngineFirefox:
		if err := o.validateFirefox(); err != nil {
			return err
		}
	default:
		return &OptionError{Option: "--engine", Value: o.Engine, Reason: "is not an engine", Advice: "use chromium or firefox"}
	}
	switch o.LNA {
	case "", LNAOff, LNAGrant, LNAEnforce:
	default:
		return &OptionError{Option: "--lna", Value: string(o.LNA), Reason: "is not a mode", Advice: "use off, grant or enforce"}
	}
	switch o.ThirdPartyCookies {
	case "", CookiesAllow, CookiesBlock:
	default:
		return &OptionError{Option: "--third-party-cookies", Value: string(o.ThirdPartyCookies), Reason: "is not a mode", Advice: "use allow or block"}
	}
	if o.LaunchTimeout < 0 {
		return &OptionError{Option: "--launch-timeout", Reason: fmt.Sprintf("must be positive, got %s", o.LaunchTimeout), Advice: "for example --launch-timeout 60s"}
	}
	if o.Timeout < 0 {
		return &OptionError{Option: "--timeout", Reason: fmt.Sprintf("must be positive, got %s", o.Timeout), Advice: "for example --timeout 5s"}
	}
	if o.CAFile != "" {
		if o.URL != "" {
			return &OptionError{Option: "--ca", Value: o.CAFile, Reason: "needs a browser corsproof launches; a browser reached with --browser-url keeps the certificates it was started with",
				Advice: "drop --browser-url, or start that browser with --ignore-certificate-errors-spki-list=<base64 SHA-256 of the API certificate's public key>"}
		}
		if _, err := LoadCA(o.CAFile); err != nil {
			return err
		}
	}
	if err := o.validateMirrorPins(); err != nil {
		return err
	}
	for _, name := range []string{"proxy-pac-url", "proxy-auto-detect"} {
		if _, ok := o.ExtraFlags[name]; ok {
			return &OptionError{Option: "--browser-arg", Value: name, Reason: "is not supported: Chromium applies no bypass list to a PAC script or auto-detection, so the hosts corsproof stops locally would reach the proxy",
				Advice: "name the proxy itself with --browser-arg proxy-server=URL"}
		}
	}
	for name := range o.ExtraFlags {
		if name == "" {
			return &OptionError{Option: "--browser-arg", Reason: "no switch name", Advice: "for example --browser-arg in-process-gpu"}
		}
	}
	return nil
}

// ValidateIsolation checks an isolation mode; empty means the default.
func ValidateIsolation(iso Isolation) error {
	switch iso {
	case "", IsolationClean, IsolationFresh:
		return nil
	}
	return &OptionError{Option: "--isolation", Value: string(iso), Reason: "is not a mode", Advice: "use clean or fresh"}
}

// defaultTimeout bounds one case unless the options say otherwise.
const defaultTimeout = 5 * time.Second

// validateFirefox refuses what the Firefox engine cannot do (yet), rather
// than run without it.
func (o Options) validateFirefox() error {
	switch {
	case o.LNA != "" && o.LNA != LNAOff:
		return &OptionError{Option: "--lna", Value: string(o.LNA), Reason: "is for Chromium; Firefox runs with its Local Network Access checks off", Advice: "drop --lna, or use --engine chromium"}
	case len(o.ExtraFlags) > 0:
		return &OptionError{Option: "--browser-arg", Reason: "takes Chromium switches; Firefox is configured by preferences", Advice: "drop --browser-arg with --engine firefox"}
	}
	ports := map[string]string{}
	for _, from := range slices.Sorted(maps.Keys(o.HostMap)) {
		if why := FirefoxMapIssue(from, o.HostMap[from], ports); why != "" {
			return &OptionError{Option: "--engine", Value: EngineFirefox, Reason: "cannot send " + from + " to " + o.HostMap[from] + ": " + why, Advice: "use --engine chromium, whose host resolver maps any host:port"}
		}
		_, port, _ := net.SplitHostPort(from)
		ports[port] = from
	}
	return nil
}

// FirefoxMapIssue says why Firefox cannot send the connections for from
// (host:port) to to (host:port), given the ports already mapped (port →
// the host:port mapped); "" when it can. Firefox has no per-host resolver
// rules: a name resolves to loopback through network.dns.localDomains, and
// network.socket.forcePort moves a port for every host, so to must be on
// 127.0.0.1, from must be a name or 127.0.0.1, and no two mapped targets
// may share a port.
func FirefoxMapIssue(from, to string, taken map[string]string) string {
	host, port, err := net.SplitHostPort(from)
	if err != nil {
		return "not host:port"
	}
	toHost, toPort, err := net.SplitHostPort(to)
	if err != nil || toHost != "127.0.0.1" || toPort == "" {
		return "Firefox can move a connection to another port of 127.0.0.1 only"
	}
	if ip := net.ParseIP(host); ip != nil && !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		return "an IP address other than 127.0.0.1 cannot be resolved elsewhere (network.dns.localDomains maps names only)"
	}
	if other, ok := taken[port]; ok && other != from {
		return "port " + port + " is already moved for " + other + " (network.socket.forcePort moves a port for every host)"
	}
	return ""
}

// validateMirrorPins checks that each mirror pin is a key pin Chromium
// understands: a pin it cannot read would be dropped without a word, and
// the mirror's answers refused as an unknown authority.
func (o Options) validateMirrorPins() error {
	if len(o.MirrorPins) == 0 {
		return nil
	}
	if o.URL != "" {
		return &OptionError{Option: "--try-fix", Reason: "needs a browser corsproof launches to trust the mirror of an https target; a browser reached with --browser-url keeps its own certificate settings",
			Advice: "drop --browser-url to prove fixes of https targets"}
	}
	for _, pin := range o.MirrorPins {
		sum, err := base64.StdEncoding.DecodeString(pin)
		if err != nil || len(sum) != sha256.Size {
			return &OptionError{Option: "--try-fix", Value: pin, Reason: "is not a mirror key pin (the base64 SHA-256 of a SubjectPublicKeyInfo, 44 characters)",
				Advice: "this is a bug in corsproof: please report it"}
		}
	}
	return nil
}
