package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite suite.schema.json from the field tables")

// compiledSchema compiles Schema with a real JSON Schema validator.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(SchemaURL, doc))
	sch, err := c.Compile(SchemaURL)
	require.NoError(t, err)
	return sch
}

// validateYAML checks a suite file's YAML against the schema, as an editor
// does: YAML read as JSON.
func validateYAML(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	require.NoError(t, err)
	return sch.Validate(inst)
}

// TestSchemaFile keeps the shipped schema file, which editors fetch from
// SchemaURL, equal to what the field tables make.
func TestSchemaFile(t *testing.T) {
	if *updateSchema {
		require.NoError(t, os.WriteFile("suite.schema.json", Schema(), 0o644))
	}
	data, err := os.ReadFile("suite.schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(Schema()), string(data), "suite.schema.json is stale: go test ./scenarios -run TestSchemaFile -update-schema")
	assert.True(t, strings.HasSuffix(SchemaURL, "/scenarios/suite.schema.json"), "SchemaURL names the shipped file")
}

// schemaDefs reads the schema back as plain JSON: each mapping level's
// property names and enums.
type schemaObject struct {
	Type                 any                        `json:"type"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	Properties           map[string]json.RawMessage `json:"properties"`
}

func schemaLevels(t *testing.T) map[string]schemaObject {
	t.Helper()
	var doc struct {
		schemaObject
		Defs map[string]schemaObject `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(Schema(), &doc))
	out := map[string]schemaObject{"suite": doc.schemaObject}
	for name, d := range doc.Defs {
		if d.Properties != nil {
			out[name] = d
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// knownKeysHint returns the keys the parser lists in its hint for an
// unknown key at field.
func knownKeysHint(t *testing.T, doc, field string) []string {
	t.Helper()
	_, err := Parse("probe.yaml", []byte(doc))
	require.Error(t, err, doc)
	for _, p := range fileerr.Problems(err) {
		if p.Field == field {
			list, ok := strings.CutPrefix(p.HintText(), "remove it; known keys here: ")
			require.True(t, ok, "hint %q lists the known keys", p.HintText())
			keys := strings.Split(list, ", ")
			slices.Sort(keys)
			return keys
		}
	}
	t.Fatalf("no unknown-key error at %s in %v", field, err)
	return nil
}

// TestSchemaKeysAreTheParsers checks both ways, against the parser's own
// behaviour rather than its tables, that every key the parser accepts at
// each level is in the schema and every key in the schema is accepted: a
// key far from every known one draws the parser's "known keys here" hint,
// which must list exactly the schema's properties for that level.
func TestSchemaKeysAreTheParsers(t *testing.T) {
	t.Parallel()
	const bogus = "zqxjkvbwpf"
	const c = "{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/'}"
	tests := []struct {
		desc, level, doc, field string
	}{
		{"top level", "suite", "version: 1\nname: x\ncases: [" + c + "}]\n" + bogus + ": 1\n", bogus},
		{"defaults", "defaults", "version: 1\nname: x\ndefaults: {" + bogus + ": 1}\ncases: [" + c + "}]\n", "defaults." + bogus},
		{"defaults request", "request", "version: 1\nname: x\ndefaults: {request: {" + bogus + ": 1}}\ncases: [" + c + "}]\n", "defaults.request." + bogus},
		{"defaults expect", "expect", "version: 1\nname: x\ndefaults: {expect: {" + bogus + ": 1}}\ncases: [" + c + "}]\n", "defaults.expect." + bogus},
		{"case", "case", "version: 1\nname: x\ncases: [" + c + ", " + bogus + ": 1}]\n", "cases[0]." + bogus},
		{"request", "request", "version: 1\nname: x\ncases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', " + bogus + ": 1}}]\n", "cases[0].request." + bogus},
		{"expect", "expect", "version: 1\nname: x\ncases: [" + c + ", expect: {" + bogus + ": 1}}]\n", "cases[0].expect." + bogus},
		{"step", "step", "version: 1\nname: x\ncases: [" + c + ", steps: [{" + bogus + ": 1}]}]\n", "cases[0].steps[0]." + bogus},
		{"step request", "request", "version: 1\nname: x\ncases: [" + c + ", steps: [{request: {" + bogus + ": 1}}]}]\n", "cases[0].steps[0].request." + bogus},
		{"step expect", "expect", "version: 1\nname: x\ncases: [" + c + ", steps: [{expect: {" + bogus + ": 1}}]}]\n", "cases[0].steps[0].expect." + bogus},
	}
	levels := schemaLevels(t)
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			level, ok := levels[tt.level]
			require.True(t, ok, "the schema defines %s", tt.level)
			assert.Equal(t, "false", string(level.AdditionalProperties), "the schema refuses other keys in %s, as the parser does", tt.level)
			assert.Equal(t, sortedKeys(level.Properties), knownKeysHint(t, tt.doc, tt.field))
		})
		seen[tt.level] = true
	}
	// Every mapping level of the schema is probed above, so a new level
	// in the schema (or in the parser, through its hint) cannot go
	// unchecked.
	for name := range levels {
		if name != "headers" && name != "cookies" {
			assert.True(t, seen[name], "schema level %s is probed against the parser", name)
		}
	}
}

