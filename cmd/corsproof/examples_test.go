package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/reports"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// The CI recipes in examples/ci are tested as a user would copy them: each
// file parses as YAML, every corsproof command line in it is a valid
// invocation of the real command tree (the command exists, its flags exist
// and take the values given, the argument count is right, required flags
// are there), and the GitHub Actions workflow's commands run: its shards
// and its merge, against a loopback target.

const ciDir = "../../examples/ci"

// shellCommand is one simple command of a shell line: its words, and the
// file its stdout goes to.
type shellCommand struct {
	words  []string
	stdout string
}

// shellCommands splits a script into simple commands: lines joined at
// backslash-newlines, words split as a POSIX shell splits them (quotes,
// backslashes, $((…)) kept whole), commands split at ;, |, || and &&, and
// > FILE taken as the command's stdout. It is enough for CI recipes, not a
// shell: it expands nothing.
func shellCommands(script string) ([]shellCommand, error) {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out []shellCommand
	for _, line := range strings.Split(script, "\n") {
		var cur shellCommand
		var word strings.Builder
		inWord, redirect := false, false
		flush := func() {
			if !inWord {
				return
			}
			if redirect {
				cur.stdout, redirect = word.String(), false
			} else {
				cur.words = append(cur.words, word.String())
			}
			word.Reset()
			inWord = false
		}
		end := func() {
			flush()
			if len(cur.words) > 0 {
				out = append(out, cur)
			}
			cur = shellCommand{}
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case c == '#' && !inWord:
				i = len(line)
			case c == ' ' || c == '\t':
				flush()
			case c == '\'':
				j := strings.IndexByte(line[i+1:], '\'')
				if j < 0 {
					return nil, fmt.Errorf("unterminated ' in %q", line)
				}
				word.WriteString(line[i+1 : i+1+j])
				inWord, i = true, i+1+j
			case c == '"':
				j := i + 1
				for ; j < len(line) && line[j] != '"'; j++ {
					if line[j] == '\\' && j+1 < len(line) {
						j++
					}
					word.WriteByte(line[j])
				}
				if j >= len(line) {
					return nil, fmt.Errorf("unterminated \" in %q", line)
				}
				inWord, i = true, j
			case c == '\\' && i+1 < len(line):
				word.WriteByte(line[i+1])
				inWord, i = true, i+1
			case strings.HasPrefix(line[i:], "$(("):
				j := strings.Index(line[i:], "))")
				if j < 0 {
					return nil, fmt.Errorf("unterminated $(( in %q", line)
				}
				word.WriteString(line[i : i+j+2])
				inWord, i = true, i+j+1
			case c == ';' || c == '|' || c == '&':
				end()
				if i+1 < len(line) && (line[i+1] == '|' || line[i+1] == '&') {
					i++
				}
			case c == '>':
				flush()
				if i+1 < len(line) && line[i+1] == '>' {
					i++
				}
				redirect = true
			default:
				word.WriteByte(c)
				inWord = true
			}
		}
		end()
	}
	return out, nil
}

func TestShellCommands(t *testing.T) {
	t.Parallel()
	got, err := shellCommands("code=0 # set\ncorsproof run a.yaml \\\n  --shard $((I + 1))/3 -H 'X-A: b' -o json > out.json || code=$?\n[ \"$code\" -le 1 ] && echo \"a \\\"b\\\"\"")
	require.NoError(t, err)
	assert.Equal(t, []shellCommand{
		{words: []string{"code=0"}},
		{words: []string{"corsproof", "run", "a.yaml", "--shard", "$((I + 1))/3", "-H", "X-A: b", "-o", "json"}, stdout: "out.json"},
		{words: []string{"code=$?"}},
		{words: []string{"[", "$code", "-le", "1", "]"}},
		{words: []string{"echo", `a "b"`}},
	}, got)
}

