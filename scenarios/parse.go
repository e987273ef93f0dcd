package scenarios

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

// SuiteVersion is the suite format version this package reads and writes.
const SuiteVersion = 1

// The defaults that apply when neither the case nor defaults: sets a field.
// They are the browser's own defaults, so a case that omits a field makes the
// same request a page would make by omitting it.
const (
	// DefaultAPI is fetch.
	DefaultAPI = APIFetch
	// DefaultMethod is GET, fetch's and xhr's default.
	DefaultMethod = "GET"
	// DefaultCredentials is same-origin: fetch's default credentials mode,
	// and what xhr does with withCredentials false (the XHR standard maps
	// false to same-origin, not omit).
	DefaultCredentials = CredentialsSameOrigin
	// DefaultMode is cors, fetch's default for a cross-origin request; xhr
	// has no mode and keeps it empty.
	DefaultMode = ModeCORS
)

// Load reads and parses the suite file at path with DefaultLimits. See
// LoadContext and Parse.
func Load(path string) (*Suite, error) {
	return LoadContext(context.Background(), path, nil, Limits{})
}

// Parse parses and strictly validates a version 1 suite. file names the
// source in messages. It reports every problem at once: the error is an
// errors.Join of the typed errors in errors.go (list them with
// fileerr.Problems),
// each naming file:line:col, the field, the value and a hint.
//
// On success each case has its defaults merged (the case wins; headers merge
// by name, case-insensitively), File and Line set, its URL absolute, its
// method normalised as Fetch does, and the API, method, credentials and mode
// defaults above filled in. Expect is nil when a case expects nothing.
//
// The file is held to DefaultLimits (see ParseWith).
func Parse(file string, data []byte) (*Suite, error) {
	return ParseWith(file, data, Limits{})
}

// parse is Parse without limits.
func parse(file string, data []byte) (*Suite, error) {
	w := &walker{yamlpos.Walker{File: file}}
	data = yamlpos.TrimBOM(data)
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		w.Add(&SyntaxError{w.Problem(yamlpos.Pos{Line: line, Col: col}, "", "", "is not valid UTF-8", "save the file as UTF-8")})
		return nil, w.Err()
	}
	// Duplicate keys are reported by the walker, which knows the field.
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		w.Add(w.syntaxError(err))
		return nil, w.Err()
	}
	var body ast.Node
	for i, d := range f.Docs {
		if i == 0 {
			body = d.Body
			continue
		}
		if d.Body != nil {
			w.Add(&SyntaxError{w.Problem(yamlpos.Start(d.Body, yamlpos.Top), "", "", "is a second YAML document; a suite file holds one", "split it into another suite file")})
			break
		}
	}
	s := w.suite(body)
	if err := w.Err(); err != nil {
		return nil, err
	}
	s.File = file
	return s, nil
}

// syntaxError turns the parser's first error into a positioned SyntaxError.
func (w *walker) syntaxError(err error) error {
	msg, at, _, ok := yamlpos.SyntaxError(err)
	if !ok {
		at = yamlpos.Top
	}
	hint := cmp.Or(yamlpos.SyntaxHint(msg), "check the indentation and quoting around this position")
	return &SyntaxError{w.Problem(at, "", "", "is not valid YAML: "+msg, hint)}
}

// invalidUTF8At returns the 1-based line and column of the first byte that
// is not UTF-8.
func invalidUTF8At(data []byte) (int, int) {
	line, col := 1, 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[n:]
	}
	return line, col
}

// sval is a scalar from the file with where it was written.
type sval struct {
	v   string
	set bool
	at  yamlpos.Pos
	// inherited marks a value copied from defaults:, so a cross-field
	// error can say where it really came from.
	inherited bool
	// bad marks a value already reported as invalid: it still counts as
	// set, so it neither inherits a default nor draws a second "missing"
	// error, but checks that depend on it are skipped.
	bad bool
}

// ok reports whether v is set and valid.
func (v sval) ok() bool { return v.set && !v.bad }

