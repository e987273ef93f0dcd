package runner

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/mirror"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// needsTry reports whether a record is one --try-fix proves a fix for: a
// request the browser blocked for a CORS reason, with a header change that
// should make it pass.
func needsTry(rec *result.Record) bool {
	return rec.Verdict == cors.VerdictBlocked && rec.CorsError != "" &&
		rec.Diagnosis != nil && rec.Diagnosis.FixHeaders.HasChanges()
}

// markUntriable says, in a record --try-fix passes over although the
// browser blocked it for a CORS reason, why: its fix is advice (call the
// final URL, a safer design), not a header change a mirror could apply.
// Without it the record reads as if --try-fix had not been given.
func markUntriable(rec *result.Record) {
	if rec.Verdict == cors.VerdictBlocked && rec.CorsError != "" && rec.Diagnosis != nil &&
		!rec.Diagnosis.FixHeaders.HasChanges() && rec.Diagnosis.FixCheck == nil {
		notTried(rec, "the fix is no header change a mirror could apply; follow its advice instead")
	}
}

// tryFixes proves the fixes of the given records in the browser: each case
// runs again, one at a time, with its target answered by a loopback mirror
// that forwards to the real server and applies the fix. Page origin, URL,
// request, cookies and isolation stay as they were. The outcome goes into
// each record's Diagnosis.FixCheck.
//
// The case runs again in the run's own browser, in a fresh browser
// context (a Firefox user context) whose HTTP proxy is the mirrors' Front
// (tryInContexts): no second browser. A second browser launched like the
// first, whose host resolver sends the target to its mirror
// (trySecondBrowser), proves the rest: an https case in a browser lent to
// the run (Config.Reuse) that was not launched accepting the mirrors'
// certificates, any case in a Firefox lent to the run or one that ignores
// a user context's proxy (ESR 140), and in Firefox an https target whose
// real certificate --ca accepts at the same host:port (Firefox keeps one
// certificate exception per host:port).
//
// The mirror of an https target serves a certificate made with a key
// that only this process holds (mirror.KeyPin): Chromium accepts the key
// (harness.Options.MirrorPins), Firefox the one certificate for the
// target's host:port (harness.Options.MirrorCerts, cert_override.txt),
// both written at launch. Not BiDi's acceptInsecureCerts for the proof's
// user context: that accepts any certificate from any host the proof
// reaches (a redirect to another host is tunnelled to it unchanged), and
// Firefox's remote agent also turns off the HSTS preload list and static
// key pinning for the whole browser the first time it is used
// (Certificates.sys.mjs, ESR 153). The mirror verifies the real server as
// the first browser did: against the system's roots, or the --ca ones
// only.
func tryFixes(ctx context.Context, first *harness.Browser, iso harness.Isolation, cases []scenarios.Case, recs map[int]*result.Record, launched func(*harness.Browser)) error {
	return proveFixes(ctx, first, false, iso, cases, nil, recs, launched)
}

