package result

import (
	"fmt"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// CacheFix is what stops a shared cache from handing one origin's CORS
// answer to another.
const CacheFix = "Send `Vary: Origin` on every response whose Access-Control-Allow-Origin depends on the request's Origin — the ones that deny an origin too, and the preflights — or mark them `Cache-Control: private`. " +
	"A cache that ignores Vary must key on Origin: nginx `proxy_cache_key $scheme$proxy_host$request_uri$http_origin;`, Varnish `hash_data(req.http.Origin);` in vcl_hash, a CDN's cache key with the Origin header in it."

// ErrorPathFix says where the CORS layer must sit.
const ErrorPathFix = "Put the CORS layer in front of authentication, rate limiting and error handling, so that every response — 401, 403, 404, 429, 5xx — carries Access-Control-Allow-Origin (and Allow-Credentials when credentialed): " +
	"Express `app.use(cors())` before the auth middleware; Spring `http.cors()` so CorsFilter runs ahead of Spring Security; ASP.NET Core `UseCors()` before `UseAuthentication()`; Django `CorsMiddleware` first in MIDDLEWARE; Go: wrap the auth-protected mux in the CORS handler; nginx `add_header … always;` (without always, add_header skips 4xx and 5xx)."

// ConcludeCacheCheck reads a cache check's record (scenarios.CacheChecks):
// its last step is origin B's request after origin A primed the path. B
// answered with an Access-Control-Allow-Origin naming another origin is a
// poisoned cache: a mismatch, with its cause and fix.
func ConcludeCacheCheck(rec *Record) {
	if len(rec.Steps) < 2 {
		return
	}
	a, b := rec.Steps[0].Origin, rec.Steps[len(rec.Steps)-1]
	cc := &CacheCheck{PrimedBy: a, Origin: b.Origin}
	rec.CacheCheck = cc
	if b.Verdict == cors.VerdictError || b.Verdict == cors.VerdictNotRun {
		cc.Summary = "The check did not run to the end: " + b.Page.Error
		return
	}
	for _, x := range []struct {
		name string
		ex   *Exchange
	}{{"preflight", b.Preflight}, {"actual", b.Actual}} {
		if x.ex == nil {
			continue
		}
		h := lowerHeaders(x.ex.ResponseHeaders)
		acao := h["access-control-allow-origin"]
		if acao == "" || acao == "*" || acao == b.Origin {
			continue
		}
		cc.Poisoned, cc.Exchange, cc.ACAO = true, x.name, acao
		cc.Cause = cacheCause(h)
		cc.Fix = CacheFix
		cc.Summary = fmt.Sprintf("Origin %s was answered (%s) with Access-Control-Allow-Origin %q after %s made the same request: a cache on the path served one origin's permission to another, and the browser %s the request. %s",
			b.Origin, x.name, acao, a, verdictVerb(b.Verdict), cc.Cause)
		rec.Mismatches = append(rec.Mismatches, "cache poisoning: "+cc.Summary)
		rec.ExpectMet = false
		return
	}
	cc.Summary = fmt.Sprintf("Origin %s got an answer of its own after %s made the same request (browser: %s): no sign of a shared cache carrying one origin's CORS answer to another.", b.Origin, a, b.Verdict)
}

func verdictVerb(v cors.Verdict) string {
	if v == cors.VerdictBlocked {
		return "blocked"
	}
	return "ended " + string(v) + " for"
}

// cacheCause says which headers of the poisoned response let a shared
// cache keep it for every origin.
func cacheCause(h map[string]string) string {
	var why []string
	if !hasToken(h["vary"], "origin") {
		why = append(why, "the response's Access-Control-Allow-Origin depends on Origin but it has no `Vary: Origin`")
	} else {
		why = append(why, "the response says `Vary: Origin` but a cache on the path ignored it (a cache key without Origin)")
	}
	cc := h["cache-control"]
	switch {
	case cc == "":
		why = append(why, "no Cache-Control forbids shared caching")
	case !hasToken(cc, "private") && !hasToken(cc, "no-store"):
		why = append(why, fmt.Sprintf("`Cache-Control: %s` allows shared caching", cc))
	default:
		why = append(why, fmt.Sprintf("the cache stored it despite `Cache-Control: %s` (it is configured to ignore Cache-Control)", cc))
	}
	return "Cause: " + strings.Join(why, "; ") + "."
}

func lowerHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out
}

