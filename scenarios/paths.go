package scenarios

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

// Path is one network path to the API: the same requests sent to another
// scheme, host and port — a CDN edge, a reverse proxy, the origin server
// behind them. Running a suite on several paths shows which hop changed
// the answer.
type Path struct {
	// Name labels the path in records and reports (edge, origin_server).
	Name string `json:"name" yaml:"name"`
	// URL is scheme://host[:port] of the path. Empty means the requests as
	// the suite writes them (the implicit "direct" path of --via).
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
	// Address, when set, is the host:port the browser connects to for
	// URL's host and port, instead of what DNS says: the URL, Host header
	// and TLS server name stay the URL's. It reaches the origin server
	// behind a CDN that shares its host name (the runner gives the path a
	// browser of its own whose resolver maps the host; see
	// harness.Options.HostMap).
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
}

// HostPort is the URL's host:port, the port spelled out ("api.example.com:443").
func (p Path) HostPort() string {
	u, err := url.Parse(p.URL)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// addressIssue checks a path's address: host:port, no scheme.
func addressIssue(s string) *issue {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || strings.ContainsAny(host, "/ ,") {
		return &issue{"is not host:port", "write the address to connect to, e.g. 10.0.0.5:443 or origin.internal:8080"}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return &issue{"has port " + port + " outside 1-65535", "use a port between 1 and 65535"}
	}
	return nil
}

// DirectPath is the name of the path that sends each request as the suite
// writes it, when --via adds paths to a suite without paths:.
const DirectPath = "direct"

// MaxPaths bounds how many paths a suite runs on: each multiplies the run.
const MaxPaths = 8

// pathNamePattern is a path's name: what a report column and a record's
// "CASE @PATH" can carry unquoted.
const pathNamePattern = `^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`

// pathURLPattern is, for editors, a path's URL: scheme and authority only
// (the parser checks the rest).
const pathURLPattern = `^[hH][tT][tT][pP][sS]?://[^/?#\s]+/?$`

var pathName = regexp.MustCompile(pathNamePattern)

// PathIssue says what is wrong with a path's name and URL, or "" when
// nothing is; hint says what to write instead.
func PathIssue(name, rawURL string) (field, reason, hint string) {
	if !pathName.MatchString(name) {
		return "name", "is not a path name", "use letters, digits, _ . - (at most 40), e.g. edge or origin_server"
	}
	if is := pathURLIssue(rawURL); is != nil {
		return "url", is.reason, is.hint
	}
	return "", "", ""
}

func pathURLIssue(s string) *issue {
	if is := targetIssue(s); is != nil {
		return &issue{strings.Replace(is.reason, "the target must", "a path must", 1), is.hint}
	}
	u, _ := url.Parse(s)
	if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
		return &issue{"has a path; a path is scheme://host[:port] and the request keeps its own path", "write " + u.Scheme + "://" + u.Host}
	}
	return nil
}

// canonicalPathURL is a valid path URL as scheme://host[:port], without
// the trailing slash it may be written with.
func canonicalPathURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Scheme + "://" + u.Host
}

// ParsePath reads a --via value, NAME=URL or NAME=URL@ADDRESS.
func ParsePath(s string) (Path, error) {
	name, u, ok := strings.Cut(s, "=")
	if !ok {
		return Path{}, fmt.Errorf("%q is not NAME=URL, e.g. edge=https://cdn.example.com", s)
	}
	u, addr, _ := strings.Cut(u, "@")
	p := Path{Name: strings.TrimSpace(name), URL: strings.TrimSuffix(strings.TrimSpace(u), "/"), Address: strings.TrimSpace(addr)}
	if field, reason, hint := PathIssue(p.Name, p.URL); field != "" {
		return Path{}, fmt.Errorf("%s %q %s: %s", field, map[string]string{"name": p.Name, "url": p.URL}[field], reason, hint)
	}
	p.URL = canonicalPathURL(p.URL)
	if strings.Contains(s, "@") {
		if is := addressIssue(p.Address); is != nil {
			return Path{}, fmt.Errorf("address %q %s: %s", p.Address, is.reason, is.hint)
		}
	}
	return p, nil
}

