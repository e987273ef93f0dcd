package runner

import (
	"context"
	"crypto/x509"
	"fmt"
	"maps"
	"net"
	"slices"

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

// tryFixes proves the fixes of the given records in the browser: each case
// runs again, one at a time, in a second browser launched like the first
// but whose host resolver sends the case's target to a loopback mirror
// that forwards to the real server and applies the fix. Page origin, URL,
// request, cookies and isolation stay as they were. The outcome goes into
// each record's Diagnosis.FixCheck.
//
// The mirror of an https target serves a certificate it made at start;
// the second browser, and only it, accepts that certificate's key
// (harness.Options.MirrorPins). The mirror verifies the real server as the
// first browser did: against the system's roots, or the --ca ones only.
func tryFixes(ctx context.Context, cfg Config, first *harness.Browser, iso harness.Isolation, cases []scenarios.Case, recs map[int]*result.Record) (err error) {
	if len(recs) == 0 {
		return nil
	}
	idx := slices.Sorted(maps.Keys(recs))
	opts := first.Options()
	if opts.URL != "" {
		for _, i := range idx {
			notTried(recs[i], "--try-fix needs a browser corsproof launches: a browser it only connects to (--browser-url) keeps its own host resolver")
		}
		return nil
	}
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
	firefox := first.Engine() == harness.EngineFirefox
	// movedPorts are the ports Firefox moves to a mirror: one target each.
	movedPorts := map[string]string{}
	var mopts mirror.Options
	if opts.CAFile != "" {
		// The mirrors verify the real servers against the --ca roots, as
		// the first browser did. The try-fix browser itself talks only to
		// the mirrors, whose keys it pins (MirrorPins): no --ca check of
		// the real targets again.
		roots, cerr := harness.LoadCA(opts.CAFile)
		if cerr != nil {
			return fmt.Errorf("trying fixes: %w", cerr)
		}
		mopts.Roots = roots
		opts.CAFile, opts.CATargets = "", nil
	}
	hostports := map[int]string{}
	for _, i := range idx {
		scheme, hostport, perr := mirror.Origin(cases[i].Request.URL)
		if perr != nil {
			notTried(recs[i], perr.Error())
			delete(recs, i)
			continue
		}
		if scheme != "http" && scheme != "https" {
			notTried(recs[i], "--try-fix mirrors http and https targets only, not "+scheme)
			delete(recs, i)
			continue
		}
		if _, ok := mirrors[hostport]; ok {
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
		m, merr := mirror.Start(scheme+"://"+hostport, mopts)
		if merr != nil {
			return fmt.Errorf("trying fixes: %w", merr)
		}
		mirrors[hostport] = m
		opts.HostMap[hostport] = m.Addr()
		if _, port, perr := net.SplitHostPort(hostport); perr == nil {
			movedPorts[port] = hostport
		}
		if pin := m.SPKI(); pin != "" {
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
	defer func() {
		if cerr := b.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("trying fixes: %w", cerr)
		}
	}()
	for _, i := range slices.Sorted(maps.Keys(recs)) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec := recs[i]
		for _, m := range mirrors {
			m.SetFix(rec.Diagnosis.FixHeaders)
		}
		again := b.RunCases(ctx, cases[i:i+1], 1, iso, nil)
		if len(again) != 1 {
			notTried(rec, "the case did not run again")
			continue
		}
		rec.Diagnosis.FixCheck = fixCheck(&again[0], b.Version())
		if !rec.Diagnosis.FixCheck.Verified {
			if uerr := mirrors[hostports[i]].UpstreamError(); uerr != nil {
				// The browser saw the mirror's 502 without CORS headers;
				// the reason is the mirror's, not the fix's.
				rec.Diagnosis.FixCheck.Summary = "Not verified: the mirror could not reach the real server (" + uerr.Error() + "), so the browser saw the mirror's 502 answer, not the fixed server's."
			}
		}
	}
	return nil
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

// fixCheck says what the browser did with the fix applied.
func fixCheck(rec *result.Record, browser string) *cors.FixCheck {
	c := &cors.FixCheck{Verified: rec.Verdict == cors.VerdictAllowed, Verdict: rec.Verdict, CorsError: rec.CorsError, FailedParameter: rec.FailedParameter}
	switch {
	case c.Verified:
		c.Summary = fmt.Sprintf("Verified: with these headers %s allows the request (the same request from the same page, answered through a loopback mirror of the server that applied the fix).", browser)
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
