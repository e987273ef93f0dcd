package cors

// Diagnosis explains a verdict: the model's own prediction, whether it agrees
// with the browser, and what to change on the server.
type Diagnosis struct {
	// Summary says in one or two sentences why the request was allowed or blocked.
	Summary string `json:"summary"`
	// Fix says what to change, naming the response, the header and the value.
	// Empty when nothing needs changing.
	Fix string `json:"fix,omitempty"`
	// FixHeaders is Fix as data, for a request blocked by a CORS check: the
	// complete header change on the preflight and the actual response that
	// makes this request pass, so tools (and --try-fix) can apply it.
	FixHeaders *FixHeaders `json:"fix_headers,omitempty"`
	// FixCheck says what happened when corsproof tried FixHeaders in the
	// browser (--try-fix); nil when it was not tried.
	FixCheck *FixCheck `json:"fix_check,omitempty"`
	// ModelVerdict is the model's predicted verdict: allowed, blocked,
	// error or unknown.
	ModelVerdict Verdict `json:"model_verdict"`
	// ModelCorsError is the Chromium CorsError name the model predicts, if blocked.
	ModelCorsError CorsError `json:"model_cors_error,omitempty"`
	// AgreesWithBrowser is true when the model's verdict and CorsError match
	// the browser's. It is false when the model could not decide
	// (ModelVerdict unknown): that is neither agreement nor disagreement,
	// and reports count it apart (ModelUndecided).
	AgreesWithBrowser bool `json:"agrees_with_browser"`
	// Warnings flag risky but working configurations.
	Warnings []string `json:"warnings,omitempty"`
}

// ModelUndecided reports whether the model lacked what it needed to
// predict a verdict, so its silence proves nothing either way.
func (d *Diagnosis) ModelUndecided() bool {
	return d.ModelVerdict == VerdictUnknown
}

// ModelDisagrees reports whether the model decided and differs from the
// browser: a model bug or a browser deviation worth reporting.
func (d *Diagnosis) ModelDisagrees() bool {
	return !d.AgreesWithBrowser && !d.ModelUndecided()
}

// FixCheck is the outcome of trying a fix in the browser: the same request
// from the same page, to the same URL, answered by a loopback mirror that
// forwards to the real server and applies the fix to its responses.
type FixCheck struct {
	// Verified is true when Chromium allowed the request with the fix.
	Verified bool `json:"verified"`
	// Verdict, CorsError and FailedParameter are the browser's verdict with
	// the fix applied.
	// Verdict is empty when the fix could not be tried.
	Verdict         Verdict   `json:"verdict,omitempty"`
	CorsError       CorsError `json:"cors_error,omitempty"`
	FailedParameter string    `json:"failed_parameter,omitempty"`
	// Summary says it in words.
	Summary string `json:"summary"`
	// Via says how the request reached the mirror (FixViaContextProxy,
	// FixViaSecondBrowser); empty when the fix was not tried.
	Via string `json:"via,omitempty"`
}

// How a fix check reached the mirror (FixCheck.Via).
const (
	// FixViaContextProxy: in the run's own browser, in a fresh browser
	// context (a Firefox user context) whose HTTP proxy is the mirror (the
	// URL as before; the browser hands the request to the mirror instead
	// of connecting).
	FixViaContextProxy = "browser-context-proxy"
	// FixViaSecondBrowser: in a second browser launched like the first,
	// whose host resolver maps the target to the mirror (a Firefox that
	// ignores a user context's proxy, as ESR 140 does, or was lent to the
	// run; in Firefox an https target whose real certificate --ca accepts
	// at the same host:port; a Chromium lent to the run without the
	// mirrors' key).
	FixViaSecondBrowser = "second-browser"
)

// Observation is what the browser reported about a request, as Diagnose
// compares it with the model.
type Observation struct {
	Verdict         Verdict
	CorsError       CorsError
	FailedParameter string
	// NetError is Chromium's net error text (net::ERR_…), if any.
	NetError string
	// BlockedReason is Chromium's non-CORS blocked reason (mixed-content,
	// csp…), if any.
	BlockedReason string
	// Failure, when set, holds the details a request that failed outside
	// the CORS response checks is explained with (ExplainFailure): the
	// page's context, corsproof's own certificate check, the address
	// spaces. Its Verdict, NetError, BlockedReason and CorsError repeat the
	// fields above.
	Failure *Failure
}