// inherit fills s from d when the case does not set it.
func (s *sval) inherit(d sval) {
	if !s.set && d.set {
		*s = d
		s.inherited = true
	}
}

type rawHeader struct {
	name, value string
	at          yamlpos.Pos
}

type rawRequest struct {
	api, method, url, credentials, body, mode sval
	headers                                   []rawHeader
}

type rawExpect struct {
	verdict, corsError sval
	preflight          *bool
	status             *int
	readable           []string
	readableSet        bool
}

// rawCase is a case or the defaults block as written, before merging.
type rawCase struct {
	at                yamlpos.Pos
	field             string
	name, why, origin sval
	req               rawRequest
	cookies           []rawHeader
	exp               rawExpect
	// steps are the case's steps: list; stepsSet says the key is there.
	steps    []rawStep
	stepsSet bool
}

// walker walks the YAML AST and collects every problem it meets.
type walker struct{ yamlpos.Walker }

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// unwrap strips tags and anchors, which carry no meaning in a suite, and
// rejects aliases: defaults: is how a suite shares settings, and refusing
// aliases keeps alias bombs out of the loader.
func (w *walker) unwrap(n ast.Node, field string) (ast.Node, bool) {
	n = yamlpos.Unwrap(n)
	if a, ok := n.(*ast.AliasNode); ok {
		w.Add(&TypeError{w.Problem(yamlpos.At(a, yamlpos.Top), field, "", "is an alias; suites do not use anchors and aliases", "put shared settings under defaults:")})
		return nil, false
	}
	return n, true
}

// entry is a known key's value and where the key is written.
type entry struct {
	val ast.Node
	at  yamlpos.Pos
}