// proveFixes is tryFixes for the runner. firstOwned says the run may kill
// and replace first when it dies under a proof (it launched first itself,
// as the runner's recovery may). routes[i] is case i's route on a network
// path with an address (planned.route), nil for none: the mirror of such
// a case's target connects to the path's address, as the case's own
// browser did, never to where the target's name resolves.
func proveFixes(ctx context.Context, first *harness.Browser, firstOwned bool, iso harness.Isolation, cases []scenarios.Case, routes []string, recs map[int]*result.Record, launched func(*harness.Browser)) error {
	if len(recs) == 0 {
		return nil
	}
	idx := slices.Sorted(maps.Keys(recs))
	opts := first.Options()
	if opts.URL != "" {
		for _, i := range idx {
			notTried(recs[i], "--try-fix needs a browser corsproof launches: a browser it only connects to (--browser-url) was not launched to accept the mirrors' key, and keeps its own host resolver")
		}
		return nil
	}
	var mopts mirror.Options
	if opts.CAFile != "" {
		// The mirrors verify the real servers against the --ca roots, as
		// the first browser did.
		roots, cerr := harness.LoadCA(opts.CAFile)
		if cerr != nil {
			return fmt.Errorf("trying fixes: %w", cerr)
		}
		mopts.Roots = roots
	}
	firefox := first.Engine() == harness.EngineFirefox
	// here says whether an https target's mirror is accepted by the run's
	// browser: Chromium launched with the mirrors' key (MirrorPins),
	// Firefox with the target's mirror certificate at its host:port.
	here := func(string) bool { return false }
	if firefox {
		if opts.ContextProxies {
			here = func(hostport string) bool {
				host, _, err := net.SplitHostPort(hostport)
				if err != nil {
					return false
				}
				c, err := mirror.Certificate(host)
				return err == nil && opts.FirefoxAcceptsMirror(hostport, c)
			}
		}
	} else {
		pin, err := mirror.KeyPin()
		if err != nil {
			return fmt.Errorf("trying fixes: %w", err)
		}
		trusts := slices.Contains(opts.MirrorPins, pin)
		here = func(string) bool { return trusts }
	}
	inContext, second := map[int]*result.Record{}, map[int]*result.Record{}
	for _, i := range idx {
		scheme, hostport, _ := mirror.Origin(cases[i].Request.URL)
		switch {
		case firefox && !opts.ContextProxies:
			// A Firefox lent to the run (Config.Reuse) was not launched
			// to let a proxy take loopback targets.
			second[i] = recs[i]
		case scheme == "https" && !here(hostport):
			second[i] = recs[i]
		default:
			inContext[i] = recs[i]
		}
	}
	bypassed, err := tryInContexts(ctx, first, firstOwned, cases, routes, inContext, mopts, launched)
	if err != nil {
		return err
	}
	for _, i := range bypassed {
		second[i] = recs[i]
	}
	return trySecondBrowser(ctx, first, iso, cases, routes, second, mopts, launched)
}

// routeAddress is the address case i's target is reached at when the
// case runs on a network path with one (routes[i] is "host:port=address",
// planned.route) and hostport is that path's; "" otherwise.
func routeAddress(routes []string, i int, hostport string) string {
	if i >= len(routes) || routes[i] == "" {
		return ""
	}
	from, to, _ := strings.Cut(routes[i], "=")
	if !strings.EqualFold(from, hostport) {
		return ""
	}
	return to
}

// mirrorable says why a case's target cannot be mirrored, or returns its
// scheme and host:port (mirror.Origin's form).
func mirrorable(c scenarios.Case) (scheme, hostport, why string) {
	scheme, hostport, err := mirror.Origin(c.Request.URL)
	if err != nil {
		return "", "", err.Error()
	}
	if scheme != "http" && scheme != "https" {
		return "", "", "--try-fix mirrors http and https targets only, not " + scheme
	}
	return scheme, hostport, ""
}