// expand replaces the variables of a word from vars: $NAME, ${NAME} and
// $((NAME + 1)). A variable vars lacks is an error, so a recipe cannot
// lean on one the test does not know about.
func expand(word string, vars map[string]string) (string, error) {
	var missing []string
	arith := regexp.MustCompile(`\$\(\(\s*(\w+)\s*\+\s*(\d+)\s*\)\)`)
	word = arith.ReplaceAllStringFunc(word, func(m string) string {
		sm := arith.FindStringSubmatch(m)
		v, err := strconv.Atoi(vars[sm[1]])
		if err != nil {
			missing = append(missing, sm[1])
			return m
		}
		n, _ := strconv.Atoi(sm[2])
		return strconv.Itoa(v + n)
	})
	word = regexp.MustCompile(`\$\{?(\w+)\}?`).ReplaceAllStringFunc(word, func(m string) string {
		name := strings.Trim(m, "${}")
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown variables %v in %q", missing, word)
	}
	return word, nil
}

// githubExpr replaces GitHub's ${{ matrix.X }} and ${{ env.X }}.
func githubExpr(s string, matrix, env map[string]string) (string, error) {
	var err error
	out := regexp.MustCompile(`\$\{\{\s*([\w.]+)\s*\}\}`).ReplaceAllStringFunc(s, func(m string) string {
		key := strings.TrimSpace(strings.Trim(m, "${}"))
		scope, name, _ := strings.Cut(key, ".")
		var v string
		var ok bool
		switch scope {
		case "matrix":
			v, ok = matrix[name]
		case "env":
			v, ok = env[name]
		}
		if !ok {
			err = fmt.Errorf("unknown expression %s", m)
		}
		return v
	})
	return out, err
}

// invocation is one corsproof command line of a recipe, variables
// expanded, and where it came from.
type invocation struct {
	where  string
	args   []string // without the program name
	stdout string
}

// corsproofInvocations returns the corsproof commands of a script.
func corsproofInvocations(t *testing.T, where, script string, vars map[string]string) []invocation {
	t.Helper()
	cmds, err := shellCommands(script)
	require.NoError(t, err, where)
	var out []invocation
	for _, c := range cmds {
		if c.words[0] != "corsproof" {
			continue
		}
		inv := invocation{where: where}
		for _, w := range c.words[1:] {
			x, err := expand(w, vars)
			require.NoError(t, err, where)
			inv.args = append(inv.args, x)
		}
		inv.stdout, err = expand(c.stdout, vars)
		require.NoError(t, err, where)
		out = append(out, inv)
	}
	return out
}

// checkInvocation parses args against the real command tree and checks the
// values of the flags that name formats and shards.
func checkInvocation(t *testing.T, inv invocation) {
	t.Helper()
	root := newRootCmd(&factory{stdout: io.Discard, stderr: io.Discard})
	cmd, rest, err := root.Find(inv.args)
	require.NoError(t, err, "%s: corsproof %v", inv.where, inv.args)
	require.NotEqual(t, root, cmd, "%s: corsproof %v names a command", inv.where, inv.args)
	require.NoError(t, cmd.ParseFlags(rest), "%s: corsproof %v", inv.where, inv.args)
	require.NoError(t, cmd.ValidateArgs(cmd.Flags().Args()), "%s: corsproof %v", inv.where, inv.args)
	require.NoError(t, cmd.ValidateRequiredFlags(), "%s: corsproof %v", inv.where, inv.args)
	fs := cmd.Flags()
	if f := fs.Lookup("report"); f != nil {
		specs, _ := fs.GetStringArray("report")
		for _, spec := range specs {
			_, _, err := reports.ParseSpec(spec)
			assert.NoError(t, err, "%s: --report %s", inv.where, spec)
		}
	}
	if f := fs.Lookup("output"); f != nil && f.Changed {
		_, err := reports.New(f.Value.String(), reports.Options{})
		assert.NoError(t, err, "%s: -o %s", inv.where, f.Value)
	}
	if f := fs.Lookup("shard"); f != nil && f.Changed {
		_, err := scenarios.ParseShard(f.Value.String())
		assert.NoError(t, err, "%s: --shard %s", inv.where, f.Value)
	}
}

// yamlDocs reads every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	require.NotEmpty(t, docs, path)
	return docs
}

func mapOf(t *testing.T, v any, where string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "%s is a mapping", where)
	return m
}

func stringsOf(v any) map[string]string {
	out := map[string]string{}
	m, _ := v.(map[string]any)
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}

// githubSteps returns the run: scripts of every job, with the matrix
// values each job runs with.
type ghStep struct {
	job, name, run string
	matrix         []map[string]string // one per matrix entry; one empty map without a matrix
}

func githubSteps(t *testing.T, wf map[string]any) ([]ghStep, map[string]string) {
	t.Helper()
	env := stringsOf(wf["env"])
	var out []ghStep
	for name, j := range mapOf(t, wf["jobs"], "jobs") {
		job := mapOf(t, j, "jobs."+name)
		matrices := []map[string]string{{}}
		if s, ok := job["strategy"].(map[string]any); ok {
			m := mapOf(t, s["matrix"], name+".strategy.matrix")
			require.Len(t, m, 1, "the example's matrix has one dimension")
			matrices = nil
			for k, vs := range m {
				for _, v := range vs.([]any) {
					matrices = append(matrices, map[string]string{k: fmt.Sprint(v)})
				}
			}
		}
		steps, ok := job["steps"].([]any)
		require.True(t, ok, "job %s has steps", name)
		for i, s := range steps {
			step := mapOf(t, s, fmt.Sprintf("%s.steps[%d]", name, i))
			if run, ok := step["run"].(string); ok {
				out = append(out, ghStep{job: name, name: fmt.Sprint(step["name"]), run: run, matrix: matrices})
			}
		}
	}
	return out, env
}

