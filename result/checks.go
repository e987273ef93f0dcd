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

// PreflightCacheFix stops a shared cache from answering one origin's
// preflight with another's: the browser already caches preflights per
// origin (Access-Control-Max-Age), so the edge need not.
const PreflightCacheFix = "Do not cache OPTIONS in a shared cache — pass preflights to the API (Varnish passes OPTIONS unless the VCL hashes it; nginx cannot cache it) and let `Access-Control-Max-Age` make the browser cache them per origin. " +
	"A cache that must keep preflights has to key them on what they answer: Varnish `hash_data(req.http.Origin); hash_data(req.http.Access-Control-Request-Method); hash_data(req.http.Access-Control-Request-Headers);` in vcl_hash (and no `unset beresp.http.Vary`), a CDN's cache key with those headers; " +
	"the API should send `Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers` on preflight responses."

// ConcludeCacheCheck reads a cache check's record (scenarios.CacheChecks):
// its last step is origin B's request after origin A primed the path. B
// answered with an Access-Control-Allow-Origin naming another origin is a
// poisoned cache: a mismatch, with its cause and fix. When B's preflight
// carried it, the browser refused the preflight (Chromium:
// PreflightAllowOriginMismatch) and never sent the request: the cache keeps
// OPTIONS under a key without Origin.
func ConcludeCacheCheck(rec *Record) {
	if len(rec.Steps) < 2 {
		return
	}
	prime, b := &rec.Steps[0], &rec.Steps[len(rec.Steps)-1]
	a := prime.Origin
	cc := &CacheCheck{PrimedBy: a, Origin: b.Origin, CorsError: b.CorsError}
	rec.CacheCheck = cc
	if b.Verdict == cors.VerdictError || b.Verdict == cors.VerdictNotRun {
		cc.Summary = "The check did not run to the end: " + b.Page.Error
		return
	}
	for _, x := range []struct {
		name      string
		ex, prime *Exchange
	}{{"preflight", b.Preflight, prime.Preflight}, {"actual", b.Actual, prime.Actual}} {
		if x.ex == nil {
			continue
		}
		h := lowerHeaders(x.ex.ResponseHeaders)
		acao := h["access-control-allow-origin"]
		if acao == "" || acao == "*" || acao == b.Origin {
			continue
		}
		cc.Poisoned, cc.Exchange, cc.ACAO = true, x.name, acao
		var primed map[string]string
		if x.prime != nil {
			primed = lowerHeaders(x.prime.ResponseHeaders)
		}
		cc.Evidence = cacheEvidence(h, primed)
		because := ""
		if b.CorsError != "" {
			because = " (" + string(b.CorsError) + ")"
		}
		if x.name == "preflight" {
			cc.Cause, cc.Fix = preflightCacheCause(h, cc.Evidence), PreflightCacheFix
			cc.Summary = fmt.Sprintf("Origin %s's preflight was answered with Access-Control-Allow-Origin %q after %s made the same request: a shared cache kept the OPTIONS response of one origin and served it to another, and the browser %s the request without sending it%s. %s",
				b.Origin, acao, a, verdictVerb(b.Verdict), because, cc.Cause)
		} else {
			cc.Cause, cc.Fix = cacheCause(h), CacheFix
			cc.Summary = fmt.Sprintf("Origin %s was answered (%s) with Access-Control-Allow-Origin %q after %s made the same request: a cache on the path served one origin's permission to another, and the browser %s the request%s. %s",
				b.Origin, x.name, acao, a, verdictVerb(b.Verdict), because, cc.Cause)
		}
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

// cacheEvidence are the headers of h, a poisoned response, that say a cache
// answered it; primed is the same exchange's response to the priming
// origin, when there was one.
func cacheEvidence(h, primed map[string]string) []string {
	var out []string
	if ids := strings.Fields(h["x-varnish"]); len(ids) == 2 {
		out = append(out, fmt.Sprintf("X-Varnish: %s (a Varnish hit: this transaction and the one that stored the object)", h["x-varnish"]))
	}
	if age := strings.TrimSpace(h["age"]); age != "" && age != "0" {
		out = append(out, "Age: "+age+" (seconds the response spent in a cache)")
	}
	for _, name := range []string{"X-Cache", "X-Cache-Status", "CF-Cache-Status"} {
		if v := h[strings.ToLower(name)]; strings.Contains(strings.ToUpper(v), "HIT") {
			out = append(out, name+": "+v)
		}
	}
	for _, name := range []string{"X-Request-Id", "ETag"} {
		if v := h[strings.ToLower(name)]; v != "" && primed[strings.ToLower(name)] == v {
			out = append(out, fmt.Sprintf("%s: %s, the same as the priming origin's response", name, v))
		}
	}
	if v := h["access-control-allow-origin"]; v != "" && primed["access-control-allow-origin"] == v {
		out = append(out, fmt.Sprintf("Access-Control-Allow-Origin: %s, the priming origin's own", v))
	}
	return out
}

// preflightCacheCause says why a shared cache could hand one origin's
// preflight answer to another: it keeps OPTIONS (most caches pass it) under
// a key without Origin.
func preflightCacheCause(h map[string]string, evidence []string) string {
	out := "Cause: a shared cache on the path keeps preflights (OPTIONS) under a key without Origin"
	if len(evidence) > 0 {
		out += ". The answer's headers show it came from a cache: " + strings.Join(evidence, "; ")
	}
	var why []string
	if !cors.HasToken(h["vary"], "origin") {
		why = append(why, "the preflight response has no `Vary: Origin` (the API did not send it, or the cache removed it — compare it with the direct path)")
	} else {
		why = append(why, "the preflight response says `Vary: Origin` but the cache ignored it")
	}
	why = append(why, cacheControlWhy(h["cache-control"]))
	return out + ". And " + strings.Join(why, "; ") + "."
}

// cacheCause says which headers of the poisoned response let a shared
// cache keep it for every origin.
func cacheCause(h map[string]string) string {
	var why []string
	if !cors.HasToken(h["vary"], "origin") {
		why = append(why, "the response's Access-Control-Allow-Origin depends on Origin but it has no `Vary: Origin`")
	} else {
		why = append(why, "the response says `Vary: Origin` but a cache on the path ignored it (a cache key without Origin)")
	}
	why = append(why, cacheControlWhy(h["cache-control"]))
	return "Cause: " + strings.Join(why, "; ") + "."
}

// cacheControlWhy says what a poisoned response's Cache-Control allowed.
func cacheControlWhy(cc string) string {
	switch {
	case cc == "":
		return "no Cache-Control forbids shared caching"
	case !cors.HasToken(cc, "private") && !cors.HasToken(cc, "no-store"):
		return fmt.Sprintf("`Cache-Control: %s` allows shared caching", cc)
	default:
		return fmt.Sprintf("the cache stored it despite `Cache-Control: %s` (it is configured to ignore Cache-Control)", cc)
	}
}

func lowerHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = v
	}
	return out
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
