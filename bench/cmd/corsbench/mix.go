package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// benchOrigin is the page origin of every case of the one-origin mix. Every
// tool fulfils the page document at this origin, so no DNS or certificate
// is involved.
const benchOrigin = "https://app.example.test"

// shape says where a mix's pages are: one origin for every case, or a new
// origin (and site) for every case, as generated, verify and audit suites
// have them.
type shape struct {
	name string
	// origin is case i's page origin.
	origin func(i int) string
	// hostRules, when set, maps the page hosts to the benchmark's page
	// server (Chromium's --host-resolver-rules): the peers and the floor
	// load their pages from there with a plain navigation, as a Playwright
	// user serves pages on many origins. corsproof ignores it: it answers
	// every page document itself and never resolves a page host.
	hostRules string
}

// oneOrigin is the mix of issue 5: every page at benchOrigin.
func oneOrigin() shape {
	return shape{name: "one-origin", origin: func(int) string { return benchOrigin }}
}

// manyOrigins gives case i the page origin http://site-i.test:port, a site
// of its own (so, with site isolation, its own renderer process), served
// by the page server on 127.0.0.1:port.
func manyOrigins(port int) shape {
	return shape{
		name:      "many-origin",
		origin:    func(i int) string { return fmt.Sprintf("http://site-%d.test:%d", i+1, port) },
		hostRules: "MAP site-*.test 127.0.0.1",
	}
}

// sitesPerMix is how many sites the few-sites mix spreads its origins
// over.
const sitesPerMix = 20

// fewSites gives every case an origin of its own, as manyOrigins does, but
// spreads the origins over sitesPerMix sites (http://o-i.site-k.test:port),
// as the look-alike and sibling origins of a generated, verify or audit
// suite fall on a few sites. Cases come in an order that alternates the
// sites: a tool that runs them as written meets a new site at every case;
// one that groups origins by site can keep a renderer process per site.
func fewSites(port int) shape {
	return shape{
		name:      "few-sites",
		origin:    func(i int) string { return fmt.Sprintf("http://o-%d.site-%d.test:%d", i+1, i%sitesPerMix+1, port) },
		hostRules: "MAP *.test 127.0.0.1",
	}
}

// kind is one of the five case families of the benchmark mix.
type kind int

const (
	simpleAllowed    kind = iota // GET, ACAO *: allowed without a preflight
	missingACAO                  // GET, no CORS headers: MissingAllowOriginHeader
	preflightAllowed             // GET with X-Token, listed in Allow-Headers: allowed after a preflight
	preflightBlocked             // POST with X-Token, no Allow-Headers: HeaderDisallowedByPreflightResponse
	wildcardCreds                // credentialed GET, ACAO *: WildcardOriginNotAllowed
)

func (k kind) String() string {
	return [...]string{"simple-allowed", "missing-acao", "preflight-allowed", "preflight-blocked", "wildcard-credentials"}[k]
}

// pattern repeats every ten cases: 4 simple allowed, 2 missing ACAO, 2
// preflight allowed, 1 preflight blocked, 1 credentialed wildcard — the
// 40/20/20/10/10 mix of issue 5, interleaved so that a slow family does
// not bunch up at one end of the run.
var pattern = [10]kind{
	simpleAllowed, missingACAO, simpleAllowed, preflightAllowed, simpleAllowed,
	preflightBlocked, missingACAO, simpleAllowed, preflightAllowed, wildcardCreds,
}

// benchCase is one case of the mix, in the form both tools are given.
type benchCase struct {
	Name        string            `json:"name"`
	Origin      string            `json:"origin"`
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Headers     map[string]string `json:"headers"`
	Credentials string            `json:"credentials"`
	Body        string            `json:"body,omitempty"`

	kind kind
}

// want is the verdict Chromium gives the case.
func (c benchCase) want() cors.Verdict {
	if c.kind == simpleAllowed || c.kind == preflightAllowed {
		return cors.VerdictAllowed
	}
	return cors.VerdictBlocked
}