// OnPath is c sent over path p: every request URL of the case (its steps'
// too) with the scheme, host and port of p, everything else — page origin,
// method, headers, credentials, body, path and query — unchanged. The
// case's name says which path it ran on, so that a run holds one record per
// case and path. A path without a URL leaves the requests as they are.
func OnPath(c Case, p Path) Case {
	out := c
	out.Path = p.Name
	out.Name = PathCaseName(c.Name, p.Name)
	if p.URL != "" {
		out.Request.URL = onPath(c.Request.URL, p.URL)
		out.Steps = make([]Step, len(c.Steps))
		for i, s := range c.Steps {
			s.Request.URL = onPath(s.Request.URL, p.URL)
			out.Steps[i] = s
		}
	}
	return out
}

// PathCaseName is the name of case name's record on path.
func PathCaseName(name, path string) string { return name + " @" + path }

func onPath(raw, base string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	b, err := url.Parse(base)
	if err != nil {
		return raw
	}
	u.Scheme, u.Host = b.Scheme, b.Host
	return u.String()
}

// pathsKey is the suite key of the paths section, and pathKeys the keys
// of a path written as a mapping.
const pathsKey = "paths"

var pathKeys = []string{"url", "address"}

// paths reads a suite's paths: mapping of name to URL, in file order: the
// first is the reference the others are compared with.
func (w *walker) paths(e entry) []Path {
	n, ok := w.unwrap(e.val, pathsKey)
	if !ok {
		return nil
	}
	values, ok := yamlpos.Mapping(n)
	if !ok || yamlpos.IsNull(n) {
		w.Add(&TypeError{w.Problem(yamlpos.At(n, e.at), pathsKey, "", "must be a mapping of path names to URLs", "write e.g. paths: {origin_server: http://app-internal:8080, edge: https://cdn.example.com}")})
		return nil
	}
	var out []Path
	seen := map[string]int{}
	for _, mv := range values {
		name, at, _ := yamlpos.Key(mv, e.at)
		field := pathsKey + "." + name
		if prev, dup := seen[name]; dup {
			w.Add(&DuplicateKeyError{w.Problem(at, field, "", fmt.Sprintf("is given twice (first at line %d)", prev), "keep one of them")})
			continue
		}
		seen[name] = at.Line
		var v, addr sval
		if inner, ok := w.unwrap(mv.Value, field); ok && inner != nil && !yamlpos.IsNull(inner) {
			if _, isMap := yamlpos.Mapping(inner); isMap {
				m, _ := w.mapping(inner, field, at, pathKeys)
				e, ok := m["url"]
				if !ok {
					w.Add(&MissingError{w.Problem(at, field+".url", "", "is missing", "write url: scheme://host[:port]")})
					continue
				}
				if v = w.str(e, field+".url"); !v.ok() {
					continue
				}
				if e, ok := m["address"]; ok {
					if addr = w.str(e, field+".address"); addr.ok() {
						if is := addressIssue(addr.v); is != nil {
							w.Add(&URLError{w.Problem(addr.at, field+".address", addr.v, is.reason, is.hint)})
							continue
						}
					}
				}
				field += ".url"
			}
		}
		if !v.set {
			v = w.str(entry{mv.Value, at}, field)
		}
		if !v.ok() {
			continue
		}
		u := strings.TrimSuffix(strings.TrimSpace(v.v), "/")
		switch f, reason, hint := PathIssue(name, u); f {
		case "name":
			w.Add(&TypeError{w.Problem(at, pathsKey+"."+name, name, reason, hint)})
			continue
		case "url":
			w.Add(&URLError{w.Problem(v.at, field, v.v, reason, hint)})
			continue
		}
		out = append(out, Path{Name: name, URL: canonicalPathURL(u), Address: addr.v})
	}
	switch {
	case len(values) == 1:
		w.Add(&RangeError{w.Problem(e.at, pathsKey, "", "has one path; paths are compared with each other", "add the path to compare with, e.g. origin_server: and edge:")})
	case len(values) > MaxPaths:
		w.Add(&RangeError{w.Problem(e.at, pathsKey, "", fmt.Sprintf("has %d paths, more than %d", len(values), MaxPaths), "compare fewer paths in one suite")})
	}
	return out
}
