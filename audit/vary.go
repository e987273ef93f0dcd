package audit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Answer is one Access-Control-Allow-Origin value an audit's requests got
// back (empty: none), with the origins that got it.
type Answer struct {
	AllowOrigin string `json:"allow_origin"`
	// Reflected says each of Origins got its own origin back (then
	// AllowOrigin is empty): several origins answered so are one answer.
	Reflected bool     `json:"reflected,omitempty"`
	Origins   []string `json:"origins"`
	// WithoutVary are those of Origins whose response did not say Vary:
	// Origin.
	WithoutVary []string `json:"without_vary,omitempty"`
}

// seenAnswer is one exchange's answer as the browser recorded it.
type seenAnswer struct {
	o      Outcome
	ex     *result.Exchange
	origin string // the Origin the browser sent
	acao   string
	vary   bool // Vary names Origin (or is "*")
	// cacheControl is the response's Cache-Control when it keeps the
	// response out of shared caches (private, no-store).
	cacheControl string
}

// varyFindings looks, for one URL, at what the audit's own requests were
// answered: when Access-Control-Allow-Origin depends on the Origin — an
// origin got itself back, or two origins making the same kind of request
// got different values — every response of that exchange at a status
// where the answers differ must say Vary: Origin, or a shared cache may
// store one origin's answer and serve it to another. The audit has no cache on the path, so it cannot show the
// mix-up, only that nothing prevents it: the finding is info (none when
// Cache-Control keeps the responses out of shared caches), and its text
// says how to prove it through the real cache. The actual responses and
// the preflights are judged apart, each by its own rule.
func varyFindings(url string, outs []Outcome) []Finding {
	var out []Finding
	for _, x := range []struct {
		rule string
		ex   func(*result.Record) *result.Exchange
	}{
		{RuleVaryMissing, func(r *result.Record) *result.Exchange { return r.Actual }},
		{RulePreflightVaryMissing, func(r *result.Record) *result.Exchange { return r.Preflight }},
	} {
		var seen []seenAnswer
		for _, o := range outs {
			ex := x.ex(o.Record)
			if ex == nil || ex.Status == 0 || ex.FromCache {
				// No response from the server to judge.
				continue
			}
			a := seenAnswer{o: o, ex: ex, origin: strings.TrimSpace(header(ex.RequestHeaders, "Origin")),
				acao: strings.TrimSpace(header(ex.ResponseHeaders, "Access-Control-Allow-Origin"))}
			if a.origin == "" {
				a.origin = o.Check.Origin.Origin
			}
			vary := header(ex.ResponseHeaders, "Vary")
			a.vary = cors.HasToken(vary, "origin") || cors.HasToken(vary, "*")
			if cc := header(ex.ResponseHeaders, "Cache-Control"); cors.HasToken(cc, "private") || cors.HasToken(cc, "no-store") {
				a.cacheControl = strings.TrimSpace(cc)
			}
			seen = append(seen, a)
		}
		if f, ok := varyFinding(url, x.rule, seen); ok {
			out = append(out, f)
		}
	}
	return out
}

