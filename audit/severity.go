package audit

import "strings"

// Severity is how bad a finding is, judged by what the attacker's page
// could read in the browser.
type Severity string

// Severities, from least to most severe.
const (
	// SeverityNone: the browser refused to let the page read, however
	// bad the headers look to a scanner; or an answer that varies with the
	// Origin lacks Vary: Origin but Cache-Control keeps it out of shared
	// caches.
	SeverityNone Severity = "none"
	// SeverityInfo: any page can read the endpoint without credentials
	// because it answers "*": what a public endpoint does. Or an answer
	// that varies with the Origin lacks Vary: Origin: harm takes a shared
	// cache on the path, which the audit cannot see.
	SeverityInfo Severity = "info"
	// SeverityMedium: the page read the endpoint without the victim's
	// credentials, from an origin the server trusts specifically (or the
	// endpoint is marked private).
	SeverityMedium Severity = "medium"
	// SeverityHigh: the page read the endpoint with the victim's
	// credentials: account data is readable cross-origin.
	SeverityHigh Severity = "high"
)

// Severities lists the severities from least to most severe.
var Severities = []Severity{SeverityNone, SeverityInfo, SeverityMedium, SeverityHigh}

// Rank orders severities: none 0 … high 3; unknown ones -1.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ParseSeverity reads a severity as --fail-on takes it, in any case.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		return "", &InputError{Flag: "--fail-on", Value: s, Reason: "is not a severity", Advice: "use info, medium or high (the least severe finding that fails the audit), or none to fail on every finding, even a refused one"}
	}
	return v, nil
}
