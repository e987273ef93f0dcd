// Package ui is corsproof's local playground: a page on loopback with a
// request form whose Run button makes the request in corsproof's own
// headless Chromium, through the one runner, and shows the record as the
// HTML report does.
//
// The server is a browser that fetches URLs on request, so it answers only
// its own page: every request must carry the per-start random token in its
// path, name the bound loopback address in Host (a DNS-rebinding page's
// requests name the attacker's host), and, when it has an Origin (every
// POST a browser makes does) or Sec-Fetch-Site, come from the page itself.
package ui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
)

var (
	//go:embed assets/page.html.tmpl
	pageTemplateText string
	//go:embed assets/page.css
	pageCSS string
	//go:embed assets/page.js
	pageJS string
)

var pageTemplate = template.Must(template.New("page").Parse(pageTemplateText))

// pageCSP allows the page's own inline style and script only, by hash, and
// fetches to its own origin: a network value that escaped its context
// could neither run nor send anything anywhere.
var pageCSP = "default-src 'none'; style-src '" + cspHash(reports.HTMLStyle()+pageCSS) + "'; script-src '" + cspHash(pageJS) +
	"'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// maxRequestBytes bounds what the page may post: a request form, not a
// file upload.
const maxRequestBytes = 1 << 20

// maxProblems bounds the header problems an answer lists.
const maxProblems = 20

// Config is what a playground runs with.
type Config struct {
	// Runner is the configuration of every run. When Runner.Reuse is nil,
	// Start launches the browser (Runner.Browser, Runner.Driver) and Close
	// ends it.
	Runner runner.Config
	// Program is the command name in "copy as corsproof probe"; corsproof
	// when empty.
	Program string
	// Notice receives what a run has to say as it happens.
	Notice func(string)
}

// Server is a running playground.
type Server struct {
	cfg   Config
	token string
	host  string // the bound address as Host must name it
	ln    net.Listener
	srv   *http.Server
	// runMu makes runs take turns: the page makes one at a time, and a
	// second tab waits rather than sharing the browser's cases. It also
	// guards the hosts below.
	runMu sync.Mutex
	// browserMu guards browser, which a relaunch replaces.
	browserMu sync.Mutex
	browser   *harness.Browser
	owned     bool
	driver    harness.Driver
	// origins and targets are every page origin and request URL the
	// browser was launched for; sinks are the host-resolver sinks they
	// make. A run that needs more makes a new browser (see ensureBrowser).
	origins, targets, sinks []string
}

// DefaultOrigin is the page origin the form starts with; the browser is
// launched ready for it.
const DefaultOrigin = "https://app.example.test"

