// Package contract treats a CORS policy file (the one `corsproof serve
// --policy` reads, see package policy) as a contract between an API and
// the front ends that call it. [Generate] turns the policy into a suite of
// cases with the verdicts Chromium must reach when the API follows the
// policy: positive cases from every allowed origin, method, request header
// and exposed header, and negative ones from origins, methods, headers and
// credentials the policy does not allow (look-alike hosts, other schemes
// and ports, "null", IP origins). [Evaluate] reads the records of a run of
// that suite and reports, rule by rule, where the API is stricter than the
// policy (a violation) or more permissive (a security finding).
//
// The package has no browser imports: running the suite is the harness's
// business, and the CLI's verify command glues the two together.
package contract
