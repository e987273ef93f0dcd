package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/testapi"
)

// runResult is what one run of one tool over the mix measured.
type runResult struct {
	Tool  string
	Cases int
	// Correct counts the cases whose verdict matched the mix's; Wrong names
	// a few of the others with what the tool said.
	Correct int
	Wrong   []string
	Wall    time.Duration
	// LatencyMS holds each case's duration as the tool reports it.
	LatencyMS []float64
	PeakPSSKB int64
	MaxProcs  int
	// LeftAtExit and Killed count processes the tool left behind (see
	// reapLeftovers).
	LeftAtExit, Killed int
	// Options and Others count what reached the target during the run.
	Options, Others int
	// ScenarioMS is the tool's own measure of its scenario phase, from
	// the first case to the last, browser launch and shutdown left out
	// (corsproof's run duration_ms, the peer's and the floor's "N cases in
	// X ms"); 0 when the tool did not say.
	ScenarioMS float64
	// Phases holds, per harness phase (phaseNames), each case's time in
	// ms: corsproof with --timings only.
	Phases [len(phaseNames)][]float64
	Err    error
}

// phaseNames are the phases of result.Timing, in its order.
var phaseNames = [...]string{"reset", "page", "request", "events"}

// valid reports whether the run's figures count: every verdict correct.
func (r runResult) valid() bool { return r.Err == nil && r.Cases > 0 && r.Correct == r.Cases }

func (r runResult) casesPerSec() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Cases) / r.Wall.Seconds()
}

// scenarioPerSec is the rate of the scenario phase alone, the figure the
// issue's targets compare (every tool's launch cost is left out).
func (r runResult) scenarioPerSec() float64 {
	if r.ScenarioMS <= 0 {
		return 0
	}
	return float64(r.Cases) / (r.ScenarioMS / 1000)
}

// tool is one side of the comparison.
type tool struct {
	name string
	// command builds the process for a run of the cases in dir, whose
	// pages are where sh says.
	command func(ctx context.Context, dir string, sh shape) *exec.Cmd
	// parse reads the tool's stdout into per-case verdicts and durations,
	// and its scenario time from stdout or stderr.
	parse func(stdout, stderr []byte) ([]caseOutcome, float64, error)
}

// caseOutcome is one case as a tool reported it.
type caseOutcome struct {
	Name    string       `json:"name"`
	Verdict cors.Verdict `json:"verdict"`
	MS      float64      `json:"ms"`
	Error   string       `json:"error,omitempty"`
	// Timing is corsproof's, with --timings.
	Timing *result.Timing `json:"timing,omitempty"`
}

// corsproofTool runs `corsproof run suite.yaml -o json` on the browser; jobs
// 0 and isolation "" leave corsproof's defaults; timings asks for each
// case's phases (--timings).
func corsproofTool(bin, browser string, jobs int, isolation string, timings bool) tool {
	name := "corsproof"
	if isolation != "" {
		name += "/" + isolation
	}
	return tool{
		name: name,
		command: func(ctx context.Context, dir string, _ shape) *exec.Cmd {
			args := []string{"run", filepath.Join(dir, "suite.yaml"), "-o", "json", "--browser", browser}
			if jobs > 0 {
				args = append(args, "-j", fmt.Sprint(jobs))
			}
			if isolation != "" {
				args = append(args, "--isolation", isolation)
			}
			if timings {
				args = append(args, "--timings")
			}
			return exec.CommandContext(ctx, bin, args...)
		},
		parse: parseCorsproof,
	}
}

// parseCorsproof reads a run's JSON report.
func parseCorsproof(stdout, _ []byte) ([]caseOutcome, float64, error) {
	var run result.Run
	if err := json.Unmarshal(stdout, &run); err != nil {
		return nil, 0, fmt.Errorf("reading corsproof's json report: %w", err)
	}
	out := make([]caseOutcome, 0, len(run.Records))
	for _, rec := range run.Records {
		out = append(out, caseOutcome{Name: rec.Name, Verdict: rec.Verdict, MS: float64(rec.DurationMS), Error: string(rec.CorsError), Timing: rec.Timing})
	}
	return out, float64(run.DurationMS), nil
}

// peerTool runs the Playwright-core peer in peerDir with node: mode fresh
// (a new context per case, the usual way) or reuse (the strongest way at
// the same isolation; see peer.js).
func peerTool(peerDir, browser, mode string) tool {
	name := "peer"
	if mode != "fresh" {
		name += "-" + mode
	}
	return tool{
		name: name,
		command: func(ctx context.Context, dir string, sh shape) *exec.Cmd {
			args := []string{filepath.Join(peerDir, "peer.js"), "--cases", filepath.Join(dir, "peer-cases.json"), "--browser", browser, "--mode", mode}
			if sh.hostRules != "" {
				args = append(args, "--host-rules", sh.hostRules)
			}
			return exec.CommandContext(ctx, "node", args...)
		},
		parse: parseLines("peer"),
	}
}

