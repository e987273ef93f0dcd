package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEngineOf(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/bin/firefox-esr":                      EngineFirefox,
		"browsers/firefox-140/firefox":              EngineFirefox,
		"firefox-bin":                               EngineFirefox,
		"/usr/lib/chromium/chromium":                EngineChromium,
		"/usr/lib/chromium/chromium-headless-shell": EngineChromium,
		"./mychrome.sh":                             EngineChromium,
		"":                                          EngineChromium,
		"/opt/firefox-esr/../chromium/chromium-wrapper": EngineChromium,
	} {
		assert.Equal(t, want, EngineOf(path), path)
	}
}

func TestParseSwitches(t *testing.T) {
	assert.Nil(t, ParseSwitches(nil))
	assert.Equal(t, map[string]any{
		"proxy-server":     "http://127.0.0.1:3128",
		"disable-features": "A,B",
		"enable-logging":   true,
		"v":                "1=2",
	}, ParseSwitches([]string{"--proxy-server=http://127.0.0.1:3128", "disable-features=A,B", "-enable-logging", "v=1=2"}))
}
