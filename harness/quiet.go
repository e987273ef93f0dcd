package harness

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/scenarios"
)

// This file is the one place that decides what the browser may do on the
// network by itself. corsproof's promise is that the browser contacts the
// hosts the cases request and nothing else: page origins are answered over
// CDP and must never be resolved or connected to, and no browser service
// may make a request of its own. Each entry says what it stopped, as
// measured with a NetLog and strace in a loopback-only network namespace
// (Chromium 156.0.8078.114).

// Switch is one launch switch and why corsproof passes it.
type Switch struct {
	Name string
	// Value is empty for a bare switch.
	Value string
	Why   string
}

// Arg is the switch as it appears on a command line.
func (s Switch) Arg() string {
	if s.Value == "" {
		return "--" + s.Name
	}
	return "--" + s.Name + "=" + s.Value
}

// baseSwitches run every launched browser. Headless operation, process
// model and timers first; then the ones that keep the browser off the
// network.
var baseSwitches = []Switch{
	{"headless", "", "no window"},
	{"disable-gpu", "", "no GPU process in headless runs"},
	// Headless Chromium otherwise starts SwiftShader in its GPU process;
	// corsproof's pages draw nothing (measured on 156: peak PSS of the
	// many-origin benchmark 417 → 398 MB, medians of 3).
	{"disable-software-rasterizer", "", "no software GL in the GPU process: the pages draw nothing"},
	{"disable-dev-shm-usage", "", "small /dev/shm in containers"},
	{"disable-hang-monitor", "", "no hang dialog for a case that waits on a slow API"},
	{"disable-renderer-backgrounding", "", "background tabs of concurrent cases keep full speed"},
	{"disable-background-timer-throttling", "", "timers of concurrent cases keep full speed"},
	{"mute-audio", "", "no audio device"},
	{"password-store", "basic", "no system keyring prompt"},
	{"use-mock-keychain", "", "no system keyring prompt"},
	{"no-first-run", "", "no first-run pages and their requests"},
	{"no-default-browser-check", "", "no default-browser check"},

	{"disable-quic", "", "no QUIC probing to Alt-Svc hosts; HTTP/1.1 and HTTP/2 only"},
	{"disable-background-networking", "", "no variations seed, no extension update checks, no safe-browsing list updates"},
	{"disable-component-update", "", "no component updater requests at start-up"},
	// On-demand component updates ignore --disable-component-update: the
	// optimization guide's model manifest (id ceofaddefefcbblgcgnibnonglccbfja)
	// still asked update.googleapis.com on every start. Every component
	// request goes to a host that never resolves instead.
	{"component-updater", "url-source=http://" + updateSink + "/", "on-demand component updates go to a sink, not update.googleapis.com"},
	{"disable-sync", "", "no sync service"},
	{"disable-default-apps", "", "no default apps installed (and updated) on first run"},
	{"disable-extensions", "", "no extensions and their update checks"},
	{"disable-component-extensions-with-background-pages", "", "no built-in extensions with background pages"},
	{"disable-breakpad", "", "no crash reports uploaded"},
	{"metrics-recording-only", "", "metrics are never uploaded"},
	{"disable-domain-reliability", "", "no Domain Reliability beacons"},
	{"disable-client-side-phishing-detection", "", "no phishing-model downloads"},
	{"no-service-autorun", "", "no services started on their own"},
	{"no-pings", "", "no hyperlink-auditing pings"},
}

// disabledFeatures are turned off with --disable-features.
var disabledFeatures = []Switch{
	{Name: "Translate", Why: "no translate service (translate.googleapis.com)"},
	{Name: "OptimizationHints", Why: "no optimization-guide hint fetches"},
	{Name: "OptimizationHintsFetching", Why: "no optimization-guide hint fetches"},
	{Name: "OptimizationGuideModelDownloading", Why: "no on-device model downloads"},
	{Name: "MediaRouter", Why: "no Cast discovery"},
	{Name: "DialMediaRouteProvider", Why: "no DIAL (SSDP) discovery on the local network"},
	{Name: "NetworkTimeServiceQuerying", Why: "no secure-time queries to clients2.google.com/time"},
	{Name: "CertificateTransparencyComponentUpdater", Why: "no CT log list updates"},
	{Name: "AutofillServerCommunication", Why: "no autofill server queries"},
	{Name: "InterestFeedContentSuggestions", Why: "no feed suggestions"},
	// HTTPS-Upgrades tries https first for a navigation to http on the
	// default port of a public name: the page at http://app.example.com
	// would first be asked for at https://app.example.com, a page origin
	// the browser must not contact, and show up as a host it reached.
	{Name: "HttpsUpgrades", Why: "the page is loaded at the http origin named, with no https attempt first"},
	// Browser UI only: the WebUI omnibox popups cost a renderer (about
	// 60 MB) per window, and every browser context has a window.
	{Name: "WebUIOmniboxPopup", Why: "no omnibox popup renderer per window (memory)"},
	{Name: "WebUIOmniboxAimPopup", Why: "no omnibox popup renderer per window (memory)"},
	{Name: "WebUIOmniboxFullPopup", Why: "no omnibox popup renderer per window (memory)"},
}

