package main

import (
	"fmt"
	"io"

	"github.com/corsproof/corsproof/compare"
	"github.com/corsproof/corsproof/reports"
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
	changes := compare.Diff(old, run)
	from := old.Browser
	if from == "" {
		from = "unknown browser"
	}
	if !old.Started.IsZero() {
		from += ", " + old.Started.UTC().Format("2006-01-02 15:04 MST")
	}
	cases := 0
	if run != nil {
		cases = len(run.Records)
	}
	header := fmt.Sprintf("corsproof: baseline %s (%s): ", path, from)
	if len(changes) == 0 {
		header += fmt.Sprintf("no changes in %s", plural(cases, "case"))
	} else {
		header += fmt.Sprintf("%s changed (this run %s, baseline %d)", plural(len(changes), "case"), plural(cases, "case"), len(old.Records))
		if allow {
			header += " (allowed by --allow-changes)"
		}
	}
	if _, err := fmt.Fprintln(w, reports.SanitizeTerminal(header)); err != nil {
		return fmt.Errorf("writing baseline changes: %w", err)
	}
	if err := compare.WriteChanges(w, changes); err != nil {
		return fmt.Errorf("writing baseline changes: %w", err)
	}
	if len(changes) > 0 && !allow {
		return errExpectations
	}
	return nil
}

// plural returns "1 case" or "2 cases".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
