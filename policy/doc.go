// Package policy is the CORS policy file format: a YAML file that gives each
// route (a path prefix) of an API the CORS answers it sends. The built-in
// target API (package testapi) serves a policy, broken routes included, and
// `corsproof generate` and `corsproof verify` hold a real API to one as its
// contract; [Policy.Lint] reports what such a contract must not contain.
// The format is documented by the JSON Schema returned by [Schema].
//
// [Parse] reads a file strictly and reports every problem at once, each
// naming the file, line, column, field and value, with a hint.
//
// # Routes
//
// A route's path is a prefix matched on segment boundaries: "/api/open"
// matches "/api/open" and "/api/open/x" but not "/api/openx". The longest
// matching prefix wins (see [Policy.Match]). The paths [SetCookiePath] and
// [CookiesPath] belong to the built-in target API and no route may claim
// them.
//
// A route allows an origin when an allow_origins entry names it exactly, is
// "*" or "reflect", or is a pattern such as https://*.example.com whose
// domain the origin's host is one or more labels in front of, with the same
// scheme and port (see [Route.AllowsOrigin]).
package policy
