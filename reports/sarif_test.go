package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/audit"
	"github.com/corsproof/corsproof/internal/sariftest"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// auditFixture is a report as an audit of four routes gives it: a high
// finding with its PoC, an informational one, one the browser refused, and
// an answer that varies with the Origin without Vary: Origin.
// Its values hold what a hostile server could put there.
func auditFixture() *audit.Report {
	actual := &result.Exchange{Method: "GET", URL: "http://127.0.0.1:8080/api/orders",
		RequestHeaders:  map[string]string{"Origin": "https://evil.test", "Cookie": "session=abc"},
		ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "https://evil.test", "Access-Control-Allow-Credentials": "true", "Set-Cookie": "t=secret"}, Status: 200}
	return &audit.Report{Tool: "corsproof", Browser: "HeadlessChrome/156", URLs: []string{"http://127.0.0.1:8080/api/orders", "http://127.0.0.1:8080/api/open"},
		Checks: 36, Requests: 36, Findings: []audit.Finding{
			{Rule: audit.RuleOriginReflected, Severity: audit.SeverityHigh, URL: "http://127.0.0.1:8080/api/orders", Title: "The API reflects any origin",
				Why: "a page at https://evil.test read the response with the user's cookies (session)", Origin: "https://evil.test",
				Request:   scenarios.Request{Method: "GET", URL: "http://127.0.0.1:8080/api/orders", Credentials: scenarios.CredentialsInclude, Headers: map[string]string{"Authorization": "Bearer tok"}},
				Preflight: &result.Exchange{Method: "OPTIONS", URL: "http://127.0.0.1:8080/api/orders", Status: 204},
				Actual:    actual, Read: &audit.Read{Status: 200, Headers: map[string]string{}, Excerpt: "{\"account\":\"alice\x1b[31m\"}"},
				Kinds: []string{audit.KindArbitrary, audit.KindNull}, Origins: []string{"https://evil.test", "null"}, PoC: "corsproof-poc/01-high-origin-reflected.html"},
			{Rule: audit.RuleWildcardOrigin, Severity: audit.SeverityInfo, URL: "http://127.0.0.1:8080/api/open", Title: "The API answers Access-Control-Allow-Origin: *",
				Why: "any page can read it", Origin: "https://evil.test", Kinds: []string{audit.KindArbitrary}, Origins: []string{"https://evil.test"},
				Read: &audit.Read{Status: 200, Headers: map[string]string{}, Excerpt: "{}"}},
			{Rule: audit.RuleWildcardOrigin, Severity: audit.SeverityNone, URL: "http://127.0.0.1:8080/api/wildcard", Title: "The API answers Access-Control-Allow-Origin: *, but the browser refused every read",
				Why: "refused by the browser (WildcardOriginNotAllowed)", Origin: "https://evil.test", Kinds: []string{}, Origins: []string{}},
			{Rule: audit.RuleVaryMissing, Severity: audit.SeverityInfo, URL: "http://127.0.0.1:8080/api/allowlist", Title: "Access-Control-Allow-Origin varies with Origin, without Vary: Origin",
				Why: "Access-Control-Allow-Origin depends on the request's Origin", Origin: "https://app.example.com", Kinds: []string{}, Origins: []string{},
				Actual: &result.Exchange{Method: "GET", URL: "http://127.0.0.1:8080/api/allowlist", Status: 200,
					ResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Cache-Control": "max-age=60"}},
				Answers: []audit.Answer{{AllowOrigin: "https://app.example.com", Origins: []string{"https://app.example.com"}, WithoutVary: []string{"https://app.example.com"}},
					{Origins: []string{"https://evil.test", "null\x1b[2J"}, WithoutVary: []string{"https://evil.test"}}}},
		}}
}