// Start listens on addr, which must be a loopback address (port 0 picks a
// free one), starts the browser unless cfg lends one, and serves until
// Close.
func Start(ctx context.Context, addr string, cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("reading the address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, &AddrError{Addr: addr}
	}
	if err := cfg.Runner.Validate(); err != nil {
		return nil, err
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, token: token, browser: cfg.Runner.Reuse, driver: harness.Drivers[cfg.Runner.Driver]}
	if s.driver == nil {
		s.driver = harness.Chromedp{}
	}
	if s.browser == nil {
		b, err := s.launch(ctx, []string{DefaultOrigin}, nil)
		if err != nil {
			return nil, err
		}
		s.browser, s.owned = b, true
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.closeBrowser()
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.ln = ln
	s.host = ln.Addr().String()
	// Idle keep-alive connections end after five minutes (see
	// proxy.Listen): the page's own browser reconnects when it needs to.
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// AddrError is an address that is not loopback: the playground drives a
// browser on request, so it is never offered to other machines.
type AddrError struct{ Addr string }

func (e *AddrError) Error() string {
	return fmt.Sprintf("--addr %s: corsproof ui listens on a loopback address only", e.Addr)
}

// Hint says what to write instead.
func (e *AddrError) Hint() string { return "use 127.0.0.1:PORT or [::1]:PORT" }

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the ui token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// launch starts a browser for page origins and targets: their hosts
// become the resolver's sinks as in any run (page origins never reach the
// network), and --ca checks the https targets first.
func (s *Server) launch(ctx context.Context, origins, targets []string) (*harness.Browser, error) {
	opts := s.cfg.Runner.Browser
	sinks := harness.Sinks(origins, targets)
	opts.Sinks = append(slices.Clone(opts.Sinks), sinks...)
	opts.CATargets = append(slices.Clone(opts.CATargets), targets...)
	b, err := harness.LaunchWith(ctx, s.driver, opts)
	if err != nil {
		return nil, err
	}
	s.origins, s.targets, s.sinks = origins, targets, sorted(sinks)
	return b, nil
}

// ensureBrowser makes sure the browser is up and launched for c: a browser
// the ui owns is replaced when it died, or when c names a page origin or a
// target it was not launched for (its sinks would differ, or an https
// target would go unchecked against --ca). A lent browser is used as it is.
func (s *Server) ensureBrowser(ctx context.Context, c scenarios.Case) error {
	b := s.currentBrowser()
	if !s.owned {
		return nil
	}
	origins := union(s.origins, c.Origins())
	targets := union(s.targets, []string{c.Request.URL})
	same := slices.Equal(sorted(harness.Sinks(origins, targets)), s.sinks) &&
		(s.cfg.Runner.Browser.CAFile == "" || len(targets) == len(s.targets))
	if same && b.Alive(ctx) == nil {
		return nil
	}
	nb, err := s.launch(ctx, origins, targets)
	if err != nil {
		return err
	}
	s.browserMu.Lock()
	s.browser = nb
	s.browserMu.Unlock()
	if err := b.Close(); err != nil && s.cfg.Notice != nil {
		s.cfg.Notice("closing the previous browser: " + err.Error())
	}
	return nil
}

func (s *Server) currentBrowser() *harness.Browser {
	s.browserMu.Lock()
	defer s.browserMu.Unlock()
	return s.browser
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// URL is the page's address, token included: the only way in.
func (s *Server) URL() string { return "http://" + s.host + "/" + s.token + "/" }

// Browser is the browser the playground runs its requests in now.
func (s *Server) Browser() *harness.Browser { return s.currentBrowser() }

// Close stops serving and ends the browser if Start launched it.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if berr := s.closeBrowser(); berr != nil {
		err = errors.Join(err, berr)
	}
	return err
}

func (s *Server) closeBrowser() error {
	if !s.owned {
		return nil
	}
	if err := s.currentBrowser().Close(); err != nil {
		return fmt.Errorf("closing the ui's browser: %w", err)
	}
	return nil
}

// Handler serves the page and its run endpoint behind the checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	prefix := "/" + s.token + "/"
	mux.HandleFunc("GET "+prefix+"{$}", s.page)
	mux.HandleFunc("POST "+prefix+"run", s.run)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		if msg := s.refuse(r, prefix); msg != "" {
			http.Error(w, "corsproof ui: "+msg, http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// refuse says why r is not the page's own request, or "".
func (s *Server) refuse(r *http.Request, prefix string) string {
	if r.Host != s.host {
		// A page on another host name that resolves to loopback (DNS
		// rebinding) reaches the port, but names its own host.
		return "Host " + fmt.Sprintf("%q", r.Host) + " is not " + s.host
	}
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+s.host {
		return "requests from other origins are refused"
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return "cross-site requests are refused"
	}
	path := r.URL.Path
	if len(path) < len(prefix) || subtle.ConstantTimeCompare([]byte(path[:len(prefix)]), []byte(prefix)) != 1 {
		return "this address needs the token of the URL corsproof ui printed; to open a shared link, run: corsproof ui 'LINK'"
	}
	if r.Method == http.MethodPost && r.Header.Get("Origin") == "" {
		return "a run must come from the page"
	}
	return ""
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Content-Type", "text/html; charset=utf-8")
	view := struct {
		Browser  string
		Origin   string
		CSP      string
		CSS      template.CSS
		JS       template.JS
		APIs     []string
		Creds    []string
		Modes    []string
		Defaults map[string]string
	}{
		Browser: s.currentBrowser().Version(),
		Origin:  DefaultOrigin,
		CSP:     pageCSP,
		CSS:     template.CSS(reports.HTMLStyle() + pageCSS), // Embedded constants.
		JS:      template.JS(pageJS),                         // Embedded constant.
		APIs:    []string{string(scenarios.APIFetch), string(scenarios.APIXHR)},
		Creds:   []string{string(scenarios.CredentialsOmit), string(scenarios.CredentialsSameOrigin), string(scenarios.CredentialsInclude)},
		Modes:   []string{string(scenarios.ModeCORS), string(scenarios.ModeNoCORS)},
	}
	if err := pageTemplate.Execute(w, view); err != nil {
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
	}
}

// Request is what the page's form posts: one request as a case would make
// it. Headers are "Name: value" lines, as a user types them.
type Request struct {
	Origin      string `json:"origin"`
	URL         string `json:"url"`
	Method      string `json:"method"`
	Headers     string `json:"headers"`
	Body        string `json:"body"`
	Credentials string `json:"credentials"`
	API         string `json:"api"`
	Mode        string `json:"mode"`
}

// Answer is what a run returns to the page.
type Answer struct {
	Verdict   cors.Verdict   `json:"verdict,omitempty"`
	CorsError cors.CorsError `json:"cors_error,omitempty"`
	// Card is the record as the HTML report's case card (escaped there).
	Card string `json:"card,omitempty"`
	// SuiteCase is the request as a case to paste under a suite's cases:,
	// expecting what the browser did; Probe is the command that repeats it.
	SuiteCase string `json:"suite_case,omitempty"`
	Probe     string `json:"probe,omitempty"`
	// Problems are what is wrong with the form, one line each.
	Problems []string `json:"problems,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// Case turns the form into a case, checked by the rules a suite's case is.
func (rq Request) Case() (scenarios.Case, []string) {
	c := scenarios.Case{Name: "playground request", Origin: strings.TrimSpace(rq.Origin), Request: scenarios.Request{
		API: scenarios.API(rq.API), Method: strings.TrimSpace(rq.Method), URL: strings.TrimSpace(rq.URL),
		Body: rq.Body, Credentials: scenarios.Credentials(rq.Credentials), Mode: scenarios.Mode(rq.Mode),
	}}
	if c.Request.API == scenarios.APIXHR && c.Request.Mode == scenarios.ModeCORS {
		c.Request.Mode = "" // The form keeps its mode choice when xhr is picked; xhr has none.
	}
	var problems []string
	// seen holds the lower-cased names given so far: a per-line scan of
	// the names made a megabyte of short lines take hours.
	seen := map[string]bool{}
	for i, line := range strings.Split(rq.Headers, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			problems = append(problems, fmt.Sprintf("headers line %d: %q is not Name: value", i+1, line))
			continue
		}
		if c.Request.Headers == nil {
			c.Request.Headers = map[string]string{}
		}
		name = strings.TrimSpace(name)
		if seen[strings.ToLower(name)] {
			problems = append(problems, fmt.Sprintf("headers line %d: %q is given twice (names ignore case); keep one of them", i+1, name))
			continue
		}
		if max := scenarios.DefaultLimits.Headers; len(c.Request.Headers) == max {
			problems = append(problems, fmt.Sprintf("headers line %d: more than %d headers, the limit for one case (a page sends a few dozen at most)", i+1, max))
			break
		}
		seen[strings.ToLower(name)] = true
		c.Request.Headers[name] = strings.TrimSpace(value)
	}
	if n := len(problems); n > maxProblems {
		// The page lists every problem: a megabyte of bad lines made an
		// answer of half a million, which the tab cannot show.
		problems = append(problems[:maxProblems], fmt.Sprintf("and %d more problems in the headers", n-maxProblems))
	}
	if c.Origin == "" {
		problems = append(problems, "origin: give the page's origin, such as https://app.example.test or null")
	}
	if c.Request.URL == "" {
		problems = append(problems, "url: give the absolute URL to request")
	}
	if len(problems) > 0 {
		return c, problems
	}
	if err := c.Validate(); err != nil {
		for _, p := range fileerr.Problems(err) {
			line := strings.TrimPrefix(p.Summary(), "case.")
			if h := p.HintText(); h != "" {
				line += " (" + h + ")"
			}
			problems = append(problems, line)
		}
		if len(problems) == 0 {
			problems = append(problems, err.Error())
		}
	}
	return c, problems
}

func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, Answer{Error: "post the form as application/json"})
		return
	}
	var rq Request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rq); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			// Cut at the limit, the JSON would only be "unexpected EOF".
			writeJSON(w, http.StatusRequestEntityTooLarge, Answer{Error: fmt.Sprintf("the form is larger than %d KiB, the most a request form may hold: shorten the body or the headers", maxRequestBytes>>10)})
			return
		}
		writeJSON(w, http.StatusBadRequest, Answer{Error: "reading the form: " + err.Error()})
		return
	}
	c, problems := rq.Case()
	if len(problems) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, Answer{Problems: problems})
		return
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if err := s.ensureBrowser(r.Context(), c); err != nil {
		writeJSON(w, http.StatusInternalServerError, Answer{Error: err.Error()})
		return
	}
	cfg := s.cfg.Runner
	cfg.Reuse = s.currentBrowser()
	hooks := runner.Hooks{Notice: s.cfg.Notice}
	run, err := runner.Run(r.Context(), cfg, []*scenarios.Suite{{Name: "corsproof ui", Cases: []scenarios.Case{c}}}, hooks)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, Answer{Error: err.Error()})
		return
	}
	a, err := s.answer(run)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, Answer{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// answer renders the run's one record for the page.
func (s *Server) answer(run *result.Run) (Answer, error) {
	rec := run.Records[0]
	var card strings.Builder
	if err := reports.HTMLCards(&card, run, reports.Options{ProgramName: s.cfg.Program}); err != nil {
		return Answer{}, err
	}
	// The copies are of the user's own request, secrets as typed: a
	// redacted value would not run.
	pinned := rec
	pinned.Name = caseName(&rec)
	pinned.Expect = &scenarios.Expect{Verdict: rec.Verdict, CorsError: rec.CorsError}
	if !rec.Verdict.IsBrowserVerdict() {
		pinned.Expect = nil
	}
	program := s.cfg.Program
	if program == "" {
		program = "corsproof"
	}
	probe := reports.ProbeCommand(&rec)
	if program != "corsproof" {
		probe = program + strings.TrimPrefix(probe, "corsproof")
	}
	return Answer{
		Verdict:   rec.Verdict,
		CorsError: rec.CorsError,
		Card:      card.String(),
		SuiteCase: reports.CaseYAML(&pinned),
		Probe:     probe,
	}, nil
}

// caseName names a copied case after its request, as a person would.
func caseName(rec *result.Record) string {
	m := rec.Request.Method
	if m == "" {
		m = "GET"
	}
	return fmt.Sprintf("%s %s from %s", m, rec.Request.URL, rec.Origin)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