// varyFinding judges one exchange's answers.
func varyFinding(url, rule string, seen []seenAnswer) (Finding, bool) {
	// Only requests alike but for their Origin are compared: the same
	// kind of check (credentials, headers) answered with the same status,
	// so that a difference is the Origin's doing.
	// The legitimate origins' answers lead: the proof and the case to
	// confirm it with are best told from the front end's side.
	seen = slices.Clone(seen)
	slices.SortStableFunc(seen, func(a, b seenAnswer) int {
		return legitRank(a) - legitRank(b)
	})
	var proof string
	reflected := false
	// varies are the statuses at which the answers were seen to depend on
	// the Origin: only responses of those need Vary. A rate limiter's 429
	// without CORS headers is the same for every origin, Vary or not.
	varies := map[int]bool{}
	for i, a := range seen {
		// An attacker origin got back: reflection. (A legitimate origin
		// getting itself back proves nothing: a static value names it.)
		if a.o.Check.Origin.Kind != KindLegitimate && a.acao != "" && a.acao != "*" && a.acao != "null" && a.acao == a.origin {
			varies[a.ex.Status] = true
			if !reflected {
				proof, reflected = fmt.Sprintf("%s got %q, its own origin, back", a.origin, a.acao), true
			}
			continue
		}
		for _, b := range seen[i+1:] {
			// The same status too: an error page (a rate limiter's 429)
			// without CORS headers says nothing about the Origin.
			if b.o.Check.Kind == a.o.Check.Kind && b.ex.Status == a.ex.Status && b.origin != a.origin && b.acao != a.acao {
				varies[a.ex.Status] = true
				if proof == "" {
					proof = fmt.Sprintf("%s got %s, %s got %s", a.origin, quoted(a.acao), b.origin, quoted(b.acao))
				}
				break
			}
		}
	}
	if proof == "" {
		return Finding{}, false
	}
	var lacking []seenAnswer
	cacheable, judged := 0, 0
	for _, a := range seen {
		if !varies[a.ex.Status] {
			continue
		}
		judged++
		if !a.vary {
			lacking = append(lacking, a)
			if a.cacheControl == "" {
				cacheable++
			}
		}
	}
	if len(lacking) == 0 {
		return Finding{}, false
	}
	// The evidence is the response a cache would do most harm with: a
	// cacheable one carrying a permission, then any cacheable one.
	ev := slices.IndexFunc(lacking, func(a seenAnswer) bool { return a.cacheControl == "" && a.acao != "" })
	if ev < 0 {
		ev = slices.IndexFunc(lacking, func(a seenAnswer) bool { return a.cacheControl == "" })
	}
	if ev < 0 {
		ev = 0
	}
	w := lacking[ev]
	o := w.o
	what, fix := "response", "send `Vary: Origin` on every response whose Access-Control-Allow-Origin depends on the request's Origin, those that refuse an origin too"
	if rule == RulePreflightVaryMissing {
		what, fix = "preflight response", "send `Vary: Origin` on the OPTIONS responses too, or keep preflights out of shared caches"
	}
	harm := "the legitimate front end served another origin's answer, and blocked (denial of service)"
	if reflected {
		harm = "an origin's reflected permission handed to whoever asks next (web cache poisoning), or the legitimate front end blocked by another origin's answer (denial of service)"
	}
	o.Severity = SeverityInfo
	o.Why = fmt.Sprintf("Access-Control-Allow-Origin depends on the request's Origin (%s), but %d of the %d %ss the audit saw lack `Vary: Origin`: "+
		"a shared cache (CDN, reverse proxy) in front of the API may store one origin's answer and serve it to others — %s. "+
		"Info, not higher: no page read anything here it should not; the harm takes a cache on the path that keys responses without Origin, and the audit has no cache in the loop, so it saw the headers only. "+
		"Confirm through the real cache: `%s` (the same request through the edge, then from other origins in fresh browsers). Fix: %s",
		proof, len(lacking), judged, what, harm, confirmCommand(url, w, seen), fix)
	if cacheable == 0 {
		o.Severity = SeverityNone
		o.Why = fmt.Sprintf("Access-Control-Allow-Origin depends on the request's Origin (%s) and %d of the %d %ss the audit saw lack `Vary: Origin`, "+
			"but each of those says Cache-Control private or no-store (`Cache-Control: %s`), which keeps it out of shared caches: none, as long as no cache on the path is set to ignore Cache-Control "+
			"(check with `%s`); `Vary: Origin` would still be the robust answer",
			proof, len(lacking), judged, what, w.cacheControl, confirmCommand(url, w, seen))
	}
	f := Finding{Rule: rule, Severity: o.Severity, URL: url, Why: o.Why, Origin: o.Check.Origin.Origin, Evidence: &o, Kinds: []string{}, Origins: []string{}}
	rec := o.Record
	f.Request = rec.Request
	f.Preflight, f.Actual = rec.Preflight, rec.Actual
	if rec.Actual != nil {
		f.CookiesSent = rec.Actual.CookiesSent
	}
	f.Answers = answers(seen)
	for _, r := range Rules {
		if r.ID == rule {
			f.Title = r.Title
		}
	}
	if f.Severity == SeverityNone {
		f.Title += ", but Cache-Control keeps it out of shared caches"
	}
	return f, true
}

func legitRank(a seenAnswer) int {
	if a.o.Check.Origin.Kind == KindLegitimate {
		return 0
	}
	return 1
}

// answers groups the answers by Access-Control-Allow-Origin value, in the
// order first seen; when several origins got themselves back, those are
// one answer, Reflected.
func answers(seen []seenAnswer) []Answer {
	self := func(a seenAnswer) bool { return a.acao != "" && a.acao != "*" && a.acao == a.origin }
	selves := map[string]bool{}
	for _, a := range seen {
		if self(a) {
			selves[a.origin] = true
		}
	}
	var out []Answer
	for _, a := range seen {
		x := Answer{AllowOrigin: a.acao}
		if len(selves) > 1 && self(a) {
			x = Answer{Reflected: true}
		}
		i := slices.IndexFunc(out, func(y Answer) bool { return y.AllowOrigin == x.AllowOrigin && y.Reflected == x.Reflected })
		if i < 0 {
			x.Origins = []string{}
			out = append(out, x)
			i = len(out) - 1
		}
		if !slices.Contains(out[i].Origins, a.origin) {
			out[i].Origins = append(out[i].Origins, a.origin)
		}
		if !a.vary && !slices.Contains(out[i].WithoutVary, a.origin) {
			out[i].WithoutVary = append(out[i].WithoutVary, a.origin)
		}
	}
	return out
}

func quoted(acao string) string {
	if acao == "" {
		return "no Access-Control-Allow-Origin"
	}
	return fmt.Sprintf("%q", acao)
}

// confirmCommand is the probe that checks the finding through a real
// cache: the request of the evidence (its method, headers — secret values
// as placeholders — and credentials, so a preflight finding makes its
// preflight) from the evidence's origin (another one the audit saw when
// that is null), through the edge, with the cache check.
func confirmCommand(url string, w seenAnswer, seen []seenAnswer) string {
	req := w.o.Record.Request
	// A cache check starts from a real origin: null has none to prime.
	origin := w.origin
	for _, a := range seen {
		if origin != "null" {
			break
		}
		origin = a.origin
	}
	args := []string{"corsproof", "probe", shellWord(url), "--origin", shellWord(origin)}
	if m := req.Method; m != "" && m != "GET" {
		args = append(args, "-X", shellWord(m))
	}
	for _, name := range slices.Sorted(maps.Keys(req.Headers)) {
		value := req.Headers[name]
		if cors.IsSecretHeader(name) {
			value = secretPlaceholder
		}
		args = append(args, "-H", shellWord(name+": "+value))
	}
	if req.Credentials == scenarios.CredentialsInclude {
		args = append(args, "--credentials", "include")
	}
	return strings.Join(append(args, "--via", "edge=https://YOUR-CDN", "--cache-check"), " ")
}

// shellWord quotes s for a POSIX shell when it holds more than the
// characters a URL is safe with unquoted (a query's & or ? would not be).
// Reports escape what a terminal would act on, whatever the quoting.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