func hasToken(v, tok string) bool {
	for _, line := range strings.Split(v, "\n") {
		for _, t := range strings.Split(line, ",") {
			t = strings.ToLower(strings.TrimSpace(t))
			if t == tok || strings.HasPrefix(t, tok+"=") {
				return true
			}
		}
	}
	return false
}

// ConcludeErrorPath reads an error-path case's record (scenarios.ErrorPaths):
// an error response (status 400 or more) the browser blocked for a CORS
// reason hides the error from the page — a mismatch, with where the CORS
// layer must sit. An error response the page can read, or a request that
// reached no error, is not. A burst (its steps) is judged by its first
// call that reached an error, or its last call when none did.
func ConcludeErrorPath(rec *Record, kind string) {
	ep := &ErrorPathCheck{Kind: kind, Exchange: "actual"}
	rec.ErrorPath = ep
	src, what := rec, "The "+kind+" request"
	if len(rec.Steps) > 0 {
		i := firstError(rec.Steps)
		src, ep.Call = &rec.Steps[i], i+1
		what = fmt.Sprintf("Call %d of the %d-call %s burst", i+1, len(rec.Steps), kind)
	}
	ex := src.Actual
	if src.Preflight != nil && (ex == nil || strings.HasPrefix(string(src.CorsError.Canonical()), "Preflight")) {
		ep.Exchange, ex = "preflight", src.Preflight
	}
	if ex != nil {
		ep.Status = ex.Status
	}
	ep.Reached = ep.Status >= 400
	switch {
	case !ep.Reached && src.Verdict == cors.VerdictBlocked:
		ep.Summary = fmt.Sprintf("%s never reached the API's error handling: the browser blocked it first (%s, %s status %s); nothing to check.", what, orNone(string(src.CorsError), string(src.BlockedReason)), ep.Exchange, statusWord(ep.Status))
	case !ep.Reached:
		ep.Summary = fmt.Sprintf("%s reached no error (%s status %s); nothing to check.", what, ep.Exchange, statusWord(ep.Status))
	case src.Verdict == cors.VerdictBlocked && src.CorsError != "":
		ep.Hidden, ep.Fix = true, ErrorPathFix
		ep.Summary = fmt.Sprintf("%s: the %s response was a %d without the CORS headers the browser needs, so it blocked it (%s): the page sees a CORS error and cannot read the %d.",
			what, ep.Exchange, ep.Status, src.CorsError, ep.Status)
		rec.Mismatches = append(rec.Mismatches, "error path: "+ep.Summary)
		rec.ExpectMet = false
	default:
		ep.Summary = fmt.Sprintf("The %d answer to %s carries CORS headers: the page can read the status (browser: %s).", ep.Status, lowerFirst(what), src.Verdict)
	}
}

// firstError is the index of the first step whose preflight or actual
// response was an error (400 or more), else of the last step.
func firstError(steps []Record) int {
	for i, s := range steps {
		for _, ex := range []*Exchange{s.Preflight, s.Actual} {
			if ex != nil && ex.Status >= 400 {
				return i
			}
		}
	}
	return len(steps) - 1
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func statusWord(s int) string {
	if s == 0 {
		return "none"
	}
	return fmt.Sprint(s)
}

// ConcludeCheck adds the finding of a generated check (c.Check) to its
// concluded record.
func ConcludeCheck(rec *Record, c scenarios.Case) {
	if c.Check != "" {
		// A generated sequence (two origins priming a cache, a burst) is
		// a probe of the server, not a client's preflight economy.
		rec.Economy = nil
	}
	switch {
	case c.Check == scenarios.CheckCache:
		ConcludeCacheCheck(rec)
	case strings.HasPrefix(c.Check, scenarios.CheckErrorPath):
		ConcludeErrorPath(rec, strings.TrimPrefix(c.Check, scenarios.CheckErrorPath))
	}
}

func orNone(a, b string) string {
	if a != "" {
		return a
	}
	if b != "" {
		return b
	}
	return "no reason given"
}
