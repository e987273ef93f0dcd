package cors

import (
	"slices"
	"strings"
)

// ExplainModel predicts what a browser does with the input and explains it
// when there is no browser verdict to compare with: the model's own
// verdict stands in for the browser's, and verdicts Diagnose has no words
// for — a request the page's API refuses, or one the model cannot decide
// without the responses — get a summary of their own. preflightGiven says
// whether the input holds the server's OPTIONS answer; without it the
// model assumed the preflight allowed the request, and says so. The
// wording speaks of `corsproof explain`'s inputs (--status and friends),
// which is where a model-only explanation comes from.
func ExplainModel(in Input, preflightGiven bool) (Prediction, Diagnosis) {
	p := Predict(in)
	var d Diagnosis
	switch p.Verdict {
	case VerdictAllowed, VerdictBlocked:
		d = Diagnose(in, Observation{Verdict: p.Verdict, CorsError: p.CorsError, FailedParameter: p.FailedParameter, BlockedReason: p.Blocker})
	case VerdictError:
		d = Diagnosis{
			ModelVerdict: p.Verdict, AgreesWithBrowser: true, Warnings: p.Warnings,
			Summary: "Refused by the page's API before anything is sent: " + strings.Join(p.Notes, "; ") + ".",
			Fix:     "Change the request in the page; no server header can allow it.",
		}
	default:
		d = Diagnosis{ModelVerdict: p.Verdict, AgreesWithBrowser: true, Warnings: p.Warnings, Summary: undecidedSummary(p, preflightGiven)}
	}
	if p.CrossOrigin && p.PreflightNeeded && !preflightGiven && p.Verdict != VerdictError {
		d.Warnings = append(d.Warnings, "no preflight response was given (--preflight-status, --preflight-header), so the model assumed the preflight allowed the request")
		// The model's note for a record speaks of a browser's preflight
		// cache; with no browser here, the warning above says it.
		p.Notes = slices.DeleteFunc(slices.Clone(p.Notes), func(n string) bool { return strings.Contains(n, "cached preflight") })
	}
	return p, d
}

// undecidedSummary says what the model could decide without the actual response.
func undecidedSummary(p Prediction, preflightGiven bool) string {
	switch {
	case !p.CrossOrigin:
		return "No CORS check applies to this request (same-origin or no-cors); give --status and --response-header to see which headers script can read."
	case p.PreflightNeeded && !preflightGiven:
		return "A preflight is needed. Give the server's OPTIONS answer (--preflight-status, --preflight-header) and the actual response (--status, --response-header) to check them."
	case p.PreflightNeeded:
		return "The preflight allows the request. Give the actual response (--status, --response-header) to check it too."
	}
	return "No preflight is needed: the browser sends the request as is. Give the response (--status, --response-header) to check whether the page may read it."
}
