package reports

import (
	"fmt"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// The lines below are plain text built from network data; every reporter
// escapes them for its medium (SanitizeTerminal, mdInline, html/template,
// xmlClean).

// stepLines describes each step of a sequence in one line: when it ran,
// its verdict, whether it sent a preflight, and the model's prediction.
func stepLines(rec *result.Record) []string {
	var out []string
	for _, st := range rec.Steps {
		line := fmt.Sprintf("%s at %.1f s: %s", st.Name, float64(st.AtMS)/1000, st.Verdict)
		if rs := reason(&st); rs != "" {
			line += " (" + rs + ")"
		}
		if st.Preflight != nil {
			line += ", preflight sent"
		} else {
			line += ", no preflight"
		}
		if pm := st.PreflightModel; pm != nil {
			switch {
			case !pm.AgreesWithBrowser:
				line += "; MODEL DISAGREES: " + pm.Reason
			case pm.Cause != cors.CauseNotNeeded:
				line += "; " + pm.Reason
			}
		}
		if !st.ExpectMet {
			line += " ✗"
		}
		out = append(out, line)
	}
	return out
}

// economyLines is the preflight economy of a sequence: how many preflights
// its calls cost, in round trips and time, whether Chromium honoured the
// Max-Age, a storm when there is one, and the change that removes them.
func economyLines(rec *result.Record) []string {
	e := rec.Economy
	if e == nil {
		return nil
	}
	out := []string{fmt.Sprintf("%s cost %s: %s and %.1f ms spent waiting for them",
		plural(e.Calls, "call"), plural(e.Preflights, "preflight"), plural(e.Preflights, "extra round trip"), e.PreflightMS)}
	for _, g := range e.Groups {
		if len(e.Groups) > 1 || g.Preflights > 0 {
			maxAge := "no Access-Control-Max-Age"
			if g.MaxAge != "" {
				maxAge = "Access-Control-Max-Age " + g.MaxAge
			}
			// MaxAgeSeconds follows Chromium's rules (5 s without a
			// Max-Age, at most 2 hours); Firefox keeps up to 24 hours.
			browser, keeper := "Chromium", "by Chromium"
			if strings.HasPrefix(rec.Browser, "Firefox") {
				browser, keeper = "the browser", "by the model (Chromium's cap of 2 hours; Firefox's is 24 hours)"
			}
			kept := fmt.Sprintf("kept %d s %s", g.MaxAgeSeconds, keeper)
			if g.Preflights > 0 && g.FailedPreflights == g.Preflights {
				// A failed preflight caches nothing: its Max-Age is moot.
				kept = "the preflight failed, so " + browser + " cached nothing"
				if g.Preflights > 1 {
					kept = "every preflight failed, so " + browser + " cached nothing"
				}
			}
			request := g.Method + " " + g.URL
			if len(g.Headers) > 0 {
				request += " (" + strings.Join(g.Headers, ", ") + ")"
			}
			if g.Credentials {
				request += " with credentials"
			}
			line := fmt.Sprintf("%s from %s: %s, %s in %.1f s; %s, %s",
				request, g.Origin, plural(g.Calls, "call"), plural(g.Preflights, "preflight"), float64(g.WindowMS)/1000, maxAge, kept)
			if g.Preflights > 0 && g.FailedPreflights < g.Preflights {
				if g.Honoured {
					line += "; Max-Age honoured"
				} else {
					line += "; Max-Age NOT honoured as the model applies it"
				}
			}
			out = append(out, line)
		}
		if g.Storm {
			out = append(out, fmt.Sprintf("PREFLIGHT STORM: %s for %s of the same request (more than one per %d): %s",
				plural(g.Preflights, "preflight"), plural(g.Calls, "call"), cors.StormCalls, g.Cause))
		} else if g.Cause != "" {
			out = append(out, "why: "+g.Cause)
		}
		for _, f := range g.Fixes {
			out = append(out, "fix: "+f)
		}
	}
	return out
}

// economyTotals sums the economy of a run's sequences in one line; empty
// when no record has one.
func economyTotals(run *result.Run) string {
	calls, preflights, storms, seqs := 0, 0, 0, 0
	ms := 0.0
	for _, rec := range run.Records {
		if e := rec.Economy; e != nil {
			seqs++
			calls += e.Calls
			preflights += e.Preflights
			storms += e.Storms
			ms += e.PreflightMS
		}
	}
	if seqs == 0 {
		return ""
	}
	s := fmt.Sprintf("preflight economy: %s in %s cost %s (%.1f ms)", plural(calls, "call"), plural(seqs, "sequence"), plural(preflights, "preflight"), ms)
	if storms > 0 {
		s += fmt.Sprintf(" · %s", plural(storms, "preflight storm"))
	}
	return s
}

// indentLines joins lines, each after prefix.
func indentLines(prefix string, lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}
