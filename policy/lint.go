package policy

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corsproof/corsproof/internal/fileerr"
)

// Severity grades a lint finding.
type Severity string

// Severities. An error is a configuration browsers refuse, so a contract
// must not contain it; a warning works but is risky.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Lint rules, stable names for reports and for filtering.
const (
	RuleWildcardWithCredentials = "wildcard-origin-with-credentials"
	RuleReflectWithCredentials  = "reflect-origin-with-credentials"
	RuleNullOrigin              = "null-origin-allowed"
	RuleVaryDisabled            = "vary-disabled"
	RuleWildcardListCredentials = "wildcard-list-with-credentials"
	RuleACAOOverride            = "acao-override"
	RuleBroadPattern            = "broad-origin-pattern"
	RuleInsecureOrigin          = "insecure-origin-with-credentials"
	RuleLowerCaseMethod         = "lower-case-method"
	RuleWildcardBesideList      = "wildcard-origin-beside-list"
	RuleNoOrigins               = "cors-settings-without-origins"
)

// Finding is one thing Lint has to say about a route.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Route is the path of the route; Line and Column locate it when known.
	Route string `json:"route"`
	// Field is the route's field the finding is about (allow_origins[2],
	// vary), relative to the route; Value is its value. Line and Column
	// locate that field, or the route when there is none.
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// String renders the finding as file:line:col: severity: route, field,
// value: message [rule].
func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
	}
	if loc != "" {
		loc += ": "
	}
	what := "route " + f.Route
	if f.Field != "" {
		what += ": " + f.Field
		if f.Value != "" {
			what += " " + fileerr.Quote(f.Value)
		}
	}
	return fmt.Sprintf("%s%s: %s: %s [%s]", loc, f.Severity, what, f.Message, f.Rule)
}