// What no switch, feature or preference stops (measured, 156): before each
// host resolution, IP literals and localhost included, at most once a
// second, the host resolver connects a UDP socket to
// [2001:4860:4860::8888]:443 to learn whether IPv6 is routable, and sends
// nothing on it. EnableIPv6ReachabilityOverride (a feature) and the Local
// State pref net.ipv6_reachability_override_enabled only keep AAAA queries
// when that probe failed; the connect stayed with either.
// UseAlternativePortForGloballyReachableCheck only moves its port. They are
// left out: each would change what the browser does and stop nothing. The
// traffic test (cmd/corsproof/offline_test.go, ipv6Probe) allows exactly
// that connect and checks that no packet left.

// pref is one browser preference, by its dotted path, and why it is set.
type pref struct {
	Path  string
	Value any
	Why   string
}

// profilePrefs go into the profile's Preferences file before launch.
var profilePrefs = []pref{
	// Without it every page origin was resolved and IP-literal origins
	// were connected to when the page was navigated to.
	{"net.network_prediction_options", 2, "never: no preconnect or DNS pre-resolution on navigation"},
	{"safebrowsing.enabled", false, "no Safe Browsing lookups"},
	{"translate.enabled", false, "no translate service"},
	{"search.suggest_enabled", false, "no search suggestions"},
	{"alternate_error_pages.enabled", false, "no lookups for error pages"},
	{"signin.allowed", false, "no sign-in or account services"},
}

// localStatePrefs go into the browser's Local State file before launch.
var localStatePrefs = []pref{
	// Host names are resolved as the system resolves them, or not at all
	// (page origins, see sinkRules).
	{"dns_over_https.mode", "off", "no DNS-over-HTTPS upgrade"},
}

// nested turns dotted preference paths into the nested JSON objects
// Chromium's preference files hold.
func nested(prefs []pref) map[string]any {
	root := map[string]any{}
	for _, p := range prefs {
		m := root
		keys := strings.Split(p.Path, ".")
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = p.Value
	}
	return root
}

// updateSink is where the component updater is sent (see baseSwitches);
// it is always a sink.
const updateSink = "updates.corsproof.invalid"

// serviceSinks are hosts of browser services that no switch or preference
// turned off, so the resolver stops them. Measured on Chromium 156 with a
// network interface up (a loopback-only namespace hides this: the browser
// then thinks itself offline and never asks): the account service POSTs
// https://accounts.google.com/ListAccounts at every start, with
// signin.allowed false and --allow-browser-signin=false alike, and the
// name went to the system's DNS server. A case cannot test these hosts.
var serviceSinks = []string{"accounts.google.com"}

// fixedSinks are the hosts that are sinks in every launch: the null
// page's host, the component updater's and the services'.
func fixedSinks() []string {
	return append([]string{pages.NullHost, updateSink}, serviceSinks...)
}

// AllSinks are the hosts (or host:port) a browser launched with these
// Options.Sinks never connects to: those and the fixed ones. A proxy a
// browser context is sent through (TabOptions.Proxy) must refuse them
// too, since the browser's resolver rules no longer see the hosts.
func AllSinks(sinks []string) []string {
	return append(fixedSinks(), sinks...)
}

