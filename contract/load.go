package contract

import (
	"context"
	"errors"
	"fmt"

	"github.com/corsproof/corsproof/internal/ctxwait"
	"github.com/corsproof/corsproof/policy"
)

// PolicyHint is the advice for every problem with a policy file.
const PolicyHint = "the format is documented in policy/policy.schema.json; examples/policy.yaml is a starting point"

// LoadError is a policy that cannot be read or turned into a suite, with
// PolicyHint as its advice. A target the contract cannot use is a
// *TargetError instead.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }

// Unwrap returns the policy's or the generator's error.
func (e *LoadError) Unwrap() error { return e.Err }

// Hint says where the format is documented.
func (e *LoadError) Hint() string { return PolicyHint }

// Load reads the policy file and builds its contract against targetURL,
// giving up as soon as ctx is done (a generated suite of a large policy
// takes a while). lint holds the policy's lint findings, for the user to
// read with the contract's Notes.
func Load(ctx context.Context, policyPath, targetURL string) (c *Contract, lint []policy.Finding, err error) {
	p, err := policy.LoadContext(ctx, policyPath)
	if err == nil {
		c, err = ctxwait.Do(ctx, func() (*Contract, error) { return Build(p, targetURL) })
	}
	switch {
	case ctx.Err() != nil:
		return nil, nil, fmt.Errorf("interrupted while loading the policy: %w", context.Cause(ctx))
	case errors.As(err, new(*TargetError)):
		return nil, nil, err // its own hint: the target, not the policy
	case err != nil:
		return nil, nil, &LoadError{Err: err}
	}
	c.Lint = p.Lint()
	return c, c.Lint, nil
}
