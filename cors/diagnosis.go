package cors

// Diagnosis explains a verdict: the model's own prediction, whether it agrees
// with the browser, and what to change on the server.
type Diagnosis struct {
	// Summary says in one or two sentences why the request was allowed or blocked.
	Summary string `json:"summary"`
	// Fix says what to change, naming the response, the header and the value.
	// Empty when nothing needs changing.
	Fix string `json:"fix,omitempty"`
	// ModelVerdict is the model's predicted verdict: allowed, blocked,
	// error or unknown.
	ModelVerdict Verdict `json:"model_verdict"`
	// ModelCorsError is the Chromium CorsError name the model predicts, if blocked.
	ModelCorsError CorsError `json:"model_cors_error,omitempty"`
	// AgreesWithBrowser is true when the model's verdict and CorsError match the browser's.
	AgreesWithBrowser bool `json:"agrees_with_browser"`
	// Warnings flag risky but working configurations.
	Warnings []string `json:"warnings,omitempty"`
}