// floorTool runs the floor loop (floor.go) as `corsbench floor` in a
// process of its own; reset clears cache and cookies before each case.
func floorTool(self, browser string, reset bool) tool {
	name := "floor"
	if reset {
		name += "-reset"
	}
	return tool{
		name: name,
		command: func(ctx context.Context, dir string, sh shape) *exec.Cmd {
			args := []string{"floor", "-cases", filepath.Join(dir, "peer-cases.json"), "-browser", browser}
			if reset {
				args = append(args, "-reset")
			}
			if sh.hostRules != "" {
				args = append(args, "-host-rules", sh.hostRules)
			}
			return exec.CommandContext(ctx, self, args...)
		},
		parse: parseLines("floor"),
	}
}

// scenarioLine is how the peer and the floor say how long their cases took.
var scenarioLine = regexp.MustCompile(`(?m)^(\w+): (\d+) cases in (\d+) ms$`)

// parseLines reads the JSON lines of the peer or the floor, and the
// scenario time from its stderr line "NAME: N cases in X ms".
func parseLines(name string) func(stdout, stderr []byte) ([]caseOutcome, float64, error) {
	return func(stdout, stderr []byte) ([]caseOutcome, float64, error) {
		out, err := parsePeer(stdout)
		var ms float64
		for _, m := range scenarioLine.FindAllSubmatch(stderr, -1) {
			if string(m[1]) == name {
				ms, _ = strconv.ParseFloat(string(m[3]), 64)
			}
		}
		return out, ms, err
	}
}

// parsePeer reads the peer's JSON lines.
func parsePeer(stdout []byte) ([]caseOutcome, error) {
	var out []caseOutcome
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var o caseOutcome
		if err := json.Unmarshal(line, &o); err != nil {
			return nil, fmt.Errorf("reading peer output line %d: %w", n, err)
		}
		out = append(out, o)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading peer output: %w", err)
	}
	return out, nil
}

// runTool runs one tool over the cases written to dir, sampling the memory
// of its process tree, and scores its verdicts against the mix.
func runTool(ctx context.Context, t tool, dir string, sh shape, cases []benchCase, srv *testapi.Server, stderr io.Writer) runResult {
	r := runResult{Tool: t.name, Cases: len(cases)}
	srv.Handler.ResetLog()
	cmd := t.command(ctx, dir, sh)
	var stdout, errBuf bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &errBuf
	samp := startSampler(os.Getpid(), 100*time.Millisecond)
	start := time.Now()
	runErr := cmd.Run()
	r.Wall = time.Since(start)
	r.PeakPSSKB, r.MaxProcs = samp.Stop()
	r.LeftAtExit, r.Killed = reapLeftovers(os.Getpid(), 5*time.Second)
	for _, l := range srv.Handler.Log() {
		if l.Preflight || l.Method == "OPTIONS" {
			r.Options++
		} else {
			r.Others++
		}
	}

	outcomes, scenarioMS, perr := t.parse(stdout.Bytes(), errBuf.Bytes())
	r.ScenarioMS = scenarioMS
	// corsproof exits 1 when an expectation fails; its report still counts
	// and the verdicts are scored below. Anything else is a failed run.
	var exit *exec.ExitError
	if runErr != nil && !(errors.As(runErr, &exit) && exit.ExitCode() == 1 && perr == nil) {
		r.Err = fmt.Errorf("running %s: %w: %s", t.name, runErr, lastLines(errBuf.String(), 5))
		return r
	}
	if perr != nil {
		r.Err = perr
		return r
	}
	want := make(map[string]cors.Verdict, len(cases))
	for _, c := range cases {
		want[c.Name] = c.want()
	}
	seen := map[string]bool{}
	for _, o := range outcomes {
		r.LatencyMS = append(r.LatencyMS, o.MS)
		if tm := o.Timing; tm != nil {
			for i, v := range []float64{tm.ResetMS, tm.PageMS, tm.RequestMS, tm.EventsMS} {
				r.Phases[i] = append(r.Phases[i], v)
			}
		}
		w, ok := want[o.Name]
		switch {
		case !ok:
			r.Wrong = append(r.Wrong, fmt.Sprintf("%s: not a case of the mix", o.Name))
		case seen[o.Name]:
			r.Wrong = append(r.Wrong, fmt.Sprintf("%s: reported twice", o.Name))
		case o.Verdict == w:
			r.Correct++
		default:
			r.Wrong = append(r.Wrong, fmt.Sprintf("%s: %s (%s), want %s", o.Name, o.Verdict, o.Error, w))
		}
		seen[o.Name] = true
	}
	if len(outcomes) != len(cases) {
		r.Wrong = append(r.Wrong, fmt.Sprintf("%d of %d cases reported", len(outcomes), len(cases)))
	}
	if len(r.Wrong) > 0 && stderr != nil {
		for i, w := range r.Wrong {
			if i == 5 {
				fmt.Fprintf(stderr, "  … and %d more\n", len(r.Wrong)-5)
				break
			}
			fmt.Fprintf(stderr, "  %s wrong: %s\n", t.name, w)
		}
	}
	return r
}

// lastLines keeps the end of a tool's stderr for an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
