package harness

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/pages"
)

// This file is, for Firefox, what quiet.go is for Chromium: what the
// browser may do on the network by itself. Firefox gets a fresh profile
// whose user.js holds firefoxPrefs: the preferences of an automation
// profile (as Firefox's own remote agent recommends them) plus every
// service that would otherwise reach the internet from a fresh profile,
// each with the reason. Checked with strace in a loopback-only network
// namespace (see TestFirefoxNothingLeavesTheMachine).

// firefoxEnv is added to Firefox's environment.
var firefoxEnv = []string{
	"MOZ_CRASHREPORTER_DISABLE=1", // no crash reporter, no crash pings
	"MOZ_DISABLE_AUTO_SAFE_MODE=1",
	"MOZ_HEADLESS=1",
	// Release builds honour services.settings.server (no Remote Settings,
	// see firefoxBasePrefs) only with this set.
	"MOZ_REMOTE_SETTINGS_DEVTOOLS=1",
}

// firefoxArgs is Firefox's command line for a profile folder.
func firefoxArgs(profile string) []string {
	return []string{"--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0", "about:blank"}
}

// firefoxPref is one preference and why corsproof sets it.
type firefoxPref struct {
	Name  string
	Value any
	Why   string
}

// firefoxBasePrefs apply to every Firefox corsproof launches.
var firefoxBasePrefs = []firefoxPref{
	{"remote.active-protocols", 1, "WebDriver BiDi only"},
	{"remote.prefs.recommended", true, "the remote agent's own automation preferences on top of these"},
	{"browser.shell.checkDefaultBrowser", false, "no default-browser check"},
	{"browser.startup.page", 0, "start on about:blank"},
	{"browser.startup.homepage", "about:blank", "start on about:blank"},
	{"startup.homepage_welcome_url", "", "no welcome page"},
	{"startup.homepage_welcome_url.additional", "", "no welcome page"},
	{"browser.startup.homepage_override.mstone", "ignore", "no what's-new page"},
	{"browser.aboutwelcome.enabled", false, "no first-run page"},
	{"browser.newtabpage.enabled", false, "no new-tab page and its feeds"},
	{"browser.newtabpage.activity-stream.feeds.system.topstories", false, "no Pocket stories"},
	{"browser.newtabpage.activity-stream.feeds.topsites", false, "no top sites"},
	{"browser.topsites.contile.enabled", false, "no sponsored tiles"},
	{"browser.sessionstore.resume_from_crash", false, "no session restore"},
	{"toolkit.startup.max_resumed_crashes", -1, "no safe-mode prompt"},
	{"browser.tabs.warnOnClose", false, "no close dialog"},
	{"intl.locale.requested", "en-US", "en-US console texts: the CORS reason is read from them"},
	{"intl.accept_languages", "en-US, en", "the Accept-Language a default en-US profile sends"},
	{"javascript.options.showInConsole", true, "script errors reach the log"},

	{"app.update.disabledForTesting", true, "no update checks"},
	{"app.update.auto", false, "no update checks"},
	{"app.update.checkInstallTime", false, "no update checks"},
	{"app.normandy.enabled", false, "no Normandy studies"},
	{"app.normandy.api_url", "", "no Normandy studies"},
	{"app.shield.optoutstudies.enabled", false, "no studies"},
	{"toolkit.telemetry.enabled", false, "no telemetry"},
	{"toolkit.telemetry.unified", false, "no telemetry"},
	{"toolkit.telemetry.server", "", "no telemetry"},
	{"toolkit.telemetry.archive.enabled", false, "no telemetry"},
	{"datareporting.healthreport.uploadEnabled", false, "no health report"},
	{"datareporting.policy.dataSubmissionEnabled", false, "no data submission"},
	{"datareporting.policy.firstRunURL", "", "no privacy-notice page"},
	{"browser.ping-centre.telemetry", false, "no pings"},
	{"browser.discovery.enabled", false, "no add-on recommendations"},
	{"extensions.update.enabled", false, "no add-on updates"},
	{"extensions.getAddons.cache.enabled", false, "no add-on metadata"},
	{"extensions.systemAddon.update.enabled", false, "no system add-on updates"},
	{"extensions.blocklist.enabled", false, "no blocklist downloads"},
	{"services.settings.server", "data:,#remote-settings-off", "no Remote Settings (blocklists, CRLite, intermediates, TLS config)"},
	{"security.remote_settings.crlite_filters.enabled", false, "no CRLite downloads"},
	{"security.remote_settings.intermediates.enabled", false, "no intermediate certificate downloads"},
	{"security.OCSP.enabled", 0, "no OCSP requests for https targets: only the target is contacted"},
	{"security.certerrors.mitm.priming.enabled", false, "no MITM-detection probe"},
	{"browser.safebrowsing.malware.enabled", false, "no Safe Browsing"},
	{"browser.safebrowsing.phishing.enabled", false, "no Safe Browsing"},
	{"browser.safebrowsing.downloads.enabled", false, "no Safe Browsing"},
	{"browser.safebrowsing.downloads.remote.enabled", false, "no Safe Browsing"},
	{"browser.safebrowsing.blockedURIs.enabled", false, "no Safe Browsing"},
	{"browser.safebrowsing.provider.mozilla.updateURL", "", "no Safe Browsing list updates"},
	{"browser.safebrowsing.provider.google4.updateURL", "", "no Safe Browsing list updates"},
	{"browser.safebrowsing.provider.google.updateURL", "", "no Safe Browsing list updates"},
	{"privacy.trackingprotection.enabled", false, "no tracking-protection lists (they are downloaded)"},
	{"privacy.trackingprotection.pbmode.enabled", false, "no tracking-protection lists"},
	{"browser.contentblocking.category", "custom", "content blocking as set here"},
	{"network.captive-portal-service.enabled", false, "no captive-portal probe (detectportal.firefox.com)"},
	{"network.connectivity-service.enabled", false, "no connectivity probe"},
	{"network.trr.mode", 5, "no DNS over HTTPS"},
	{"network.dns.disablePrefetch", true, "no DNS prefetch"},
	{"network.dns.disableIPv6", false, "IPv6 targets as the system has them"},
	{"network.predictor.enabled", false, "no predictive connects"},
	{"network.predictor.enable-prefetch", false, "no predictive prefetch"},
	{"network.prefetch-next", false, "no link prefetch"},
	{"network.http.speculative-parallel-limit", 0, "no speculative connections"},
	{"network.http.http3.enable", false, "no HTTP/3 probing to Alt-Svc hosts; as Chromium's --disable-quic"},
	{"network.proxy.type", 0, "no proxy, no proxy auto-detection (WPAD)"},
	{"dom.push.enabled", false, "no push service"},
	{"dom.push.connection.enabled", false, "no push connection"},
	{"dom.push.serverURL", "", "no push service"},
	{"geo.provider.network.url", "", "no geolocation lookups"},
	{"browser.region.network.url", "", "no region lookup"},
	{"browser.region.update.enabled", false, "no region lookup"},
	{"media.gmp-manager.url", "", "no media plug-in downloads"},
	{"media.gmp-gmpopenh264.enabled", false, "no OpenH264 download"},
	{"media.gmp-widevinecdm.enabled", false, "no Widevine download"},
	{"media.gmp-widevinecdm.visible", false, "no Widevine download"},
	{"media.gmp-provider.enabled", false, "no media plug-in manager at all: it checked update.googleapis.com (measured: ESR 153, under load)"},
	{"media.gmp-manager.chromium-update-url", "", "no Widevine update check at update.googleapis.com"},
	{"media.eme.enabled", false, "no DRM plug-ins to fetch"},
	{"identity.fxaccounts.enabled", false, "no Firefox accounts"},
	{"services.sync.engine.addons", false, "no sync"},
	{"browser.search.update", false, "no search-engine updates"},
	{"browser.search.geoip.url", "", "no search region lookup"},
	{"browser.urlbar.suggest.quicksuggest.sponsored", false, "no suggestions"},
	{"browser.urlbar.quicksuggest.enabled", false, "no suggestions"},
	{"messaging-system.rsexperimentloader.enabled", false, "no experiments"},
	{"nimbus.rollouts.enabled", false, "no experiments"},
	{"browser.newtab.preload", false, "no preloaded new tab"},
	{"dom.security.https_first", false, "an http page or target stays http, as the case says"},
	{"dom.security.https_first_pbm", false, "an http page or target stays http"},
	{"dom.security.https_first_schemeless", false, "an http page or target stays http"},
	{"dom.security.https_only_mode", false, "an http page or target stays http"},
	{"network.lna.enabled", false, "no Local Network Access checks, as Chromium's --lna off: the served page has no address space of its own"},
	{"network.lna.blocking", false, "no Local Network Access checks"},
}

