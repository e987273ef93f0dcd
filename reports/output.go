package reports

import (
	"errors"
	"io"

	"github.com/corsproof/corsproof/result"
)

// Output is everything a run's results go to: one format on stdout and
// every --report file. JSON Lines destinations (stdout in that format, and
// jsonl files) are written as each case finishes, so a killed run keeps
// every finished record; the other formats are written when the run is
// over. Its methods fit a runner's hooks.
type Output struct {
	stdout  io.Writer
	format  string
	targets []Target
	opts    Options
	stream  *Stream
}

// OpenOutput checks format and opens the JSON Lines files among targets.
// The targets were checked by ParseTargets; opts apply to stdout and to the
// JSON Lines files (which read only ShowSecrets), and the other files get
// ShowSecrets alone: no colour, nothing left out.
func OpenOutput(stdout io.Writer, format string, targets []Target, opts Options) (*Output, error) {
	if _, err := New(format, opts); err != nil {
		return nil, err
	}
	o := &Output{stdout: stdout, format: format, targets: targets, opts: opts}
	var streamTo io.Writer
	if o.format == "jsonl" {
		streamTo = stdout
	}
	s, err := OpenStream(targets, streamTo, opts)
	if err != nil {
		return nil, err
	}
	o.stream = s
	return o, nil
}

// Begin writes the JSON Lines header lines.
func (o *Output) Begin(run *result.Run) { o.stream.Begin(run) }

// Record writes one finished record's JSON Lines.
func (o *Output) Record(rec *result.Record) { o.stream.Record(rec) }

// Finish ends the JSON Lines and writes every other report of the finished
// run. One report that fails does not keep the others from being written.
func (o *Output) Finish(run *result.Run) error {
	errs := []error{o.stream.End(run)}
	if o.format != "jsonl" {
		r, err := New(o.format, o.opts)
		if err != nil {
			return err
		}
		errs = append(errs, r.Report(o.stdout, run))
	}
	errs = append(errs, WriteTargets(run, Unstreamed(o.targets), Options{ShowSecrets: o.opts.ShowSecrets}))
	return errors.Join(errs...)
}

// Write writes a run that is already over (a merge of saved runs) to
// every destination at once.
func (o *Output) Write(run *result.Run) error {
	o.Begin(run)
	for i := range run.Records {
		o.Record(&run.Records[i])
	}
	return o.Finish(run)
}

// Close closes the files the output opened.
func (o *Output) Close() { o.stream.Close() }
