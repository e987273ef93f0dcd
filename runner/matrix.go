package runner

import (
	"context"
	"fmt"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/scenarios"
)

// Column is one browser of a matrix: its label and the configuration the
// suites run with on it.
type Column struct {
	Label  string
	Config Config
}

// Matrix runs the suites on each column's browser in turn and compares
// the runs: which cases' verdict, CorsError, failed parameter, preflight or
// status differ (compare.NewMatrix). hooks gives each column's hooks as it
// starts; nil for none. Every configuration is validated before the first
// browser launches, so a mistake in the last column fails at once.
func Matrix(ctx context.Context, cols []Column, suites []*scenarios.Suite, hooks func(Column) Hooks) (*compare.Matrix, error) {
	for _, c := range cols {
		if err := c.Config.Validate(); err != nil {
			return nil, fmt.Errorf("--browser %s: %w", c.Label, err)
		}
	}
	var out []compare.Column
	for _, c := range cols {
		var h Hooks
		if hooks != nil {
			h = hooks(c)
		}
		run, err := Run(ctx, c.Config, suites, h)
		if err != nil {
			return nil, fmt.Errorf("--browser %s: %w", c.Label, err)
		}
		out = append(out, compare.Column{Label: c.Label, Run: run})
	}
	return compare.NewMatrix(out...)
}