// firefoxPrefs are the preferences of a launch with opts.
func firefoxPrefs(opts Options) []firefoxPref {
	prefs := slices.Clone(firefoxBasePrefs)
	cookies := 0 // accept all cookies, third-party ones included
	why := "third-party cookies allowed (--third-party-cookies allow)"
	if opts.ThirdPartyCookies == CookiesBlock {
		cookies, why = 1, "third-party cookies blocked (--third-party-cookies block)"
	}
	prefs = append(prefs, firefoxPref{"network.cookie.cookieBehavior", cookies, why})
	if opts.ContextProxies {
		// Measured on ESR 153.8: without it a user context's proxy
		// (browser.createUserContext proxy) is bypassed for a target on
		// 127.0.0.1, which then reaches the real server directly. With
		// it, the demo's records are those of a launch without it. Not on
		// ESR 140 (firefoxProxiesContexts): there it also makes an
		// http://localhost page no secure context (measured, the demo).
		prefs = append(prefs, firefoxPref{"network.proxy.allow_hijacking_localhost", true,
			"--try-fix: the user context that proves a fix sends loopback targets to its proxy (the mirrors) too; no other context has a proxy (network.proxy.type 0)"})
	}
	if len(opts.HostMap) > 0 {
		// Validate made sure each target is a name or 127.0.0.1 with a
		// port of its own, and each address is on 127.0.0.1.
		var moves []string
		for _, from := range slices.Sorted(maps.Keys(opts.HostMap)) {
			_, fromPort, _ := net.SplitHostPort(from)
			_, toPort, _ := net.SplitHostPort(opts.HostMap[from])
			moves = append(moves, fromPort+"="+toPort)
		}
		prefs = append(prefs, firefoxPref{"network.socket.forcePort", strings.Join(moves, ";"),
			"the mapped targets' ports moved to their loopback addresses (--try-fix mirrors); their names resolve to loopback (network.dns.localDomains); URL, Host header and TLS name stay the target's"})
	}
	if hosts := firefoxLocalDomains(append(slices.Clone(opts.Sinks), mappedHosts(opts.HostMap)...)); hosts != "" {
		prefs = append(prefs, firefoxPref{"network.dns.localDomains", hosts,
			"localhost, and page origins (answered over BiDi): a lookup of one resolves to loopback, never to DNS"})
	}
	return prefs
}

