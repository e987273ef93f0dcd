// Package audit finds the CORS misconfigurations an attacker would use, and
// proves each one the way an attacker would: from a page at the attacker's
// origin, in a real browser. It derives the attacker origins header scanners
// try (an arbitrary site, null, look-alikes of the legitimate origins),
// plans the checks each URL gets (a simple read, a credentialed read with
// the victim's cookie in the jar, a preflighted request), and turns the
// records the runner brings back into findings whose severity comes from
// what the attacker's page could actually read — never from the headers
// alone. A finding carries a proof-of-concept page (PoC) that makes the
// same request.
//
// The answers of all the checks together, with a simple read from each
// legitimate origin, also show whether Access-Control-Allow-Origin depends
// on the Origin; when it does and a response lacks Vary: Origin, a shared
// cache could hand one origin's answer to another (vary.go). The audit has
// no cache in the loop, so that finding is info at most, and says how to
// prove it through the real cache (probe or run with --via and --cache-check).
//
// The package has no browser imports: the checks are scenarios.Case values
// for runner.Run, and classification reads result records.
package audit
