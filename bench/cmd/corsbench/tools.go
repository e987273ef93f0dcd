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
	Err             error
}

// valid reports whether the run's figures count: every verdict correct.
func (r runResult) valid() bool { return r.Err == nil && r.Cases > 0 && r.Correct == r.Cases }

func (r runResult) casesPerSec() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Cases) / r.Wall.Seconds()
}

// tool is one side of the comparison.
type tool struct {
	name string
	// command builds the process for a run of the cases in dir.
	command func(ctx context.Context, dir string) *exec.Cmd
	// parse reads the tool's stdout into per-case verdicts and durations.
	parse func(stdout []byte) ([]caseOutcome, error)
}

// caseOutcome is one case as a tool reported it.
type caseOutcome struct {
	Name    string       `json:"name"`
	Verdict cors.Verdict `json:"verdict"`
	MS      float64      `json:"ms"`
	Error   string       `json:"error,omitempty"`
}

// corsproofTool runs `corsproof run suite.yaml -o json` on the browser; jobs
// 0 and isolation "" leave corsproof's defaults.
func corsproofTool(bin, browser string, jobs int, isolation string) tool {
	name := "corsproof"
	if isolation != "" {
		name += "/" + isolation
	}
	return tool{
		name: name,
		command: func(ctx context.Context, dir string) *exec.Cmd {
			args := []string{"run", filepath.Join(dir, "suite.yaml"), "-o", "json", "--browser", browser}
			if jobs > 0 {
				args = append(args, "-j", fmt.Sprint(jobs))
			}
			if isolation != "" {
				args = append(args, "--isolation", isolation)
			}
			return exec.CommandContext(ctx, bin, args...)
		},
		parse: parseCorsproof,
	}
}

// parseCorsproof reads a run's JSON report.
func parseCorsproof(stdout []byte) ([]caseOutcome, error) {
	var run result.Run
	if err := json.Unmarshal(stdout, &run); err != nil {
		return nil, fmt.Errorf("reading corsproof's json report: %w", err)
	}
	out := make([]caseOutcome, 0, len(run.Records))
	for _, rec := range run.Records {
		out = append(out, caseOutcome{Name: rec.Name, Verdict: rec.Verdict, MS: float64(rec.DurationMS), Error: string(rec.CorsError)})
	}
	return out, nil
}

// peerTool runs the Playwright-core peer in peerDir with node.
func peerTool(peerDir, browser string) tool {
	return tool{
		name: "peer",
		command: func(ctx context.Context, dir string) *exec.Cmd {
			return exec.CommandContext(ctx, "node", filepath.Join(peerDir, "peer.js"),
				"--cases", filepath.Join(dir, "peer-cases.json"), "--browser", browser)
		},
		parse: parsePeer,
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
func runTool(ctx context.Context, t tool, dir string, cases []benchCase, srv *testapi.Server, stderr io.Writer) runResult {
	r := runResult{Tool: t.name, Cases: len(cases)}
	srv.Handler.ResetLog()
	cmd := t.command(ctx, dir)
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

	outcomes, perr := t.parse(stdout.Bytes())
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
