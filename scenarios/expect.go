package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// Observed is what happened to a case, in the terms an Expect speaks. The
// caller maps its own record onto it, which keeps this package free of the
// harness and result types.
type Observed struct {
	Verdict cors.Verdict
	// CorsError is Chromium's CorsError name, as the browser spelled it
	// (for Firefox, the CorsError of the same check); empty unless blocked.
	CorsError cors.CorsError
	// EngineReason is Firefox's own reason code, empty for Chromium.
	EngineReason string
	// PreflightSent is true when the browser sent an OPTIONS preflight.
	PreflightSent bool
	// Status is the HTTP status of the response to the actual request;
	// 0 when there was none.
	Status int
	// ReadableHeaders are the response headers the page's script could read.
	ReadableHeaders map[string]string
}

// Check compares what was observed with what e expects and returns one
// human-readable line per mismatch, such as
// "verdict: expected blocked, got allowed". A nil Expect expects nothing.
// Header names compare case-insensitively, as HTTP defines them, and a
// legacy CorsError name from an older Chromium matches its current name. Observed
// values come from the network, so any that are not plain words are quoted.
func (e *Expect) Check(obs Observed) []string {
	if e == nil {
		return nil
	}
	var out []string
	if e.Verdict != "" && obs.Verdict != e.Verdict {
		out = append(out, fmt.Sprintf("verdict: expected %s, got %s", e.Verdict, shown(string(obs.Verdict))))
	}
	if e.CorsError != "" && !cors.SameReason(string(e.CorsError), obs.CorsError, obs.EngineReason) {
		got := string(obs.CorsError)
		if _, fx := cors.LookupFirefoxReason(string(e.CorsError)); fx && obs.EngineReason != "" {
			got = obs.EngineReason
		}
		out = append(out, fmt.Sprintf("cors_error: expected %s, got %s", e.CorsError, shown(got)))
	}
	if e.Preflight != nil && obs.PreflightSent != *e.Preflight {
		out = append(out, fmt.Sprintf("preflight: expected %s, got %s", sent(*e.Preflight), sent(obs.PreflightSent)))
	}
	if e.Status != nil && obs.Status != *e.Status {
		got := strconv.Itoa(obs.Status)
		if obs.Status == 0 {
			got = "no response"
		}
		out = append(out, fmt.Sprintf("status: expected %d, got %s", *e.Status, got))
	}
	if len(e.ReadableHeaders) > 0 {
		readable := make([]string, 0, len(obs.ReadableHeaders))
		have := map[string]bool{}
		for n := range obs.ReadableHeaders {
			have[strings.ToLower(n)] = true
			readable = append(readable, shown(n))
		}
		slices.Sort(readable)
		for _, want := range e.ReadableHeaders {
			if have[strings.ToLower(want)] {
				continue
			}
			got := "none"
			if len(readable) > 0 {
				got = strings.Join(readable, ", ")
			}
			out = append(out, fmt.Sprintf("readable_headers: expected %s to be readable, got %s", want, got))
		}
	}
	return out
}

func sent(b bool) string {
	if b {
		return "sent"
	}
	return "not sent"
}

// shown renders a value from the network for a message: bare when it is a
// plain word, quoted (escaping control characters) otherwise, "none" when
// empty.
func shown(s string) string {
	if s == "" {
		return "none"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return strconv.Quote(s)
		}
	}
	return s
}
