package cors

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The WPT sample (../testdata/wpt-cors-sample.json, copied from
// /work/shared/wpt-cors-sample/cases.json) records facts only: what a page
// asks, what the server answers, what WPT expects and what Chromium 156 did.
// These origins stand in for WPT's hosts.
const (
	wptPage    = "http://web-platform.test:8000"
	wptRemote  = "http://www1.web-platform.test:8000"
	wptRemote2 = "http://www2.web-platform.test:8000"
	wptPort2   = "http://web-platform.test:8001"
)

type wptResponse struct {
	Status  int            `json:"status"`
	Headers map[string]any `json:"headers"`
}

type wptHop struct {
	URLRole     string         `json:"url_role"`
	Status      any            `json:"status"`
	Location    string         `json:"location"`
	Headers     map[string]any `json:"headers"`
	CorsHeaders map[string]any `json:"cors_headers"`
}

type wptCase struct {
	ID             string            `json:"id"`
	Category       string            `json:"category"`
	API            string            `json:"api"`
	Method         string            `json:"method"`
	RequestHeaders map[string]string `json:"request_headers"`
	Credentials    string            `json:"credentials"`
	Mode           string            `json:"mode"`
	Body           string            `json:"body"`
	PageOriginKind string            `json:"page_origin_kind"`
	Preflight      *wptResponse      `json:"preflight_response"`
	Actual         *wptResponse      `json:"actual_response"`
	Redirect       *struct {
		Hops                []wptHop `json:"hops"`
		OriginAfterRedirect string   `json:"origin_after_redirect"`
	} `json:"redirect"`
	Sequence json.RawMessage `json:"sequence"`
	Expect   struct {
		Outcome           Verdict        `json:"outcome"`
		PreflightSent     *bool          `json:"preflight_sent"`
		ReadableHeaders   map[string]any `json:"readable_headers"`
		UnreadableHeaders []string       `json:"unreadable_headers"`
	} `json:"expect"`
	Observed *struct {
		Verdict       Verdict `json:"verdict"`
		PreflightSent *bool   `json:"preflight_sent"`
	} `json:"chromium_156_observed"`
}

// wptFinalURL names the final URL where the sample's Location is only a
// placeholder; each choice follows the WPT subtest's own name.
var wptFinalURL = map[string]string{
	"xhr-redir-remote-star-to-local-origin":   wptPage,    // "remote ... to local"
	"xhr-redir-remote-origin-to-remote2-star": wptRemote2, // "to remote2"
	"redir-cors-to-same-origin-preflight-ok":  wptPage,    // "cors to same origin"
}

var leadingInt = regexp.MustCompile(`^\d+`)

// wptSkip says why a case cannot be modelled from one request's responses.
func wptSkip(c wptCase) string {
	switch {
	case c.Category == "private-network-access":
		return "private network access: the model has no address spaces"
	case len(c.Sequence) > 0 && string(c.Sequence) != "null":
		return "needs a preflight cache across a sequence of requests"
	}
	return ""
}

// subst replaces the sample's placeholders in one header value.
func subst(v, pageOrigin, echo, method string) string {
	r := strings.NewReplacer(
		"<page-origin>", pageOrigin,
		"<echo-request-origin>", echo,
		"<target-origin>", wptRemote,
		"<PAGE-ORIGIN-UPPERCASED>", strings.ToUpper(pageOrigin),
		"<page-host:port>", strings.TrimPrefix(wptPage, "http://"),
		"<page URL (location.href)>", wptPage+"/cors/resources/page.html",
		"<remote origin (www1)>", wptRemote,
		"<allows page; exact value not verified>", pageOrigin,
		"none (literal string 'none')", "none",
		"<request method>", method,
		"<token or message>", "token",
	)
	return r.Replace(v)
}

func wptHeaders(h map[string]any, pageOrigin, echo, method string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		switch v := v.(type) {
		case string:
			out[k] = subst(v, pageOrigin, echo, method)
		case []any:
			lines := make([]string, 0, len(v))
			for _, l := range v {
				s, _ := l.(string)
				lines = append(lines, subst(s, pageOrigin, echo, method))
			}
			out[k] = strings.Join(lines, "\n")
		}
	}
	return out
}

// hopURL maps a hop's role to a URL.
func hopURL(role string) string {
	switch {
	case role == "same-origin" || strings.HasPrefix(role, "page origin"):
		return wptPage + "/redirect"
	case strings.HasPrefix(role, "HTTP_ORIGIN_WITH_DIFFERENT_PORT"):
		return wptPort2 + "/redirect"
	}
	return wptRemote + "/redirect"
}

