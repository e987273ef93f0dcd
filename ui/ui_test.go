package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/harness"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/runner"
	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

// testBrowser is the test binary's one browser (internal/testbrowser).
func testBrowser(t *testing.T) *harness.Browser { return testbrowser.Get(t) }

func TestMain(m *testing.M) { testbrowser.Main(m) }

// api is a loopback target: /open allows every origin and exposes
// X-Request-Id, /closed sends no CORS headers at all.
func api(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/open" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("X-Request-Id", "r-1")
			w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id")
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func startUI(t *testing.T) *Server {
	t.Helper()
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Runner: runner.Config{Reuse: testBrowser(t)}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// TestRefusesWhatIsNotItsOwnPage sends what other local users, other web
// pages and DNS-rebinding pages could send, with a plain HTTP client, and
// checks each is refused before anything runs.
func TestRefusesWhatIsNotItsOwnPage(t *testing.T) {
	s := startUI(t)
	u, err := url.Parse(s.URL())
	require.NoError(t, err)
	self := "http://" + u.Host
	runURL := s.URL() + "run"
	form := `{"origin":"https://app.example.test","url":"http://127.0.0.1:1/x"}`
	tests := []struct {
		desc, method, url, host, origin, site, body string
		want                                        int
		says                                        string
	}{
		{desc: "the page with its token", method: "GET", url: s.URL(), want: http.StatusOK},
		{desc: "no token", method: "GET", url: self + "/", want: http.StatusForbidden, says: "needs the token"},
		{desc: "a wrong token", method: "GET", url: self + "/" + strings.Repeat("0", len(s.token)) + "/", want: http.StatusForbidden, says: "needs the token"},
		{desc: "the token as a prefix of a longer path", method: "GET", url: self + "/" + s.token[:len(s.token)-1] + "/", want: http.StatusForbidden, says: "needs the token"},
		{desc: "a rebinding host name", method: "GET", url: s.URL(), host: "attacker.example:" + u.Port(), want: http.StatusForbidden, says: "is not " + u.Host},
		{desc: "localhost instead of the bound address", method: "GET", url: s.URL(), host: "localhost:" + u.Port(), want: http.StatusForbidden, says: "is not"},
		{desc: "a run from a foreign origin", method: "POST", url: runURL, origin: "https://attacker.example", body: form, want: http.StatusForbidden, says: "other origins"},
		{desc: "a run from another loopback port", method: "POST", url: runURL, origin: "http://127.0.0.1:1", body: form, want: http.StatusForbidden, says: "other origins"},
		{desc: "a run without an origin", method: "POST", url: runURL, body: form, want: http.StatusForbidden, says: "from the page"},
		{desc: "a cross-site fetch metadata", method: "GET", url: s.URL(), site: "cross-site", want: http.StatusForbidden, says: "cross-site"},
		{desc: "a run posted as a form", method: "POST", url: runURL, origin: self, body: "origin=x", want: http.StatusUnsupportedMediaType},
		{desc: "a run with an invalid form", method: "POST", url: runURL, origin: self, body: `{"origin":"https://app.example.test/","url":"http://127.0.0.1:1/x","credentials":"includ"}`, want: http.StatusUnprocessableEntity, says: "did you mean include?"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			require.NoError(t, err)
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if strings.HasPrefix(tt.body, "{") {
				req.Header.Set("Content-Type", "application/json")
			} else if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.want, resp.StatusCode, string(body))
			assert.Contains(t, string(body), tt.says)
			if tt.want == http.StatusOK {
				assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "connect-src 'self'")
				assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
			}
		})
	}
}

// postRun posts the form as the page does and decodes the answer.
func postRun(t *testing.T, s *Server, rq Request) Answer {
	t.Helper()
	body, err := json.Marshal(rq)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", s.URL()+"run", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", strings.TrimSuffix(strings.TrimSuffix(s.URL(), "/"), "/"+s.token))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var a Answer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%+v", a)
	return a
}