func TestCIRecipesAreValidInvocations(t *testing.T) {
	t.Parallel()
	count := map[string]int{}
	check := func(file, where, script string, vars map[string]string) {
		for _, inv := range corsproofInvocations(t, file+": "+where, script, vars) {
			checkInvocation(t, inv)
			count[file]++
		}
	}

	// GitHub Actions: every run: step, once per matrix entry.
	wf := yamlDocs(t, filepath.Join(ciDir, "github-actions.yml"))[0]
	steps, env := githubSteps(t, wf)
	for _, s := range steps {
		for _, m := range s.matrix {
			script, err := githubExpr(s.run, m, env)
			require.NoError(t, err, s.name)
			check("github-actions.yml", s.job+"/"+s.name, script, env)
		}
	}
	assert.Contains(t, strings.Join(stepRuns(steps), "\n"), `>> "$GITHUB_STEP_SUMMARY"`, "the Markdown report goes to the job summary")

	// GitLab CI: every script line of every job, for each parallel index.
	gl := yamlDocs(t, filepath.Join(ciDir, "gitlab-ci.yml"))[0]
	vars := stringsOf(gl["variables"])
	for name, j := range gl {
		job, ok := j.(map[string]any)
		if !ok || name == "variables" {
			continue
		}
		total := 1
		if p, ok := job["parallel"].(uint64); ok {
			total = int(p)
		}
		for idx := 1; idx <= total; idx++ {
			v := map[string]string{"CI_NODE_INDEX": strconv.Itoa(idx), "CI_NODE_TOTAL": strconv.Itoa(total), "PATH": "/usr/bin"}
			for k, x := range vars {
				v[k] = x
			}
			for _, key := range []string{"before_script", "script"} {
				lines, _ := job[key].([]any)
				for _, l := range lines {
					check("gitlab-ci.yml", name+"."+key, fmt.Sprint(l), v)
				}
			}
		}
	}

	// Kubernetes: every container's sh -c script, for each completion
	// index of an indexed Job.
	for _, doc := range yamlDocs(t, filepath.Join(ciDir, "kubernetes-job.yaml")) {
		assert.Equal(t, "Job", doc["kind"])
		spec := mapOf(t, doc["spec"], "spec")
		completions := 1
		if c, ok := spec["completions"].(uint64); ok {
			completions = int(c)
			assert.Equal(t, "Indexed", spec["completionMode"], "each pod's JOB_COMPLETION_INDEX is its shard")
		}
		pod := mapOf(t, mapOf(t, spec["template"], "template")["spec"], "template.spec")
		for _, c := range pod["containers"].([]any) {
			ctr := mapOf(t, c, "container")
			env := map[string]string{}
			if list, ok := ctr["env"].([]any); ok {
				for _, e := range list {
					em := mapOf(t, e, "env")
					env[fmt.Sprint(em["name"])] = fmt.Sprint(em["value"])
				}
			}
			args, _ := ctr["args"].([]any)
			require.Len(t, args, 1, "one sh -c script")
			for idx := 0; idx < completions; idx++ {
				env["JOB_COMPLETION_INDEX"] = strconv.Itoa(idx)
				check("kubernetes-job.yaml", fmt.Sprint(ctr["name"]), fmt.Sprint(args[0]), env)
			}
		}
	}

	// The browser container: the corsproof service's command is the
	// image's corsproof arguments.
	compose := yamlDocs(t, filepath.Join(ciDir, "browser-container.yml"))[0]
	services := mapOf(t, compose["services"], "services")
	svc := mapOf(t, services["corsproof"], "services.corsproof")
	check("browser-container.yml", "corsproof", "corsproof "+fmt.Sprint(svc["command"]), map[string]string{})
	assert.Equal(t, "service:chromium", svc["network_mode"], "corsproof reaches the browser's DevTools on its loopback")

	assert.Equal(t, map[string]int{
		"github-actions.yml":    3 + 1, // a run per shard, one merge
		"gitlab-ci.yml":         3 + 1, // a run per parallel job, one merge
		"kubernetes-job.yaml":   8 + 1,
		"browser-container.yml": 1,
	}, count, "corsproof invocations checked per recipe")
}

