package cors

// Blockers are the non-CORS reasons the model predicts a browser blocks a
// request for, for Prediction.Blocker. The values are Chromium's own
// blockedReason spellings, so a prediction compares with a record's
// BlockedReason as is.
const (
	// BlockerMixedContent: a secure (https) page asked for a plain http URL
	// on a host that is not potentially trustworthy (IsMixedContent).
	BlockerMixedContent = "mixed-content"
)
