package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corsproof/corsproof/cors"
)

// The floor is the least work a program can do to get these verdicts from
// Chromium: a bare chromedp loop with no isolation between cases (unless
// -reset) and no capture of preflights or raw headers, two pages open
// before the clock starts, one fetch evaluated per case. No tool that
// keeps the cases apart and records what happened can beat it by much;
// how close corsproof comes is what its isolation and capture cost.
//
// It runs as `corsbench floor …` in a process of its own, so the
// benchmark measures its time and memory as it does every tool's.

// floorScript is the page side of a case: the request, and the verdict
// from how the promise settles (as the peer's pageScript).
const floorScript = `(async (c) => {
  const init = { method: c.method, headers: c.headers || {}, credentials: c.credentials || 'same-origin', mode: 'cors' };
  if (c.body) init.body = c.body;
  try {
    const res = await fetch(c.url, init);
    await res.arrayBuffer();
    return { verdict: 'allowed' };
  } catch (err) {
    return err instanceof TypeError ? { verdict: 'blocked', error: String(err.message) } : { verdict: 'error', error: String(err) };
  }
})`

// floorPage is the page document of every origin.
const floorPage = "<!doctype html><title>floor</title>"

func floorMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corsbench floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	casesFile := fs.String("cases", "", "the cases, as the peer's JSON list")
	browser := fs.String("browser", "/usr/lib/chromium/chromium", "Chromium binary")
	workers := fs.Int("workers", 2, "pages evaluating at once")
	reset := fs.Bool("reset", false, "clear the browser cache and cookies before every case")
	hostRules := fs.String("host-rules", "", "Chromium --host-resolver-rules mapping the page hosts to the page server (then pages load by navigation, not interception)")
	timeout := fs.Duration("timeout", 5*time.Second, "time limit per case")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *casesFile == "" || *workers < 1 {
		fmt.Fprintln(stderr, "corsbench floor: -cases FILE and -workers ≥ 1 are required")
		return 2
	}
	if err := floor(*casesFile, *browser, *workers, *reset, *hostRules, *timeout, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "corsbench floor: error: %v\n", err)
		return 1
	}
	return 0
}

func floor(casesFile, browser string, workers int, reset bool, hostRules string, timeout time.Duration, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(casesFile)
	if err != nil {
		return fmt.Errorf("reading cases: %w", err)
	}
	var cases []benchCase
	if err := json.Unmarshal(data, &cases); err != nil {
		return fmt.Errorf("reading cases: %w", err)
	}
	if len(cases) == 0 {
		return errors.New("no cases")
	}
	profile, err := os.MkdirTemp("", "corsbench-floor-")
	if err != nil {
		return fmt.Errorf("creating profile: %w", err)
	}
	defer os.RemoveAll(profile)
	// The same switches both other tools give Chromium (peer.js FLAGS), LNA
	// checks off as for them.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser), chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-features", "LocalNetworkAccessChecks"),
	}
	if hostRules != "" {
		opts = append(opts, chromedp.Flag("host-resolver-rules", hostRules))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		return fmt.Errorf("launching browser: %w", err)
	}

	// Each worker has its page open at the first case's origin before the
	// clock starts.
	tabs := make([]*floorTab, min(workers, len(cases)))
	for i := range tabs {
		t := &floorTab{mapped: hostRules != "", paused: make(chan *fetch.EventRequestPaused, 1)}
		ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(func(ev any) {
			if p, ok := ev.(*fetch.EventRequestPaused); ok {
				select {
				case t.paused <- p:
				default:
				}
			}
		}))
		defer cancel()
		t.ctx = ctx
		tabs[i] = t
		if err := t.open(cases[0].Origin); err != nil {
			return err
		}
	}
	next := make(chan benchCase)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for _, t := range tabs {
		wg.Go(func() {
			for c := range next {
				t0 := time.Now()
				verdict, why := t.run(c, reset, timeout)
				line, _ := json.Marshal(caseOutcome{Name: c.Name, Verdict: cors.Verdict(verdict), MS: float64(time.Since(t0).Milliseconds()), Error: why})
				mu.Lock()
				fmt.Fprintf(stdout, "%s\n", line)
				mu.Unlock()
			}
		})
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
	fmt.Fprintf(stderr, "floor: %d cases in %d ms\n", len(cases), time.Since(start).Milliseconds())
	return nil
}

// floorTab is one worker's page.
type floorTab struct {
	ctx    context.Context
	origin string
	mapped bool
	paused chan *fetch.EventRequestPaused
}

// open loads a page at origin: by navigation when the page hosts are mapped
// to the page server, else by fulfilling the page document (as corsproof
// and the peer do for https://app.example.test).
func (t *floorTab) open(origin string) error {
	url := origin + "/__peer"
	t.origin = ""
	if t.mapped {
		if err := chromedp.Do(t.ctx, chromedp.Navigate(url)); err != nil {
			return fmt.Errorf("loading %s: %w", url, err)
		}
		t.origin = origin
		return nil
	}
	if _, err := chromedp.Call(t.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{
		URLPattern: url, ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest,
	}}}); err != nil {
		return fmt.Errorf("enabling interception: %w", err)
	}
	served := make(chan error, 1)
	go func() {
		p := <-t.paused
		_, err := chromedp.Call(t.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID: p.RequestID, ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html"}}, Body: []byte(floorPage),
		})
		served <- err
	}()
	if err := chromedp.Do(t.ctx, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("loading %s: %w", url, err)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serving %s: %w", url, err)
	}
	if _, err := chromedp.Call(t.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		return fmt.Errorf("disabling interception: %w", err)
	}
	t.origin = origin
	return nil
}

// run makes one case's request and returns the page's verdict.
func (t *floorTab) run(c benchCase, reset bool, timeout time.Duration) (string, string) {
	if reset {
		if _, err := chromedp.Call(t.ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			return "error", err.Error()
		}
		if _, err := chromedp.Call(t.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			return "error", err.Error()
		}
	}
	if c.Origin != t.origin {
		if err := t.open(c.Origin); err != nil {
			return "error", err.Error()
		}
	}
	spec, _ := json.Marshal(c)
	type answer struct {
		Verdict string `json:"verdict"`
		Error   string `json:"error"`
	}
	ctx, cancel := context.WithTimeout(t.ctx, timeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[answer](floorScript+"("+string(spec)+")", chromedp.EvalAwaitPromise))
	if errors.Is(err, context.DeadlineExceeded) {
		t.origin = ""
		return "timeout", ""
	}
	if err != nil {
		return "error", err.Error()
	}
	return out.Verdict, out.Error
}
