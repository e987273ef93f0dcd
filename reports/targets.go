package reports

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/corsproof/corsproof/result"
)

// Target is a report written to a file: one --report FORMAT=PATH.
type Target struct {
	Format, Path string
}

// ParseTargets parses --report values and checks that every path can be
// written, so that a long run does not fail only when it is over.
func ParseTargets(specs []string) ([]Target, error) {
	var out []Target
	for _, spec := range specs {
		format, path, err := ParseSpec(spec)
		if err != nil {
			return nil, err
		}
		if err := checkWritable(spec, path); err != nil {
			return nil, err
		}
		out = append(out, Target{Format: format, Path: path})
	}
	return out, nil
}

// checkWritable checks that the report spec names a path that can be
// written. A file it had to create to know is removed again: a run that
// then fails to start or is interrupted must not leave an empty report
// (an empty SARIF or JUnit file) for CI to upload as if it were one.
func checkWritable(spec, path string) error {
	_, statErr := os.Lstat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("report %q: %w", spec, err)
	}
	err = f.Close()
	if errors.Is(statErr, fs.ErrNotExist) {
		err = errors.Join(err, os.Remove(path))
	}
	if err != nil {
		return fmt.Errorf("report %q: %w", spec, err)
	}
	return nil
}

// WriteTargets writes the finished run to every target. One report that
// fails does not keep the others from being written.
func WriteTargets(run *result.Run, targets []Target, opts Options) error {
	var errs []error
	for _, t := range targets {
		r, err := New(t.Format, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, WriteFile(t.Path, func(w io.Writer) error { return r.Report(w, run) }))
	}
	return errors.Join(errs...)
}

// WriteFile writes a report to path, naming the path in any error.
func WriteFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}

// Unstreamed returns the targets a Stream does not write: all but JSON Lines.
func Unstreamed(targets []Target) []Target {
	var out []Target
	for _, t := range targets {
		if t.Format != "jsonl" {
			out = append(out, t)
		}
	}
	return out
}

// Stream writes JSON Lines while a run goes on, to every JSON Lines target
// and optionally to one more writer (stdout), so that a killed run keeps
// every record that finished. It keeps the first error of each
// destination and reports it at End.
type Stream struct {
	lines []*lineDest
}

type lineDest struct {
	w   io.Writer
	c   io.Closer
	r   *JSONLines
	err error
}

// OpenStream creates the JSON Lines files among targets; also, when not
// nil, streams to w.
func OpenStream(targets []Target, w io.Writer, opts Options) (*Stream, error) {
	s := &Stream{}
	for _, t := range targets {
		if t.Format != "jsonl" {
			continue
		}
		f, err := os.Create(t.Path)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("opening report: %w", err)
		}
		s.lines = append(s.lines, &lineDest{w: f, c: f, r: NewJSONLines(opts)})
	}
	if w != nil {
		s.lines = append(s.lines, &lineDest{w: w, r: NewJSONLines(opts)})
	}
	return s, nil
}

func (s *Stream) each(write func(l *lineDest) error) {
	for _, l := range s.lines {
		if l.err == nil {
			l.err = write(l)
		}
	}
}

// Begin writes the run's header line.
func (s *Stream) Begin(run *result.Run) {
	s.each(func(l *lineDest) error { return l.r.Begin(l.w, run) })
}

// Record writes one record's line.
func (s *Stream) Record(rec *result.Record) {
	s.each(func(l *lineDest) error { return l.r.Record(l.w, rec) })
}

// End writes the totals line and returns the first error of any destination.
func (s *Stream) End(run *result.Run) error {
	s.each(func(l *lineDest) error { return l.r.End(l.w, run) })
	for _, l := range s.lines {
		if l.err != nil {
			return fmt.Errorf("writing json lines: %w", l.err)
		}
	}
	return nil
}

// Close closes the files the stream opened.
func (s *Stream) Close() {
	for _, l := range s.lines {
		if l.c != nil {
			l.c.Close()
		}
	}
}
