package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/corsproof/corsproof/result"
)

// JSON writes the whole run as one indented JSON document.
type JSON struct {
	opts Options
}

// NewJSON returns the JSON reporter.
func NewJSON(opts Options) *JSON { return &JSON{opts: opts} }

// Report writes run as indented JSON followed by a newline.
func (j *JSON) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, j.opts)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding run as json: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing json report: %w", err)
	}
	return nil
}

// JSONLines writes a run as JSON Lines: a first line {"run": …} with the
// run's metadata (no records), one line per record as the record finishes,
// and a last line {"totals": …, "duration_ms": …}. Each line is written with
// a single Write call and flushed when the writer can flush, so a run that
// is killed leaves one complete line per finished case.
type JSONLines struct {
	opts Options
}

// NewJSONLines returns the JSON Lines reporter and streamer.
func NewJSONLines(opts Options) *JSONLines { return &JSONLines{opts: opts} }

// Report writes a whole run at once, in the same shape as streaming it.
func (j *JSONLines) Report(w io.Writer, run *result.Run) error {
	r, err := prepare(run, j.opts)
	if err != nil {
		return err
	}
	if err := j.Begin(w, r); err != nil {
		return err
	}
	for i := range r.Records {
		if err := j.Record(w, &r.Records[i]); err != nil {
			return err
		}
	}
	return j.End(w, r)
}

// Begin writes the {"run": …} line.
func (j *JSONLines) Begin(w io.Writer, run *result.Run) error {
	if run == nil {
		return writeLine(w, map[string]any{"run": result.Settings{}})
	}
	return writeLine(w, map[string]any{"run": run.Settings})
}

// Record writes one record on its own line, redacted unless ShowSecrets.
func (j *JSONLines) Record(w io.Writer, rec *result.Record) error {
	r, err := prepareRecord(rec, j.opts)
	if err != nil {
		return err
	}
	return writeLine(w, r)
}

// End writes the {"totals": …} line, computed from the run's records.
func (j *JSONLines) End(w io.Writer, run *result.Run) error {
	r, err := prepare(run, j.opts)
	if err != nil {
		return err
	}
	return writeLine(w, struct {
		Totals     result.Totals        `json:"totals"`
		DurationMS int64                `json:"duration_ms"`
		Baseline   *result.BaselineDiff `json:"baseline,omitempty"`
	}{r.Totals, r.DurationMS, r.Baseline})
}

// flusher is a buffered writer such as *bufio.Writer.
type flusher interface{ Flush() error }

// writeLine encodes v as one line and writes it with a single Write, so a
// concurrent reader or a crash never sees half a line from us.
func writeLine(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(v); err != nil { // Encode appends the newline.
		return fmt.Errorf("encoding json line: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing json line: %w", err)
	}
	if f, ok := w.(flusher); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("flushing json line: %w", err)
		}
	}
	return nil
}

// WriteRecord writes one record as indented JSON, the way `probe -o json`
// prints it, redacted unless opts.ShowSecrets.
func WriteRecord(w io.Writer, rec *result.Record, opts Options) error {
	if !opts.ShowSecrets {
		rec = RedactRecord(rec)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rec); err != nil {
		return fmt.Errorf("writing record: %w", err)
	}
	return nil
}