// mapping reads a mapping's keys, reporting unknown and repeated keys. A
// null value reads as an empty mapping. ok is false when n is not a mapping.
func (w *walker) mapping(n ast.Node, field string, at yamlpos.Pos, known []string) (map[string]entry, bool) {
	n, ok := w.unwrap(n, field)
	if !ok {
		return nil, false
	}
	if yamlpos.IsNull(n) {
		return map[string]entry{}, true
	}
	values, ok := yamlpos.Mapping(n)
	if !ok {
		what := field
		if what == "" {
			what = "a suite file"
		}
		w.Add(&TypeError{w.Problem(yamlpos.At(n, at), field, "", "is "+yamlpos.Kind(n)+", but "+what+" must be a mapping of keys to values", "write key: value lines indented under it")})
		return nil, false
	}
	out := map[string]entry{}
	seen := map[string]yamlpos.Pos{}
	for _, mv := range values {
		key, kat, _ := yamlpos.Key(mv, at)
		if prev, dup := seen[key]; dup {
			w.Add(&DuplicateKeyError{w.Problem(kat, join(field, key), "", fmt.Sprintf("is given twice (first at line %d)", prev.Line), "keep one of them")})
			continue
		}
		seen[key] = kat
		if !contains(known, key) {
			hint := "remove it; known keys here: " + strings.Join(known, ", ")
			if c := yamlpos.Closest(key, known); c != "" {
				hint = "did you mean " + c + "?"
			}
			w.Add(&UnknownKeyError{w.Problem(kat, join(field, key), "", "is not a known key", hint)})
			continue
		}
		out[key] = entry{mv.Value, kat}
	}
	return out, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// origin reads a page origin (of a case or a step): a string the browser
// could be at, or an OriginError naming what is wrong with it.
func (w *walker) origin(e entry, field string) sval {
	v := w.str(e, field)
	if v.ok() {
		if is := originIssue(v.v); is != nil {
			w.Add(&OriginError{w.Problem(v.at, field, v.v, is.reason, is.hint)})
			v.bad = true
		}
	}
	return v
}

// str reads a string field. Numbers and booleans read as written; null and
// collections are errors.
func (w *walker) str(e entry, field string) sval {
	// A value that is there but wrong counts as set (and bad), so it draws
	// no second "missing" error and inherits no default.
	bad := sval{set: true, bad: true, at: e.at}
	n, ok := w.unwrap(e.val, field)
	if !ok {
		return bad
	}
	if n == nil {
		w.Add(&MissingError{w.Problem(e.at, field, "", "has no value", "give it a value or remove the key")})
		return bad
	}
	at := yamlpos.At(n, e.at)
	bad.at = at
	if _, null := n.(*ast.NullNode); null {
		w.Add(&MissingError{w.Problem(at, field, "", "has no value", "give it a value or remove the key")})
		return bad
	}
	s, ok := yamlpos.Scalar(n)
	if !ok {
		w.Add(&TypeError{w.Problem(at, field, "", "is "+yamlpos.Kind(n)+", but must be a string", "write a single value on the same line")})
		return bad
	}
	return sval{v: s, set: true, at: at}
}

// integer reads an integer field; quoted numbers are type errors so that a
// typo such as "2OO" is not silently read as text.
func (w *walker) integer(e entry, field string) (int, yamlpos.Pos, bool) {
	n, ok := w.unwrap(e.val, field)
	if !ok {
		return 0, e.at, false
	}
	at := yamlpos.At(n, e.at)
	in, isInt := n.(*ast.IntegerNode)
	if !isInt {
		v, _ := yamlpos.Scalar(n)
		w.Add(&TypeError{w.Problem(at, field, v, "is "+yamlpos.Kind(n)+", but must be an integer", "write a bare number without quotes")})
		return 0, at, false
	}
	i, ok := yamlpos.Int(in)
	if !ok {
		// Out of any range we accept; the caller's range check reports it.
		i = -1
	}
	return i, at, true
}

// boolean reads a true/false field.
func (w *walker) boolean(e entry, field string) (bool, bool) {
	n, ok := w.unwrap(e.val, field)
	if !ok {
		return false, false
	}
	b, isBool := n.(*ast.BoolNode)
	if !isBool {
		v, _ := yamlpos.Scalar(n)
		w.Add(&TypeError{w.Problem(yamlpos.At(n, e.at), field, v, "is "+yamlpos.Kind(n)+", but must be true or false", "write true or false")})
		return false, false
	}
	return b.Value, true
}

// seq reads a list, a null reading as empty.
func (w *walker) seq(e entry, field string) ([]ast.Node, bool) {
	n, ok := w.unwrap(e.val, field)
	if !ok {
		return nil, false
	}
	if yamlpos.IsNull(n) {
		return nil, true
	}
	if items, ok := yamlpos.Sequence(n); ok {
		return items, true
	}
	w.Add(&TypeError{w.Problem(yamlpos.At(n, e.at), field, "", "is "+yamlpos.Kind(n)+", but must be a list", "write one \"- item\" per line, or [a, b]")})
	return nil, false
}

// suite reads the whole document.
func (w *walker) suite(body ast.Node) *Suite {
	top := yamlpos.Top
	m, ok := w.mapping(body, "", top, suiteKeys)
	if !ok {
		return nil
	}
	s := &Suite{}
	if e, ok := m["version"]; ok {
		if v, at, ok := w.integer(e, "version"); ok {
			if v != SuiteVersion {
				w.Add(&VersionError{w.Problem(at, "version", strconv.Itoa(v), "is not a suite version this corsproof reads", "write version: 1")})
			}
			s.Version = v
		}
	} else {
		w.Add(&MissingError{w.Problem(top, "version", "", "is missing", "start the file with version: 1")})
	}
	if e, ok := m["name"]; ok {
		if n := w.str(e, "name"); n.ok() {
			if strings.TrimSpace(n.v) == "" {
				w.Add(&MissingError{w.Problem(n.at, "name", "", "is empty", "name the suite, e.g. name: checkout-api")})
			}
			s.Name = n.v
		}
	} else {
		w.Add(&MissingError{w.Problem(top, "name", "", "is missing", "add name: followed by a name for the suite")})
	}
	if e, ok := m["target"]; ok {
		if t := w.str(e, "target"); t.ok() {
			if is := targetIssue(t.v); is != nil {
				w.Add(&URLError{w.Problem(t.at, "target", t.v, is.reason, is.hint)})
			} else {
				s.Target = t.v
			}
		}
	}
	if e, ok := m[pathsKey]; ok {
		s.Paths = w.paths(e)
	}
	var defaults rawCase
	if e, ok := m["defaults"]; ok {
		defaults = w.rawCase(e.val, "defaults", e.at, defaultsKeys)
	}
	e, ok := m["cases"]
	if !ok {
		w.Add(&MissingError{w.Problem(top, "cases", "", "is missing", "add cases: with at least one case")})
		return s
	}
	items, ok := w.seq(e, "cases")
	if !ok {
		return s
	}
	if len(items) == 0 {
		w.Add(&MissingError{w.Problem(e.at, "cases", "", "has no cases", "add at least one \"- name: …\" item under cases:")})
		return s
	}
	names := map[string]yamlpos.Pos{}
	for i, item := range items {
		field := fmt.Sprintf("cases[%d]", i)
		at := yamlpos.Start(item, e.at)
		rc := w.rawCase(item, field, at, caseKeys)
		switch {
		case !rc.name.set:
			if rc.at != (yamlpos.Pos{}) {
				w.Add(&MissingError{w.Problem(at, field+".name", "", "is missing", "give every case a unique name: name: …")})
			}
		case rc.name.bad:
			// Already reported where the value is.
		case strings.TrimSpace(rc.name.v) == "":
			w.Add(&MissingError{w.Problem(rc.name.at, field+".name", "", "is empty", "give every case a unique name")})
		default:
			if prev, dup := names[rc.name.v]; dup {
				w.Add(&DuplicateNameError{w.Problem(rc.name.at, field+".name", rc.name.v, fmt.Sprintf("is also the name of the case at line %d", prev.Line), "give each case a unique name")})
			} else {
				names[rc.name.v] = rc.name.at
			}
		}
		if rc.at == (yamlpos.Pos{}) {
			continue // not a mapping, already reported
		}
		rc.merge(defaults)
		if c, ok := w.finishCase(rc, s.Target); ok {
			s.Cases = append(s.Cases, c)
		}
	}
	return s
}

// rawCase reads a case item or the defaults block; rc.at stays zero when n
// is not a mapping.
func (w *walker) rawCase(n ast.Node, field string, at yamlpos.Pos, known []string) rawCase {
	rc := rawCase{field: field}
	m, ok := w.mapping(n, field, at, known)
	if !ok {
		return rc
	}
	rc.at = at
	if e, ok := m["name"]; ok {
		rc.name = w.str(e, field+".name")
	}
	if e, ok := m["why"]; ok {
		rc.why = w.str(e, field+".why")
	}
	if e, ok := m["origin"]; ok {
		rc.origin = w.origin(e, field+".origin")
	}
	if e, ok := m["request"]; ok {
		w.request(e, field+".request", &rc.req)
	}
	if e, ok := m["cookies"]; ok {
		rc.cookies = w.pairs(e, field+".cookies", "cookie names to values", "write name: value lines, or {name: value}", cookieIssues)
	}
	if e, ok := m["expect"]; ok {
		w.expect(e, field+".expect", &rc.exp)
	}
	if e, ok := m["steps"]; ok {
		rc.steps, rc.stepsSet = w.steps(e, field+".steps"), true
	}
	return rc
}

// enum reads a field whose value must be one of names.
func (w *walker) enum(m map[string]entry, key, parent, what string, names []string) sval {
	e, ok := m[key]
	if !ok {
		return sval{}
	}
	field := join(parent, key)
	v := w.str(e, field)
	if v.ok() && !contains(names, v.v) {
		w.Add(&EnumError{w.Problem(v.at, field, v.v, "is not "+what, enumHint(v.v, names))})
		v.bad = true
	}
	return v
}

func (w *walker) request(e entry, field string, r *rawRequest) {
	m, ok := w.mapping(e.val, field, e.at, requestKeys)
	if !ok {
		return
	}
	r.api = w.enum(m, "api", field, "an api", apiNames)
	r.credentials = w.enum(m, "credentials", field, "a credentials mode", credentialsNames)
	r.mode = w.enum(m, "mode", field, "a request mode", modeNames)
	if e, ok := m["method"]; ok {
		r.method = w.str(e, field+".method")
		if r.method.ok() {
			if is := methodIssue(r.method.v); is != nil {
				w.Add(&MethodError{w.Problem(r.method.at, field+".method", r.method.v, is.reason, is.hint)})
				r.method.bad = true
			}
		}
	}
	if e, ok := m["url"]; ok {
		r.url = w.str(e, field+".url")
		if r.url.ok() && r.url.v == "" {
			w.Add(&MissingError{w.Problem(r.url.at, field+".url", "", "is empty", "write an absolute http(s) URL, or a path relative to target")})
			r.url.bad = true
		}
	}
	if e, ok := m["body"]; ok {
		r.body = w.str(e, field+".body")
	}
	if e, ok := m["headers"]; ok {
		r.headers = w.headers(e, field+".headers")
	}
}

func (w *walker) headers(e entry, field string) []rawHeader {
	return w.pairs(e, field, "header names to values", "write Name: value lines, or {Name: value}", headerIssues)
}

// headerIssues checks one request header.
func headerIssues(name, value string) (nameIssue, valueIssue *issue) {
	return headerNameIssue(name), headerValueIssue(value)
}

// pairs reads a mapping of names to string values (headers, cookies),
// checking each with check; names compare case-insensitively for
// duplicates.
func (w *walker) pairs(e entry, field, what, hint string, check func(name, value string) (nameIssue, valueIssue *issue)) []rawHeader {
	n, ok := w.unwrap(e.val, field)
	if !ok {
		return nil
	}
	if yamlpos.IsNull(n) {
		return nil
	}
	values, ok := yamlpos.Mapping(n)
	if !ok {
		w.Add(&TypeError{w.Problem(yamlpos.At(n, e.at), field, "", "is "+yamlpos.Kind(n)+", but must be a mapping of "+what, hint)})
		return nil
	}
	var out []rawHeader
	seen := map[string]yamlpos.Pos{}
	for _, mv := range values {
		name, at, _ := yamlpos.Key(mv, e.at)
		hf := field + "." + name
		if is, _ := check(name, ""); is != nil {
			w.Add(&HeaderError{w.Problem(at, hf, name, is.reason, is.hint)})
			continue
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			w.Add(&DuplicateKeyError{w.Problem(at, hf, "", fmt.Sprintf("is given twice (first at line %d; names ignore case)", prev.Line), "keep one of them")})
			continue
		}
		seen[strings.ToLower(name)] = at
		v := w.str(entry{mv.Value, at}, hf)
		if !v.ok() {
			continue
		}
		if _, is := check(name, v.v); is != nil {
			w.Add(&HeaderError{w.Problem(v.at, hf, v.v, is.reason, is.hint)})
			continue
		}
		out = append(out, rawHeader{name: name, value: v.v, at: at})
	}
	return out
}

func (w *walker) expect(e entry, field string, x *rawExpect) {
	m, ok := w.mapping(e.val, field, e.at, expectKeys)
	if !ok {
		return
	}
	x.verdict = w.enum(m, "verdict", field, "a verdict", verdictNames)
	if ce, ok := m["cors_error"]; ok {
		v := w.str(ce, field+".cors_error")
		_, known := cors.LookupCorsError(v.v)
		if _, fx := cors.LookupFirefoxReason(v.v); fx {
			known = true
		}
		if v.ok() && !known {
			hint := "use one of Chromium's CorsError names, such as MissingAllowOriginHeader, or Firefox's, such as CORSMissingAllowOrigin"
			if c := yamlpos.Closest(v.v, corsErrorNames); c != "" {
				hint = "did you mean " + c + "?"
			} else if c := yamlpos.Closest(v.v, firefoxReasonNames); c != "" {
				hint = "did you mean " + c + "?"
			}
			w.Add(&EnumError{w.Problem(v.at, field+".cors_error", v.v, "is not a Chromium CorsError or Firefox CORS reason name", hint)})
			v.bad = true
		}
		x.corsError = v
	}
	if pe, ok := m["preflight"]; ok {
		if b, ok := w.boolean(pe, field+".preflight"); ok {
			x.preflight = &b
		}
	}
	if se, ok := m["status"]; ok {
		if st, at, ok := w.integer(se, field+".status"); ok {
			if st < 100 || st > 599 {
				w.Add(&RangeError{w.Problem(at, field+".status", strconv.Itoa(st), "is not an HTTP status", "use 100-599; for a request the browser refused, expect verdict: blocked instead")})
			} else {
				x.status = &st
			}
		}
	}
	if re, ok := m["readable_headers"]; ok {
		items, ok := w.seq(re, field+".readable_headers")
		if ok {
			x.readableSet = true
		}
		for i, it := range items {
			hf := fmt.Sprintf("%s.readable_headers[%d]", field, i)
			v := w.str(entry{it, re.at}, hf)
			if !v.ok() {
				continue
			}
			if !cors.IsToken(v.v) {
				w.Add(&HeaderError{w.Problem(v.at, hf, v.v, "is not a valid header name", "list header names such as X-Request-Id")})
				continue
			}
			x.readable = append(x.readable, v.v)
		}
	}
}

// merge fills everything the case leaves unset from defaults. Headers merge
// by name, ignoring case, and the case's own header wins.
func (rc *rawCase) merge(d rawCase) {
	rc.origin.inherit(d.origin)
	r, dr := &rc.req, d.req
	r.api.inherit(dr.api)
	r.method.inherit(dr.method)
	r.url.inherit(dr.url)
	r.credentials.inherit(dr.credentials)
	r.body.inherit(dr.body)
	r.mode.inherit(dr.mode)
	own := map[string]bool{}
	for _, h := range r.headers {
		own[strings.ToLower(h.name)] = true
	}
	var merged []rawHeader
	for _, h := range dr.headers {
		if !own[strings.ToLower(h.name)] {
			merged = append(merged, h)
		}
	}
	r.headers = append(merged, r.headers...)
	rc.cookies = mergePairs(rc.cookies, d.cookies)
	x, dx := &rc.exp, d.exp
	x.verdict.inherit(dx.verdict)
	x.corsError.inherit(dx.corsError)
	if x.preflight == nil {
		x.preflight = dx.preflight
	}
	if x.status == nil {
		x.status = dx.status
	}
	if !x.readableSet && dx.readableSet {
		x.readable, x.readableSet = dx.readable, true
	}
}

// mergePairs adds the defaults' pairs the case does not set itself.
func mergePairs(own, defaults []rawHeader) []rawHeader {
	set := map[string]bool{}
	for _, p := range own {
		set[strings.ToLower(p.name)] = true
	}
	var merged []rawHeader
	for _, p := range defaults {
		if !set[strings.ToLower(p.name)] {
			merged = append(merged, p)
		}
	}
	return append(merged, own...)
}

// fromDefaults says where an inherited value came from, for cross-field
// messages that point at the defaults block.
func fromDefaults(v sval) string {
	if v.inherited {
		return " (set in defaults:)"
	}
	return ""
}

// finish checks the merged case as a whole and builds the Case. Checks that
// depend on a value already reported as bad are skipped, so one typo yields
// one error.
func (w *walker) finish(rc rawCase, target string) (Case, bool) {
	before := w.Count()
	f := rc.field
	c := Case{Name: rc.name.v, Why: rc.why.v, Origin: rc.origin.v, File: w.File, Line: rc.at.Line}
	for _, ck := range rc.cookies {
		if c.Cookies == nil {
			c.Cookies = map[string]string{}
		}
		c.Cookies[ck.name] = ck.value
	}
	if !rc.origin.set {
		w.Add(&MissingError{w.Problem(rc.at, f+".origin", "", "is missing and defaults: sets none", "add origin: https://app.example.test to the case or to defaults:")})
	}
	r := rc.req
	c.Request.API = DefaultAPI
	if r.api.set {
		c.Request.API = API(r.api.v)
	}
	c.Request.Method = DefaultMethod
	if r.method.set {
		c.Request.Method = cors.NormalizeMethod(r.method.v)
	}
	c.Request.Credentials = DefaultCredentials
	if r.credentials.set {
		c.Request.Credentials = Credentials(r.credentials.v)
	}
	if c.Request.API == APIFetch {
		c.Request.Mode = DefaultMode
	}
	if r.mode.set {
		if c.Request.API != APIFetch && r.api.ok() && r.mode.ok() {
			w.Add(&ConflictError{w.Problem(r.mode.at, f+".request.mode", r.mode.v, "applies to api fetch only"+fromDefaults(r.mode)+", and this case uses "+string(c.Request.API), "remove mode, or use api: fetch")})
		}
		c.Request.Mode = Mode(r.mode.v)
	}
	switch {
	case !r.url.set:
		w.Add(&MissingError{w.Problem(rc.at, f+".request.url", "", "is missing", "add request: {url: …} with an absolute URL or a path relative to target")})
	case r.url.ok() && !r.api.bad:
		abs, is := resolveURL(r.url.v, target, c.Request.API)
		if is != nil {
			w.Add(&URLError{w.Problem(r.url.at, f+".request.url", r.url.v, is.reason+fromDefaults(r.url), is.hint)})
		}
		c.Request.URL = abs
	}
	methodOK := !r.method.bad
	if r.body.set {
		if m := c.Request.Method; methodOK && (m == "GET" || m == "HEAD") {
			w.Add(&ConflictError{w.Problem(r.body.at, f+".request.body", "", "is set on a "+m+" request"+fromDefaults(r.body)+"; fetch throws and xhr drops it", "remove body, or use method: POST")})
		}
		c.Request.Body = r.body.v
	}
	noCORS := c.Request.Mode == ModeNoCORS && c.Request.API == APIFetch
	if noCORS && methodOK {
		switch c.Request.Method {
		case "GET", "HEAD", "POST":
		default:
			w.Add(&ConflictError{w.Problem(r.mode.at, f+".request.mode", string(ModeNoCORS), "allows only GET, HEAD and POST, and fetch throws on "+c.Request.Method+fromDefaults(r.mode), "use mode: cors, or one of those methods")})
		}
	}
	for _, h := range r.headers {
		if noCORS && !noCORSSafelisted(h.name, h.value) {
			w.Add(&ConflictError{w.Problem(h.at, f+".request.headers."+h.name, h.value, "is dropped by the browser in no-cors mode", "use mode: cors, or only CORS-safelisted headers")})
			continue
		}
		if c.Request.Headers == nil {
			c.Request.Headers = map[string]string{}
		}
		c.Request.Headers[h.name] = h.value
	}
	x := rc.exp
	if x.verdict.set || x.corsError.set || x.preflight != nil || x.status != nil || len(x.readable) > 0 {
		c.Expect = &Expect{
			Verdict:         cors.Verdict(x.verdict.v),
			CorsError:       cors.CorsError(x.corsError.v),
			Preflight:       x.preflight,
			Status:          x.status,
			ReadableHeaders: x.readable,
		}
	}
	if x.corsError.ok() && x.verdict.ok() && x.verdict.v != string(cors.VerdictBlocked) {
		w.Add(&ConflictError{w.Problem(x.corsError.at, f+".expect.cors_error", x.corsError.v, "comes only with verdict blocked, but the case expects "+x.verdict.v+fromDefaults(x.verdict), "remove cors_error, or expect verdict: blocked")})
	}
	return c, w.Count() == before
}
