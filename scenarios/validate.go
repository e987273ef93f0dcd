package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Validate checks a case built in code — from command-line flags, say — by
// the rules a suite file's case is checked by, with no YAML in between. It
// fills in what a suite's defaults would (api fetch, method GET,
// credentials same-origin, mode cors for fetch), normalises the method, and
// resolves nothing: the URL must be absolute. It returns every problem at
// once, as *fileerr.Problem values with no file or position, their fields
// named from the case: origin, request.method, request.headers.X-Token.
func (c *Case) Validate() error {
	if len(c.Steps) > 0 {
		return c.validateSteps()
	}
	w := &walker{yamlpos.Walker{}}
	rc := rawCase{field: "case", name: given(c.Name), why: given(c.Why), origin: given(c.Origin)}
	rc.name.set = true
	if rc.origin.set {
		if is := originIssue(c.Origin); is != nil {
			w.Add(&OriginError{w.Problem(yamlpos.Pos{}, "case.origin", c.Origin, is.reason, is.hint)})
			rc.origin.bad = true
		}
	}
	r := c.Request
	check := func(field, value, what string, names []string) sval {
		v := given(value)
		if v.set && !contains(names, value) {
			w.Add(&EnumError{w.Problem(yamlpos.Pos{}, "case.request."+field, value, "is not "+what, enumHint(value, names))})
			v.bad = true
		}
		return v
	}
	rc.req.api = check("api", string(r.API), "an api", apiNames)
	rc.req.credentials = check("credentials", string(r.Credentials), "a credentials mode", credentialsNames)
	rc.req.mode = check("mode", string(r.Mode), "a request mode", modeNames)
	rc.req.method = given(r.Method)
	if rc.req.method.set {
		if is := methodIssue(r.Method); is != nil {
			w.Add(&MethodError{w.Problem(yamlpos.Pos{}, "case.request.method", r.Method, is.reason, is.hint)})
			rc.req.method.bad = true
		}
	}
	rc.req.url = given(r.URL)
	rc.req.body = given(r.Body)
	rc.req.headers = checkedPairs(w, "case.request.headers", r.Headers, headerIssues)
	rc.cookies = checkedPairs(w, "case.cookies", c.Cookies, cookieIssues)
	if x := c.Expect; x != nil {
		rc.exp.verdict = given(string(x.Verdict))
		if rc.exp.verdict.set && !contains(verdictNames, string(x.Verdict)) {
			w.Add(&EnumError{w.Problem(yamlpos.Pos{}, "case.expect.verdict", string(x.Verdict), "is not a verdict", enumHint(string(x.Verdict), verdictNames))})
			rc.exp.verdict.bad = true
		}
		rc.exp.corsError = given(string(x.CorsError))
		if _, known := cors.LookupCorsError(string(x.CorsError)); rc.exp.corsError.set && !known {
			w.Add(&EnumError{w.Problem(yamlpos.Pos{}, "case.expect.cors_error", string(x.CorsError), "is not a Chromium CorsError name", "use one of Chromium's CorsError names, such as MissingAllowOriginHeader")})
			rc.exp.corsError.bad = true
		}
		if x.Status != nil && (*x.Status < 100 || *x.Status > 599) {
			w.Add(&RangeError{w.Problem(yamlpos.Pos{}, "case.expect.status", strconv.Itoa(*x.Status), "is not an HTTP status", "use 100-599")})
		}
		rc.exp.preflight, rc.exp.status, rc.exp.readable = x.Preflight, x.Status, x.ReadableHeaders
	}
	before := w.Count()
	out, _ := w.finish(rc, "")
	if w.Count() == 0 && before == 0 {
		out.File, out.Line = c.File, c.Line
		*c = out
	}
	return w.Err()
}

// given is a value a case built in code holds: set when not empty.
func given(v string) sval { return sval{v: v, set: v != ""} }

// checkedPairs checks header or cookie pairs in a stable order, names
// compared without case as a suite file's are.
func checkedPairs(w *walker, field string, pairs map[string]string, check func(name, value string) (nameIssue, valueIssue *issue)) []rawHeader {
	names := make([]string, 0, len(pairs))
	for n := range pairs {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	var out []rawHeader
	for _, name := range names {
		value, f := pairs[name], field+"."+name
		if is, _ := check(name, ""); is != nil {
			w.Add(&HeaderError{w.Problem(yamlpos.Pos{}, f, name, is.reason, is.hint)})
			continue
		}
		if seen[strings.ToLower(name)] {
			w.Add(&DuplicateKeyError{w.Problem(yamlpos.Pos{}, f, "", fmt.Sprintf("is given twice (names ignore case)"), "keep one of them")})
			continue
		}
		seen[strings.ToLower(name)] = true
		if _, is := check(name, value); is != nil {
			w.Add(&HeaderError{w.Problem(yamlpos.Pos{}, f, value, is.reason, is.hint)})
			continue
		}
		out = append(out, rawHeader{name: name, value: value})
	}
	return out
}