func TestSARIFValidates(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, WriteAudit(&out, "sarif", auditFixture(), Options{}))
	sariftest.Validate(t, out.Bytes())
	schema := sariftest.Schema(t)

	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID, Level, Kind string
				Properties          map[string]any
				Attachments         []any
			}
		}
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &log))
	require.Len(t, log.Runs, 1)
	res := log.Runs[0].Results
	require.Len(t, res, 4)
	assert.Equal(t, []string{"error", "note", "none", "note"}, []string{res[0].Level, res[1].Level, res[2].Level, res[3].Level})
	assert.Equal(t, audit.RuleVaryMissing, res[3].RuleID)
	assert.NotNil(t, res[3].Properties["answers"], "a Vary finding carries what each origin was answered")
	pre, _ := res[0].Properties["preflight"].(map[string]any)
	assert.Equal(t, "OPTIONS", pre["method"], "the preflight exchange is a property, as the actual one is")
	assert.NotContains(t, res[1].Properties, "preflight", "none without a preflight")
	var rules struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID                   string
						DefaultConfiguration struct{ Level string }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &rules))
	levels := map[string]string{}
	for _, r := range rules.Runs[0].Tool.Driver.Rules {
		levels[r.ID] = r.DefaultConfiguration.Level
	}
	assert.Equal(t, "note", levels[audit.RuleVaryMissing], "the Vary rules are listed, at most a note")
	assert.Equal(t, "note", levels[audit.RulePreflightVaryMissing])
	assert.Equal(t, "error", levels[audit.RuleOriginReflected])
	assert.Equal(t, "pass", res[2].Kind, "a refused finding is a pass")
	assert.Equal(t, "8.0", res[0].Properties["security-severity"])
	assert.Len(t, res[0].Attachments, 1, "the PoC is attached")
	assert.NotContains(t, out.String(), "Bearer tok", "credential headers are redacted")
	assert.NotContains(t, out.String(), "t=secret")

	// The schema is no formality: a log it must refuse is refused.
	bad := strings.Replace(out.String(), `"version": "2.1.0"`, `"version": "2.0.0"`, 1)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	require.NoError(t, err)
	assert.Error(t, schema.Validate(inst))
	noLevel := strings.Replace(out.String(), `"level": "error",`, `"level": "severe",`, 1)
	inst, err = jsonschema.UnmarshalJSON(strings.NewReader(noLevel))
	require.NoError(t, err)
	assert.Error(t, schema.Validate(inst))
}

func TestAuditTextEscapes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, WriteAudit(&out, "text", auditFixture(), Options{}))
	s := out.String()
	assert.NotContains(t, s, "\x1b", "escape sequences from the network never reach the terminal")
	assert.Contains(t, s, "HIGH   origin-reflected  http://127.0.0.1:8080/api/orders")
	assert.Contains(t, s, "PoC: corsproof-poc/01-high-origin-reflected.html")
	assert.Contains(t, s, "response: Access-Control-Allow-Origin: https://evil.test")
	assert.Contains(t, s, "4 findings (1 high, 2 info, 1 none)")
	assert.Contains(t, s, "answered: Access-Control-Allow-Origin: https://app.example.com to https://app.example.com (no Vary: Origin)")
	assert.Contains(t, s, "answered: no Access-Control-Allow-Origin to https://evil.test, null")
	assert.Contains(t, s, "response: Cache-Control: max-age=60")

	out.Reset()
	require.NoError(t, WriteAudit(&out, "markdown", auditFixture(), Options{}))
	assert.Contains(t, out.String(), "| high | origin-reflected |")
	assert.Contains(t, out.String(), "| info | vary-origin-missing |")
	assert.Contains(t, out.String(), "- answered: Access-Control-Allow-Origin: https://app.example.com to")
	assert.NotContains(t, out.String(), "\x1b")

	out.Reset()
	require.NoError(t, WriteAudit(&out, "json", auditFixture(), Options{}))
	assert.NotContains(t, out.String(), "Bearer tok")
	out.Reset()
	require.NoError(t, WriteAudit(&out, "json", auditFixture(), Options{ShowSecrets: true}))
	assert.Contains(t, out.String(), "Bearer tok")

	out.Reset()
	hostile := auditFixture()
	hostile.Findings[1].Read.Excerpt = "<script>alert(1)</script>"
	require.NoError(t, WriteAudit(&out, "html", hostile, Options{}))
	assert.NotContains(t, out.String(), "<script>alert")
	assert.Contains(t, out.String(), "&lt;script&gt;alert(1)")
	assert.Contains(t, out.String(), `<span class="sev high">HIGH</span>`)
	assert.Contains(t, out.String(), "Content-Security-Policy")
	assert.NotContains(t, out.String(), "\x1b[31m\"}", "the page holds the excerpt escaped")
	assert.Contains(t, out.String(), "&#34;account&#34;")
	assert.Contains(t, out.String(), "<li>answered: Access-Control-Allow-Origin: https://app.example.com to https://app.example.com (no Vary: Origin)</li>")

	// Control and bidi characters of the network show as escapes, as in
	// the run's HTML report: raw, they would act when the page's text is
	// copied into a terminal.
	out.Reset()
	hostile = auditFixture()
	hostile.Findings[0].Actual.ResponseHeaders["Access-Control-Allow-Origin"] = "https://evil.test\x1b]0;pwn\x07\u202e"
	require.NoError(t, WriteAudit(&out, "html", hostile, Options{}))
	page := out.String()
	assert.NotContains(t, page, "\x1b")
	assert.NotContains(t, page, "\x07")
	assert.NotContains(t, page, "\u202e")
	assert.Contains(t, page, `Access-Control-Allow-Origin: https://evil.test\x1b]0;pwn\a\u202e`)
	assert.Contains(t, page, `alice\x1b[31m`, "the excerpt's escape shows as text")

	assert.Error(t, WriteAudit(&out, "junit", auditFixture(), Options{}))
}