// TestOwnedBrowserFollowsTheRequests starts the playground with a browser
// of its own, as corsproof ui does: a run from a page origin the browser
// was not launched for gets a new browser whose resolver sinks that host,
// so the page origin never reaches the network, and the next run from it
// reuses that browser. This test launches browsers of its own on purpose.
func TestOwnedBrowserFollowsTheRequests(t *testing.T) {
	base := api(t)
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Runner: runner.Config{Browser: harness.Options{Timeout: 10 * time.Second}}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	first := s.Browser()
	assert.Contains(t, first.Options().Sinks, "app.example.test", "launched ready for the form's default origin")

	a := postRun(t, s, Request{Origin: DefaultOrigin, URL: base + "/open"})
	assert.Equal(t, cors.VerdictAllowed, a.Verdict)
	assert.Same(t, first, s.Browser(), "the default origin needs no new browser")

	a = postRun(t, s, Request{Origin: "https://other.example.test:8443", URL: base + "/closed"})
	assert.Equal(t, cors.VerdictBlocked, a.Verdict)
	second := s.Browser()
	assert.NotSame(t, first, second, "a new page origin gets a browser launched for it")
	assert.Subset(t, second.Options().Sinks, []string{"app.example.test", "other.example.test"})
	assert.Error(t, first.Alive(context.Background()), "the previous browser is closed")

	a = postRun(t, s, Request{Origin: "https://other.example.test:8443", URL: base + "/open"})
	assert.Equal(t, cors.VerdictAllowed, a.Verdict)
	assert.Same(t, second, s.Browser())
}

func TestListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "localhost:0"} {
		_, err := Start(context.Background(), addr, Config{Runner: runner.Config{Reuse: testBrowser(t)}})
		// A name such as localhost is not an address: it could resolve
		// anywhere.
		var ae *AddrError
		require.True(t, errors.As(err, &ae), "%s: %v", addr, err)
		assert.Contains(t, ae.Hint(), "127.0.0.1")
	}
}

func TestFormBecomesACase(t *testing.T) {
	t.Parallel()
	c, problems := Request{Origin: "null", URL: "http://127.0.0.1:8080/x", Method: "put", Headers: "X-Token: a\r\n\nContent-Type:  application/json ", API: "xhr", Mode: "cors", Credentials: "include"}.Case()
	require.Empty(t, problems)
	assert.Equal(t, "PUT", c.Request.Method)
	assert.Equal(t, map[string]string{"X-Token": "a", "Content-Type": "application/json"}, c.Request.Headers)
	assert.Equal(t, scenarios.Mode(""), c.Request.Mode, "xhr has no mode")
	_, problems = Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: "X-Token a\nCookie: s=1"}.Case()
	assert.Equal(t, []string{`headers line 1: "X-Token a" is not Name: value`}, problems)
	_, problems = Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: "Cookie: s=1"}.Case()
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "forbidden request header")
	// A header typed twice is not silently the last line, as -H refuses it.
	_, problems = Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: "X-Token: a\nx-token: b"}.Case()
	assert.Equal(t, []string{`headers line 2: "x-token" is given twice (names ignore case); keep one of them`}, problems)
}

// TestFormHeadersAreBounded posts the megabyte the form allows as one
// short header per line: it is refused at the per-case header limit, as a
// suite's case is, instead of a duplicate scan per line taking hours.
func TestFormHeadersAreBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; b.Len() < maxRequestBytes; i++ {
		fmt.Fprintf(&b, "h%d:\n", i)
	}
	_, problems := Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: b.String()}.Case()
	max := scenarios.DefaultLimits.Headers
	assert.Equal(t, []string{fmt.Sprintf("headers line %d: more than %d headers, the limit for one case (a page sends a few dozen at most)", max+1, max)}, problems)
	// A megabyte of lines that are no header is answered with a few of
	// the problems, not half a million.
	_, problems = Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: strings.Repeat("x\n", maxRequestBytes/2)}.Case()
	require.Len(t, problems, maxProblems+1)
	assert.Equal(t, `headers line 1: "x" is not Name: value`, problems[0])
	assert.Equal(t, fmt.Sprintf("and %d more problems in the headers", maxRequestBytes/2-maxProblems), problems[maxProblems])

	// At the limit the form is still a case.
	b.Reset()
	for i := range max {
		fmt.Fprintf(&b, "X-H%d: v\n", i)
	}
	c, problems := Request{Origin: "https://app.example.test", URL: "http://127.0.0.1/x", Headers: b.String()}.Case()
	assert.Empty(t, problems)
	assert.Len(t, c.Request.Headers, max)
}

