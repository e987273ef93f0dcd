package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
)

// What `corsproof replay` says about a user's HAR: per request, whether the
// browser here did what the user's browser did, and a Markdown repro.

// Reproduction says whether a record shows what the user's browser did.
func Reproduction(rec *result.Record) string {
	switch {
	case rec.Expect == nil:
		return "replayed"
	case rec.ExpectMet:
		return "reproduced"
	}
	return "not reproduced"
}

// Outcome is a verdict with its CorsError, "blocked (MissingAllowOriginHeader)".
func Outcome(v cors.Verdict, corsError cors.CorsError) string {
	if v == "" {
		return "unknown"
	}
	if corsError != "" {
		return string(v) + " (" + string(corsError) + ")"
	}
	return string(v)
}

// replayLines renders the summary as plain lines; every value that came
// from the user's file or the network is sanitised by the caller's medium.
func replayLines(run *result.Run, clean func(string) string) []string {
	var lines []string
	reproduced := 0
	for i := range run.Records {
		rec := &run.Records[i]
		status := Reproduction(rec)
		if status == "reproduced" {
			reproduced++
		}
		user := "unknown"
		if rec.Expect != nil {
			user = Outcome(rec.Expect.Verdict, rec.Expect.CorsError)
		}
		lines = append(lines,
			fmt.Sprintf("%s: %s", status, clean(rec.Name)),
			fmt.Sprintf("  request:        %s %s from %s", clean(rec.Request.Method), clean(rec.Request.URL), clean(rec.Origin)),
			fmt.Sprintf("  user's browser: %s", clean(user)),
			fmt.Sprintf("  here:           %s", clean(Outcome(rec.Verdict, rec.CorsError))),
		)
		if d := rec.Diagnosis; d != nil {
			if d.Summary != "" {
				lines = append(lines, "  diagnosis:      "+clean(d.Summary))
			}
			if d.Fix != "" {
				lines = append(lines, "  fix:            "+clean(d.Fix))
			}
		}
		for _, m := range rec.Mismatches {
			lines = append(lines, "  differs:        "+clean(m))
		}
	}
	lines = append(lines, fmt.Sprintf("%d of %s reproduced what the user's browser did (%s)", reproduced,
		plural(len(run.Records), "request"), run.Browser))
	return lines
}

// ReplaySummary writes the per-request summary for a terminal.
func ReplaySummary(w io.Writer, run *result.Run) {
	for _, l := range replayLines(run, SanitizeTerminal) {
		fmt.Fprintln(w, l)
	}
}

// ReplayMarkdown writes the repro: the command to rerun the replay,
// the per-request summary, then the Markdown report of the run, whose
// cases each carry their own probe command and suite YAML.
func ReplayMarkdown(w io.Writer, run *result.Run, command string, opts Options) error {
	var b bytes.Buffer
	b.WriteString("# corsproof replay\n\n")
	b.WriteString("Rerun it:\n\n")
	b.WriteString(Fenced("sh", command))
	b.WriteString("\nWhat the browser here did with each request of the user's HAR:\n\n")
	b.WriteString(Fenced("text", strings.Join(replayLines(run, SanitizeTerminal), "\n")))
	b.WriteString("\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing markdown repro: %w", err)
	}
	return NewMarkdown(opts).Report(w, run)
}

// WriteReplay writes a replay's run in format: text is the per-request
// reproduction summary, markdown the repro for a bug tracker (with command,
// the line that reruns it), any other format the run as that report writes
// it.
func WriteReplay(w io.Writer, format string, run *result.Run, command string, opts Options) error {
	switch format {
	case "text":
		ReplaySummary(w, run)
		return nil
	case "markdown", "md":
		return ReplayMarkdown(w, run, command, opts)
	}
	r, err := New(format, opts)
	if err != nil {
		return err
	}
	return r.Report(w, run)
}
