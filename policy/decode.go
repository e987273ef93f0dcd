package policy

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

// decoder walks the YAML AST by hand rather than unmarshalling into structs,
// so every problem can name the line and column of the offending node and
// all problems are collected instead of stopping at the first.
type decoder struct {
	yamlpos.Walker
	// pos holds where each field of the file starts (routes[0].allow_origins[2]),
	// for the routes to keep and Lint to point at.
	pos map[string]yamlpos.Pos
}

// at records where the node of field starts.
func (d *decoder) at(field string, n ast.Node) {
	if d.pos == nil {
		d.pos = map[string]yamlpos.Pos{}
	}
	if p := yamlpos.At(n, yamlpos.Pos{}); p.Line > 0 {
		d.pos[field] = p
	}
}

// routeKeys are the keys a route may have, in the order the docs list them.
var routeKeys = []string{
	"path", "allow_origins", "allow_credentials", "allow_methods", "allow_headers",
	"expose_headers", "max_age", "vary", "preflight_status", "status", "redirect",
	"preflight_redirect", "acao_override", "cors_on_errors", "delay_ms",
}

var policyKeys = []string{"version", "routes"}

// reservedPaths are the paths the built-in target API answers itself.
var reservedPaths = []string{SetCookiePath, CookiesPath}

// add records a problem at n, or at the top of the file when there is no
// node to point at.
func (d *decoder) add(n ast.Node, field, value, msg, hint string) {
	p := d.Problem(yamlpos.At(n, yamlpos.Top), field, value, msg, hint)
	d.Add(&p)
}

func (d *decoder) policy(data []byte) *Policy {
	data = yamlpos.TrimBOM(data)
	if err := yamlpos.CheckShape(d.File, data, yamlpos.DefaultShape); err != nil {
		d.Add(err)
		return nil
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		d.syntaxError(err)
		return nil
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc.Body)
		}
	}
	if len(docs) == 0 {
		d.add(nil, "", "", "the policy is empty", "start with `version: 1` and a `routes:` list")
		return nil
	}
	if len(docs) > 1 {
		d.add(docs[1], "", "", "the policy holds more than one YAML document", "remove the `---` separator and keep one policy per file")
	}
	entries, root, ok := d.mapping(docs[0], "(top level)")
	if !ok {
		return nil
	}
	p := &Policy{}
	var sawVersion, sawRoutes bool
	for _, kv := range entries {
		key, ok := d.key(kv, "", policyKeys)
		if !ok {
			continue
		}
		switch key {
		case "version":
			sawVersion = true
			v, ok := d.integer(kv.Value, "version")
			if ok && v != FormatVersion {
				d.add(kv.Value, "version", strconv.Itoa(v), "unsupported policy version", "write `version: 1`")
			}
			p.Version = v
		case "routes":
			sawRoutes = true
			p.Routes = d.routes(kv.Value)
		}
	}
	if !sawVersion {
		d.add(root, "version", "", "missing version", "add `version: 1` at the top")
	}
	if !sawRoutes {
		d.add(root, "routes", "", "missing routes", "add a `routes:` list with at least one route")
	}
	return p
}

// syntaxError turns go-yaml's error into a problem with its position.
func (d *decoder) syntaxError(err error) {
	msg, at, token, ok := yamlpos.SyntaxError(err)
	if !ok {
		at = yamlpos.Top
	}
	hint := cmp.Or(yamlpos.SyntaxHint(msg), `check indentation and quoting; quote "*", which unquoted starts a YAML alias`)
	var dup *yaml.DuplicateKeyError
	if errors.As(err, &dup) {
		hint = "each key may appear once in a mapping; remove one"
	}
	p := d.Problem(at, "", token, "invalid YAML: "+msg, hint)
	d.Add(&p)
}