// TestOversizedFormIsNamed: a form past the limit is refused as too large,
// saying so, not as the "unexpected EOF" of JSON cut at the limit. The
// checks before it need no browser.
func TestOversizedFormIsNamed(t *testing.T) {
	t.Parallel()
	s := &Server{token: "tok", host: "127.0.0.1:1"}
	body := `{"origin":"https://app.example.test","url":"http://127.0.0.1/x","body":"` + strings.Repeat("a", maxRequestBytes) + `"}`
	req := httptest.NewRequest("POST", "http://127.0.0.1:1/tok/run", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://127.0.0.1:1")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
	var a Answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a))
	assert.Equal(t, "the form is larger than 1024 KiB, the most a request form may hold: shorten the body or the headers", a.Error)
}

// TestPlaygroundInTheBrowser plays the user: it opens the page in a real
// Chromium tab, fills the form, runs a blocked and an allowed request and
// reads the verdicts, the reasons and both header tables from the page.
func TestPlaygroundInTheBrowser(t *testing.T) {
	base := api(t)
	s := startUI(t)
	tab, cancel, err := testBrowser(t).ChromedpTab()
	require.NoError(t, err)
	defer cancel()
	ctx, stop := context.WithTimeout(tab, 60*time.Second)
	defer stop()

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL()), chromedp.WaitVisible(chromedp.CSS("#run"))))

	// view is what the user sees after a run, read from the DOM.
	type view struct {
		Verdict    string `json:"verdict"`
		Reason     string `json:"reason"`
		Status     string `json:"status"`
		ReqTables  int    `json:"req_tables"`
		RespTables int    `json:"resp_tables"`
		Readable   string `json:"readable"`
		SuiteCase  string `json:"suite_case"`
		Probe      string `json:"probe"`
		Share      string `json:"share"`
		Steps      string `json:"steps"`
		Injected   int    `json:"injected"`
	}
	runForm := func(url, method, headers string) view {
		t.Helper()
		// Fill the fields as typing would: set each value and fire input,
		// which the page listens to for its share link.
		fields, _ := json.Marshal(map[string]string{"url": url, "method": method, "headers": headers})
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(f){
			document.getElementById("cases").textContent="";
			document.getElementById("status").removeAttribute("data-state");
			for (var k in f) { var e=document.getElementById(k); e.value=f[k]; e.dispatchEvent(new Event("input",{bubbles:true})); }
			return true;
		})(`+string(fields)+`)`))
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("#run")),
			chromedp.WaitVisible(chromedp.CSS(`#status[data-state="done"],#status[data-state="error"],#status[data-state="invalid"]`)),
		))
		v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`(function(){
			var q=function(s){var e=document.querySelector(s);return e?e.textContent:"";};
			var card=document.querySelector("#cases article.case");
			return {
				verdict: card?card.getAttribute("data-verdict"):"",
				reason: q("#cases .browser-reason"),
				status: q("#status"),
				req_tables: document.querySelectorAll("#cases table.request-headers").length,
				resp_tables: document.querySelectorAll("#cases table.response-headers").length,
				readable: q("#cases table.readable-headers"),
				suite_case: q("#suite-case"),
				probe: q("#probe-cmd"),
				share: q("#share-link"),
				injected: document.querySelectorAll("img, #cases script, [onerror]").length + (window.__pwned ? 100 : 0),
				steps: Array.prototype.map.call(document.querySelectorAll("#cases li.step"), function(e){
					return e.getAttribute("data-step")+":"+document.querySelectorAll("#cases li.step[data-step='"+e.getAttribute("data-step")+"'] table").length;
				}).join(" "),
			};
		})()`))
		require.NoError(t, err)
		return v
	}

	// Blocked: a PUT with a custom header is preflighted, and /closed
	// answers the preflight without CORS headers.
	v := runForm(base+"/closed", "PUT", "X-Token: a\nX-Note: <img src=x onerror=window.__pwned=1>")
	assert.Equal(t, string(cors.VerdictBlocked), v.Verdict)
	assert.Contains(t, v.Reason, string(cors.ErrPreflightMissingAllowOriginHeader))
	assert.Contains(t, v.Status, "blocked")
	// The browser stopped at the preflight: its request and response
	// headers side by side, and the actual request never sent.
	assert.Equal(t, "preflight:2 actual:0", v.Steps)
	assert.Equal(t, 1, v.ReqTables)
	assert.Equal(t, 1, v.RespTables)
	assert.Contains(t, v.Probe, "corsproof probe "+base+"/closed --origin https://app.example.test -X PUT -H 'X-Note: <img src=x onerror=window.__pwned=1>' -H 'X-Token: a'")
	assert.Zero(t, v.Injected, "network and form values show as text, never as markup")
	s1, err := scenarios.Parse("copied.yaml", []byte("version: 1\nname: copied\ncases:\n"+v.SuiteCase))
	require.NoError(t, err, v.SuiteCase)
	require.NotNil(t, s1.Cases[0].Expect)
	assert.Equal(t, cors.VerdictBlocked, s1.Cases[0].Expect.Verdict, "the copied case pins what the browser did")
	assert.Equal(t, map[string]string{"X-Token": "a", "X-Note": "<img src=x onerror=window.__pwned=1>"}, s1.Cases[0].Request.Headers)
	assert.NotContains(t, v.Share, s.token, "a share link does not carry the token")
	assert.Contains(t, v.Share, "method=PUT")

	// Allowed: a simple GET to /open.
	v = runForm(base+"/open", "GET", "")
	assert.Equal(t, string(cors.VerdictAllowed), v.Verdict)
	assert.Contains(t, v.Status, "allowed")
	assert.Equal(t, "preflight:0 actual:2", v.Steps, "no preflight for a simple request")
	assert.Equal(t, 1, v.ReqTables)
	assert.Equal(t, 1, v.RespTables)
	assert.Contains(t, v.Readable, "r-1", "what JavaScript could read")

	// The share link's fragment fills the form of a fresh page.
	_, frag, _ := strings.Cut(v.Share, "#")
	require.NotEmpty(t, frag)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(s.URL()+"#"+frag),
		chromedp.WaitVisible(chromedp.CSS("#run")),
	))
	got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#url")))
	require.NoError(t, err)
	assert.Equal(t, base+"/open", got)
}