// enumIn reads the enum of a property of a schema level.
func enumIn(t *testing.T, level schemaObject, prop string) []string {
	t.Helper()
	var p struct {
		Enum  []string `json:"enum"`
		AnyOf []struct {
			Enum []string `json:"enum"`
		} `json:"anyOf"`
	}
	require.NoError(t, json.Unmarshal(level.Properties[prop], &p))
	out := append([]string(nil), p.Enum...)
	for _, a := range p.AnyOf {
		out = append(out, a.Enum...)
	}
	slices.Sort(out)
	return out
}

// TestSchemaEnumsAreTheParsers checks each closed set both ways: the
// parser's hint for a value far from all of them lists exactly the
// schema's enum, and every value of the enum parses.
func TestSchemaEnumsAreTheParsers(t *testing.T) {
	t.Parallel()
	levels := schemaLevels(t)
	tests := []struct {
		desc, level, prop, doc string
	}{
		{"api", "request", "api", "request: {url: 'http://127.0.0.1/', api: %s}"},
		{"credentials", "request", "credentials", "request: {url: 'http://127.0.0.1/', credentials: %s}"},
		{"mode", "request", "mode", "request: {url: 'http://127.0.0.1/', mode: %s}"},
		{"verdict", "expect", "verdict", "request: {url: 'http://127.0.0.1/'}, expect: {verdict: %s}"},
	}
	suite := func(body, v string) string {
		return "version: 1\nname: x\ncases: [{name: a, origin: 'https://a.test', " + strings.Replace(body, "%s", v, 1) + "}]\n"
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			enum := enumIn(t, levels[tt.level], tt.prop)
			require.NotEmpty(t, enum)
			_, err := Parse("probe.yaml", []byte(suite(tt.doc, "zqxjkvbwpf")))
			probs := fileerr.Problems(err)
			require.Len(t, probs, 1, "%v", err)
			list, ok := strings.CutPrefix(probs[0].HintText(), "use ")
			require.True(t, ok, probs[0].HintText())
			names := strings.Split(strings.Replace(list, " or ", ", ", 1), ", ")
			slices.Sort(names)
			assert.Equal(t, enum, names)
			for _, v := range enum {
				_, err := Parse("probe.yaml", []byte(suite(tt.doc, v)))
				assert.NoError(t, err, v)
			}
		})
	}
	t.Run("cors_error", func(t *testing.T) {
		t.Parallel()
		enum := enumIn(t, levels["expect"], "cors_error")
		var want []string
		for _, e := range append(cors.CorsErrors(), cors.LegacyCorsErrors()...) {
			want = append(want, string(e))
		}
		slices.Sort(want)
		assert.Equal(t, want, enum, "the schema lists every name LookupCorsError accepts")
		for _, v := range enum {
			_, err := Parse("probe.yaml", []byte(suite("request: {url: 'http://127.0.0.1/'}, expect: {verdict: blocked, cors_error: %s}", v)))
			assert.NoError(t, err, v)
		}
	})
}

