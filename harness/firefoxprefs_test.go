package harness

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/internal/testca"
)

func TestFirefoxLocalDomains(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc  string
		sinks []string
		want  string
	}{
		{"always localhost, the null page's host and the update sink", nil, "localhost,null.corsproof.invalid,updates.corsproof.invalid"},
		{"page origin names", []string{"app.example.test", "prod.internal"}, "localhost,null.corsproof.invalid,updates.corsproof.invalid,app.example.test,prod.internal"},
		{"IP literals need no resolving", []string{"10.1.2.3", "2001:db8::1", "[2001:db8::1]"}, "localhost,null.corsproof.invalid,updates.corsproof.invalid"},
		{"a host a target shares on another port keeps resolving", []string{"api.example.test:443"}, "localhost,null.corsproof.invalid,updates.corsproof.invalid"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, firefoxLocalDomains(tc.sinks))
		})
	}
}

func TestFirefoxProfileHasEveryPref(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, writeFirefoxProfile(dir, Options{ThirdPartyCookies: CookiesBlock, Sinks: []string{"app.example.test"}}))
	data, err := os.ReadFile(filepath.Join(dir, "user.js"))
	require.NoError(t, err)
	js := string(data)
	for _, want := range []string{
		`user_pref("network.cookie.cookieBehavior", 1);`,
		`user_pref("intl.locale.requested", "en-US");`,
		`user_pref("network.captive-portal-service.enabled", false);`,
		`user_pref("network.trr.mode", 5);`,
		`user_pref("network.dns.localDomains", "` + firefoxLocalDomains([]string{"app.example.test"}) + `");`,
	} {
		assert.Contains(t, js, want)
	}
	settings := FirefoxSettings(Options{})
	assert.Contains(t, strings.Join(settings, "\n"), "env MOZ_REMOTE_SETTINGS_DEVTOOLS=1", "the run records why Remote Settings stays off")
	for _, p := range firefoxBasePrefs {
		assert.NotEmpty(t, p.Why, "%s says why it is set", p.Name)
	}
}

func TestFindFirefoxErrors(t *testing.T) {
	t.Setenv("CORSPROOF_FIREFOX", "/nonexistent/firefox")
	_, err := FindEngineBrowser(EngineFirefox, "")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrNoBrowser, "callers that look for ErrNoBrowser see it")
	assert.ErrorIs(t, err, ErrNoFirefox)
	assert.Contains(t, err.Error(), "no firefox browser found")
	var le *LaunchError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, le.Hint(), "Firefox")

	// Nothing named and nothing on PATH: how to get one.
	t.Setenv("CORSPROOF_FIREFOX", "")
	t.Setenv("CORSPROOF_BROWSER", "")
	t.Setenv("PATH", t.TempDir())
	for engine, want := range map[string]string{EngineFirefox: "apt-get install firefox-esr", EngineChromium: "apt-get install chromium"} {
		_, err = FindEngineBrowser(engine, "")
		var nf *NotFoundError
		require.ErrorAs(t, err, &nf, engine)
		assert.ErrorIs(t, err, ErrNoBrowser)
		assert.Contains(t, nf.Hint(), want)
		assert.Contains(t, err.Error(), "on PATH (looked for ")
	}
}

// TestFirefoxCertOverrides: the --ca leaves that verified go into the
// profile's cert_override.txt in the format Firefox writes itself, one
// line per target, and the launch settings list them; without one there
// is no file.
func TestFirefoxCertOverrides(t *testing.T) {
	t.Parallel()
	opts := Options{CAFile: "ca.pem", overrides: []certOverride{
		{hostPort: "127.0.0.1:8443", fingerprint: "AB:CD", dbKey: "KEY="},
		{hostPort: "[::1]:443", fingerprint: "EF:01", dbKey: "KEY2="},
	}}
	dir := t.TempDir()
	require.NoError(t, writeFirefoxProfile(dir, opts))
	data, err := os.ReadFile(filepath.Join(dir, "cert_override.txt"))
	require.NoError(t, err)
	assert.Equal(t, "# PSM Certificate Override Settings file\n# This is a generated file!  Do not edit.\n"+
		"127.0.0.1:8443:\tOID.2.16.840.1.101.3.4.2.1\tAB:CD\tU\tKEY=\n"+
		"[::1]:443:\tOID.2.16.840.1.101.3.4.2.1\tEF:01\tU\tKEY2=\n", string(data))
	settings := strings.Join(FirefoxSettings(opts), "\n")
	assert.Contains(t, settings, "cert_override 127.0.0.1:8443 AB:CD  # --ca")

	dir = t.TempDir()
	require.NoError(t, writeFirefoxProfile(dir, Options{CAFile: "ca.pem"}))
	assert.NoFileExists(t, filepath.Join(dir, "cert_override.txt"))
	assert.Contains(t, strings.Join(FirefoxSettings(Options{CAFile: "ca.pem"}), "\n"), "no served chain verified")
}