var screenshot = flag.String("screenshot", "", "write a PNG of the playground after a blocked run to this path (make screenshot)")

// TestScreenshot makes docs/ui.png, the README's picture of the page: a
// preflighted request the built-in target's /api/missing-allow-headers
// blocks, run from the form. It runs only when -screenshot is given.
func TestScreenshot(t *testing.T) {
	if *screenshot == "" {
		t.Skip("no -screenshot path")
	}
	srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	s := startUI(t)
	tab, cancel, err := testBrowser(t).ChromedpTab()
	require.NoError(t, err)
	defer cancel()
	ctx, stop := context.WithTimeout(tab, 60*time.Second)
	defer stop()
	fields, _ := json.Marshal(map[string]string{"url": srv.URL + "/api/missing-allow-headers", "method": "POST", "headers": "X-Token: abc\nContent-Type: application/json", "body": `{"item":42}`, "credentials": "omit"})
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 1800),
		chromedp.Navigate(s.URL()),
		chromedp.WaitVisible(chromedp.CSS("#run")),
	))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(f){
		for (var k in f) { var e=document.getElementById(k); e.value=f[k]; e.dispatchEvent(new Event("input",{bubbles:true})); }
		return true;
	})(`+string(fields)+`)`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#run")), chromedp.WaitVisible(chromedp.CSS(`#status[data-state="done"]`))))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(*screenshot, png, 0o644))
}

// FuzzFormCase feeds the form's fields, which a page posts, to the case
// builder: it must never panic, and a case it accepts is one the suite
// rules accept.
func FuzzFormCase(f *testing.F) {
	f.Add("https://app.example.test", "http://127.0.0.1:8080/x", "PUT", "X-Token: a\nContent-Type: text/plain", "", "include", "fetch", "cors")
	f.Add("null", "http://[::1]:1/", "patch", ":\n\r\nX:", "b", "omit", "xhr", "no-cors")
	f.Fuzz(func(t *testing.T, origin, url, method, headers, body, creds, api, mode string) {
		c, problems := Request{Origin: origin, URL: url, Method: method, Headers: headers, Body: body, Credentials: creds, API: api, Mode: mode}.Case()
		if len(problems) == 0 {
			if err := c.Validate(); err != nil {
				t.Fatalf("accepted a case the suite rules refuse: %v", err)
			}
		}
	})
}