// QuietSettings describes, for a run's settings and the --debug-cdp
// folder, every switch, feature and preference that keeps the browser off
// the network, with the reason for each.
func QuietSettings(opts Options) []string {
	var out []string
	for _, s := range baseSwitches {
		out = append(out, s.Arg()+"  # "+s.Why)
	}
	if opts.noSandbox != "" {
		out = append(out, "--no-sandbox  # "+opts.noSandbox)
	} else {
		out = append(out, "# Chromium's sandbox is on: corsproof does not run as root")
	}
	for _, f := range disabledFeatures {
		out = append(out, "--disable-features="+f.Name+"  # "+f.Why)
	}
	if opts.LNA == LNAOff {
		out = append(out, "--disable-features=LocalNetworkAccessChecks  # --lna off")
	}
	out = append(out, "--host-resolver-rules="+resolverRules(opts)+"  # page origins are answered over CDP, never resolved or connected to")
	// The flag as launched: a bypass list of the user's joins corsproof's.
	if i := slices.IndexFunc(launchFlags(opts), func(f Flag) bool { return f.Name == proxyBypassSwitch }); i >= 0 {
		out = append(out, "--"+proxyBypassSwitch+"="+launchFlags(opts)[i].Value.(string)+"  # --browser-arg names a proxy: it gets the targets; page, service and mirrored hosts bypass it and fail locally")
	} else {
		out = append(out, "--no-proxy-server  # connect directly: a proxy from the environment (http_proxy…) would receive what the resolver rules stop; name one with --browser-arg proxy-server=URL")
	}
	var why []string
	switch {
	case len(opts.pins) > 0:
		why = append(why, "--ca: the keys of the served chains that verified against "+opts.CAFile+" (host name and dates included)")
	case opts.CAFile != "":
		out = append(out, "# --ca "+opts.CAFile+": no served chain verified, so no key was passed and the browser trusts only its own roots")
	}
	if len(opts.MirrorPins) > 0 {
		why = append(why, "--try-fix: the key of this process's loopback mirrors of https targets, made in memory at start (no other server has it)")
	}
	if pins := allPins(opts); len(pins) > 0 {
		out = append(out, "--"+spkiSwitch+"="+strings.Join(pins, ",")+"  # "+strings.Join(why, "; "))
	}
	for _, p := range profilePrefs {
		out = append(out, fmt.Sprintf("pref %s=%v  # %s", p.Path, p.Value, p.Why))
	}
	for _, p := range localStatePrefs {
		out = append(out, fmt.Sprintf("local state %s=%v  # %s", p.Path, p.Value, p.Why))
	}
	return append(out, profileEnvSetting(false))
}

func launchFlags(opts Options) []Flag {
	features := make([]string, 0, len(disabledFeatures)+1)
	for _, f := range disabledFeatures {
		features = append(features, f.Name)
	}
	if opts.LNA == LNAOff {
		features = append(features, "LocalNetworkAccessChecks")
	}
	flags := make([]Flag, 0, len(baseSwitches)+4)
	for _, s := range baseSwitches {
		var v any = true
		if s.Value != "" {
			v = s.Value
		}
		flags = append(flags, Flag{s.Name, v})
	}
	if opts.noSandbox != "" {
		flags = append(flags, Flag{"no-sandbox", true})
	}
	flags = append(flags, Flag{"disable-features", strings.Join(features, ",")})
	flags = append(flags, Flag{"host-resolver-rules", resolverRules(opts)})
	flags = append(flags, proxyFlag(opts))
	if pins := allPins(opts); len(pins) > 0 {
		flags = append(flags, Flag{spkiSwitch, strings.Join(pins, ",")})
	}
	names := make([]string, 0, len(opts.ExtraFlags))
	for k := range opts.ExtraFlags {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := opts.ExtraFlags[k]
		if k == "no-sandbox" && opts.noSandbox != "" {
			continue // already there, from sandboxDecision
		}
		// Chromium keeps only the last --disable-features (and the last
		// --host-resolver-rules and spki list); a user's list joins ours
		// so that the switches corsproof relies on stay.
		if i := slices.IndexFunc(flags, func(f Flag) bool { return f.Name == k }); i >= 0 && (k == "disable-features" || k == "host-resolver-rules" || k == spkiSwitch || k == proxyBypassSwitch) {
			if extra, ok := v.(string); ok && extra != "" {
				flags[i].Value = flags[i].Value.(string) + "," + extra
			}
			continue
		}
		flags = append(flags, Flag{k, v})
	}
	return flags
}

// proxyBypassSwitch lists the hosts Chromium reaches without the proxy
// the user named.
const proxyBypassSwitch = "proxy-bypass-list"

// userProxy reports whether the user named a proxy for the browser
// (--browser-arg proxy-server=…). A PAC script or auto-detection is
// refused (Options.Validate): Chromium applies no bypass list to them.
func userProxy(opts Options) bool {
	_, server := opts.ExtraFlags["proxy-server"]
	return server
}

// proxyFlag keeps the browser off any proxy the user did not name. The
// resolver rules that stop page hosts, browser services and mirrored
// targets act only on connections the browser makes itself: with the
// proxy of the environment (http_proxy, https_proxy, all_proxy, which
// Chromium honours on Linux), those hosts go to the proxy instead
// (measured, 156: the component updater's POST to updates.corsproof.invalid
// reached http_proxy) and --try-fix would prove the fix against the real
// server. So the browser connects directly, as Firefox does here
// (network.proxy.type 0); a user who names a proxy gets it for the
// targets, and every host the rules stop bypasses it and fails locally.
func proxyFlag(opts Options) Flag {
	if !userProxy(opts) {
		return Flag{"no-proxy-server", true}
	}
	bypass := append(fixedSinks(), opts.Sinks...)
	bypass = append(bypass, slices.Sorted(maps.Keys(opts.HostMap))...)
	return Flag{proxyBypassSwitch, strings.Join(bypass, ",")}
}

