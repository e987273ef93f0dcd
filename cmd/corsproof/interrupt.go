package main

import (
	"context"
	"fmt"

	"github.com/corsproof/corsproof/internal/ctxwait"
)

// interruptible runs f, a phase that does not watch ctx itself (parsing a
// suite, importing a HAR, generating a contract), and returns as soon as
// ctx is done, with an error naming the phase: a signal then stops the
// command at once, in every phase, instead of after the work. f goes on in
// the background until it returns; Main returns and the process exits
// without waiting for it.
func interruptible[T any](ctx context.Context, phase string, f func() (T, error)) (T, error) {
	v, err := ctxwait.Do(ctx, f)
	if err != nil && ctx.Err() != nil {
		return v, fmt.Errorf("interrupted while %s: %w", phase, context.Cause(ctx))
	}
	return v, err
}
