package harness

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

func TestSinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc             string
		origins, targets []string
		want             []string
	}{
		{"named host", []string{"https://app.example.test"}, []string{"http://127.0.0.1:8080/api"},
			[]string{"app.example.test"}},
		{"IPv4 literal", []string{"https://10.1.2.3"}, []string{"http://127.0.0.1:8080/api"},
			[]string{"10.1.2.3"}},
		{"IPv6 literal, with and without brackets", []string{"http://[2001:db8::1]:8080"}, []string{"http://127.0.0.1:8080/"},
			[]string{"2001:db8::1", "[2001:db8::1]"}},
		{"host shared with a target on another port: only the page's port", []string{"http://127.0.0.1:3000"}, []string{"http://127.0.0.1:8080/"},
			[]string{"127.0.0.1:3000"}},
		{"default port made explicit when the host is shared", []string{"https://localhost"}, []string{"http://localhost:8080/"},
			[]string{"localhost:443"}},
		// A loopback page host needs no DNS, so only the page's own port is
		// kept from the network: a target on 127.0.0.1 may redirect to
		// localhost:8080 from a page at localhost:5173, as in a user's
		// browser (host-wide, the redirect failed ERR_NAME_NOT_RESOLVED).
		{"loopback page host: only the page's port", []string{"http://localhost:5173", "http://127.0.0.2:3000", "http://[::1]:4000", "http://app.localhost:5000"}, []string{"http://127.0.0.1:8080/"},
			[]string{"localhost:5173", "127.0.0.2:3000", "[::1]:4000", "app.localhost"}},
		{"page origin that is also a target origin is left alone", []string{"http://127.0.0.1:8080"}, []string{"http://127.0.0.1:8080/api"},
			nil},
		{"null and duplicates", []string{"null", "https://a.test", "https://A.test", "https://a.test:443"}, []string{"http://127.0.0.1/"},
			[]string{"a.test"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Sinks(tc.origins, tc.targets))
		})
	}
}

func TestLaunchFlagsKeepQuietSwitches(t *testing.T) {
	t.Parallel()
	flags := launchFlags(Options{LNA: LNAOff, Sinks: []string{"app.example.test"},
		ExtraFlags: map[string]any{"disable-features": "Foo", "host-resolver-rules": "MAP x.test 127.0.0.1"}})
	get := func(name string) string {
		i := slices.IndexFunc(flags, func(f Flag) bool { return f.Name == name })
		require.GreaterOrEqual(t, i, 0, name)
		v, _ := flags[i].Value.(string)
		return v
	}
	features := strings.Split(get("disable-features"), ",")
	for _, want := range []string{"NetworkTimeServiceQuerying", "Translate", "LocalNetworkAccessChecks", "Foo"} {
		assert.Contains(t, features, want)
	}
	// A user's rules join corsproof's: the page-origin sinks stay.
	assert.Equal(t, "MAP "+pages.NullHost+" ~NOTFOUND, MAP "+updateSink+" ~NOTFOUND, MAP accounts.google.com ~NOTFOUND, MAP app.example.test ~NOTFOUND,MAP x.test 127.0.0.1",
		get("host-resolver-rules"))
	assert.Equal(t, "url-source=http://"+updateSink+"/", get("component-updater"))
	assert.True(t, slices.ContainsFunc(launchFlags(Options{}), func(f Flag) bool { return f.Name == "no-proxy-server" }), "no proxy unless named")
	// A proxy the user names: no --no-proxy-server, and every sink (and a
	// bypass list of the user's own) bypasses it.
	named := launchFlags(Options{Sinks: []string{"app.example.test"}, HostMap: map[string]string{"api.test:443": "127.0.0.1:9"},
		ExtraFlags: map[string]any{"proxy-server": "http://127.0.0.1:3128", proxyBypassSwitch: "intranet.test"}})
	assert.False(t, slices.ContainsFunc(named, func(f Flag) bool { return f.Name == "no-proxy-server" }))
	i := slices.IndexFunc(named, func(f Flag) bool { return f.Name == proxyBypassSwitch })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, pages.NullHost+","+updateSink+",accounts.google.com,app.example.test,api.test:443,intranet.test", named[i].Value)
	// Every switch corsproof passes is explained where runs record it.
	settings := strings.Join(QuietSettings(Options{LNA: LNAOff}), "\n")
	for _, f := range launchFlags(Options{LNA: LNAOff}) {
		assert.Contains(t, settings, "--"+f.Name, "QuietSettings lists every switch")
	}
	for _, f := range features {
		if f != "Foo" {
			assert.Contains(t, settings, "--disable-features="+f, "QuietSettings lists every feature")
		}
	}
}

