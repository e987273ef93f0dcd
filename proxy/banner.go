package proxy

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/policy"
)

// Banner is what the proxy says when it starts: where it listens, where it
// forwards, and whom each route lets in.
type Banner struct {
	// URL is where the proxy listens; Target its upstream.
	URL, Target string
	Policy      *policy.Policy
	// PolicyFile names the policy's file; empty when the policy was made
	// from origins (MinimalPolicy), which is then printed as YAML to save.
	PolicyFile string
	// Origins and Credentials made the minimal policy.
	Origins     []string
	Credentials bool
}

// Write writes the banner to w, a terminal's stderr.
func (b Banner) Write(w io.Writer) {
	fmt.Fprintf(w, "corsproof: development CORS proxy on %s -> %s (Ctrl-C to stop)\n", b.URL, b.Target)
	fmt.Fprintf(w, "corsproof: not for production: every answer carries %s: %s\n", Header, HeaderValue)
	if b.PolicyFile != "" {
		fmt.Fprintf(w, "corsproof: CORS headers from %s:\n", b.PolicyFile)
	} else {
		fmt.Fprintf(w, "corsproof: CORS headers from this policy (save it, pass it as --policy, hand it to the API team):\n")
		for _, line := range strings.Split(strings.TrimSuffix(string(MinimalPolicyYAML(b.Origins, b.Credentials)), "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	for _, r := range b.Policy.Routes {
		fmt.Fprintf(w, "  %s%s  %s\n", b.URL, r.Path, routeSummary(r))
	}
}

// routeSummary says in one line whom a route lets in.
func routeSummary(r policy.Route) string {
	if len(r.AllowOrigins) == 0 {
		return "no CORS headers (closed to other origins)"
	}
	s := strings.Join(r.AllowOrigins, ", ")
	if r.AllowCredentials {
		s += " with credentials"
	}
	if len(r.AllowMethods) > 0 {
		s += "; methods " + strings.Join(r.AllowMethods, ", ")
	}
	if len(r.AllowHeaders) > 0 {
		s += "; headers " + strings.Join(r.AllowHeaders, ", ")
	}
	if r.MaxAge != nil {
		s += fmt.Sprintf("; max-age %d", *r.MaxAge)
	}
	return s
}