// firefoxLocalDomains lists the sink host names Firefox resolves to
// loopback itself. IP literals need no resolving, and a host:port sink is
// a host a case's target shares: Firefox maps names, not ports, so that
// host must keep resolving as it really does.
func firefoxLocalDomains(sinks []string) string {
	// localhost too: Firefox looks it up through the system resolver, and
	// with no "::1 localhost" line in /etc/hosts the IPv6 query went to the
	// DNS server (measured: ESR 153, a demo run with a localhost page
	// origin, under load). It is loopback by definition (RFC 6761), as
	// Chromium resolves it itself.
	hosts := []string{"localhost", pages.NullHost, updateSink}
	for _, h := range sinks {
		if strings.ContainsAny(h, ":[]") || isIPv4(h) || slices.Contains(hosts, h) {
			continue
		}
		hosts = append(hosts, h)
	}
	return strings.Join(hosts, ",")
}

// mappedHosts are the host names of HostMap's targets, which must resolve
// to loopback, where their ports are moved to.
func mappedHosts(hostMap map[string]string) []string {
	var hosts []string
	for _, from := range slices.Sorted(maps.Keys(hostMap)) {
		if host, _, err := net.SplitHostPort(from); err == nil && net.ParseIP(host) == nil {
			hosts = append(hosts, strings.ToLower(host))
		}
	}
	return hosts
}

