package main

import (
	"fmt"
	"io"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/result"
)

// checkBaseline compares a finished run with a saved one (the JSON or JSON
// Lines that `run -o json` or `-o jsonl` wrote another day or on another
// browser build), prints every case whose verdict, CorsError, failed
// parameter, preflight or status changed, and every case only one run has,
// and returns errExpectations when anything changed unless allow is set.
// A baseline that cannot be read is a usage error.
func checkBaseline(run *result.Run, path string, allow bool, w io.Writer) error {
	old, _, err := result.Load(path)
	if err != nil {
		return &usageError{err: fmt.Errorf("--baseline: %w", err), hint: "save a baseline with `corsproof run … -o json > baseline.json`"}
	}
	changes, err := compare.WriteBaseline(w, path, old, run, allow)
	if err != nil {
		return err
	}
	if len(changes) > 0 && !allow {
		return errExpectations
	}
	return nil
}