// repoSuites finds every suite in the repository: YAML files, the files of
// txtar archives (CLI transcripts) and the README's yaml blocks that are
// whole suites (version: and cases: at the top).
func repoSuites(t *testing.T) map[string][]byte {
	t.Helper()
	isSuite := regexp.MustCompile(`(?m)^version:`)
	hasCases := regexp.MustCompile(`(?m)^cases:`)
	out := map[string][]byte{}
	add := func(name string, data []byte) {
		if isSuite.Match(data) && hasCases.Match(data) {
			out[name] = data
		}
	}
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "browsers", "node_modules", "out", "fuzz":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml":
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			add(rel, data)
		case ".txtar":
			a, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range a.Files {
				if strings.HasSuffix(f.Name, ".yaml") || strings.HasSuffix(f.Name, ".yml") {
					add(rel+":"+f.Name, f.Data)
				}
			}
		case ".md":
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, block := range strings.Split(string(data), "```yaml\n")[1:] {
				body, _, _ := strings.Cut(block, "```")
				add(rel+":yaml block "+string(rune('1'+i)), []byte(body))
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// isSuite reports whether data has key at its top level.
func isSuite(data []byte, key string) bool {
	return regexp.MustCompile(`(?m)^` + key + `:`).Match(data)
}

// TestSchemaValidatesRepoSuites validates every suite in the repository
// against the schema with a real JSON Schema validator: each one the parser
// accepts must pass the schema, so an editor never flags a valid suite.
func TestSchemaValidatesRepoSuites(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	suites := repoSuites(t)
	valid := 0
	for _, name := range sortedKeys(suites) {
		data := suites[name]
		// Transcripts write $TARGET for the target API's address, and
		// the built-in demo suite is given its target when it runs.
		data = bytes.ReplaceAll(data, []byte("$TARGET"), []byte("http://127.0.0.1:9"))
		_, err := Parse(name, data)
		if err != nil && !isSuite(data, "target") {
			_, err = Parse(name, append(append([]byte(nil), data...), "\ntarget: http://127.0.0.1:9\n"...))
		}
		if err != nil {
			// A transcript's deliberately broken suite; what the schema
			// says of broken suites is TestSchemaRefuses's job.
			t.Logf("%s: not a valid suite, skipped: %v", name, err)
			continue
		}
		valid++
		assert.NoError(t, validateYAML(t, sch, data), name)
	}
	for _, want := range []string{"testapi/demo.yaml", "scenarios/testdata/full.yaml", "scenarios/testdata/steps.yaml", "contract/testdata/example-suite.golden.yaml", "README.md:yaml block 1"} {
		assert.Contains(t, suites, want, "the walk finds %s", want)
	}
	assert.GreaterOrEqual(t, valid, 10, "valid suites checked")
	t.Logf("%d suites found, %d valid and checked", len(suites), valid)
}

// TestSchemaValidatesWrittenSuites checks what corsproof writes itself: a
// marshalled suite starts with the schema line and passes the schema.
func TestSchemaValidatesWrittenSuites(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	for _, f := range []string{"testdata/full.yaml", "testdata/steps.yaml"} {
		s, err := Load(f)
		require.NoError(t, err)
		out, err := s.Marshal()
		require.NoError(t, err)
		first, _, _ := strings.Cut(string(out), "\n")
		assert.Equal(t, SchemaComment, first)
		assert.NoError(t, validateYAML(t, sch, out), f)
	}
}

// TestSchemaRefuses checks the schema turns down what the parser turns
// down, field by field, where a schema can say it.
func TestSchemaRefuses(t *testing.T) {
	t.Parallel()
	sch := compiledSchema(t)
	const head = "version: 1\nname: x\n"
	const req = "request: {url: 'http://127.0.0.1/'}"
	tests := []struct{ desc, doc string }{
		{"version 2", "version: 2\nname: x\ncases: [{name: a, origin: 'https://a.test', " + req + "}]\n"},
		{"no cases", head + "cases: []\n"},
		{"no name", "version: 1\ncases: [{name: a, origin: 'https://a.test', " + req + "}]\n"},
		{"case without a name", head + "cases: [{origin: 'https://a.test', " + req + "}]\n"},
		{"misspelt key", head + "cases: [{name: a, orign: 'https://a.test', " + req + "}]\n"},
		{"origin with a slash", head + "cases: [{name: a, origin: 'https://a.test/', " + req + "}]\n"},
		{"origin in upper case", head + "cases: [{name: a, origin: 'https://A.test', " + req + "}]\n"},
		{"origin without a scheme", head + "cases: [{name: a, origin: 'a.test', " + req + "}]\n"},
		{"api", head + "cases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', api: axios}}]\n"},
		{"credentials", head + "cases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', credentials: includ}}]\n"},
		{"method with a space", head + "cases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', method: 'GE T'}}]\n"},
		{"header name", head + "cases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', headers: {'X Token': a}}}]\n"},
		{"headers as a list", head + "cases: [{name: a, origin: 'https://a.test', request: {url: 'http://127.0.0.1/', headers: [a]}}]\n"},
		{"verdict", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", expect: {verdict: allow}}]\n"},
		{"cors_error", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", expect: {cors_error: MissingAllowOrigin}}]\n"},
		{"status", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", expect: {status: 700}}]\n"},
		{"quoted status", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", expect: {status: '200'}}]\n"},
		{"preflight", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", expect: {preflight: yes please}}]\n"},
		{"wait without a unit", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", steps: [{wait: '5'}]}]\n"},
		{"negative wait", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", steps: [{wait: -1s}]}]\n"},
		{"no steps", head + "cases: [{name: a, origin: 'https://a.test', " + req + ", steps: []}]\n"},
		{"target without a scheme", head + "target: 127.0.0.1:8080\ncases: [{name: a, origin: 'https://a.test', " + req + "}]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			_, perr := Parse("bad.yaml", []byte(tt.doc))
			require.Error(t, perr, "the parser refuses it")
			assert.Error(t, validateYAML(t, sch, []byte(tt.doc)), "the schema refuses it too")
		})
	}
	// And the loosest valid forms pass: numbers as text, null mappings.
	for _, doc := range []string{
		head + "cases: [{name: 1, origin: 'null', request: {url: 'http://127.0.0.1/', headers: {X-Count: 5}, body: true, method: post}}]\n",
		head + "defaults:\ncases: [{name: a, origin: 'http://[::1]:8080', " + req + ", expect:, cookies:}]\n",
		head + "cases: [{name: a, origin: 'https://a.test', " + req + ", steps: [{wait: 1.5s}, {wait: 0}, {wait: 1h2m}]}]\n",
	} {
		_, err := Parse("ok.yaml", []byte(doc))
		require.NoError(t, err, doc)
		assert.NoError(t, validateYAML(t, sch, []byte(doc)), doc)
	}
}
