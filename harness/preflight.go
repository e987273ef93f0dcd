package harness

import (
	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// needsPreflight says whether to wait for a preflight's events before a
// record is complete. It asks the CORS model, which knows the safelists
// (methods, headers, values, Range) and same-origin requests; the verdict
// never depends on it, and a wrong answer costs only the wait.
func needsPreflight(c scenarios.Case) bool {
	p := cors.Predict(cors.Input{Request: c.Request.Model(c.Origin)})
	return p.PreflightNeeded && p.CrossOrigin
}