func isIPv4(h string) bool {
	return strings.Trim(h, "0123456789.") == "" && strings.Count(h, ".") == 3
}

// writeFirefoxProfile writes user.js into a fresh profile folder.
func writeFirefoxProfile(profile string, opts Options) error {
	var b strings.Builder
	for _, p := range firefoxPrefs(opts) {
		v, err := json.Marshal(p.Value)
		if err != nil {
			return fmt.Errorf("writing firefox preference %s: %w", p.Name, err)
		}
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", p.Name, v)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("writing firefox preferences: %w", err)
	}
	if lines := firefoxCertOverrides(allOverrides(opts)); lines != "" {
		if err := os.WriteFile(filepath.Join(profile, "cert_override.txt"), []byte(lines), 0o600); err != nil {
			return fmt.Errorf("writing firefox certificate overrides: %w", err)
		}
	}
	return nil
}

// allOverrides are the --ca overrides, then those of the mirrors'
// certificates (MirrorCerts), by target. Firefox looks an override up by
// the port it connects to, after network.socket.forcePort moved it
// (measured: ESR 153, TestTryFixOnFirefox; an override for the URL's port
// alone left MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT): a mirror's certificate
// is accepted for the target's host at the mirror's port, where only the
// mirror listens.
//
// A target HostMap does not move is reached through the mirrors' proxy
// (a user context's TabOptions.Proxy, tunnelled to the mirror), at its own
// host:port: the mirror's certificate is accepted there, made before
// launch with a key only this process holds (mirror.Certificate), so no
// other server can present it; the real server's own certificate is
// checked as ever. Firefox keeps one exception per host:port (for every
// user context): where --ca already accepts the real leaf, that one is
// kept and the mirror's is not written.
func allOverrides(opts Options) []certOverride {
	out := slices.Clone(opts.overrides)
	for _, target := range slices.Sorted(maps.Keys(opts.MirrorCerts)) {
		if at := mirrorOverrideAt(opts, target); at != "" {
			c := opts.MirrorCerts[target]
			out = append(out, certOverride{hostPort: at, fingerprint: fingerprint(c), dbKey: dbKey(c)})
		}
	}
	return out
}

// mirrorOverrideAt is the host:port at which target's mirror certificate
// is accepted, or empty when it is not.
func mirrorOverrideAt(opts Options, target string) string {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return ""
	}
	if to, ok := opts.HostMap[target]; ok {
		_, toPort, err := net.SplitHostPort(to)
		if err != nil {
			return ""
		}
		return net.JoinHostPort(host, toPort)
	}
	if !opts.ContextProxies {
		return "" // no proxy of a user context brings the mirror here
	}
	at := net.JoinHostPort(host, port)
	for _, o := range opts.overrides {
		if strings.EqualFold(o.hostPort, at) {
			return ""
		}
	}
	return at
}

// firefoxProxiesContexts says whether the Firefox at path (its resolved
// binary) is one measured to send a user context through the proxy
// browser.createUserContext gives it: ESR 153.8 does; ESR 140.12 takes the
// parameter and ignores it (its remote agent reads acceptInsecureCerts
// only), and there network.proxy.allow_hijacking_localhost also turns an
// http://localhost page into no secure context. Versions between were not
// measured. The version is application.ini's, beside the binary (no
// launch).
func firefoxProxiesContexts(path string) bool {
	ini, err := os.ReadFile(filepath.Join(filepath.Dir(realBinary(path)), "application.ini"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(ini), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Version="); ok {
			major, _, _ := strings.Cut(v, ".")
			n, err := strconv.Atoi(major)
			return err == nil && n >= firstContextProxyFirefox
		}
	}
	return false
}