func (d *decoder) routes(n ast.Node) []Route {
	items, ok := d.sequence(n, "routes")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.add(n, "routes", "", "no routes", "add at least one route with a `path:`")
		return nil
	}
	if len(items) > MaxRoutes {
		// generate writes dozens of cases per route: past this a policy
		// becomes a suite no run finishes, and memory runs out first.
		d.add(items[MaxRoutes], fmt.Sprintf("routes[%d]", MaxRoutes), "", fmt.Sprintf("is route %d of %d; the limit for one policy is %d", MaxRoutes+1, len(items), MaxRoutes),
			"split the API into several policy files, one per service or path prefix")
		return nil
	}
	var out []Route
	seen := map[string]int{}
	for i, item := range items {
		field := fmt.Sprintf("routes[%d]", i)
		r, ok := d.route(item, field)
		if !ok {
			continue
		}
		if r.Path != "" {
			if line, dup := seen[r.Path]; dup {
				d.add(item, field+".path", r.Path, fmt.Sprintf("duplicate route path (first at line %d)", line), "merge the two routes or give one a longer path")
			} else {
				seen[r.Path] = r.Line
			}
		}
		out = append(out, r)
	}
	return out
}

func (d *decoder) route(n ast.Node, field string) (Route, bool) {
	entries, m, ok := d.mapping(n, field)
	if !ok {
		return Route{}, false
	}
	r := Route{Vary: true, CORSOnErrors: true, PreflightStatus: DefaultPreflightStatus, Status: DefaultStatus}
	at := yamlpos.Start(m, yamlpos.Pos{})
	r.Line, r.Column = at.Line, at.Col
	var pathNode ast.Node
	for _, kv := range entries {
		key, ok := d.key(kv, field, routeKeys)
		if !ok {
			continue
		}
		f := field + "." + key
		v := kv.Value
		d.at(f, v)
		switch key {
		case "path":
			pathNode = v
			r.Path, _ = d.str(v, f)
		case "allow_origins":
			r.AllowOrigins = d.origins(v, f)
		case "allow_credentials":
			r.AllowCredentials, _ = d.boolean(v, f)
		case "allow_methods":
			r.AllowMethods = d.tokens(v, f, CheckMethod)
		case "allow_headers":
			r.AllowHeaders = d.tokens(v, f, CheckHeaderName)
		case "expose_headers":
			r.ExposeHeaders = d.tokens(v, f, CheckHeaderName)
		case "max_age":
			if age, ok := d.integer(v, f); ok {
				if age < 0 {
					d.add(v, f, strconv.Itoa(age), "max_age must not be negative", "use 0 to forbid caching the preflight, or leave max_age out")
				}
				r.MaxAge = &age
			}
		case "vary":
			r.Vary, _ = d.boolean(v, f)
		case "preflight_status":
			r.PreflightStatus = d.status(v, f)
		case "status":
			r.Status = d.status(v, f)
		case "redirect":
			r.Redirect = d.location(v, f)
		case "preflight_redirect":
			r.PreflightRedirect = d.location(v, f)
		case "acao_override":
			r.ACAOOverride = d.override(v, f)
		case "cors_on_errors":
			r.CORSOnErrors, _ = d.boolean(v, f)
		case "delay_ms":
			if ms, ok := d.integer(v, f); ok {
				if ms < 0 || ms > MaxDelayMS {
					d.add(v, f, strconv.Itoa(ms), fmt.Sprintf("delay_ms must be between 0 and %d", MaxDelayMS), "a timeout test needs only a little more than the client's timeout")
				}
				r.DelayMS = ms
			}
		}
	}
	switch {
	case pathNode == nil:
		d.add(m, field+".path", "", "missing path", "add `path: /api/...`, the prefix this route answers")
	case r.Path != "":
		d.checkPath(pathNode, field+".path", r.Path)
	}
	for f, p := range d.pos {
		if rel, ok := strings.CutPrefix(f, field+"."); ok {
			if r.pos == nil {
				r.pos = map[string][2]int{}
			}
			r.pos[rel] = [2]int{p.Line, p.Col}
		}
	}
	if len(r.ACAOOverride) > 0 && len(r.AllowOrigins) == 0 {
		d.add(m, field+".acao_override", "", "acao_override needs allow_origins to say which requests get it",
			"add `allow_origins: [\"*\"]` to send the override to every origin")
	}
	return r, true
}

