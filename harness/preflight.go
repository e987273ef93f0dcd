package harness

import (
	"strings"

	"github.com/corsproof/corsproof/scenarios"
)

// needsPreflight is only a hint for how long to wait for events: the
// verdict never depends on it.
func needsPreflight(r scenarios.Request) bool {
	if r.Mode == scenarios.ModeNoCORS {
		return false
	}
	switch strings.ToUpper(r.Method) {
	case "", "GET", "HEAD", "POST":
	default:
		return true
	}
	for k, v := range r.Headers {
		switch strings.ToLower(k) {
		case "accept", "accept-language", "content-language":
		case "content-type":
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
			if mt != "text/plain" && mt != "multipart/form-data" && mt != "application/x-www-form-urlencoded" {
				return true
			}
		default:
			return true
		}
	}
	return false
}