// Lint reports policies that are legal to serve (the built-in target models
// broken servers on purpose) but wrong or risky in a contract. Findings come
// in route order, errors and warnings mixed.
func (p *Policy) Lint() []Finding {
	var out []Finding
	for _, r := range p.Routes {
		add := func(rule string, sev Severity, field, value, format string, args ...any) {
			line, col := r.At(field)
			out = append(out, Finding{Rule: rule, Severity: sev, Route: r.Path, Field: field, Value: value, File: p.File,
				Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
		}
		// item returns the field of the first item of list equal to v.
		item := func(key string, list []string, v string) (string, bool) {
			for i, x := range list {
				if x == v {
					return fmt.Sprintf("%s[%d]", key, i), true
				}
			}
			return "", false
		}
		if f, ok := item("allow_origins", r.AllowOrigins, OriginAny); ok && r.AllowCredentials && len(r.ACAOOverride) == 0 {
			add(RuleWildcardWithCredentials, SeverityError, f, OriginAny,
				`allow_origins "*" with allow_credentials: browsers reject "Access-Control-Allow-Origin: *" on credentialed requests; list the origins instead`)
		}
		if f, ok := item("allow_origins", r.AllowOrigins, OriginReflect); ok && r.AllowCredentials {
			add(RuleReflectWithCredentials, SeverityWarning, f, OriginReflect,
				"reflecting any origin with credentials lets every site read this route with the user's cookies; list the origins instead")
		}
		for _, open := range []string{OriginAny, OriginReflect} {
			if f, ok := item("allow_origins", r.AllowOrigins, open); ok && len(r.AllowOrigins) > 1 {
				add(RuleWildcardBesideList, SeverityWarning, f, open,
					"%s lets every origin in, so the other entries of allow_origins restrict nothing; drop it to allow only the listed origins", fileerr.Quote(open))
				break
			}
		}
		if len(r.AllowOrigins) == 0 {
			for _, l := range []struct {
				field string
				set   bool
				value string
			}{
				{"allow_credentials", r.AllowCredentials, "true"},
				{"allow_methods", len(r.AllowMethods) > 0, strings.Join(r.AllowMethods, ", ")},
				{"allow_headers", len(r.AllowHeaders) > 0, strings.Join(r.AllowHeaders, ", ")},
				{"expose_headers", len(r.ExposeHeaders) > 0, strings.Join(r.ExposeHeaders, ", ")},
				{"max_age", r.MaxAge != nil, ""},
			} {
				if l.set {
					add(RuleNoOrigins, SeverityWarning, l.field, l.value,
						"the route lists no allow_origins, so it sends no CORS headers at all and this has no effect; add the origins it is for")
					break
				}
			}
		}
		if f, ok := item("allow_origins", r.AllowOrigins, OriginNull); ok {
			add(RuleNullOrigin, SeverityWarning, f, OriginNull,
				`allowing the "null" origin admits sandboxed iframes and file: pages of any site`)
		}
		if !r.Vary && r.OriginDependent() {
			add(RuleVaryDisabled, SeverityWarning, "vary", "false",
				"the answer depends on the Origin but vary is false: a shared cache may serve one origin's answer to another")
		}
		if r.AllowCredentials {
			for _, l := range []struct {
				field string
				list  []string
			}{{"allow_methods", r.AllowMethods}, {"allow_headers", r.AllowHeaders}, {"expose_headers", r.ExposeHeaders}} {
				if f, ok := item(l.field, l.list, "*"); ok {
					add(RuleWildcardListCredentials, SeverityError, f, "*",
						`%s "*" with allow_credentials: on credentialed requests browsers take "*" literally, not as a wildcard`, l.field)
				}
			}
		}
		if len(r.ACAOOverride) > 0 {
			add(RuleACAOOverride, SeverityError, "acao_override", strings.Join(r.ACAOOverride, ", "),
				"acao_override sends a fixed Access-Control-Allow-Origin (%s); a contract must say which origins are allowed",
				strings.Join(quoteAll(r.ACAOOverride), ", "))
		}
		for i, e := range r.AllowOrigins {
			f := fmt.Sprintf("allow_origins[%d]", i)
			if pt, isPattern, msg, _ := parsePattern(e); isPattern && msg == "" {
				switch {
				case !strings.Contains(pt.suffix, "."):
					add(RuleBroadPattern, SeverityWarning, f, e,
						"the pattern covers every host under a top-level domain")
				case isPublicSuffix(pt.suffix):
					add(RuleBroadPattern, SeverityWarning, f, e,
						"the pattern covers every site under the public suffix %s, where anyone can register a name; list your own domain, such as %s",
						pt.suffix, pt.scheme+"://*.example."+pt.suffix)
				}
				if pt.scheme == "http" && r.AllowCredentials {
					add(RuleInsecureOrigin, SeverityWarning, f, e,
						"the pattern admits plain-http origins with credentials; anyone on the network can speak for them")
				}
				continue
			}
			if o, msg, _ := parseOrigin(e); msg == "" && o.scheme == "http" && r.AllowCredentials && !loopbackHost(o.host) {
				add(RuleInsecureOrigin, SeverityWarning, f, e,
					"a plain-http origin with credentials: anyone on the network path can speak for it and read the user's data; serve that front end over https")
			}
		}
		for i, m := range r.AllowMethods {
			if m != strings.ToUpper(m) {
				add(RuleLowerCaseMethod, SeverityWarning, fmt.Sprintf("allow_methods[%d]", i), m,
					"the method is not upper case; browsers compare methods case-sensitively, except the six they normalize")
			}
		}
	}
	return out
}

// loopbackHost reports whether host can only be this machine (localhost,
// *.localhost, 127.0.0.0/8, [::1]): a dev server on plain http is fine there.
func loopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// isPublicSuffix reports whether a host is itself on the Public Suffix
// List (co.uk, github.io, vercel.app): names under it belong to whoever
// registers them, not to one owner.
func isPublicSuffix(host string) bool {
	ps, _ := publicsuffix.PublicSuffix(host)
	return ps == host
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fileerr.Quote(v)
	}
	return out
}