func (d *decoder) checkPath(n ast.Node, field, p string) {
	switch {
	case !strings.HasPrefix(p, "/"):
		d.add(n, field, p, "path must start with /", "write the path part of the URL, such as /api/users")
	case strings.ContainsAny(p, "?#*"):
		d.add(n, field, p, "path is a plain prefix: no query, fragment or wildcard", "write /api/users to cover /api/users/42 too")
	case hasControl(p) || strings.Contains(p, " "):
		d.add(n, field, p, "path contains spaces or control characters", "percent-encode them")
	default:
		for _, rp := range reservedPaths {
			if p == rp || strings.HasPrefix(p, rp+"/") {
				d.add(n, field, p, "path is reserved for the built-in cookie endpoints", "choose another path")
			}
		}
	}
}

// key returns the key of kv if it is one of known; unknown keys are errors
// with a suggestion when the key is a near miss.
func (d *decoder) key(kv *ast.MappingValueNode, parent string, known []string) (string, bool) {
	k, _, ok := yamlpos.Key(kv, yamlpos.Top)
	if !ok {
		d.add(kv.Key, parent, yamlpos.Text(kv.Key), "keys must be plain strings", "")
		return "", false
	}
	for _, want := range known {
		if k == want {
			return want, true
		}
	}
	field := k
	if parent != "" {
		field = parent + "." + k
	}
	hint := "known keys: " + strings.Join(known, ", ")
	near := yamlpos.Closest(k, known)
	if near == "" {
		// A key cut short (expose for expose_headers) is too far for a
		// typo, but names one key all the same.
		var starts []string
		for _, want := range known {
			if strings.HasPrefix(want, k+"_") {
				starts = append(starts, want)
			}
		}
		if len(starts) == 1 {
			near = starts[0]
		}
	}
	if near != "" {
		hint = fmt.Sprintf("did you mean %q? %s", near, hint)
	}
	d.add(kv.Key, field, "", "unknown key", hint)
	return "", false
}

// alias reports whether n is an alias, and if so refuses it: a policy is
// read as written, and refusing aliases keeps alias bombs out.
func (d *decoder) alias(n ast.Node, field string) bool {
	if _, ok := n.(*ast.AliasNode); !ok {
		return false
	}
	d.add(n, field, "", "YAML aliases are not supported", "write the value out")
	return true
}

// mapping returns the entries of n and the unwrapped node they belong to.
func (d *decoder) mapping(n ast.Node, field string) ([]*ast.MappingValueNode, ast.Node, bool) {
	u := yamlpos.Unwrap(n)
	if entries, ok := yamlpos.Mapping(u); ok {
		return entries, u, true
	}
	if !d.alias(u, field) {
		d.add(n, field, yamlpos.Text(n), "expected a mapping of keys to values", "")
	}
	return nil, nil, false
}

// sequence returns the items of n; an empty value is an empty list.
func (d *decoder) sequence(n ast.Node, field string) ([]ast.Node, bool) {
	u := yamlpos.Unwrap(n)
	if items, ok := yamlpos.Sequence(u); ok {
		return items, true
	}
	if yamlpos.IsNull(u) {
		return nil, true
	}
	if !d.alias(u, field) {
		d.add(n, field, yamlpos.Text(n), "expected a list", "write [a, b] or one `- item` per line")
	}
	return nil, false
}

func (d *decoder) str(n ast.Node, field string) (string, bool) {
	u := yamlpos.Unwrap(n)
	if v, ok := yamlpos.String(u); ok {
		return v, true
	}
	if !d.alias(u, field) {
		d.add(n, field, yamlpos.Text(n), "expected a string", "quote the value")
	}
	return "", false
}

func (d *decoder) integer(n ast.Node, field string) (int, bool) {
	if v, ok := yamlpos.Unwrap(n).(*ast.IntegerNode); ok {
		if i, ok := yamlpos.Int(v); ok {
			return i, true
		}
		d.add(n, field, yamlpos.Text(n), "number out of range", "")
		return 0, false
	}
	d.add(n, field, yamlpos.Text(n), "expected a whole number", "")
	return 0, false
}

func (d *decoder) boolean(n ast.Node, field string) (bool, bool) {
	if v, ok := yamlpos.Unwrap(n).(*ast.BoolNode); ok {
		return v.Value, true
	}
	d.add(n, field, yamlpos.Text(n), "expected true or false", "")
	return false, false
}

