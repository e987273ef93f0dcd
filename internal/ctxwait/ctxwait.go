// Package ctxwait runs work that does not watch a context itself and gives
// up on it when the context is done, so a deadline or a signal takes
// effect at once.
package ctxwait

import "context"

// Do runs f in a goroutine and returns its result, or, as soon as ctx is
// done first, the zero value and context.Cause(ctx). f goes on in the
// background until it returns; its result is then dropped.
func Do[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type res struct {
		v   T
		err error
	}
	done := make(chan res, 1)
	go func() {
		v, err := f()
		done <- res{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}
