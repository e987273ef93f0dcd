// Package pages gives test pages their origins and holds the in-page runner
// that makes the request under test.
//
// A page is never served by a real web server at the named origin: the
// harness answers the browser's navigation to the page URL itself (CDP
// Fetch.fulfillRequest on the document only), so a page can sit at any
// origin — https://app.example.test, http://localhost:3000, an IP, or the
// opaque origin "null" — with no DNS, hosts-file or certificate set-up.
// The request under test is never intercepted.
package pages

import (
	_ "embed"
	"fmt"
	"html"
	"net"
	"net/url"
	"strconv"
	"strings"
)

//go:embed runner.js
var runnerJS string

// Path is the path of every page; it is unlikely to clash with a real route
// and makes the page document easy to recognise in the network log.
const Path = "/__corsproof/page"

// NullHost is the host the page for the opaque origin "null" is loaded
// from; the sandbox CSP makes its origin opaque, so the host never shows.
const NullHost = "null.corsproof.invalid"

// noFavicon names an empty icon, so the browser does not fetch
// ORIGIN/favicon.ico from the network once the page has loaded: the page
// origin is not a real server, and a request to it would leave the machine
// (measured: https://10.1.2.3/favicon.ico was connected to).
const noFavicon = `<link rel="icon" href="data:,">`

// Page is the document the browser loads for one origin.
type Page struct {
	// Origin is the serialized origin the page must report as self.origin.
	Origin string
	// URL is where the browser navigates to load the page.
	URL string
	// Headers are the response headers to fulfil the document with.
	Headers map[string]string
	// Body is the HTML document.
	Body []byte
}

// For returns the page for a serialized origin ("scheme://host[:port]" or
// "null"). The origin must already be valid; For only normalises it.
func For(origin string) (*Page, error) {
	body := "<!doctype html><html><head><meta charset=utf-8>" + noFavicon + "<title>corsproof page " +
		html.EscapeString(origin) + "</title></head><body><script>" + runnerJS + "</script></body></html>"
	return Document(origin, []byte(body))
}

// Document returns a page at a serialized origin whose document is body
// instead of the runner: a page written elsewhere (a proof of concept) run
// at the origin it was written for. For "null", body runs sandboxed.
func Document(origin string, body []byte) (*Page, error) {
	headers := map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-store",
	}
	base := origin
	if origin == "null" {
		// A sandboxed document without allow-same-origin has an opaque
		// origin, which serialises as "null": exactly what a sandboxed
		// iframe or a file: page sends.
		headers["Content-Security-Policy"] = "sandbox allow-scripts"
		base = "http://" + NullHost
	} else {
		norm, err := Normalize(origin)
		if err != nil {
			return nil, err
		}
		base = norm
	}
	return &Page{Origin: origin, URL: base + Path, Headers: headers, Body: body}, nil
}

// Normalize returns the serialized form of an http(s) origin, as a browser
// would report it: lower-case scheme and host, no default port.
func Normalize(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return "", fmt.Errorf("parsing origin %q: %w", origin, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("origin %q: scheme must be http or https", origin)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port]", origin)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("origin %q: bad port %q", origin, port)
		}
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	return strings.ToLower(u.Scheme) + "://" + hostport, nil
}

// RunSpec is what the runner needs to make one request. It is marshalled to
// JSON and handed to the page's __corsproof.run.
type RunSpec struct {
	API         string            `json:"api"`
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Credentials string            `json:"credentials"`
	Mode        string            `json:"mode,omitempty"`
	Body        string            `json:"body"`
	HasBody     bool              `json:"hasBody"`
}

// Outcome is what the runner reports back.
type Outcome struct {
	OK      bool              `json:"ok"`
	Status  int               `json:"status"`
	Type    string            `json:"type"`
	Error   string            `json:"error"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// BodyComplete is false when the body was still coming (a stream) when
	// the runner stopped reading: the request has no end event yet.
	BodyComplete bool `json:"bodyComplete"`
}

// Info is what the page reports about itself before the run.
type Info struct {
	Origin string `json:"origin"`
	Secure bool   `json:"secure"`
}
