package main

import (
	"fmt"
	"io"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/result"
)

// loadBaseline reads a saved run (the JSON or JSON Lines that `run -o
// json` or `-o jsonl` wrote another day or on another browser build)
// before anything runs: a baseline that cannot be read is a usage error,
// and one that is also a --report of this run is read before the run
// rewrites it.
func loadBaseline(path string) (*result.Run, error) {
	old, _, err := result.Load(path)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("--baseline: %w", err), hint: "save a baseline with `corsproof run … -o json > baseline.json`"}
	}
	return old, nil
}

// checkBaseline compares a finished run with the baseline, prints every
// case whose verdict, CorsError, failed parameter, preflight or status
// changed, and every case only one run has, and returns errExpectations
// when anything changed unless allow is set.
func checkBaseline(run, old *result.Run, path string, allow bool, w io.Writer) error {
	changes, err := compare.WriteBaseline(w, path, old, run, allow)
	if err != nil {
		return err
	}
	if len(changes) > 0 && !allow {
		return errExpectations
	}
	return nil
}
