// Package cors is a pure-Go model of the Fetch standard's CORS algorithm as
// Chromium implements it, plus Chromium's CorsError taxonomy and plain-language
// explanations of each error.
//
// Predict replays the browser's decisions from the request a page made and
// the raw responses a server sent (preflight, redirect hops, actual): whether
// a preflight is needed and why, which check fails with which Chromium
// CorsError and failed parameter, and which response headers script can read.
// Diagnose sets the model next to the browser's own verdict, explains the
// browser's reason and says what to change on the server.
//
// The package is also the one place each domain word is defined, so the
// suite validator, the importers, the harness and the reports cannot
// disagree about it: Verdict, CorsError (Chromium's current names, with the
// names older versions used as aliases), NormalizeMethod, IsForbiddenMethod,
// IsForbiddenRequestHeader and IsSecretHeader, the one rule for which
// header values corsproof hides.
//
// The package imports nothing from the browser side on purpose: the model must
// stay an independent opinion so that disagreements between it and Chromium
// mean something (a model bug or a browser deviation worth reporting).
//
// Where Chromium departs from the standard the model predicts Chromium and
// records the difference as a warning, because the browser is the oracle:
//   - Access-Control-Allow-Headers: * also covers Authorization (the standard
//     says it must be listed by name);
//   - Access-Control-Allow-Origin is compared as a string with the serialized
//     origin and "null" matches an opaque origin.
package cors
