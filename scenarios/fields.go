package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/corsproof/corsproof/cors"
)

// field is one key a suite mapping may hold: its name, what it means, and
// what its value must be. The tables below are the one list of keys: the
// parser accepts exactly their keys (parse.go takes its known-key lists
// from them) and Schema writes its properties, descriptions and enums from
// them, so the editor's schema and the validator cannot disagree.
type field struct {
	key  string
	doc  string
	kind schemaNode
}

// schemaNode is a JSON Schema fragment, written in the order it is built.
type schemaNode = ordered

// ordered is a JSON object whose keys keep their order when written, so the
// schema reads top-down as the suite file does.
type ordered []kv

type kv struct {
	k string
	v any
}

func keysOf(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// pick returns the fields of from named by keys, in keys' order.
func pick(from []field, keys ...string) []field {
	var out []field
	for _, k := range keys {
		i := slices.IndexFunc(from, func(f field) bool { return f.key == k })
		if i < 0 {
			panic("scenarios: no field " + k) // a programming error in the tables
		}
		out = append(out, from[i])
	}
	return out
}

func ref(def string) ordered { return ordered{{"$ref", "#/$defs/" + def}} }

func enumOf(names []string) ordered { return ordered{{"type", "string"}, {"enum", names}} }

// scalar is any value the parser reads as text: YAML numbers and booleans
// read as written (X-Count: 5 is the header value "5").
var scalar = ordered{{"type", []string{"string", "number", "boolean"}}}

// tokenPattern is RFC 9110's token: method and header names.
const tokenPattern = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

// originPattern is a serialized origin as the parser accepts it (the
// parser also checks the port range and the default port).
const originPattern = `^(null|https?://[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?(:[1-9][0-9]{0,4})?|https?://\[[0-9a-f:.]+\](:[1-9][0-9]{0,4})?)$`

// durationPattern is time.ParseDuration's grammar without a sign: what a
// step's wait accepts (0s to 2h1m; the upper bound is the parser's).
const durationPattern = `^\s*\+?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)\s*$`

var requestFields = []field{
	{"api", "The in-page API that makes the request: fetch, or xhr (XMLHttpRequest). Default fetch.", enumOf(apiNames)},
	{"method", "The request method, as the page passes it. DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased as Fetch does; others (patch) are sent as written. Forbidden methods (CONNECT, TRACE, TRACK) are refused. Default " + DefaultMethod + ".", ordered{{"type", "string"}, {"pattern", tokenPattern}, {"patternErrorMessage", "not a method: a token such as GET, POST or PATCH"}}},
	{"url", "The request URL: absolute http(s), or a path relative to the suite's target.", ordered{{"type", "string"}, {"minLength", 1}}},
	{"headers", "Request headers the page sets, name: value. Forbidden request headers (Cookie, Origin, Host, …) are refused: the browser would drop them.", ref("headers")},
	{"credentials", "The fetch credentials mode; for xhr, include means withCredentials = true. Default " + string(DefaultCredentials) + ", the browser's own default.", enumOf(credentialsNames)},
	{"body", "The request body, sent as a string. Not allowed on GET and HEAD.", scalar},
	{"mode", "The fetch request mode (fetch only). Default " + string(DefaultMode) + "; no-cors allows only GET, HEAD and POST with CORS-safelisted headers.", enumOf(modeNames)},
}

var expectFields = []field{
	{"verdict", "What the browser did with the request.", enumOf(verdictNames)},
	{"cors_error", "Chromium's CorsError name for a blocked request (with verdict blocked only). Names older Chromium versions reported are accepted and compare equal to their current name.", ordered{{"type", "string"}, {"anyOf", []ordered{
		{{"enum", corsErrorNames}},
		{{"enum", legacyCorsErrorNames}, {"deprecated", true}, {"description", "A name older Chromium versions reported; it matches the current name of the same failure."}},
	}}}},
	{"preflight", "Whether the browser sent an OPTIONS preflight on the wire (a preflight served from the cache is not sent).", ordered{{"type", "boolean"}}},
	{"status", "The HTTP status of the response to the actual request.", ordered{{"type", "integer"}, {"minimum", 100}, {"maximum", 599}}},
	{"readable_headers", "Response headers the page's script must be able to read (names compare case-insensitively).", ordered{{"type", []string{"array", "null"}}, {"items", ordered{{"type", "string"}, {"pattern", tokenPattern}}}}},
}

var caseFields = []field{
	{"name", "The case's name, unique in the suite.", scalar},
	{"why", "What the case checks; generated suites say which rule.", scalar},
	{"origin", "The page's serialized origin, exactly as self.origin prints it: scheme://host[:port] in lower case without the default port or a trailing slash, or null. The case's own or the one defaults: gives.", ref("origin")},
	{"request", "The request the page makes; what it leaves unset comes from defaults:, then from the browser's defaults.", ref("request")},
	{"cookies", "Cookies put in the browser's jar for the request URL before the case runs (SameSite=None, Secure, Path=/), name: value. The browser decides whether to send them.", ref("cookies")},
	{"expect", "What the case expects; any subset, nothing unset is checked.", ref("expect")},
	{"steps", fmt.Sprintf("Requests made in turn from the same page in the same browser context, so the preflight cache, the HTTP cache and cookies carry over. Each step takes what it leaves unset from its case. At most %d steps.", MaxSteps), ordered{{"type", "array"}, {"minItems", 1}, {"maxItems", MaxSteps}, {"items", ref("step")}}},
}

var defaultsFields = pick(caseFields, "origin", "request", "cookies", "expect")

var stepFields = []field{
	{"name", "Labels the step in reports; default \"step N\".", scalar},
	{"wait", "Real time to let pass before the step's request, after the previous step ended: a duration such as 1.5s or 500ms, from 0s to 2h1m.", ordered{{"anyOf", []ordered{{{"type", "string"}, {"pattern", durationPattern}, {"patternErrorMessage", "not a duration: write 1.5s, 500ms or 2m"}}, {{"const", 0}}}}}},
	{"origin", "The page's origin for this step when it is not the case's; loaded in the same tab and browser context.", ref("origin")},
	{"fresh", "Clear the browser's HTTP cache, preflight cache and cookies before this step (the page stays): what a new visitor would see, so only a shared cache on the network path can carry state from the steps before.", ordered{{"type", "boolean"}}},
	{"request", "The step's request; what it leaves unset comes from the case (headers merge by name).", ref("request")},
	{"expect", "Checked against this step alone; preflight means this step sent one on the wire.", ref("expect")},
}

var suiteFields = []field{
	{"version", fmt.Sprintf("The suite format version: %d.", SuiteVersion), ordered{{"const", SuiteVersion}}},
	{"name", "The suite's name.", ordered{{"type", []string{"string", "number", "boolean"}}, {"pattern", `\S`}}},
	{"target", "Base URL that relative request URLs resolve against, as a browser resolves a link: an absolute http(s) URL without query or fragment.", ordered{{"type", "string"}, {"pattern", `^[hH][tT][tT][pP][sS]?://[^/?#@]`}}},
	{"paths", fmt.Sprintf("Network paths to run every case on, name: URL (scheme://host[:port], http or https, no path) or {url, address: host:port the browser connects to, for a CDN and its origin server under one host name}. Each case's request goes to each path with its path and query unchanged; the first path is the reference the others are compared with. 2 to %d paths.", MaxPaths), ref("paths")},
	{"defaults", "Settings every case takes unless it sets them itself (headers and cookies merge by name).", ref("defaults")},
	{"cases", "The cases, each one request made by a page at an origin (or a sequence of steps).", ordered{{"type", "array"}, {"minItems", 1}, {"items", ref("case")}}},
}

// Known keys at each level, as the parser checks them.
var (
	suiteKeys    = keysOf(suiteFields)
	caseKeys     = keysOf(caseFields)
	defaultsKeys = keysOf(defaultsFields)
	requestKeys  = keysOf(requestFields)
	expectKeys   = keysOf(expectFields)
	stepKeys     = keysOf(stepFields)
)

// legacyCorsErrorNames are the older Chromium names cors_error accepts.
var legacyCorsErrorNames = stringsOf(cors.LegacyCorsErrors())

// properties are the schemas of fields, each with its description first.
func properties(fields []field) ordered {
	props := make(ordered, len(fields))
	for i, f := range fields {
		props[i] = kv{f.key, append(ordered{{"description", f.doc}}, f.kind...)}
	}
	return props
}

// object is the schema of a mapping holding fields, and no other key.
func object(doc string, fields []field, required ...string) ordered {
	props := properties(fields)
	// A mapping written with no value reads as empty.
	o := ordered{{"type", []string{"object", "null"}}}
	if doc != "" {
		o = append(ordered{{"description", doc}}, o...)
	}
	if len(required) > 0 {
		o = append(o, kv{"required", required})
	}
	return append(o, kv{"additionalProperties", false}, kv{"properties", props})
}

// pairsOf is a mapping of token names to scalar values: headers, cookies.
func pairsOf(what string) ordered {
	return ordered{
		{"description", what},
		{"type", []string{"object", "null"}},
		{"propertyNames", ordered{{"pattern", tokenPattern}}},
		{"additionalProperties", scalar},
	}
}

// SchemaURL is where editors find the suite schema: the file Schema
// writes, as shipped in the repository.
const SchemaURL = "https://raw.githubusercontent.com/corsproof/corsproof/main/scenarios/suite.schema.json"

// SchemaComment is the first line of every suite corsproof writes: it
// points yaml-language-server (VS Code's YAML extension, Neovim, Helix, …)
// at the schema, so the editor completes and checks every field.
const SchemaComment = "# yaml-language-server: $schema=" + SchemaURL

// schemaDoc builds the whole schema from the field tables.
func schemaDoc() ordered {
	return ordered{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaURL},
		{"title", "corsproof suite"},
		{"description", fmt.Sprintf("A corsproof suite (version %d): cases, each a request a page at an origin makes in real Chromium, with what the browser should do with it. `corsproof run FILE` runs it; `corsproof schema suite` prints this schema. Some rules span fields and are checked only by corsproof (an origin or url each case needs from itself or defaults:, body on GET, mode with xhr, cors_error with a verdict other than blocked, the length of waits).", SuiteVersion)},
		{"type", "object"},
		{"required", []string{"version", "name", "cases"}},
		{"additionalProperties", false},
		{"properties", properties(suiteFields)},
		{"$defs", ordered{
			{"defaults", object("Settings every case takes unless it sets them itself.", defaultsFields)},
			{"case", object("One request made by a page at an origin, with what it expects; or, with steps:, a sequence of requests.", caseFields, "name")},
			{"step", object("One request of a sequence.", stepFields)},
			{"request", object("The request as the page makes it.", requestFields)},
			{"expect", object("What a case expects; unset fields are not checked.", expectFields)},
			{"paths", ordered{
				{"type", "object"},
				{"minProperties", 2},
				{"maxProperties", MaxPaths},
				{"propertyNames", ordered{{"pattern", pathNamePattern}}},
				{"additionalProperties", ordered{{"anyOf", []ordered{
					{{"type", "string"}, {"pattern", pathURLPattern}},
					{{"type", "object"}, {"required", []string{"url"}}, {"additionalProperties", false}, {"properties", ordered{
						{"url", ordered{{"type", "string"}, {"pattern", pathURLPattern}}},
						{"address", ordered{{"type", "string"}, {"pattern", `^[^\s/]+:[0-9]{1,5}$`}}},
					}}},
				}}}},
			}},
			{"headers", pairsOf("Header names to values; names compare case-insensitively and may appear once. Values are one line, Latin-1, without leading or trailing whitespace.")},
			{"cookies", pairsOf("Cookie names to values; values are printable ASCII without spaces, quotes, commas, semicolons or backslashes.")},
			{"origin", ordered{
				{"description", "A serialized origin: scheme://host[:port], lower case, without the default port, a path or a trailing slash; or null."},
				{"type", "string"},
				{"pattern", originPattern},
				// Editors (yaml-language-server) show this instead of the pattern.
				{"patternErrorMessage", "not an origin as self.origin prints it: write scheme://host[:port] in lower case, without a path or trailing slash, or null"},
			}},
		}},
	}
}

// Schema returns the JSON Schema (draft 2020-12) of the suite format, made
// from the same field tables the parser checks keys against.
// scenarios/suite.schema.json in the repository is this output.
func Schema() []byte {
	raw, err := schemaDoc().MarshalJSON()
	if err != nil {
		panic("scenarios: writing the suite schema: " + err.Error()) // the tables are constant
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		panic("scenarios: indenting the suite schema: " + err.Error())
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// MarshalJSON writes o as a JSON object in its own order, without
// escaping <, > and & (patterns hold them).
func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(e.k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := enc.Encode(e.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
