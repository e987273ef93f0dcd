package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/corsproof/corsproof/internal/ctxwait"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/input"
)

// ImportFile reads the file at path, or stdin for "-", and imports it as
// Import does: a regular file only, at most maxBytes (0: the default
// HARBytes), and no longer than ctx lasts. The kind and options are checked
// before anything is read. Errors the user can act on are an
// *ImportError with advice, or positioned problems (fileerr); the report
// is returned whenever the HAR was read, failed or not.
func ImportFile(ctx context.Context, kind, path string, stdin io.Reader, maxBytes int64, opts HAROptions) (*Suite, *ImportReport, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultLimits.HARBytes
	}
	if _, _, err := Import(kind, nil, HAROptions{OnlyFailed: opts.OnlyFailed, WithCredentialsValues: opts.WithCredentialsValues}); err != nil {
		if ie := (*ImportError)(nil); errors.As(err, &ie) {
			return nil, nil, err
		}
	}
	data, file, err := input.Read(ctx, path, stdin, maxBytes, "file to import", "--max-file-size")
	if err != nil {
		if len(fileerr.Problems(err)) > 0 || ctx.Err() != nil {
			return nil, nil, err
		}
		why := err
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			why = pe.Err // "open FILE: …" would name the file twice
		}
		name := path
		if path == input.Stdin {
			name = "stdin"
		}
		return nil, nil, &ImportError{Reason: fmt.Sprintf("reading %s: %v", name, why), Advice: "give the path of the exported file, or - to read stdin", Err: err}
	}
	opts.File = file
	type imported struct {
		s   *Suite
		rep *ImportReport
	}
	// A large HAR takes a while to parse: a signal stops the wait at once.
	res, err := ctxwait.Do(ctx, func() (imported, error) {
		s, rep, err := Import(kind, data, opts)
		return imported{s, rep}, err
	})
	switch {
	case ctx.Err() != nil:
		return nil, nil, fmt.Errorf("interrupted while importing %s: %w", file, context.Cause(ctx))
	case errors.Is(err, ErrNothingToReplay):
		advice := "export the HAR from the page that made the failing request, with Preserve log on"
		if opts.Origin == "" {
			advice += "; if its requests carry no Origin or Referer header, pass --origin"
		}
		return nil, res.rep, &ImportError{Reason: err.Error(), Advice: advice, Err: err}
	case err != nil && len(fileerr.Problems(err)) == 0:
		if ie := (*ImportError)(nil); errors.As(err, &ie) {
			return nil, res.rep, err
		}
		return nil, res.rep, &ImportError{Reason: fmt.Sprintf("importing %s: %v", file, err), Err: err}
	}
	return res.s, res.rep, err
}