func stepRuns(steps []ghStep) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.run)
	}
	return out
}

// TestGitHubActionsRecipeRuns runs the workflow's corsproof commands as the
// jobs would: each shard of the matrix on suites aimed at a loopback
// target, its JSON saved where the step saves it, then the merge of all of
// them, which must write JUnit, HTML and the Markdown summary.
func TestGitHubActionsRecipeRuns(t *testing.T) {
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "cors"), 0o755))
	for i, name := range []string{"open", "allowlist"} {
		suite := fmt.Sprintf(`version: 1
name: %s
target: %s
cases:
  - {name: open GET, origin: https://app.example.test, request: {url: /api/open?s=%d}, expect: {verdict: allowed}}
  - {name: open PUT, origin: https://app.example.test, request: {method: PUT, url: /api/open?s=%d, headers: {X-Token: a}}, expect: {verdict: allowed, preflight: true}}
  - {name: no CORS, origin: https://app.example.test, request: {url: /api/no-cors?s=%d}, expect: {verdict: blocked, cors_error: MissingAllowOriginHeader}}
`, name, srv.URL, i, i, i)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cors", name+".yaml"), []byte(suite), 0o644))
	}
	f, _, _ := testFactory(t)
	run := func(inv invocation) ExitCode {
		t.Helper()
		// The shell expands the globs; relative paths are the job's
		// working directory, the checkout.
		var args []string
		for _, a := range inv.args {
			if strings.ContainsAny(a, "*?") {
				matches, err := filepath.Glob(filepath.Join(dir, a))
				require.NoError(t, err)
				require.NotEmpty(t, matches, "%s matches files", a)
				args = append(args, matches...)
				continue
			}
			if strings.Contains(a, "=") && !strings.HasPrefix(a, "-") {
				format, path, _ := strings.Cut(a, "=")
				a = format + "=" + filepath.Join(dir, path)
			}
			args = append(args, a)
		}
		var stdout, stderr bytes.Buffer
		root := newRootCmd(&factory{stdout: &stdout, stderr: &stderr, browser: f.browser})
		root.SetArgs(args)
		code := exitCode(context.Background(), root.ExecuteContext(context.Background()))
		if inv.stdout != "" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, inv.stdout), stdout.Bytes(), 0o644))
		}
		t.Logf("%s: corsproof %s → exit %d\n%s", inv.where, strings.Join(args, " "), code, stderr.String())
		return code
	}

	wf := yamlDocs(t, filepath.Join(ciDir, "github-actions.yml"))[0]
	steps, env := githubSteps(t, wf)
	var shards, merges int
	for _, job := range []string{"shard", "report"} {
		for _, s := range steps {
			if s.job != job {
				continue
			}
			for _, m := range s.matrix {
				script, err := githubExpr(s.run, m, env)
				require.NoError(t, err)
				for _, inv := range corsproofInvocations(t, s.job+"/"+s.name, script, env) {
					code := run(inv)
					switch inv.args[0] {
					case "run":
						shards++
						assert.Equal(t, ExitOK, code, "%s: every expectation holds", inv.where)
					case "merge":
						merges++
						assert.Equal(t, ExitOK, code, "%s", inv.where)
					}
				}
			}
		}
	}
	assert.Equal(t, 3, shards)
	assert.Equal(t, 1, merges)
	junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	assert.Equal(t, 6, strings.Count(string(junit), "<testcase "), "the merge holds every case of every shard once")
	html, err := os.ReadFile(filepath.Join(dir, "cors-report.html"))
	require.NoError(t, err)
	assert.Equal(t, 6, strings.Count(string(html), `<article class="case"`))
	md, err := os.ReadFile(filepath.Join(dir, "cors-report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "6 cases")
}

// TestREADMEShowsTheGitHubRecipe keeps the README's GitHub Actions example
// the file this package's tests check and run.
func TestREADMEShowsTheGitHubRecipe(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	wf, err := os.ReadFile(filepath.Join(ciDir, "github-actions.yml"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "```yaml\n"+string(wf)+"```\n", "the README shows examples/ci/github-actions.yml as it is")
	assert.Contains(t, string(readme), "# yaml-language-server: $schema="+scenarios.SchemaURL+"\n", "the README shows the schema line")
	assert.Contains(t, string(readme), "](docs/ui.png)")
	_, err = os.Stat("../../docs/ui.png")
	assert.NoError(t, err)
}