// TestFirefoxHostMap: a mapped target's port is moved to its mirror's
// (network.socket.forcePort), its name resolves to loopback, and its
// mirror's certificate is accepted at the mirror's port; what Firefox
// cannot map is refused before launch.
func TestFirefoxHostMap(t *testing.T) {
	t.Parallel()
	cert := testca.New(t, "mirror").Issue(t, testca.Leaf{Hosts: []string{"api.example.test"}}).Leaf
	opts := Options{Engine: EngineFirefox, HostMap: map[string]string{"api.example.test:443": "127.0.0.1:40001", "127.0.0.1:8080": "127.0.0.1:40002"},
		MirrorCerts: map[string]*x509.Certificate{"api.example.test:443": cert}}
	require.NoError(t, opts.Validate())
	dir := t.TempDir()
	require.NoError(t, writeFirefoxProfile(dir, opts))
	js, err := os.ReadFile(filepath.Join(dir, "user.js"))
	require.NoError(t, err)
	assert.Contains(t, string(js), `user_pref("network.socket.forcePort", "8080=40002;443=40001");`)
	assert.Contains(t, string(js), `user_pref("network.dns.localDomains", "`+firefoxLocalDomains([]string{"api.example.test"})+`");`)
	overrides, err := os.ReadFile(filepath.Join(dir, "cert_override.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(overrides), "api.example.test:40001:\tOID.2.16.840.1.101.3.4.2.1\t"+fingerprint(cert)+"\tU\t"+dbKey(cert)+"\n")
	assert.Equal(t, 1, strings.Count(string(overrides), "\tOID."), "only the https target's mirror")
	assert.Contains(t, strings.Join(FirefoxSettings(opts), "\n"), "cert_override api.example.test:40001 "+fingerprint(cert)+"  # --try-fix")

	for _, bad := range []map[string]string{
		{"10.0.0.5:443": "127.0.0.1:40001"},
		{"api.example.test:443": "127.0.0.1:40001", "other.example.test:443": "127.0.0.1:40002"},
		{"api.example.test:443": "192.0.2.1:443"},
	} {
		var oe *OptionError
		require.ErrorAs(t, Options{Engine: EngineFirefox, HostMap: bad}.Validate(), &oe, "%v", bad)
		assert.Contains(t, oe.Hint(), "--engine chromium")
	}
}

// TestFirefoxContextProxyOverrides: with ContextProxies (--try-fix in the
// run's own Firefox) loopback targets may go through a user context's
// proxy, and each https target's mirror certificate is accepted at the
// target's own host:port — except where --ca already accepts the real
// leaf there, since Firefox keeps one exception per host:port.
func TestFirefoxContextProxyOverrides(t *testing.T) {
	t.Parallel()
	ca := testca.New(t, "mirror")
	mirrorA := ca.Issue(t, testca.Leaf{Hosts: []string{"api.example.test"}}).Leaf
	mirrorB := ca.Issue(t, testca.Leaf{Hosts: []string{"127.0.0.1"}}).Leaf
	opts := Options{Engine: EngineFirefox, ContextProxies: true,
		MirrorCerts: map[string]*x509.Certificate{"api.example.test:443": mirrorA, "127.0.0.1:8443": mirrorB},
		overrides:   []certOverride{{hostPort: "127.0.0.1:8443", fingerprint: "AB:CD", dbKey: "KEY"}}}
	require.NoError(t, opts.Validate())
	dir := t.TempDir()
	require.NoError(t, writeFirefoxProfile(dir, opts))
	js, err := os.ReadFile(filepath.Join(dir, "user.js"))
	require.NoError(t, err)
	assert.Contains(t, string(js), `user_pref("network.proxy.allow_hijacking_localhost", true);`)
	assert.NotContains(t, string(js), "forcePort")
	overrides, err := os.ReadFile(filepath.Join(dir, "cert_override.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(overrides), "api.example.test:443:\tOID.2.16.840.1.101.3.4.2.1\t"+fingerprint(mirrorA)+"\tU\t"+dbKey(mirrorA)+"\n")
	assert.Contains(t, string(overrides), "127.0.0.1:8443:\tOID.2.16.840.1.101.3.4.2.1\tAB:CD\tU\tKEY\n", "--ca's exception stays")
	assert.Equal(t, 2, strings.Count(string(overrides), "\tOID."), "none for the mirror where --ca has one")
	assert.True(t, opts.FirefoxAcceptsMirror("api.example.test:443", mirrorA))
	assert.False(t, opts.FirefoxAcceptsMirror("api.example.test:443", mirrorB), "another certificate")
	assert.False(t, opts.FirefoxAcceptsMirror("127.0.0.1:8443", mirrorB), "--ca's exception at that host:port")
	assert.False(t, opts.FirefoxAcceptsMirror("other.example.test:443", mirrorA))
	assert.Contains(t, strings.Join(FirefoxSettings(opts), "\n"), "cert_override api.example.test:443 "+fingerprint(mirrorA)+"  # --try-fix: the certificate of this target's loopback mirror")

	plain := Options{Engine: EngineFirefox}
	require.NoError(t, writeFirefoxProfile(dir, plain))
	js, err = os.ReadFile(filepath.Join(dir, "user.js"))
	require.NoError(t, err)
	assert.NotContains(t, string(js), "allow_hijacking_localhost", "only with --try-fix")
}

// TestFirefoxProxiesContexts: the version beside the binary decides
// whether a Firefox is launched to prove fixes in its own user contexts.
func TestFirefoxProxiesContexts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ini  string
		want bool
	}{
		{"[App]\nVendor=Mozilla\nVersion=153.8.0\n", true},
		{"[App]\nVersion=160.0\n", true},
		{"[App]\nVersion=140.12.0\n", false},
		{"[App]\nVersion=152.0\n", false},
		{"[App]\nName=Firefox\n", false},
		{"", false},
	} {
		dir := t.TempDir()
		bin := filepath.Join(dir, "firefox-esr")
		require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
		if tc.ini != "" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "application.ini"), []byte(tc.ini), 0o644))
		}
		assert.Equal(t, tc.want, firefoxProxiesContexts(bin), "%q", tc.ini)
	}
}