func TestPreferencesNest(t *testing.T) {
	t.Parallel()
	assert.Equal(t, map[string]any{"a": map[string]any{"b": 1, "c": map[string]any{"d": false}}, "e": "off"},
		nested([]pref{{Path: "a.b", Value: 1}, {Path: "a.c.d", Value: false}, {Path: "e", Value: "off"}}))
	settings := strings.Join(QuietSettings(Options{}), "\n")
	for _, p := range append(slices.Clone(profilePrefs), localStatePrefs...) {
		assert.Contains(t, settings, fmt.Sprintf("%s=%v  # %s", p.Path, p.Value, p.Why), "every preference is listed with its reason")
	}
}

// TestContactedAndRedirectWarning follows a request that a redirect takes
// to another host (localhost, still loopback): the record lists both
// origins the browser contacted and never the page origin, and the
// conclusion warns about the host the case did not name.
func TestContactedAndRedirectWarning(t *testing.T) {
	t.Parallel()
	final := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(final.Close)
	_, port, err := net.SplitHostPort(final.Listener.Addr().String())
	require.NoError(t, err)
	elsewhere := "http://localhost:" + port + "/done"
	first := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		http.Redirect(w, r, elsewhere, http.StatusTemporaryRedirect)
	})
	c := scenarios.Case{Name: "redirect elsewhere", Origin: "https://app.example.test",
		Request: scenarios.Request{Method: "GET", URL: first.URL + "/start"}}
	rec := concluded(testBrowser.RunOne(t.Context(), c), c)
	require.Equal(t, cors.VerdictAllowed, rec.Verdict, rec.Page.Error)
	assert.Equal(t, []string{first.URL, "http://localhost:" + port}, rec.Contacted)
	require.NotNil(t, rec.Diagnosis)
	assert.Contains(t, strings.Join(rec.Diagnosis.Warnings, "\n"), "`http://localhost:"+port+"`, a host the case does not name")

	run := result.Run{Records: []result.Record{rec, rec}}
	run.Tally()
	assert.Equal(t, []string{first.URL, "http://localhost:" + port}, run.Contacted, "a run lists each origin once, sorted")
}

// TestHTTPPageOriginIsNotUpgraded: Chromium's HTTPS-Upgrades feature
// first tries a navigation to http on the default port over https, so a
// page at http://app.example.com made the browser try
// https://app.example.com before corsproof's page loaded (measured, 156:
// it was in the record's contacted origins, with a warning that the
// request was redirected there; names Chromium takes for non-unique, such
// as *.test, localhost and IP addresses, are not upgraded). The page is
// the one the user named, at http; the browser contacts the target only.
func TestHTTPPageOriginIsNotUpgraded(t *testing.T) {
	t.Parallel()
	srv := corsServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	})
	c := scenarios.Case{Name: "http page origin", Origin: "http://upgrade.example.com",
		Request: scenarios.Request{Method: "GET", URL: srv.URL + "/x"}}
	rec := concluded(testBrowser.RunOne(t.Context(), c), c)
	require.Equal(t, cors.VerdictAllowed, rec.Verdict, rec.Page.Error)
	assert.False(t, rec.Page.SecureContext)
	assert.Equal(t, []string{srv.URL}, rec.Contacted)
	require.NotNil(t, rec.Diagnosis)
	assert.Empty(t, rec.Diagnosis.Warnings)
}
