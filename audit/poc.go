package audit

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/corsproof/corsproof/cors"
)

// PoCResult is what a proof-of-concept page reports, as the promise
// window.corsproofPoC resolves to (tests read it; a person reads the same
// on the page).
type PoCResult struct {
	OK      bool              `json:"ok"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Error   string            `json:"error"`
}

// pocRequest is the request a PoC page makes, as its script reads it.
type pocRequest struct {
	URL         string            `json:"url"`
	Method      string            `json:"method"`
	Credentials string            `json:"credentials"`
	Headers     map[string]string `json:"headers"`
}

// secretPlaceholder stands in a PoC for the value of a credential header:
// the attacker does not have the victim's token, and the file must not
// carry it either.
const secretPlaceholder = "REPLACE-ME"

// pocReader is the script that makes the request and reports what it
// read. It reads exactly what any web page's script can.
const pocReader = `"use strict";
async function corsproofRead(req) {
  try {
    const r = await fetch(req.url, {method: req.method, credentials: req.credentials, headers: req.headers});
    const headers = {};
    r.headers.forEach((v, k) => { headers[k] = v; });
    const body = await r.text();
    return {ok: true, status: r.status, headers, body: body.slice(0, 4096), error: ""};
  } catch (e) {
    return {ok: false, status: 0, headers: {}, body: "", error: String(e)};
  }
}
`

// PoC renders the self-contained proof-of-concept page of a finding: it
// makes the finding's request from wherever it is hosted, and shows what it
// read. A null-origin finding's request runs in a sandboxed iframe, so that
// page works from any origin, even a file.
func PoC(f *Finding) ([]byte, error) {
	req := pocRequest{URL: f.Request.URL, Method: f.Request.Method, Credentials: string(f.Request.Credentials), Headers: map[string]string{}}
	if req.Method == "" {
		req.Method = "GET"
	}
	if req.Credentials == "" {
		req.Credentials = "same-origin"
	}
	for k, v := range f.Request.Headers {
		if cors.IsSecretHeader(k) {
			v = secretPlaceholder
		}
		req.Headers[k] = v
	}
	// json.Marshal escapes <, > and &: the value cannot end the script.
	spec, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("writing PoC: %w", err)
	}
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">\n")
	fmt.Fprintf(&b, "<title>corsproof PoC: %s %s</title></head>\n<body>\n", esc(f.Rule), esc(f.URL))
	fmt.Fprintf(&b, "<h1>CORS proof of concept: %s</h1>\n", esc(f.Title))
	fmt.Fprintf(&b, "<p>Severity <b>%s</b>: %s.</p>\n", esc(string(f.Severity)), esc(f.Why))
	fmt.Fprintf(&b, "<p>Request: <code>%s %s</code>, credentials <code>%s</code>.</p>\n", esc(req.Method), esc(req.URL), esc(req.Credentials))
	if f.Origin == "null" {
		b.WriteString("<p>Open this page from any origin (a file will do), in a browser logged in to the API: the request runs in a sandboxed iframe, whose origin is <code>null</code>.</p>\n")
	} else {
		fmt.Fprintf(&b, "<p>Host this page at <code>%s</code> (any path) and open it in a browser logged in to the API: the browser then sends <code>Origin: %s</code>.</p>\n", esc(f.Origin), esc(f.Origin))
	}
	b.WriteString("<p>What the page read:</p>\n<pre id=\"out\">running…</pre>\n")
	show := `window.corsproofPoC.then((res) => { document.getElementById("out").textContent = JSON.stringify(res, null, 2); });` + "\n"
	if f.Origin == "null" {
		inner := "<!doctype html><meta charset=\"utf-8\"><script>" + pocReader +
			"corsproofRead(" + string(spec) + ").then((res) => parent.postMessage({corsproof: res}, \"*\"));</script>"
		b.WriteString("<script>\n\"use strict\";\nwindow.corsproofPoC = new Promise((resolve) => {\n" +
			"  addEventListener(\"message\", (e) => { if (e.data && e.data.corsproof) resolve(e.data.corsproof); });\n});\n" + show + "</script>\n")
		fmt.Fprintf(&b, "<iframe sandbox=\"allow-scripts\" style=\"display:none\" srcdoc=\"%s\"></iframe>\n", esc(inner))
	} else {
		b.WriteString("<script>\n" + pocReader + "window.corsproofPoC = corsproofRead(" + string(spec) + ");\n" + show + "</script>\n")
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String()), nil
}

// WritePoCs writes the PoC page of every finding the browser let read into
// dir, and records each path in its finding. A finding about Vary has no
// page: its request reads nothing, the risk lies in a cache.
func WritePoCs(dir string, rep *Report) error {
	n := 0
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.Severity == SeverityNone || f.Read == nil {
			continue
		}
		if n == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("writing PoC files: %w", err)
			}
		}
		n++
		page, err := PoC(f)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, fmt.Sprintf("%02d-%s-%s-%s.html", n, f.Severity, f.Rule, slug(f.URL)))
		if err := os.WriteFile(path, page, 0o644); err != nil {
			return fmt.Errorf("writing PoC: %w", err)
		}
		f.PoC = path
	}
	return nil
}

// slug makes a short file-name part of a URL's host and path.
func slug(raw string) string {
	s := raw
	if u, err := url.Parse(raw); err == nil {
		s = u.Host + u.Path
	}
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
	s = strings.Trim(s, "-")
	if len(s) > 50 {
		s = s[:50]
	}
	return s
}
