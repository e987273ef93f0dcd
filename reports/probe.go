package reports

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// ProbeCommand returns the `corsproof probe …` command line that repeats a
// record's request from the same origin, each argument quoted for a POSIX
// shell. Flags are written only when they differ from what every probe
// does anyway (GET, the fetch API, cors mode).
func ProbeCommand(rec *result.Record) string {
	return probeCommand(reproducer{program: "corsproof"}, rec)
}

// reproducer is how reproduce commands are written: the program's name and
// the run's browser settings that differ from a probe's defaults, so that
// the command meets the browser the run met.
type reproducer struct {
	program  string
	settings []string
	// repeat is --repeat and --every as the run had them, empty without.
	repeat []string
}

// reproducerFor is the reproducer of a run's records; run may be nil.
func reproducerFor(opts Options, run *result.Run) reproducer {
	rp := reproducer{program: opts.program()}
	if run == nil {
		return rp
	}
	// Without it the command runs in Chromium, whose verdict and reason
	// may not be the ones the Firefox run reported.
	if run.Engine == "firefox" {
		rp.settings = append(rp.settings, "--engine", "firefox")
	}
	switch run.LNA {
	case "grant", "enforce":
		rp.settings = append(rp.settings, "--lna", run.LNA)
	}
	if run.ThirdPartyCookies == "block" {
		rp.settings = append(rp.settings, "--third-party-cookies", "block")
	}
	// Five seconds is probe's own default.
	if run.TimeoutMS > 0 && run.TimeoutMS != 5000 {
		rp.settings = append(rp.settings, "--timeout", (time.Duration(run.TimeoutMS) * time.Millisecond).String())
	}
	if run.Driver == "rod" {
		rp.settings = append(rp.settings, "--driver", "rod")
	}
	if run.Repeat > 1 {
		rp.repeat = []string{"--repeat", strconv.Itoa(run.Repeat)}
		// Half a second is --every's own default.
		if every := time.Duration(run.EveryMS) * time.Millisecond; every != 500*time.Millisecond {
			rp.repeat = append(rp.repeat, "--every", every.String())
		}
	}
	return rp
}

// reproduceCommand is the command line that repeats a record: a probe of
// its request, or `run FILE --case NAME` for what one probe cannot set up
// from a suite file: a case of steps (they share a page, its preflight
// cache and cookies) and a cache check (another origin primes the path
// first). NAME is the suite case's own, written to select it alone, with
// the flag that makes the check again.
func reproduceCommand(rp reproducer, rec *result.Record) string {
	if rec.File == "" || (len(rec.Steps) == 0 && rec.CacheCheck == nil) {
		return probeCommand(rp, rec)
	}
	args := []string{rp.program, "run", rec.File, "--case", scenarios.LiteralPattern(scenarios.BaseCaseName(rec.Name, rec.Path))}
	switch {
	case rec.CacheCheck != nil:
		args = append(args, "--cache-check")
	case rec.ErrorPath != nil:
		args = append(args, "--error-paths")
	}
	args = append(args, rp.settings...)
	return shellWords(append(args, rp.repeat...))
}

// probeCommand is ProbeCommand written by a reproducer.
func probeCommand(rp reproducer, rec *result.Record) string {
	args := []string{rp.program, "probe", rec.Request.URL, "--origin", rec.Origin}
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
	args = append(args, rp.settings...)
	return shellWords(append(args, rp.repeat...))
}

// shellWords quotes each argument for a POSIX shell and joins them.
func shellWords(args []string) string {
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
//
// A value holding a control or invisible character (an ESC or BEL from a
// hostile header, U+2028, a bidi override, a byte that is not UTF-8) is
// written in bash's $'…' quoting instead, with every such character as an
// escape: pasted from a report, the command then shows what it sends, and
// the terminal it is pasted into never sees the raw bytes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	if needsANSIC(s) {
		return ansiCQuote(s)
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// needsANSIC reports whether s holds a character a single-quoted word
// would carry raw.
func needsANSIC(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || isControl(r) || isBidiControl(r) || isInvisible(r) {
			return true
		}
		i += n
	}
	return false
}

// ansiCQuote writes s as a bash $'…' word: printable characters as
// themselves, backslash and quote escaped, the rest as \xHH (bytes, C0
// and C1 controls) or \uHHHH.
func ansiCQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80 && isControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		case r > 0xffff && isInvisible(r):
			fmt.Fprintf(&b, "\\U%08x", r)
		case isControl(r), isBidiControl(r), isInvisible(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('\'')
	return b.String()
}

// WriteProbe writes a probe's run in format. For one record, json is the
// record alone (what `explain --from` reads), text the record in full or,
// with opts.Quiet, one line. A probe over several network paths (--via),
// or with its cache check or error paths (--cache-check, --error-paths),
// holds several records, written as a run; so is any other format.
func WriteProbe(w io.Writer, format string, run *result.Run, opts Options) error {
	var rec *result.Record
	if len(run.Records) == 1 {
		rec = &run.Records[0]
	}
	switch {
	case rec == nil:
	case format == "json":
		return WriteRecord(w, rec, opts)
	case format == "text" && opts.Quiet:
		// The failed expectations say why the exit status is 1; the line
		// alone reads the same whether --expect was met or not.
		out := OneLine(rec) + "\n"
		for _, m := range rec.Mismatches {
			out += "  ✗ " + SanitizeTerminal(m) + "\n"
		}
		_, err := io.WriteString(w, out)
		return err
	case format == "text":
		return TextRecord(w, rec, opts)
	}
	r, err := New(format, opts)
	if err != nil {
		return err
	}
	return r.Report(w, run)
}
