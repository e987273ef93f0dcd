package reports

import (
	"slices"
	"strings"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// ProbeCommand returns the `corsproof probe …` command line that repeats a
// record's request from the same origin, each argument quoted for a POSIX
// shell. Flags are written only when they differ from what every probe
// does anyway (GET, the fetch API, cors mode).
func ProbeCommand(rec *result.Record) string {
	return probeCommand("corsproof", rec)
}

// probeCommand is ProbeCommand with a chosen program name.
func probeCommand(program string, rec *result.Record) string {
	args := []string{program, "probe", rec.Request.URL, "--origin", rec.Origin}
	if m := rec.Request.Method; m != "" && m != "GET" {
		args = append(args, "-X", m)
	}
	for _, h := range headerLines(rec.Request.Headers) {
		args = append(args, "-H", h.Name+": "+h.Value)
	}
	if c := rec.Request.Credentials; c != "" {
		args = append(args, "--credentials", string(c))
	}
	if a := rec.Request.API; a != "" && a != scenarios.APIFetch {
		args = append(args, "--api", string(a))
	}
	if rec.Request.Body != "" {
		args = append(args, "--data", rec.Request.Body)
	}
	if m := rec.Request.Mode; m != "" && m != scenarios.ModeCORS {
		args = append(args, "--mode", string(m))
	}
	names := make([]string, 0, len(rec.Cookies))
	for n := range rec.Cookies {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		args = append(args, "--cookie", n+"="+rec.Cookies[n])
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = ShellQuote(a)
	}
	return strings.Join(quoted, " ")
}

// ShellQuote quotes s as one word for a POSIX shell: unchanged when it holds
// only characters no shell treats specially, else in single quotes with
// each single quote written as: close the quotes, a backslash-escaped
// quote, reopen the quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