// resolverRules is the browser's host-resolver rule list: the HostMap's
// mappings first (Chromium uses the first rule that matches), then the
// sinks.
func resolverRules(opts Options) string {
	var rules []string
	for _, from := range slices.Sorted(maps.Keys(opts.HostMap)) {
		rules = append(rules, "MAP "+from+" "+opts.HostMap[from])
	}
	return strings.Join(append(rules, sinkRules(opts.Sinks)), ", ")
}

// spkiSwitch lists the public keys whose chains the browser accepts
// whatever their certificate errors; --ca fills it (see ca.go), and
// --try-fix adds its mirrors' keys (Options.MirrorPins).
const spkiSwitch = "ignore-certificate-errors-spki-list"

// allPins are the --ca pins, then the mirror pins, each once.
func allPins(opts Options) []string {
	pins := slices.Clone(opts.pins)
	for _, p := range opts.MirrorPins {
		if !slices.Contains(pins, p) {
			pins = append(pins, p)
		}
	}
	return pins
}

// sinkRules is the host-resolver rule list that makes every sink fail to
// resolve inside the browser, so that a stray request to a page origin
// fails locally (ERR_NAME_NOT_RESOLVED) and never reaches DNS or the
// address an IP-literal origin names. Chromium matches a rule's pattern
// against the host and against host:port, which lets a page origin share
// its host with a target on another port.
func sinkRules(sinks []string) string {
	var rules []string
	for _, s := range append(fixedSinks(), sinks...) {
		rules = append(rules, "MAP "+s+" ~NOTFOUND")
	}
	return strings.Join(rules, ", ")
}

// Sinks returns what must never reach the network for a set of page
// origins and the URLs their cases request: each page origin's host, or
// its host:port when a target shares the host on another port or the host
// is loopback. A page origin that is also a target origin is left alone —
// the user named it.
// Origins that are not http(s) (such as "null") contribute nothing: the
// host the null page is loaded from is always a sink (sinkRules).
func Sinks(origins, targets []string) []string {
	type hp struct{ host, port string }
	split := func(raw string) (hp, bool) {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return hp{}, false
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		return hp{strings.ToLower(u.Hostname()), port}, true
	}
	targetHosts := map[string]bool{}
	targetPorts := map[hp]bool{}
	for _, t := range targets {
		if h, ok := split(t); ok {
			targetHosts[h.host] = true
			targetPorts[h] = true
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range origins {
		h, ok := split(o)
		if !ok || targetPorts[h] {
			continue
		}
		sinks := []string{h.host}
		switch {
		case targetHosts[h.host] || isLoopbackHost(h.host):
			// A loopback host needs no DNS: keeping its other ports
			// from the browser would only fail a redirect a user's
			// browser follows (a target on 127.0.0.1 sending the page
			// at localhost:5173 to localhost:8080).
			sinks = []string{net.JoinHostPort(h.host, h.port)}
		case strings.Contains(h.host, ":"):
			// An IPv6 literal: Chromium may match the host with or
			// without its brackets.
			sinks = append(sinks, "["+h.host+"]")
		}
		for _, sink := range sinks {
			if !seen[sink] {
				seen[sink] = true
				out = append(out, sink)
			}
		}
	}
	return out
}

// isLoopbackHost reports whether host is loopback without a lookup:
// localhost, 127.0.0.0/8 and ::1. (Subdomains of localhost are left
// host-wide: Firefox resolves a sink's name to loopback only when the
// sink names no port, see firefoxLocalDomains.)
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// writeProfile writes the profile's Preferences (third-party cookies and
// profilePrefs) and the browser's Local State before launch. CDP has no
// working switch for third-party cookies (Network.setCookieControls had no
// effect in Chromium 156), so the profile carries it.
func writeProfile(profile string, mode CookieMode) error {
	controls := 0 // allow third-party cookies
	if mode == CookiesBlock {
		controls = 1
	}
	prefs := nested(append(slices.Clone(profilePrefs), pref{Path: "profile.cookie_controls_mode", Value: controls}))
	if err := writeJSON(filepath.Join(profile, "Default", "Preferences"), prefs); err != nil {
		return fmt.Errorf("writing browser preferences: %w", err)
	}
	if err := writeJSON(filepath.Join(profile, "Local State"), nested(localStatePrefs)); err != nil {
		return fmt.Errorf("writing browser local state: %w", err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// CaseSinks is Sinks for the page origins and request URLs of cases.
func CaseSinks(cases []scenarios.Case) []string {
	origins := make([]string, 0, len(cases))
	targets := make([]string, 0, len(cases))
	for _, c := range cases {
		origins = append(origins, c.Origins()...)
		targets = append(targets, c.Request.URL)
		for _, st := range c.Steps {
			targets = append(targets, st.Request.URL)
		}
	}
	return Sinks(origins, targets)
}
