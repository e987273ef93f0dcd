// Command corsbench is the side-by-side benchmark of issue 5 (`make bench`):
// corsproof against a Playwright-core peer script (bench/peer) on the same
// deterministic case mix, the same Chromium binary and flags, and the
// built-in target API on loopback. It prints cases/s, per-case latency, the
// peak PSS of each tool's whole process tree and the ratio corsproof/peer,
// then `probe` cold start against a bare browser launch. -scale compares
// 10× the cases with the plain count instead.
//
// It is a development tool, not part of corsproof: nothing in the product
// imports it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/testapi"
)

// config is what the flags ask for.
type config struct {
	corsproof string
	peerDir   string
	browser   string
	cases     int
	rounds    int
	jobs      int
	coldStart int
	scale     bool
	tools     string
	mixes     string
	isolation string
	phases    bool
	keep      bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "floor" {
		return floorMain(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("corsbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.corsproof, "corsproof", "./corsproof", "corsproof binary to measure")
	fs.StringVar(&cfg.peerDir, "peer", "bench/peer", "folder of the Playwright-core peer (npm ci done)")
	fs.StringVar(&cfg.browser, "browser", "", "Chromium binary for both tools (default: corsproof's choice, /usr/bin/chromium resolved to the real binary)")
	fs.IntVar(&cfg.cases, "cases", 200, "cases in the mix (a multiple of 10)")
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds; each runs corsproof then the peer")
	fs.IntVar(&cfg.jobs, "j", 0, "corsproof -j (0: corsproof's default)")
	fs.IntVar(&cfg.coldStart, "coldstart", 5, "probe and bare-launch starts to time (0 skips)")
	fs.BoolVar(&cfg.scale, "scale", false, "run corsproof on 10× the cases and on the plain count, and report the time ratio (no peer)")
	fs.StringVar(&cfg.tools, "tools", "corsproof,floor,floor-reset,peer-reuse,peer", "which tools to run, comma-separated: corsproof, floor (bare chromedp loop), floor-reset (the same with a cache and cookie clear per case), peer-reuse (strongest Playwright setup), peer (fresh context per case)")
	fs.StringVar(&cfg.mixes, "mix", "one,many,sites", "mixes to run, comma-separated: one (every page at one origin), many (every case a new page origin and site), sites (every case a new page origin, 20 sites in all, as generated suites have them)")
	fs.BoolVar(&cfg.phases, "phases", false, "ask corsproof for each case's phases (--timings) and print where the time goes")
	fs.StringVar(&cfg.isolation, "isolation", "", "corsproof --isolation modes to run, comma-separated, each its own row (e.g. clean,fresh; empty: corsproof's default)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the generated suite and peer cases")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.rounds < 1 || cfg.coldStart < 0 {
		fmt.Fprintln(stderr, "corsbench: error: -rounds wants 1 or more and -coldstart 0 or more")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "corsbench: error: %v\n", err)
		return 1
	}
	return 0
}

func bench(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if err := becomeSubreaper(); err != nil {
		return err
	}
	browser, err := harness.FindBrowser(cfg.browser)
	if err != nil {
		var nf *harness.NotFoundError
		if errors.As(err, &nf) {
			return fmt.Errorf("%w; %s", err, nf.Hint())
		}
		return err
	}
	bin, err := filepath.Abs(cfg.corsproof)
	if err != nil {
		return fmt.Errorf("finding corsproof: %w", err)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("finding corsproof: %w; build it with `make build`", err)
	}
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	if err != nil {
		return err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "corsbench-")
	if err != nil {
		return fmt.Errorf("creating work folder: %w", err)
	}
	if cfg.keep {
		fmt.Fprintf(stderr, "corsbench: keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	printHeader(stdout, cfg, browser, srv.URL)
	var shapes []shape
	// One page server serves the pages of every mix with many origins
	// (the peers and the floor load them from it).
	var pages *pageServer
	pagePort := func() (int, error) {
		if pages == nil {
			var err error
			if pages, err = startPageServer(); err != nil {
				return 0, err
			}
		}
		return pages.port, nil
	}
	defer func() {
		if pages != nil {
			pages.Close()
		}
	}()
	for _, name := range strings.Split(cfg.mixes, ",") {
		switch name = strings.TrimSpace(name); name {
		case "one":
			shapes = append(shapes, oneOrigin())
		case "many", "sites":
			port, err := pagePort()
			if err != nil {
				return err
			}
			if name == "many" {
				shapes = append(shapes, manyOrigins(port))
			} else {
				shapes = append(shapes, fewSites(port))
			}
		default:
			return fmt.Errorf("-mix %q: want one, many and/or sites", name)
		}
	}

	if cfg.scale {
		return scaleRun(ctx, cfg, bin, browser, dir, shapes, srv, stdout, stderr)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding corsbench itself for the floor: %w", err)
	}
	var tools []tool
	for _, name := range strings.Split(cfg.tools, ",") {
		switch name = strings.TrimSpace(name); name {
		case "corsproof":
			for _, iso := range strings.Split(cfg.isolation, ",") {
				tools = append(tools, corsproofTool(bin, browser, cfg.jobs, strings.TrimSpace(iso), cfg.phases))
			}
		case "floor", "floor-reset":
			tools = append(tools, floorTool(self, browser, name == "floor-reset"))
		case "peer", "peer-reuse":
			peerDir, err := filepath.Abs(cfg.peerDir)
			if err != nil {
				return fmt.Errorf("finding the peer: %w", err)
			}
			if _, err := os.Stat(filepath.Join(peerDir, "node_modules", "playwright-core")); err != nil {
				return fmt.Errorf("finding the peer's playwright-core: %w; run `npm ci` in %s", err, cfg.peerDir)
			}
			mode := "fresh"
			if name == "peer-reuse" {
				mode = "reuse"
			}
			tools = append(tools, peerTool(peerDir, browser, mode))
		default:
			return fmt.Errorf("-tools %q: want corsproof, floor, floor-reset, peer-reuse or peer", name)
		}
	}
	type mixRun struct {
		sh    shape
		dir   string
		cases []benchCase
	}
	var mixes []mixRun
	for _, sh := range shapes {
		mdir := filepath.Join(dir, sh.name)
		if err := os.MkdirAll(mdir, 0o700); err != nil {
			return fmt.Errorf("creating work folder: %w", err)
		}
		cases, err := writeMix(mdir, cfg.cases, srv.URL, sh)
		if err != nil {
			return err
		}
		mixes = append(mixes, mixRun{sh, mdir, cases})
	}

	results := map[string]map[string][]runResult{}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "round	mix	tool	correct	wall s	cases/s	scenario cases/s	p50 ms	p95 ms	peak PSS MB	procs	left	target saw OPTIONS/other")
	for round := 1; round <= cfg.rounds; round++ {
		for _, m := range mixes {
			wantOpt, wantOther := wireCounts(m.cases)
			if results[m.sh.name] == nil {
				results[m.sh.name] = map[string][]runResult{}
			}
			for _, t := range tools {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				fmt.Fprintf(stderr, "corsbench: round %d/%d: %s on the %d-case %s mix…\n", round, cfg.rounds, t.name, len(m.cases), m.sh.name)
				r := runTool(ctx, t, m.dir, m.sh, m.cases, srv, stderr)
				if r.Err != nil {
					fmt.Fprintf(stderr, "corsbench: round %d: %v\n", round, r.Err)
				}
				results[m.sh.name][t.name] = append(results[m.sh.name][t.name], r)
				wire := fmt.Sprintf("%d/%d", r.Options, r.Others)
				if r.Options != wantOpt || r.Others != wantOther {
					wire += fmt.Sprintf(" (want %d/%d)", wantOpt, wantOther)
				}
				// The table is printed once all rounds are done, so that its
				// columns line up; progress goes to stderr meanwhile.
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%s\n", round, m.sh.name, t.name, correctness(r),
					r.Wall.Seconds(), r.casesPerSec(), r.scenarioPerSec(), percentile(r.LatencyMS, 50), percentile(r.LatencyMS, 95),
					float64(r.PeakPSSKB)/1024, r.MaxProcs, r.LeftAtExit, wire)
			}
		}
	}
	tw.Flush()
	for _, m := range mixes {
		fmt.Fprintln(stdout)
		printSummary(stdout, cfg, m.sh.name, tools, results[m.sh.name])
		if cfg.phases {
			printPhases(stdout, m.sh.name, tools, results[m.sh.name])
		}
	}
	if results["one-origin"] != nil && len(mixes) > 1 {
		fmt.Fprintln(stdout)
		printManyOne(stdout, tools, results)
	}

	if cfg.coldStart > 0 {
		fmt.Fprintln(stdout)
		if err := coldStarts(ctx, cfg, bin, browser, srv, stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\nload at the end: %s\n", loadAvg())
	return nil
}

// writeMix writes the n-case mix as suite.yaml and peer-cases.json in dir.
func writeMix(dir string, n int, base string, sh shape) ([]benchCase, error) {
	cases, err := shapedMix(n, base, sh)
	if err != nil {
		return nil, err
	}
	suite, err := suiteYAML(fmt.Sprintf("bench-%d", n), cases)
	if err != nil {
		return nil, err
	}
	peer, err := peerJSON(cases)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "suite.yaml"), suite, 0o600); err != nil {
		return nil, fmt.Errorf("writing suite: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "peer-cases.json"), peer, 0o600); err != nil {
		return nil, fmt.Errorf("writing peer cases: %w", err)
	}
	return cases, nil
}

func correctness(r runResult) string {
	if r.Err != nil {
		return "FAILED"
	}
	s := fmt.Sprintf("%d/%d", r.Correct, r.Cases)
	if !r.valid() {
		s += " INVALID"
	}
	return s
}

// summary is the medians of one tool's rounds.
type summary struct {
	valid                                 bool
	rounds                                int
	casesPerSec, scenPerSec, p50, p95, mb float64
}

func summarize(rs []runResult) summary {
	s := summary{valid: len(rs) > 0, rounds: len(rs)}
	var cps, scen, p50, p95, mb []float64
	for _, r := range rs {
		if !r.valid() {
			s.valid = false
		}
		if r.Err != nil {
			continue
		}
		cps = append(cps, r.casesPerSec())
		scen = append(scen, r.scenarioPerSec())
		p50 = append(p50, percentile(r.LatencyMS, 50))
		p95 = append(p95, percentile(r.LatencyMS, 95))
		mb = append(mb, float64(r.PeakPSSKB)/1024)
	}
	s.casesPerSec, s.scenPerSec, s.p50, s.p95, s.mb = median(cps), median(scen), median(p50), median(p95), median(mb)
	return s
}

// targets are the goals for corsproof's scenario rate against
// another tool on each mix (issue 18); 0 means none.
var targets = map[string]map[string]float64{
	"one-origin":  {"floor": 0.9, "peer-reuse": 2.5},
	"many-origin": {"peer-reuse": 10},
	"few-sites":   {"peer-reuse": 10},
}

func printSummary(w io.Writer, cfg config, mix string, tools []tool, results map[string][]runResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s, median of %d rounds\tverdicts\tcases/s\tscenario cases/s\tp50 ms\tp95 ms\tpeak PSS MB\n", mix, cfg.rounds)
	sums := map[string]summary{}
	for _, t := range tools {
		s := summarize(results[t.name])
		sums[t.name] = s
		state := fmt.Sprintf("%d×%d/%d ok", s.rounds, cfg.cases, cfg.cases)
		if !s.valid {
			state = "INVALID"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\n", t.name, state, s.casesPerSec, s.scenPerSec, s.p50, s.p95, s.mb)
	}
	for _, c := range tools {
		if !strings.HasPrefix(c.name, "corsproof") {
			continue
		}
		cs := sums[c.name]
		for _, o := range tools {
			if strings.HasPrefix(o.name, "corsproof") {
				continue
			}
			other := sums[o.name]
			state := ""
			if !cs.valid || !other.valid {
				state = "INVALID"
			}
			line := fmt.Sprintf("%s/%s\t%s\t%s\t%s\t%s\t%s\t%s", c.name, o.name, state, ratio(cs.casesPerSec, other.casesPerSec),
				ratio(cs.scenPerSec, other.scenPerSec), ratio(cs.p50, other.p50), ratio(cs.p95, other.p95), ratio(cs.mb, other.mb))
			if goal := targets[mix][o.name]; goal > 0 && other.scenPerSec > 0 {
				verdict := "met"
				if cs.scenPerSec/other.scenPerSec < goal {
					verdict = "MISSED"
				}
				line += fmt.Sprintf("\t(target scenario ≥ %.1f×: %s)", goal, verdict)
			}
			fmt.Fprintln(tw, line)
		}
		if cs.mb > 400 {
			fmt.Fprintf(tw, "%s peak PSS\t%.0f MB > 400 MB target\n", c.name, cs.mb)
		}
	}
	tw.Flush()
}

// printPhases says where corsproof's time per case went (--timings):
// median ms of each phase, and its share of the phases' total.
func printPhases(w io.Writer, mix string, tools []tool, results map[string][]runResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range tools {
		if !strings.HasPrefix(t.name, "corsproof") {
			continue
		}
		var all [len(phaseNames)][]float64
		var sum [len(phaseNames)]float64
		total := 0.0
		for _, r := range results[t.name] {
			for i := range phaseNames {
				all[i] = append(all[i], r.Phases[i]...)
				for _, v := range r.Phases[i] {
					sum[i] += v
					total += v
				}
			}
		}
		if len(all[0]) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s phases, %s (per case, all rounds)\tp50 ms\tp95 ms\tshare\n", t.name, mix)
		for i, name := range phaseNames {
			fmt.Fprintf(tw, "  %s\t%.2f\t%.2f\t%.0f%%\n", name, percentile(all[i], 50), percentile(all[i], 95), 100*sum[i]/total)
		}
	}
	tw.Flush()
}

// printManyOne compares each tool's rate on the mixes of many origins with
// its one-origin rate: what a new page origin per case costs.
func printManyOne(w io.Writer, tools []tool, results map[string]map[string][]runResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, mix := range []string{"many-origin", "few-sites"} {
		if results[mix] == nil {
			continue
		}
		fmt.Fprintf(tw, "%s / one-origin\tcases/s\tscenario cases/s\n", mix)
		for _, t := range tools {
			one, many := summarize(results["one-origin"][t.name]), summarize(results[mix][t.name])
			line := fmt.Sprintf("%s\t%s\t%s", t.name, ratio(many.casesPerSec, one.casesPerSec), ratio(many.scenPerSec, one.scenPerSec))
			if strings.HasPrefix(t.name, "corsproof") && one.scenPerSec > 0 {
				verdict := "met"
				if many.scenPerSec/one.scenPerSec < 0.5 {
					verdict = "MISSED"
				}
				line += "\t(target ≥ 0.5×: " + verdict + ")"
			}
			fmt.Fprintln(tw, line)
		}
	}
	tw.Flush()
}

func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "-"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// coldStarts alternates probe and bare launches and prints their medians.
func coldStarts(ctx context.Context, cfg config, bin, browser string, srv *testapi.Server, w io.Writer) error {
	var probeFirst, probeExit, bareFirst, bareExit []float64
	for i := range cfg.coldStart {
		url := fmt.Sprintf("%s/api/open?probe=%d", srv.URL, i+1)
		p, err := probeStart(ctx, bin, browser, url)
		reapLeftovers(os.Getpid(), 5*time.Second)
		if err != nil {
			return err
		}
		b, err := bareStart(ctx, browser)
		reapLeftovers(os.Getpid(), 5*time.Second)
		if err != nil {
			return err
		}
		probeFirst = append(probeFirst, ms(p.First))
		probeExit = append(probeExit, ms(p.Exit))
		bareFirst = append(bareFirst, ms(b.First))
		bareExit = append(bareExit, ms(b.Exit))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "cold start, median of %d\tto answer ms\tto exit ms\n", cfg.coldStart)
	fmt.Fprintf(tw, "corsproof probe (to verdict line)\t%.0f\t%.0f\n", median(probeFirst), median(probeExit))
	fmt.Fprintf(tw, "bare browser --dump-dom about:blank (to DOM)\t%.0f\t%.0f\n", median(bareFirst), median(bareExit))
	fmt.Fprintf(tw, "probe − bare (target ≤ +150)\t%+.0f\t%+.0f\n", median(probeFirst)-median(bareFirst), median(probeExit)-median(bareExit))
	return tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// scaleRun runs corsproof on the plain count and on 10× it, and reports
// whether time grows linearly and whether anything is left behind.
func scaleRun(ctx context.Context, cfg config, bin, browser, dir string, shapes []shape, srv *testapi.Server, w, stderr io.Writer) error {
	t := corsproofTool(bin, browser, cfg.jobs, strings.Split(cfg.isolation, ",")[0], cfg.phases)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "mix\tscale\tcorrect\twall s\tcases/s\tp50 ms\tp95 ms\tpeak PSS MB\tprocs\tleft")
	var ratios []string
	for _, sh := range shapes {
		var walls []time.Duration
		for _, n := range []int{cfg.cases, 10 * cfg.cases} {
			cases, err := writeMix(dir, n, srv.URL, sh)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "corsbench: corsproof on %d cases of the %s mix…\n", n, sh.name)
			r := runTool(ctx, t, dir, sh, cases, srv, stderr)
			if r.Err != nil {
				return r.Err
			}
			walls = append(walls, r.Wall)
			fmt.Fprintf(tw, "%s\t%d cases\t%s\t%.1f\t%.2f\t%.0f\t%.0f\t%.0f\t%d\t%d\n", sh.name, n, correctness(r), r.Wall.Seconds(),
				r.casesPerSec(), percentile(r.LatencyMS, 50), percentile(r.LatencyMS, 95), float64(r.PeakPSSKB)/1024, r.MaxProcs, r.LeftAtExit)
		}
		ratios = append(ratios, fmt.Sprintf("%s: time ratio %d/%d cases: %.2f (target ≤ 10.5)", sh.name, 10*cfg.cases, cfg.cases, walls[1].Seconds()/walls[0].Seconds()))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s\n", strings.Join(ratios, "\n"))
	return nil
}

// printHeader says what ran where, for the README's record of a run.
func printHeader(w io.Writer, cfg config, browser, targetURL string) {
	fmt.Fprintf(w, "corsbench  %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine    %s, %d cores, %s, Linux %s\n", cpuModel(), runtime.NumCPU(), memTotal(), osRelease())
	fmt.Fprintf(w, "browser    %s (%s); both tools get this binary and LNA checks off (--disable-features=LocalNetworkAccessChecks)\n",
		browser, commandLine(browser, "--version"))
	fmt.Fprintf(w, "target     built-in policy at %s\n", targetURL)
	fmt.Fprintf(w, "load       %s (the machine is shared: other work skews every figure)\n", loadAvg())
	jobs := fmt.Sprintf("default -j (%d here)", harness.DefaultJobs())
	if cfg.jobs > 0 {
		jobs = fmt.Sprintf("-j %d", cfg.jobs)
	}
	iso := "default --isolation (clean: a context reused only after a verified reset)"
	if cfg.isolation != "" {
		iso = "--isolation " + cfg.isolation
	}
	fmt.Fprintf(w, "corsproof  %s (git %s), %s, %s\n", cfg.corsproof, commandLine("git", "describe", "--always", "--dirty"), jobs, iso)
	if !cfg.scale && strings.Contains(cfg.tools, "peer") {
		fmt.Fprintf(w, "peer       playwright-core %s on node %s: peer = one case at a time, fresh browser.newContext() per case; peer-reuse = one context and page per worker (2), CDP cache clear + clearCookies between cases, CDP capture of preflights and CorsErrors\n",
			peerVersion(cfg.peerDir), commandLine("node", "--version"))
	}
	if !cfg.scale && strings.Contains(cfg.tools, "floor") {
		fmt.Fprintln(w, "floor      bare chromedp loop, 2 pages open before the clock starts, no isolation, no capture (floor-reset: cache and cookie clear per case)")
	}
	fmt.Fprintf(w, "mix        %d cases (40%% simple GET allowed, 20%% missing ACAO, 20%% preflight allowed, 10%% preflight blocked, 10%% credentialed ACAO *) on the %s mix(es), %d rounds alternating\n",
		cfg.cases, cfg.mixes, cfg.rounds)
	fmt.Fprintln(w, "rates      cases/s = cases ÷ the process's wall time (launch included); scenario cases/s = cases ÷ the tool's own scenario time (launch and shutdown left out)")
	fmt.Fprintln(w)
}

func commandLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown version"
	}
	return strings.TrimSpace(string(out))
}

func peerVersion(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "playwright-core", "package.json"))
	if err != nil {
		return "unknown"
	}
	var p struct{ Version string }
	if json.Unmarshal(data, &p) != nil {
		return "unknown"
	}
	return p.Version
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown cpu"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown cpu"
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	var kb int64
	for line := range strings.SplitSeq(string(data), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "unknown memory"
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func osRelease() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}
