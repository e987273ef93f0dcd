package scenarios

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/input"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Limits bound what a suite file, or a HAR export, may hold, so that a
// wrong or hostile file fails at once with an error naming the limit
// instead of exhausting memory or time. The zero value of a field means
// its default.
type Limits struct {
	// FileBytes bounds a suite file's size (--max-file-size).
	FileBytes int64
	// Cases bounds the cases of one suite (--max-cases).
	Cases int
	// Headers bounds the request headers of one case. Chromium refuses
	// requests whose headers exceed 256 KiB anyway.
	Headers int
	// HARBytes bounds a HAR export's size (--max-file-size); HARs hold
	// response bodies, so they are allowed more than a suite.
	HARBytes int64
	// HAREntries bounds the entries of one HAR (--max-har-entries).
	HAREntries int
}

// DefaultLimits are far beyond any suite a person writes, or a HAR a
// browser exports from one page session, and well within what corsproof
// handles in seconds.
var DefaultLimits = Limits{FileBytes: 32 << 20, Cases: 50_000, Headers: 1_000, HARBytes: 512 << 20, HAREntries: 100_000}

// withDefaults fills the zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.FileBytes > 0 {
		d.FileBytes = l.FileBytes
	}
	if l.Cases > 0 {
		d.Cases = l.Cases
	}
	if l.Headers > 0 {
		d.Headers = l.Headers
	}
	if l.HARBytes > 0 {
		d.HARBytes = l.HARBytes
	}
	if l.HAREntries > 0 {
		d.HAREntries = l.HAREntries
	}
	return d
}

// LimitError is a file over one of the Limits.
type LimitError struct{ fileerr.Problem }

// LoadContext reads the suite file at path (only a regular file, at most
// lim.FileBytes; "-" reads stdin) and parses it with ParseWith. Reading
// gives up when ctx is done.
func LoadContext(ctx context.Context, path string, stdin io.Reader, lim Limits) (*Suite, error) {
	lim = lim.withDefaults()
	data, name, err := input.Read(ctx, path, stdin, lim.FileBytes, "suite file", "--max-file-size")
	if err != nil {
		if len(fileerr.Problems(err)) > 0 {
			return nil, err
		}
		return nil, fmt.Errorf("loading suite: %w", err)
	}
	return ParseWith(name, data, lim)
}

// ParseWith is Parse with limits: before the YAML parser runs, the file's
// nesting, mapping sizes and tokens are bounded (yamlpos.CheckShape); after
// it, the cases of the suite and the headers of each case.
func ParseWith(file string, data []byte, lim Limits) (*Suite, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.FileBytes {
		return nil, &LimitError{fileerr.Problem{File: file, Message: fmt.Sprintf("is larger than %d MiB, the limit for a suite file", lim.FileBytes>>20),
			Hint: "if it really is one, raise the limit with --max-file-size (in MiB)"}}
	}
	if err := yamlpos.CheckShape(file, data, yamlpos.DefaultShape); err != nil {
		return nil, err
	}
	s, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	return s, checkCounts(file, s, lim)
}

// checkCounts bounds the cases of a parsed suite and the headers of its
// cases.
func checkCounts(file string, s *Suite, lim Limits) error {
	if len(s.Cases) > lim.Cases {
		c := s.Cases[lim.Cases]
		return &LimitError{fileerr.Problem{File: file, Line: c.Line, Col: 1, Field: "cases[" + strconv.Itoa(lim.Cases) + "]",
			Message: fmt.Sprintf("is case %d of %d; the limit for one suite is %d", lim.Cases+1, len(s.Cases), lim.Cases),
			Hint:    "raise it with --max-cases, or split the suite (run takes several files, and --shard splits a run)"}}
	}
	var errs []error
	for i, c := range s.Cases {
		if len(c.Request.Headers) > lim.Headers {
			errs = append(errs, &LimitError{fileerr.Problem{File: file, Line: c.Line, Col: 1, Field: "cases[" + strconv.Itoa(i) + "].request.headers",
				Message: fmt.Sprintf("has %d headers; the limit for one case is %d", len(c.Request.Headers), lim.Headers),
				Hint:    "a page sends a few dozen at most, and Chromium refuses a request whose headers pass 256 KiB"}})
		}
	}
	return fileerr.Join(errs...)
}
