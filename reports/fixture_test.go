package reports

import (
	"time"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Hostile values a server (or a page) could put in headers.
const (
	hostileImg    = `<img src=x onerror=alert(1)>`
	hostileScript = `</script><script>alert(1)</script>`
	hostileANSI   = "\x1b[31mred\x1b]0;title\x07"
	secretToken   = "Bearer s3cr3t-t0k3n"
	secretCookie  = "session=c00kie-v4lue"
)

// fixtureRun builds a run with the records the golden files show: an
// allowed simple GET, a preflight refusing a header, a missing
// Access-Control-Allow-Origin that fails its expectation, and a case full of
// hostile and secret header values.
func fixtureRun() *result.Run {
	yes := true
	status200 := 200
	const browser = "Chromium 156.0.8078.108"
	run := &result.Run{
		Settings: result.Settings{
			Tool:              "corsproof",
			Suites:            []string{"demo"},
			Browser:           browser,
			BrowserPath:       "/usr/lib/chromium/chromium",
			Driver:            "chromedp",
			ThirdPartyCookies: "allowed",
			LNA:               "off",
			Started:           time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC),
		},
		DurationMS: 2345,
		Records: []result.Record{
			{
				Name:   "simple GET is allowed",
				Suite:  "demo",
				File:   "suites/demo.yaml",
				Origin: "https://app.example.test",
				Request: scenarios.Request{
					API: scenarios.APIFetch, Method: "GET", URL: "https://api.example.test/public",
					Credentials: scenarios.CredentialsOmit,
				},
				Verdict:   cors.VerdictAllowed,
				Contacted: []string{"https://api.example.test"},
				Actual: &result.Exchange{
					Method: "GET", URL: "https://api.example.test/public",
					RequestHeaders: map[string]string{"Origin": "https://app.example.test", "Accept": "*/*"},
					Status:         200, StatusText: "OK",
					ResponseHeaders: map[string]string{
						"Access-Control-Allow-Origin": "https://app.example.test",
						"Content-Type":                "application/json",
						"Vary":                        "Origin",
					},
				},
				Page: result.Page{
					Origin: "https://app.example.test", OK: true, Status: 200, Type: "cors",
					ReadableHeaders: map[string]string{"content-type": "application/json"},
					Body:            `{"ok":true}`,
				},
				Expect:     &scenarios.Expect{Verdict: cors.VerdictAllowed, Status: &status200},
				ExpectMet:  true,
				Diagnosis:  &cors.Diagnosis{Summary: "The response allows the origin https://app.example.test.", ModelVerdict: "allowed", AgreesWithBrowser: true},
				Browser:    browser,
				DurationMS: 121,
			},
			{
				Name:   "custom header refused by preflight",
				Suite:  "demo",
				File:   "suites/demo.yaml",
				Origin: "https://app.example.test",
				Request: scenarios.Request{
					API: scenarios.APIFetch, Method: "PUT", URL: "https://api.example.test/items/1",
					Headers:     map[string]string{"X-Token": "abc", "Content-Type": "application/json"},
					Credentials: scenarios.CredentialsInclude, Body: `{"name":"it's"}`,
				},
				Verdict:         cors.VerdictBlocked,
				CorsError:       "HeaderDisallowedByPreflightResponse",
				FailedParameter: "x-token",
				NetError:        "net::ERR_FAILED",
				Console:         []string{"Access to fetch at 'https://api.example.test/items/1' from origin 'https://app.example.test' has been blocked by CORS policy: Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response."},
				Preflight: &result.Exchange{
					Method: "OPTIONS", URL: "https://api.example.test/items/1",
					RequestHeaders: map[string]string{
						"Origin":                         "https://app.example.test",
						"Access-Control-Request-Method":  "PUT",
						"Access-Control-Request-Headers": "content-type,x-token",
					},
					Status: 204, StatusText: "No Content",
					ResponseHeaders: map[string]string{
						"Access-Control-Allow-Origin":      "https://app.example.test",
						"Access-Control-Allow-Methods":     "GET, PUT",
						"Access-Control-Allow-Headers":     "content-type",
						"Access-Control-Allow-Credentials": "true",
					},
				},
				Page:       result.Page{Origin: "https://app.example.test", Error: "TypeError: Failed to fetch"},
				Expect:     &scenarios.Expect{Verdict: cors.VerdictBlocked, CorsError: "HeaderDisallowedByPreflightResponse", Preflight: &yes},
				ExpectMet:  true,
				Diagnosis:  &cors.Diagnosis{Summary: "The preflight response does not list x-token in Access-Control-Allow-Headers.", Fix: "Add x-token to Access-Control-Allow-Headers on the OPTIONS response: Access-Control-Allow-Headers: content-type, x-token", ModelVerdict: "blocked", ModelCorsError: "HeaderDisallowedByPreflightResponse", AgreesWithBrowser: true},
				Browser:    browser,
				DurationMS: 143,
			},
			{
				Name:   "missing allow-origin",
				Suite:  "demo",
				File:   "suites/demo.yaml",
				Origin: "https://app.example.test",
				Request: scenarios.Request{
					API: scenarios.APIXHR, Method: "GET", URL: "https://api.example.test/private",
					Credentials: scenarios.CredentialsOmit,
				},
				Verdict:   cors.VerdictBlocked,
				CorsError: "MissingAllowOriginHeader",
				NetError:  "net::ERR_FAILED",
				Actual: &result.Exchange{
					Method: "GET", URL: "https://api.example.test/private",
					RequestHeaders:  map[string]string{"Origin": "https://app.example.test"},
					Status:          200,
					ResponseHeaders: map[string]string{"Content-Type": "text/plain", "X-Multi": "one\ntwo"},
				},
				Page:       result.Page{Origin: "https://app.example.test", Error: "xhr error event, status 0"},
				Expect:     &scenarios.Expect{Verdict: cors.VerdictAllowed},
				ExpectMet:  false,
				Mismatches: []string{"verdict: expected allowed, got blocked (MissingAllowOriginHeader)"},
				Diagnosis:  &cors.Diagnosis{Summary: "The response has no Access-Control-Allow-Origin header.", Fix: "Send Access-Control-Allow-Origin: https://app.example.test on the response to GET https://api.example.test/private.", ModelVerdict: "allowed", AgreesWithBrowser: false, Warnings: []string{"the model predicted allowed"}},
				Browser:    browser,
				DurationMS: 98,
			},
			{
				Name:   "hostile " + hostileImg,
				Suite:  "hostile",
				File:   "suites/hostile.yaml",
				Origin: "https://evil.example.test",
				Request: scenarios.Request{
					API: scenarios.APIFetch, Method: "POST", URL: "https://api.example.test/echo?q=" + hostileScript,
					Headers:     map[string]string{"Authorization": secretToken, "X-Note": "it's ```` fenced", "X-Evil": hostileImg},
					Credentials: scenarios.CredentialsInclude, Mode: scenarios.ModeCORS,
				},
				Verdict: cors.VerdictAllowed,
				Preflight: &result.Exchange{
					Method: "OPTIONS", URL: "https://api.example.test/echo?q=" + hostileScript,
					RequestHeaders: map[string]string{"Origin": "https://evil.example.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,x-evil,x-note"},
					Status:         204,
					ResponseHeaders: map[string]string{
						"Access-Control-Allow-Origin":      "https://evil.example.test",
						"Access-Control-Allow-Headers":     "authorization, x-evil, x-note",
						"Access-Control-Allow-Credentials": "true",
						"X-Script":                         hostileScript,
					},
				},
				Actual: &result.Exchange{
					Method: "POST", URL: "https://api.example.test/echo?q=" + hostileScript,
					RequestHeaders: map[string]string{"Origin": "https://evil.example.test", "authorization": secretToken, "Cookie": secretCookie, "X-Evil": hostileImg},
					Status:         200, StatusText: "OK",
					ResponseHeaders: map[string]string{
						"Access-Control-Allow-Origin":      "https://evil.example.test",
						"Access-Control-Allow-Credentials": "true",
						"Access-Control-Expose-Headers":    "x-ansi, set-cookie",
						"Set-Cookie":                       secretCookie + "; Secure\nother=2",
						"Proxy-Authorization":              "Basic cHJveHk6cGFzcw==",
						"X-ANSI":                           hostileANSI,
						"X-Img":                            hostileImg,
						"X-Fence":                          "```` closes?",
						"X-Pipe":                           "a|b<c>`d`",
					},
				},
				Page: result.Page{
					Origin: "https://evil.example.test", OK: true, Status: 200, Type: "cors",
					ReadableHeaders: map[string]string{"x-ansi": hostileANSI, "set-cookie": secretCookie, "x-img": hostileImg},
				},
				ExpectMet:  true,
				Diagnosis:  &cors.Diagnosis{Summary: "Allowed; the server reflects " + hostileImg, ModelVerdict: "allowed", AgreesWithBrowser: true},
				Browser:    browser,
				DurationMS: 77,
			},
		},
	}
	run.Tally()
	return run
}

// hostileRecord returns the fixture's record with hostile values.
func hostileRecord() *result.Record {
	return &fixtureRun().Records[3]
}