// corsError is Chromium's reason for a blocked case; empty when allowed.
func (c benchCase) corsError() cors.CorsError {
	switch c.kind {
	case missingACAO:
		return cors.ErrMissingAllowOriginHeader
	case preflightBlocked:
		return cors.ErrHeaderDisallowedByPreflightResponse
	case wildcardCreds:
		return cors.ErrWildcardOriginNotAllowed
	}
	return ""
}

func (c benchCase) preflight() bool { return c.kind == preflightAllowed || c.kind == preflightBlocked }

// mix returns the deterministic n-case one-origin mix against the target at
// base. Each case has its own URL (?i=N), so no cache of either tool or the
// browser could answer one case from another.
func mix(n int, base string) ([]benchCase, error) { return shapedMix(n, base, oneOrigin()) }

// shapedMix is the n-case mix with its pages where sh puts them.
func shapedMix(n int, base string, sh shape) ([]benchCase, error) {
	if n <= 0 || n%len(pattern) != 0 {
		return nil, fmt.Errorf("case count %d: want a positive multiple of %d, so the mix keeps its proportions", n, len(pattern))
	}
	base = strings.TrimRight(base, "/")
	cases := make([]benchCase, n)
	for i := range cases {
		k := pattern[i%len(pattern)]
		c := benchCase{
			Name:        fmt.Sprintf("c%04d-%s", i+1, k),
			Origin:      sh.origin(i),
			Method:      "GET",
			Headers:     map[string]string{},
			Credentials: string(scenarios.CredentialsOmit),
			kind:        k,
		}
		path := "/api/open"
		switch k {
		case missingACAO:
			path = "/api/no-cors"
		case preflightAllowed:
			c.Headers["X-Token"] = fmt.Sprintf("t%d", i+1)
		case preflightBlocked:
			path = "/api/missing-allow-headers"
			c.Method = "POST"
			c.Headers["X-Token"] = fmt.Sprintf("t%d", i+1)
			c.Body = fmt.Sprintf(`{"i":%d}`, i+1)
		case wildcardCreds:
			path = "/api/wildcard-credentials"
			c.Credentials = string(scenarios.CredentialsInclude)
		}
		c.URL = fmt.Sprintf("%s%s?i=%d", base, path, i+1)
		cases[i] = c
	}
	return cases, nil
}

// suiteYAML renders the cases as a corsproof suite (format version 1) with
// the verdict, reason and preflight each case must show.
func suiteYAML(name string, cases []benchCase) ([]byte, error) {
	s := scenarios.Suite{Version: 1, Name: name}
	for _, c := range cases {
		pre := c.preflight()
		sc := scenarios.Case{
			Name:   c.Name,
			Origin: c.Origin,
			Request: scenarios.Request{
				API:         scenarios.APIFetch,
				Method:      c.Method,
				URL:         c.URL,
				Credentials: scenarios.Credentials(c.Credentials),
				Body:        c.Body,
			},
			Expect: &scenarios.Expect{Verdict: c.want(), CorsError: c.corsError(), Preflight: &pre},
		}
		if len(c.Headers) > 0 {
			sc.Request.Headers = c.Headers
		}
		s.Cases = append(s.Cases, sc)
	}
	out, err := yaml.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("rendering suite: %w", err)
	}
	head := "# Generated by bench/cmd/corsbench: the benchmark mix of issue 5.\n"
	return append([]byte(head), out...), nil
}

// peerJSON renders the cases as the peer's input.
func peerJSON(cases []benchCase) ([]byte, error) {
	out, err := json.Marshal(cases)
	if err != nil {
		return nil, fmt.Errorf("rendering peer cases: %w", err)
	}
	return out, nil
}

// wireCounts is how many preflights and other requests the target should
// see for the cases: every preflighted case sends one OPTIONS, and every
// case but the preflight-blocked ones sends its request.
func wireCounts(cases []benchCase) (options, others int) {
	for _, c := range cases {
		if c.preflight() {
			options++
		}
		if c.kind != preflightBlocked {
			others++
		}
	}
	return options, others
}
