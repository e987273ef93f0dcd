// Package reports renders the results of a corsproof run for the places a
// verdict is used: JSON and JSON Lines for tools, JUnit XML for CI systems,
// HAR 1.2 for DevTools and for replaying, a self-contained HTML page and
// terminal text for people debugging, and Markdown for bug trackers.
//
// Every header value in a record came from the network and is treated as
// hostile: each format escapes it for its medium, and the values of
// credential headers are redacted unless Options.ShowSecrets is set.
// The package has no browser imports; it only reads result records.
package reports

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/result"
)

// Reporter writes a whole run in one format.
type Reporter interface {
	Report(w io.Writer, run *result.Run) error
}

// Streamer writes a run while it happens, so that a run killed half-way
// leaves every finished case on disk. Begin is called once before the first
// record, Record once per finished case, and End once with the final run.
type Streamer interface {
	Begin(w io.Writer, run *result.Run) error
	Record(w io.Writer, rec *result.Record) error
	End(w io.Writer, run *result.Run) error
}

// Options change what the reporters show.
type Options struct {
	// ShowSecrets keeps the values of credential headers instead of
	// replacing them with "[redacted]".
	ShowSecrets bool
	// Color adds ANSI colours to terminal text.
	Color bool
	// Quiet makes terminal text show only the cases whose expectations
	// failed and the totals, and turns the progress bar off.
	Quiet bool
	// ProgramName is the command used in reproduce commands; "corsproof"
	// when empty.
	ProgramName string
}

// program returns the command name for reproduce commands.
func (o Options) program() string {
	if o.ProgramName == "" {
		return "corsproof"
	}
	return o.ProgramName
}

// format describes one output format for ByName and New.
type format struct {
	name    string
	aliases []string
	make    func(Options) Reporter
}

// formats lists the output formats in the order help texts show them.
var formats = []format{
	{name: "har", make: func(o Options) Reporter { return NewHAR(o) }},
	{name: "html", make: func(o Options) Reporter { return NewHTML(o) }},
	{name: "json", make: func(o Options) Reporter { return NewJSON(o) }},
	{name: "jsonl", make: func(o Options) Reporter { return NewJSONLines(o) }},
	{name: "junit", make: func(o Options) Reporter { return NewJUnit(o) }},
	{name: "markdown", aliases: []string{"md"}, make: func(o Options) Reporter { return NewMarkdown(o) }},
	{name: "text", make: func(o Options) Reporter { return NewText(o) }},
}

// Formats returns the names of the output formats ByName accepts, without
// aliases.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for _, f := range formats {
		names = append(names, f.name)
	}
	return names
}

// ByName returns the reporter for a format name with default options
// (secrets redacted, no colour). Names are case-insensitive.
func ByName(name string) (Reporter, error) {
	return New(name, Options{})
}

// New returns the reporter for a format name with the given options.
// Names are case-insensitive; "md" is an alias of "markdown".
func New(name string, opts Options) (Reporter, error) {
	key := strings.ToLower(name)
	for _, f := range formats {
		if f.name == key || slices.Contains(f.aliases, key) {
			return f.make(opts), nil
		}
	}
	valid := make([]string, 0, len(formats))
	for _, f := range formats {
		v := f.name
		if len(f.aliases) > 0 {
			v += " (" + strings.Join(f.aliases, ", ") + ")"
		}
		valid = append(valid, v)
	}
	return nil, fmt.Errorf("unknown report format %q: valid formats are %s", name, strings.Join(valid, ", "))
}

// prepare returns the copy of run every reporter renders: credential
// headers redacted unless opts.ShowSecrets, and totals recomputed from the
// records so that a caller who forgot Tally still gets true counts.
func prepare(run *result.Run, opts Options) (*result.Run, error) {
	if run == nil {
		return nil, errors.New("reporting run: no run given")
	}
	var out *result.Run
	if opts.ShowSecrets {
		out = cloneRun(run)
	} else {
		out = Redact(run)
	}
	out.Tally()
	return out, nil
}

// prepareRecord is prepare for a single record.
func prepareRecord(rec *result.Record, opts Options) (*result.Record, error) {
	if rec == nil {
		return nil, errors.New("reporting record: no record given")
	}
	if opts.ShowSecrets {
		return cloneRecord(rec), nil
	}
	return RedactRecord(rec), nil
}

// Compile-time checks that every format implements the interfaces.
var (
	_ Reporter = (*HAR)(nil)
	_ Reporter = (*HTML)(nil)
	_ Reporter = (*JSON)(nil)
	_ Reporter = (*JSONLines)(nil)
	_ Streamer = (*JSONLines)(nil)
	_ Reporter = (*JUnit)(nil)
	_ Reporter = (*Markdown)(nil)
	_ Reporter = (*Text)(nil)
)

// CutSpec splits a --report value of the form FORMAT=PATH; ok is false
// when either half is missing. The format is trimmed, not checked: reports
// and the matrix know different formats.
func CutSpec(spec string) (format, path string, ok bool) {
	format, path, ok = strings.Cut(spec, "=")
	format = strings.TrimSpace(format)
	return format, path, ok && format != "" && path != ""
}

// ParseSpec splits a --report value of the form FORMAT=PATH, such as
// "junit=out/report.xml", and checks the format name. The returned format is
// the canonical name ("md" becomes "markdown").
func ParseSpec(spec string) (format, path string, err error) {
	name, path, ok := CutSpec(spec)
	if !ok {
		return "", "", fmt.Errorf("parsing report %q: want FORMAT=PATH, such as junit=report.xml; formats: %s",
			spec, strings.Join(Formats(), ", "))
	}
	key := strings.ToLower(name)
	for _, f := range formats {
		if f.name == key || slices.Contains(f.aliases, key) {
			return f.name, path, nil
		}
	}
	_, err = New(name, Options{})
	return "", "", fmt.Errorf("parsing report %q: %w", spec, err)
}