// tryInContexts runs each case again in b itself, in a browser context of
// its own whose every request goes to a mirror.Front: the Front hands a
// target's requests to its mirror and sends the other hosts' on
// unchanged. The browser still builds the request from the same page to
// the same URL (Origin, Sec-Fetch-*, cookies, the preflight); only the
// connection ends at the Front instead of the target.
//
// A browser that ignored the context's proxy (Firefox ESR 140 takes
// browser.createUserContext's proxy parameter and applies nothing: the
// page's requests went straight to the real server, and the Front saw
// none) proved nothing: that case and every later one are returned in
// bypassed, untried, for a second browser.
func tryInContexts(ctx context.Context, b *harness.Browser, owned bool, cases []scenarios.Case, routes []string, recs map[int]*result.Record, mopts mirror.Options, launched func(*harness.Browser)) (bypassed []int, err error) {
	if len(recs) == 0 {
		return nil, nil
	}
	// A browser that dies under a proof is replaced once (the run's own
	// browser is then dead: the runner's Close of it does nothing more),
	// and the replacement is this function's to close.
	var relaunched *harness.Browser
	defer func() {
		if relaunched != nil {
			if cerr := relaunched.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("trying fixes: %w", cerr)
			}
		}
	}()
	idx := slices.Sorted(maps.Keys(recs))
	tried := make([]scenarios.Case, 0, len(idx))
	for _, i := range idx {
		tried = append(tried, cases[i])
	}
	// The page origins are sinks for the Front as they are for the
	// browser's resolver (which a proxied context's requests bypass),
	// also when the browser was lent and knew nothing of them.
	front, err := mirror.StartFront(harness.AllSinks(append(slices.Clone(b.Options().Sinks), harness.CaseSinks(tried)...)), b.Options().LNA == harness.LNAEnforce)
	if err != nil {
		return nil, fmt.Errorf("trying fixes: %w", err)
	}
	mirrors := map[string]*mirror.Mirror{}
	defer func() {
		for _, m := range mirrors {
			if cerr := m.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if cerr := front.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	// Every target is mirrored before the first proof, as the second
	// browser's resolver maps them all: a case's redirect to another
	// target then meets that target's mirror, with this case's fix (which
	// covers the hops before its final response), whatever the order of
	// the cases.
	// A mirror is one per target and address: two paths may send one
	// host:port to two addresses (two edges of one CDN name).
	hostports, keys := map[int]string{}, map[int]string{}
	for _, i := range idx {
		scheme, hostport, why := mirrorable(cases[i])
		if why != "" {
			notTried(recs[i], why)
			continue
		}
		addr := routeAddress(routes, i, hostport)
		hostports[i], keys[i] = hostport, hostport+"@"+addr
		if mirrors[keys[i]] == nil {
			mo := mopts
			mo.Address = addr
			m, err := mirror.Start(scheme+"://"+hostport, mo)
			if err != nil {
				return nil, fmt.Errorf("trying fixes: %w", err)
			}
			mirrors[keys[i]] = m
			front.Add(hostport, m)
		}
	}
	for n, i := range idx {
		rec := recs[i]
		hostport, ok := hostports[i]
		if !ok {
			continue
		}
		m := mirrors[keys[i]]
		front.Add(hostport, m)
		if ctx.Err() != nil {
			return nil, interruptedProofs(ctx, recs, idx[n:])
		}
		for _, m := range mirrors {
			m.SetFix(rec.Diagnosis.FixHeaders)
		}
		// One case, so one new session: a fresh browser context with
		// nothing of the first run's (clean isolation would only differ
		// by reusing a context, and there is none to reuse).
		before := front.Requests()
		again := b.RunCasesThrough(ctx, cases[i:i+1], 1, harness.IsolationClean, front.Addr(), nil)
		if gone := proofFault(ctx, b, again); gone != nil {
			nb, why := replaceProofBrowser(ctx, b, owned, relaunched != nil, gone, launched)
			if nb == nil {
				for _, j := range idx[n:] {
					if _, ok := hostports[j]; ok {
						notTried(recs[j], why)
					}
				}
				return nil, ctx.Err()
			}
			b, relaunched = nb, nb
			before = front.Requests()
			again = b.RunCasesThrough(ctx, cases[i:i+1], 1, harness.IsolationClean, front.Addr(), nil)
			if gone := proofFault(ctx, b, again); gone != nil {
				_, why := replaceProofBrowser(ctx, b, true, true, gone, launched)
				for _, j := range idx[n:] {
					if _, ok := hostports[j]; ok {
						notTried(recs[j], why)
					}
				}
				return nil, ctx.Err()
			}
		}
		if len(again) != 1 {
			if ctx.Err() != nil {
				return nil, interruptedProofs(ctx, recs, idx[n:])
			}
			notTried(rec, "the case did not run again")
			continue
		}
		if front.Requests() == before && len(again[0].Contacted) > 0 {
			return idx[n:], nil
		}
		check(rec, &again[0], b.Version(), cors.FixViaContextProxy, m)
		if refused := front.TakeRefused(); len(refused) > 0 && !rec.Diagnosis.FixCheck.Verified {
			rec.Diagnosis.FixCheck.Summary = fmt.Sprintf("Not verified: the request also reaches %s, a local address, and under --lna enforce the proof does not connect to one: it goes through a proxy, and Chromium applies no Local Network Access check to a request sent through a proxy (measured, 156), so the proof could send what the browser would block. Run with --lna grant to prove the fix.", strings.Join(refused, ", "))
		}
		if c := rec.Diagnosis.FixCheck; c.Verified && b.Options().LNA == harness.LNAEnforce {
			if others := reachedBesides(&again[0], hostport); len(others) > 0 {
				c.Verified = false
				c.Summary = fmt.Sprintf("Not verified: with the fix applied %s allowed the request, but it also reached %s, and Chromium applies no Local Network Access check to a request sent through a proxy (measured, 156), as this proof's are: under --lna enforce that part of the proof does not hold. Run with --lna grant, or check that those hosts are public.", b.Version(), strings.Join(others, ", "))
			}
		}
	}
	return nil, nil
}

// reachedBesides lists the origins a proof contacted other than its
// mirrored target (host:port): hosts whose requests went through the Front
// straight to them. The target itself passed the Local Network Access
// check in the first run, before its CORS failure; those hosts may never
// have been checked.
func reachedBesides(rec *result.Record, target string) []string {
	var out []string
	for _, o := range rec.Contacted {
		if _, hostport, err := mirror.Origin(o); err == nil && hostport == target {
			continue
		}
		out = append(out, o)
	}
	return out
}

// check records what the browser did with the fix applied, through m.
func check(rec, again *result.Record, browser, via string, m *mirror.Mirror) {
	rec.Diagnosis.FixCheck = fixCheck(again, browser, via)
	if !rec.Diagnosis.FixCheck.Verified {
		if uerr := m.UpstreamError(); uerr != nil {
			// The browser saw the mirror's 502 without CORS headers;
			// the reason is the mirror's, not the fix's.
			rec.Diagnosis.FixCheck.Summary = "Not verified: the mirror could not reach the real server (" + uerr.Error() + "), so the browser saw the mirror's 502 answer, not the fixed server's."
		}
	}
}

// trySecondBrowser runs each case again in a second browser launched like
// first, whose host resolver sends the case's target to its mirror.
func trySecondBrowser(ctx context.Context, first *harness.Browser, iso harness.Isolation, cases []scenarios.Case, routes []string, recs map[int]*result.Record, mopts mirror.Options, launched func(*harness.Browser)) (err error) {
	if len(recs) == 0 {
		return nil
	}
	idx := slices.Sorted(maps.Keys(recs))
	opts := first.Options()
	mirrors := map[string]*mirror.Mirror{}
	defer func() {
		for _, m := range mirrors {
			if cerr := m.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	// The page origins of these cases are sinks here too, also when the
	// first browser was shared (a test's) and knew nothing of them.
	tried := make([]scenarios.Case, 0, len(idx))
	for _, i := range idx {
		tried = append(tried, cases[i])
	}
	opts.Sinks = append(slices.Clone(opts.Sinks), harness.CaseSinks(tried)...)
	opts.HostMap = map[string]string{}
	opts.MirrorPins, opts.MirrorCerts = nil, map[string]*x509.Certificate{}
	// No user context of this browser has a proxy.
	opts.ContextProxies = false
	firefox := first.Engine() == harness.EngineFirefox
	// movedPorts are the ports Firefox moves to a mirror: one target each.
	movedPorts := map[string]string{}
	// The try-fix browser talks only to the mirrors, whose key it pins
	// (MirrorPins): no --ca check of the real targets again.
	opts.CAFile, opts.CATargets = "", nil
	hostports := map[int]string{}
	// addrs are the addresses the mirrors connect to, by target: this
	// browser's resolver sends a host:port to one mirror only.
	addrs := map[string]string{}
	for _, i := range idx {
		scheme, hostport, why := mirrorable(cases[i])
		if why != "" {
			notTried(recs[i], why)
			delete(recs, i)
			continue
		}
		addr := routeAddress(routes, i, hostport)
		if _, ok := mirrors[hostport]; ok {
			if addrs[hostport] != addr {
				notTried(recs[i], "another case of this run reaches "+hostport+" at another address, and one browser's resolver sends a host:port to one mirror; run this path alone to prove its fix")
				delete(recs, i)
				continue
			}
			hostports[i] = hostport
			continue
		}
		if firefox {
			// The mirror's address is on 127.0.0.1; what Firefox can
			// move there depends on the target alone.
			if why := harness.FirefoxMapIssue(hostport, "127.0.0.1:1", movedPorts); why != "" {
				notTried(recs[i], "Firefox cannot send "+hostport+" to a loopback mirror: "+why+"; --engine chromium can")
				delete(recs, i)
				continue
			}
		}
		hostports[i] = hostport
		mo := mopts
		mo.Address = addr
		addrs[hostport] = addr
		m, merr := mirror.Start(scheme+"://"+hostport, mo)
		if merr != nil {
			return fmt.Errorf("trying fixes: %w", merr)
		}
		mirrors[hostport] = m
		opts.HostMap[hostport] = m.Addr()
		if _, port, perr := net.SplitHostPort(hostport); perr == nil {
			movedPorts[port] = hostport
		}
		if pin := m.SPKI(); pin != "" && !slices.Contains(opts.MirrorPins, pin) {
			opts.MirrorPins = append(opts.MirrorPins, pin)
		}
		if c := m.Certificate(); c != nil {
			opts.MirrorCerts[hostport] = c
		}
	}
	if firefox {
		// network.socket.forcePort moves a port for every host: another
		// host on a moved port (a redirect, a step) would reach a mirror,
		// or a real server at the mirror's port.
		for _, i := range slices.Sorted(maps.Keys(recs)) {
			if other := sharesMovedPort(cases[i], recs[i], movedPorts); other != "" {
				notTried(recs[i], "Firefox moves a port for every host, and this case also reaches "+other+" on a port moved to a mirror; --engine chromium maps one host:port alone")
				delete(recs, i)
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("trying fixes: %w", err)
	}
	b, err := harness.LaunchWith(ctx, driverLike(first), opts)
	if err != nil {
		return fmt.Errorf("trying fixes: %w", err)
	}
	if launched != nil {
		launched(b)
	}
	// b is replaced, once, when it dies under a proof; the last one is
	// closed.
	relaunched := false
	defer func() {
		if cerr := b.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("trying fixes: %w", cerr)
		}
	}()
	for _, i := range slices.Sorted(maps.Keys(recs)) {
		if ctx.Err() != nil {
			return interruptedProofs(ctx, recs, slices.Sorted(maps.Keys(recs)))
		}
		rec := recs[i]
		for _, m := range mirrors {
			m.SetFix(rec.Diagnosis.FixHeaders)
		}
		again := b.RunCases(ctx, cases[i:i+1], 1, iso, nil)
		if gone := proofFault(ctx, b, again); gone != nil {
			nb, why := replaceProofBrowser(ctx, b, true, relaunched, gone, launched)
			if nb != nil {
				b, relaunched = nb, true
				again = b.RunCases(ctx, cases[i:i+1], 1, iso, nil)
				if gone = proofFault(ctx, b, again); gone != nil {
					_, why = replaceProofBrowser(ctx, b, true, true, gone, launched)
				}
			}
			if gone != nil {
				for _, j := range slices.Sorted(maps.Keys(recs)) {
					if j >= i {
						notTried(recs[j], why)
					}
				}
				return ctx.Err()
			}
		}
		if len(again) != 1 {
			if ctx.Err() != nil {
				return interruptedProofs(ctx, recs, slices.Sorted(maps.Keys(recs)))
			}
			notTried(rec, "the case did not run again")
			continue
		}
		check(rec, &again[0], b.Version(), cors.FixViaSecondBrowser, mirrors[hostports[i]])
	}
	return nil
}

// interruptedProofs records that the proofs of idx not yet made were cut
// short by a signal: without it the one in flight said "the case did not
// run again", which reads as a fault, and the rest said nothing.
func interruptedProofs(ctx context.Context, recs map[int]*result.Record, idx []int) error {
	for _, j := range idx {
		if r := recs[j]; r != nil && r.Diagnosis.FixCheck == nil {
			notTried(r, "the run was interrupted before this proof finished")
		}
	}
	return ctx.Err()
}

// proofFault says whether a proof that ended without a browser verdict
// (error, timeout) ended so because its browser died or stopped answering:
// then the record is no proof either way, and saying "not verified" would
// blame the fix.
func proofFault(ctx context.Context, b *harness.Browser, again []result.Record) error {
	if ctx.Err() != nil || len(again) == 1 && again[0].Verdict != cors.VerdictError && again[0].Verdict != cors.VerdictTimeout {
		return nil
	}
	if err := b.Alive(ctx); errors.Is(err, harness.ErrBrowserGone) {
		return err
	}
	return nil
}

// replaceProofBrowser kills b, which died under a proof, and launches one
// like it, unless the proofs replaced one already (a second death may be
// the case's doing) or the run may not (owned is false: a browser lent to
// the run or one it connected to). Without a new browser it returns why
// the proofs left were not tried.
func replaceProofBrowser(ctx context.Context, b *harness.Browser, owned, replacedBefore bool, gone error, launched func(*harness.Browser)) (*harness.Browser, string) {
	why := "the browser died during the proofs (" + gone.Error() + ")"
	if !owned || !b.Owned() {
		return nil, why + ", and corsproof did not launch it, so it cannot start another"
	}
	_ = b.Kill()
	if replacedBefore {
		return nil, why + " a second time; run again to prove the fixes left"
	}
	nb, err := b.Relaunch(ctx)
	if err != nil {
		return nil, why + ", and relaunching it failed: " + err.Error()
	}
	if launched != nil {
		launched(nb)
	}
	return nb, ""
}

// driverLike is the driver of a browser launched like b: Firefox for a
// Firefox, b's own Chromium driver otherwise.
func driverLike(b *harness.Browser) harness.Driver {
	if b.Engine() == harness.EngineFirefox {
		return harness.Firefox{}
	}
	if d := harness.Drivers[b.Driver()]; d != nil {
		return d
	}
	return harness.Chromedp{}
}

// fixCheck says what the browser did with the fix applied, reached via.
func fixCheck(rec *result.Record, browser, via string) *cors.FixCheck {
	c := &cors.FixCheck{Verified: rec.Verdict == cors.VerdictAllowed, Verdict: rec.Verdict, CorsError: rec.CorsError, FailedParameter: rec.FailedParameter, Via: via}
	how := "in the same browser, in a fresh browser context whose proxy is the mirror"
	if via == cors.FixViaSecondBrowser {
		how = "in a second browser whose host resolver sends the host to the mirror"
	}
	switch {
	case c.Verified:
		c.Summary = fmt.Sprintf("Verified: with these headers %s allows the request (the same request from the same page to the same URL, answered by a loopback mirror of the server that applied the fix, %s).", browser, how)
	case rec.CorsError != "":
		result.Conclude(rec, nil)
		c.Summary = fmt.Sprintf("Not verified: with the fix applied %s still blocks the request. %s", browser, rec.Diagnosis.Summary)
	default:
		c.Summary = fmt.Sprintf("Not verified: with the fix applied the request ended %s%s.", rec.Verdict, paramText(rec.NetError))
	}
	return c
}

func paramText(p string) string {
	if p == "" {
		return ""
	}
	return " (" + p + ")"
}

// notTried records why a fix was not tried.
func notTried(rec *result.Record, why string) {
	rec.Diagnosis.FixCheck = &cors.FixCheck{Summary: "Not tried: " + why}
}

// sharesMovedPort names a host:port the case reaches, besides a moved
// target itself, on one of the ports moved to a mirror: the origins the
// browser contacted, the redirects it followed, the URLs of its steps.
// Page origins are left out: their documents are answered over BiDi and
// never fetched. Empty when there is none.
func sharesMovedPort(c scenarios.Case, rec *result.Record, moved map[string]string) string {
	urls := slices.Clone(rec.Contacted)
	for _, hop := range rec.Redirects {
		urls = append(urls, hop.URL)
	}
	urls = append(urls, c.Request.URL)
	for _, st := range c.Steps {
		urls = append(urls, st.Request.URL)
	}
	for _, u := range urls {
		_, hostport, err := mirror.Origin(u)
		if err != nil {
			continue
		}
		_, port, err := net.SplitHostPort(hostport)
		if err != nil {
			continue
		}
		if target, ok := moved[port]; ok && target != hostport {
			return hostport
		}
	}
	return ""
}

// firefoxMirrorCerts are the certificates of the mirrors of the https
// targets of cases, by host:port (harness.Options.MirrorCerts), for a
// Firefox launched to prove fixes in its own user contexts. A target the
// run's own HostMap (--via) moves is left out: its proofs go to a second
// browser.
func firefoxMirrorCerts(cases []scenarios.Case, hostMap map[string]string) (map[string]*x509.Certificate, error) {
	out := map[string]*x509.Certificate{}
	for _, c := range cases {
		scheme, hostport, err := mirror.Origin(c.Request.URL)
		if err != nil || scheme != "https" || out[hostport] != nil {
			continue
		}
		if _, moved := hostMap[hostport]; moved {
			continue
		}
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			continue
		}
		cert, err := mirror.Certificate(strings.Trim(host, "[]"))
		if err != nil {
			return nil, fmt.Errorf("trying fixes: %w", err)
		}
		out[hostport] = cert
	}
	return out, nil
}