// firstContextProxyFirefox is the first Firefox major version
// firefoxProxiesContexts trusts: the oldest measured to honour a user
// context's proxy.
const firstContextProxyFirefox = 153

// FirefoxAcceptsMirror reports whether a Firefox launched with these
// options accepts c, a mirror's certificate, from target (host:port)
// itself: the certificate it serves when a user context's proxy hands the
// target's connections to its mirror (TabOptions.Proxy). False for a
// target whose port HostMap moves, for one whose real leaf --ca accepts
// at the same host:port, and for a certificate other than the one
// written at launch.
func (o Options) FirefoxAcceptsMirror(target string, c *x509.Certificate) bool {
	have := o.MirrorCerts[target]
	if have == nil || c == nil || !have.Equal(c) {
		return false
	}
	if _, moved := o.HostMap[target]; moved {
		return false
	}
	return mirrorOverrideAt(o, target) != ""
}

// firefoxCertOverrides is the profile's cert_override.txt for --ca: for
// each https target whose served chain verified against the --ca file
// (checkCA, host name and dates included), Firefox accepts exactly the
// leaf that target served, at that host and port, in this fresh profile
// only. It is the file Firefox itself writes when a user adds a
// certificate exception: host:port:origin-attributes (none: every user
// context), the SHA-256 OID, the leaf's fingerprint, the error overridden
// (U, an unknown issuer: the only error a chain that verified can have in
// a browser without the CA) and the leaf's database key. No certutil, no
// NSS database, no enterprise policy.
func firefoxCertOverrides(overrides []certOverride) string {
	if len(overrides) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("# PSM Certificate Override Settings file\n# This is a generated file!  Do not edit.\n")
	for _, o := range overrides {
		fmt.Fprintf(&b, "%s:\tOID.2.16.840.1.101.3.4.2.1\t%s\tU\t%s\n", o.hostPort, o.fingerprint, o.dbKey)
	}
	return b.String()
}

// FirefoxSettings describes every preference a Firefox launch sets, with
// the reason for each, as QuietSettings does for Chromium.
func FirefoxSettings(opts Options) []string {
	out := []string{strings.Join(firefoxArgs("PROFILE"), " ") + "  # fresh profile, BiDi on a free loopback port"}
	for _, e := range firefoxEnv {
		out = append(out, "env "+e)
	}
	out = append(out, profileEnvSetting(true))
	for _, p := range firefoxPrefs(opts) {
		out = append(out, fmt.Sprintf("pref %s=%v  # %s", p.Name, p.Value, p.Why))
	}
	for _, o := range opts.overrides {
		out = append(out, fmt.Sprintf("cert_override %s %s  # --ca: the leaf it served, whose chain verified against %s (host name and dates included); accepted for this host and port only", o.hostPort, o.fingerprint, opts.CAFile))
	}
	for _, o := range allOverrides(opts)[len(opts.overrides):] {
		why := "the certificate of the loopback mirror this target's port is moved to, made at start (this browser only)"
		if _, moved := opts.HostMap[o.hostPort]; !moved && opts.MirrorCerts[o.hostPort] != nil {
			why = "the certificate of this target's loopback mirror, made before launch with a key only this corsproof process holds; met only through the proxy of a user context that proves a fix"
		}
		out = append(out, fmt.Sprintf("cert_override %s %s  # --try-fix: %s", o.hostPort, o.fingerprint, why))
	}
	if opts.CAFile != "" && len(opts.overrides) == 0 {
		out = append(out, "# --ca "+opts.CAFile+": no served chain verified, so no certificate was accepted and the browser trusts only its own roots")
	}
	return out
}