// wptInput turns a sample case into the model's input.
func wptInput(c wptCase) Input {
	pageOrigin := wptPage
	if strings.HasPrefix(c.PageOriginKind, "opaque") {
		pageOrigin = "null"
	}
	method := NormalizeMethod(c.Method)
	headers := map[string]string{}
	for k, v := range c.RequestHeaders {
		headers[k] = subst(v, pageOrigin, pageOrigin, method)
	}
	in := Input{Request: Request{Origin: pageOrigin, Method: c.Method, Headers: headers,
		Credentials: c.Credentials, Mode: c.Mode, API: c.API, Body: c.Body}}
	final := wptRemote + "/final"
	if u, ok := wptFinalURL[c.ID]; ok {
		final = u + "/final"
	}
	laterEcho := pageOrigin
	var preflight *wptResponse = c.Preflight
	if c.Redirect != nil {
		if o := c.Redirect.OriginAfterRedirect; o != "" {
			laterEcho = subst(o, pageOrigin, pageOrigin, method)
		}
		var hops []wptHop
		for _, h := range c.Redirect.Hops {
			if strings.Contains(h.URLRole, "OPTIONS") {
				// The first URL's own preflight; the case's preflight is
				// then the one sent after the redirect.
				st, _ := strconv.Atoi(leadingInt.FindString(statusString(h.Status)))
				in.Preflight = &Response{URL: hopURL(h.URLRole), Status: st, Headers: wptHeaders(h.Headers, pageOrigin, pageOrigin, method)}
				continue
			}
			hops = append(hops, h)
		}
		for i, h := range hops {
			next := final
			if i+1 < len(hops) {
				next = hopURL(hops[i+1].URLRole)
			}
			if u, ok := strings.CutPrefix(h.Location, "http://"); ok && strings.Contains(u, "@") {
				userinfo, _, _ := strings.Cut(u, "@")
				next = strings.Replace(next, "://", "://"+userinfo+"@", 1)
			}
			hh := h.Headers
			if hh == nil {
				hh = h.CorsHeaders
			}
			echo := pageOrigin
			if i > 0 {
				echo = laterEcho
			}
			rh := wptHeaders(hh, pageOrigin, echo, method)
			for k := range rh {
				if strings.EqualFold(k, "Location") {
					delete(rh, k)
				}
			}
			rh["Location"] = next
			st, _ := strconv.Atoi(leadingInt.FindString(statusString(h.Status)))
			in.Redirects = append(in.Redirects, Response{URL: hopURL(h.URLRole), Status: st, Headers: rh})
		}
		if in.Preflight != nil && preflight != nil {
			in.RedirectPreflights = []Response{{URL: final, Status: preflight.Status, Headers: wptHeaders(preflight.Headers, pageOrigin, laterEcho, method)}}
			preflight = nil
		}
	}
	switch {
	case in.Preflight != nil:
		in.Request.URL = in.Preflight.URL
	case len(in.Redirects) > 0:
		in.Request.URL = in.Redirects[0].URL
	default:
		in.Request.URL = final
	}
	if preflight != nil {
		in.Preflight = &Response{Status: preflight.Status, Headers: wptHeaders(preflight.Headers, pageOrigin, pageOrigin, method)}
	}
	if c.Actual != nil {
		in.Actual = &Response{URL: final, Status: c.Actual.Status, Headers: wptHeaders(c.Actual.Headers, pageOrigin, laterEcho, method)}
	}
	return in
}

func statusString(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.Itoa(int(v))
	case string:
		return v
	}
	return ""
}

// loadWPTSample reads the sample's cases.
func loadWPTSample(t *testing.T) []wptCase {
	t.Helper()
	data, err := os.ReadFile("../testdata/wpt-cors-sample.json")
	require.NoError(t, err)
	var cases []wptCase
	require.NoError(t, json.Unmarshal(data, &cases))
	return cases
}

func TestWPTSample(t *testing.T) {
	t.Parallel()
	cases := loadWPTSample(t)
	require.Len(t, cases, 83)

	agree, skipped := 0, 0
	for _, c := range cases {
		if reason := wptSkip(c); reason != "" {
			skipped++
			t.Run(c.ID, func(t *testing.T) { t.Skip(reason) })
			continue
		}
		want, oracle := c.Expect.Outcome, "WPT expectation"
		if c.Observed != nil && c.Observed.Verdict != "" {
			want, oracle = c.Observed.Verdict, "Chromium 156 observation"
		}
		p := Predict(wptInput(c))
		if p.Verdict == want {
			agree++
		}
		t.Run(c.ID, func(t *testing.T) {
			assert.Equal(t, want, p.Verdict, "%s; model: %s %s %q; notes %v", oracle, p.Verdict, p.CorsError, p.FailedParameter, p.Notes)
			if c.Observed != nil && c.Observed.PreflightSent != nil && c.Redirect == nil {
				assert.Equal(t, *c.Observed.PreflightSent, p.PreflightNeeded, "preflight sent (Chromium 156); reasons %v", p.PreflightReasons)
			}
			if p.Verdict == VerdictAllowed {
				for name, v := range c.Expect.ReadableHeaders {
					if v == nil {
						continue // null means the header is absent from the response
					}
					assert.Contains(t, p.ReadableHeaders, strings.ToLower(name), "readable header")
				}
				for _, name := range c.Expect.UnreadableHeaders {
					assert.False(t, slices.Contains(p.ReadableHeaders, strings.ToLower(name)), "header %s must not be readable", name)
				}
			}
		})
	}
	t.Logf("WPT sample: model agrees with the oracle on %d of %d modelled cases (%d skipped)", agree, len(cases)-skipped, skipped)
}

func TestWPTAuthorizationDeviationWarns(t *testing.T) {
	t.Parallel()
	cases := loadWPTSample(t)
	idx := slices.IndexFunc(cases, func(c wptCase) bool { return c.ID == "star-authorization-not-wildcarded" })
	require.GreaterOrEqual(t, idx, 0)
	p := Predict(wptInput(cases[idx]))
	assert.Equal(t, VerdictAllowed, p.Verdict, "Chromium 156 lets Authorization through under *")
	assert.True(t, slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "Authorization") }), "warnings: %v", p.Warnings)
}
