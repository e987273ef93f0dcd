package cors

// VerdictNotRun is the runner's, not the browser's: the case never ran
// because the browser died and could not be started again. It is never an
// expectation (BrowserVerdicts leaves it out), and a run holding one is
// incomplete.
const VerdictNotRun Verdict = "not-run"
