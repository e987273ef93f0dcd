package harness

import (
	"path/filepath"
	"strings"
)

// profileEnv is what a browser's environment gets so that nothing of a run
// outlives it in the user's home: every folder a browser writes besides its
// profile is moved into the profile, which goes when the browser does.
// Measured with a fresh $HOME (Chromium 156, Firefox ESR 153):
//   - Chromium's crash reporter keeps its database, with every dump of a
//     killed browser or crashed renderer, in ~/.config/chromium/Crash
//     Reports (CHROME_CONFIG_HOME moves it), and GLib writes its dconf
//     cache to ~/.cache/dconf (XDG_CACHE_HOME);
//   - Firefox makes ~/Downloads, ~/.cache/mozilla and ~/.config/mozilla
//     (Crash Reports, Pending Pings) whatever its --profile: it gets a home
//     of its own.
func profileEnv(profile string, firefox bool) []string {
	if firefox {
		home := filepath.Join(profile, "home")
		return []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}
	}
	return []string{"CHROME_CONFIG_HOME=" + filepath.Join(profile, "config"), "XDG_CACHE_HOME=" + filepath.Join(profile, "cache")}
}

// profileEnvSetting is profileEnv as the run's launch settings list it.
func profileEnvSetting(firefox bool) string {
	return "env " + strings.Join(profileEnv("PROFILE", firefox), " ") + "  # nothing written outside the profile, which is removed with the browser"
}
