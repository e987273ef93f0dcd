package reports

import (
	"html/template"
	"io"
	"strings"

	"github.com/corsproof/corsproof/audit"
)

// auditCSS is the findings page's only style; the page has no script.
const auditCSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h2{font-size:1.1em;margin-top:2em}.sev{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-weight:bold}
.high{background:#b00020}.medium{background:#c75b00}.info{background:#1565c0}.none{background:#607d8b}
pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;word-break:break-all}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}`

// auditCSP lets the page use its own style and nothing else: a network
// value that escaped its context still could not run.
var auditCSP = "default-src 'none'; style-src '" + cspHash(auditCSS) + "'; img-src 'none'; base-uri 'none'; form-action 'none'"

var auditHTMLTemplate = template.Must(template.New("audit").Funcs(template.FuncMap{
	"upper":    func(s audit.Severity) string { return strings.ToUpper(string(s)) },
	"cors":     findingLines,
	"answers":  answerLines,
	"refusals": refusals,
	"join":     strings.Join,
	"orGET":    orGET,
	// vis shows control and bidi characters of network text as escapes
	// (\x1b), as the run's HTML report does: a page cannot display them,
	// and copied from the page into a terminal they would act.
	"vis": visibleControls,
	"help": func(rule string) string {
		for _, r := range audit.Rules {
			if r.ID == rule {
				return r.Help
			}
		}
		return ""
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<title>corsproof audit</title><style>{{.CSS}}</style></head><body>
<h1>corsproof audit</h1>
<p>{{len .R.URLs}} URL(s), {{.R.Checks}} checks in {{.R.Browser}}. Severity comes from what the attacker's page could read in the browser.</p>
{{if not .R.Findings}}<p>No finding: the browser let no attacker origin read any URL.</p>{{else}}
<table><tr><th>Severity</th><th>Rule</th><th>URL</th><th>Readable from</th></tr>
{{range .R.Findings}}<tr><td><span class="sev {{.Severity}}">{{upper .Severity}}</span></td><td>{{.Rule}}</td><td>{{.URL}}</td><td>{{join .Origins ", "}}</td></tr>
{{end}}</table>
{{range .R.Findings}}<h2><span class="sev {{.Severity}}">{{upper .Severity}}</span> {{.Title}}</h2>
<p><b>{{.URL}}</b>: {{vis .Why}}.</p>
<p>Request: <code>{{orGET .Request.Method}} {{.Request.URL}}</code> from <code>{{.Origin}}</code>, credentials <code>{{.Request.Credentials}}</code>.</p>
{{with cors .}}<pre>{{vis (join . "\n")}}</pre>{{end}}
{{with answers .Answers}}<ul>{{range .}}<li>answered: {{vis .}}</li>{{end}}</ul>{{end}}
{{with .Read}}<p>What the page read (status {{.Status}}):</p><pre>{{vis .Excerpt}}{{if .Truncated}}…{{end}}</pre>{{end}}
{{with refusals .Refused}}<ul>{{range .}}<li>refused: {{vis .}}</li>{{end}}</ul>{{end}}
{{with .PoC}}<p>Proof of concept: <code>{{.}}</code></p>{{end}}
<p>Fix: {{help .Rule}}</p>
{{end}}{{end}}
{{with .R.Incomplete}}<h2>Checks without a verdict</h2><ul>{{range .}}<li>{{.Check.Kind}} {{.Check.URL}} from {{.Check.Origin.Origin}}: {{vis .Why}}</li>{{end}}</ul>{{end}}
</body></html>
`))

func auditHTML(w io.Writer, rep *audit.Report) error {
	return auditHTMLTemplate.Execute(w, struct {
		R   *audit.Report
		CSS template.CSS
		CSP string
	}{rep, template.CSS(auditCSS), auditCSP})
}