func (d *decoder) status(n ast.Node, field string) int {
	s, ok := d.integer(n, field)
	if !ok {
		return 0
	}
	if s < 200 || s > 599 {
		d.add(n, field, strconv.Itoa(s), "status must be between 200 and 599", "use 204 or 200 for a working preflight, 401/404/500 to model a failing one")
	}
	return s
}

func (d *decoder) location(n ast.Node, field string) string {
	s, ok := d.str(n, field)
	if !ok {
		return ""
	}
	if err := CheckRedirect(s); err != nil {
		d.add(n, field, s, err.Error(), "write an absolute http(s) URL or a path starting with /")
	}
	return s
}

// stringList reads a list of strings; a single string stands for a list of one.
func (d *decoder) stringList(n ast.Node, field string) ([]string, []ast.Node) {
	if u := yamlpos.Unwrap(n); !yamlpos.IsNull(u) {
		if _, isSeq := yamlpos.Sequence(u); !isSeq {
			if s, ok := d.str(n, field); ok {
				return []string{s}, []ast.Node{n}
			}
			return nil, nil
		}
	}
	items, ok := d.sequence(n, field)
	if !ok {
		return nil, nil
	}
	out := []string{}
	var nodes []ast.Node
	for i, item := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		d.at(f, item)
		if s, ok := d.str(item, f); ok {
			out = append(out, s)
			nodes = append(nodes, item)
		}
	}
	return out, nodes
}

func (d *decoder) tokens(n ast.Node, field string, check func(string) (string, string)) []string {
	vals, nodes := d.stringList(n, field)
	for i, v := range vals {
		if msg, hint := check(v); msg != "" {
			d.add(nodes[i], fmt.Sprintf("%s[%d]", field, i), v, msg, hint)
		}
	}
	return vals
}

func (d *decoder) origins(n ast.Node, field string) []string {
	// An unquoted null in the list parses as YAML null; it can only mean the
	// "null" origin, so accept it rather than make users quote it.
	if items, ok := yamlpos.Sequence(yamlpos.Unwrap(n)); ok {
		out := []string{}
		for i, item := range items {
			f := fmt.Sprintf("%s[%d]", field, i)
			d.at(f, item)
			if _, isNull := yamlpos.Unwrap(item).(*ast.NullNode); isNull && yamlpos.Text(item) == "null" {
				out = append(out, "null")
				continue
			}
			s, ok := d.str(item, f)
			if !ok {
				continue
			}
			if msg, hint := checkOriginEntry(s); msg != "" {
				d.add(item, f, s, msg, hint)
			}
			out = append(out, s)
		}
		return out
	}
	vals, nodes := d.stringList(n, field)
	for i, v := range vals {
		if msg, hint := checkOriginEntry(v); msg != "" {
			d.add(nodes[i], field, v, msg, hint)
		}
	}
	return vals
}

func (d *decoder) override(n ast.Node, field string) []string {
	vals, nodes := d.stringList(n, field)
	for i, v := range vals {
		if v == "" || hasControl(v) {
			d.add(nodes[i], field, v, "acao_override values must be non-empty and free of control characters", "")
		}
	}
	return vals
}

// CheckMethod returns a message and a hint when m cannot be an entry of
// allow_methods, and empty strings when it can. The built-in target API
// checks its query overrides with it, so both accept the same methods.
func CheckMethod(m string) (string, string) {
	if m == "*" {
		return "", ""
	}
	if !cors.IsToken(m) {
		return "not a valid HTTP method", "methods are single words such as GET, POST, PATCH"
	}
	if cors.IsForbiddenMethod(m) {
		return "browsers never send this method", "remove it"
	}
	return "", ""
}

// CheckHeaderName returns a message and a hint when h cannot be an entry of
// allow_headers or expose_headers, and empty strings when it can.
func CheckHeaderName(h string) (string, string) {
	if h == "*" {
		return "", ""
	}
	if !cors.IsToken(h) {
		return "not a valid header name", "header names are single words such as Content-Type or X-Token"
	}
	return "", ""
}

// CheckRedirect reports why s cannot be a redirect or preflight_redirect
// target: it must be a path or an absolute http(s) URL.
func CheckRedirect(s string) error {
	if s == "" || hasControl(s) {
		return errors.New("redirect target must be non-empty and free of control characters")
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("redirect target is neither a path nor an absolute http(s) URL")
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
