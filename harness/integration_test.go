package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// api is a loopback API with one behaviour per path, written out in full so
// each case shows exactly what the server said.
func api(t *testing.T) string {
	t.Helper()
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	}
	routes := map[string]http.HandlerFunc{
		"/open": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("X-Request-Id", "42")
		},
		"/none": func(w http.ResponseWriter, r *http.Request) {},
		"/star-creds": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		},
		"/no-allow-headers": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT")
		},
		"/only-get-post": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		},
		"/preflight-500": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Headers", "x-token")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusInternalServerError)
			}
		},
		"/preflight-redirect": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Headers", "x-token")
			if r.Method == http.MethodOptions {
				http.Redirect(w, r, "/open", http.StatusTemporaryRedirect)
			}
		},
		"/creds": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		},
		"/trailing-slash": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin")+"/")
		},
		"/two-acao": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Add("Access-Control-Allow-Origin", "https://other.example.test")
		},
		"/preflight-ok": func(w http.ResponseWriter, r *http.Request) {
			echo(w, r)
			w.Header().Set("Access-Control-Allow-Headers", "x-token, content-type")
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
			}
		},
		"/stream": func(w http.ResponseWriter, r *http.Request) {
			// An event stream: the response passes CORS at once and never ends.
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "data: 1\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		},
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
	}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			h(w, r)
			fmt.Fprint(w, "ok")
		})
	}
	return corsServer(t, mux.ServeHTTP).URL
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// verdictWant is what a case of verdictCases must give. fxReason is
// Firefox's code for the same check (cors.ClassifyFirefox).
type verdictWant struct {
	verdict, corsError, param string
	fxReason                  string
	preflight                 bool
	actualSent                bool
}

type verdictCase struct {
	desc   string
	origin string
	req    scenarios.Request
	want   verdictWant
}

// verdictCases are the integration cases every engine runs.
func verdictCases(t *testing.T) []verdictCase {
	base := api(t)
	dead := closedPort(t)
	type want = verdictWant
	return []verdictCase{
		{"allowed simple GET", "https://app.example.test",
			scenarios.Request{URL: base + "/open"}, want{verdict: "allowed", actualSent: true}},
		{"missing ACAO", "https://app.example.test",
			scenarios.Request{URL: base + "/none"}, want{verdict: "blocked", corsError: "MissingAllowOriginHeader", fxReason: "CORSMissingAllowOrigin", actualSent: true}},
		{"wildcard with credentials", "https://app.example.test",
			scenarios.Request{URL: base + "/star-creds", Credentials: "include"}, want{verdict: "blocked", corsError: "WildcardOriginNotAllowed", fxReason: "CORSNotSupportingCredentials", actualSent: true}},
		{"custom header without Allow-Headers", "https://app.example.test",
			scenarios.Request{URL: base + "/no-allow-headers", Headers: map[string]string{"X-Token": "abc"}},
			want{verdict: "blocked", corsError: "HeaderDisallowedByPreflightResponse", param: "x-token", fxReason: "CORSMissingAllowHeaderFromPreflight", preflight: true}},
		{"method not allowed", "https://app.example.test",
			scenarios.Request{URL: base + "/only-get-post", Method: "PUT"},
			want{verdict: "blocked", corsError: "MethodDisallowedByPreflightResponse", param: "PUT", fxReason: "CORSMethodNotFound", preflight: true}},
		{"preflight 500", "https://app.example.test",
			scenarios.Request{URL: base + "/preflight-500", Headers: map[string]string{"X-Token": "abc"}},
			want{verdict: "blocked", corsError: "PreflightInvalidStatus", fxReason: "CORSPreflightDidNotSucceed", preflight: true}},
		{"preflight redirect", "https://app.example.test",
			scenarios.Request{URL: base + "/preflight-redirect", Headers: map[string]string{"X-Token": "abc"}},
			want{verdict: "blocked", corsError: "PreflightDisallowedRedirect", fxReason: "CORSExternalRedirectNotAllowed", preflight: true}},
		{"credentialed success", "https://app.example.test",
			scenarios.Request{URL: base + "/creds", Credentials: "include"}, want{verdict: "allowed", actualSent: true}},
		{"trailing-slash ACAO", "https://app.example.test",
			scenarios.Request{URL: base + "/trailing-slash"}, want{verdict: "blocked", corsError: "AllowOriginMismatch", param: "https://app.example.test/", fxReason: "CORSAllowOriginNotMatchingOrigin", actualSent: true}},
		{"multiple ACAO values", "https://app.example.test",
			scenarios.Request{URL: base + "/two-acao"}, want{verdict: "blocked", corsError: "MultipleAllowOriginValues", param: "https://app.example.test, https://other.example.test", fxReason: "CORSMultipleAllowOriginNotAllowed", actualSent: true}},
		{"preflighted PUT allowed", "http://localhost:3000",
			scenarios.Request{URL: base + "/preflight-ok", Method: "PUT", Headers: map[string]string{"X-Token": "abc", "Content-Type": "application/json"}, Body: `{"a":1}`},
			want{verdict: "allowed", preflight: true, actualSent: true}},
		{"IP origin", "http://192.0.2.10:8080",
			scenarios.Request{URL: base + "/creds", Credentials: "include"}, want{verdict: "allowed", actualSent: true}},
		{"null origin", "null",
			scenarios.Request{URL: base + "/creds"}, want{verdict: "allowed", actualSent: true}},
		{"XHR withCredentials to wildcard", "https://app.example.test",
			scenarios.Request{API: "xhr", URL: base + "/star-creds", Credentials: "include"}, want{verdict: "blocked", corsError: "WildcardOriginNotAllowed", fxReason: "CORSNotSupportingCredentials", actualSent: true}},
		{"XHR withCredentials allowed", "https://app.example.test",
			scenarios.Request{API: "xhr", URL: base + "/creds", Credentials: "include"}, want{verdict: "allowed", actualSent: true}},
		{"no-cors gives opaque", "https://app.example.test",
			scenarios.Request{URL: base + "/none", Mode: "no-cors"}, want{verdict: "allowed", actualSent: true}},
		{"stream that never ends is allowed", "https://app.example.test",
			scenarios.Request{URL: base + "/stream"}, want{verdict: "allowed", actualSent: true}},
		{"XHR stream that never ends is allowed", "https://app.example.test",
			scenarios.Request{API: "xhr", URL: base + "/stream"}, want{verdict: "allowed", actualSent: true}},
		{"network error", "https://app.example.test",
			scenarios.Request{URL: dead + "/x"}, want{verdict: "network-error"}},
		// Blocked before any request exists, so nothing is sent to the
		// TEST-NET address; the model predicts it too.
		{"mixed content", "https://app.example.test",
			scenarios.Request{URL: "http://192.0.2.1:8081/x"}, want{verdict: "blocked"}},
	}
}

func TestVerdicts(t *testing.T) {
	checkVerdicts(t, testBrowser, verdictCases(t))
}

// checkVerdicts runs the cases on b and checks each record.
func checkVerdicts(t *testing.T, b *Browser, cases []verdictCase) {
	firefox := b.Engine() == EngineFirefox
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			c := scenarios.Case{Name: tc.desc, Origin: tc.origin, Request: tc.req}
			rec := concluded(b.RunOne(context.Background(), c), c)
			if firefox {
				assert.Equal(t, tc.want.fxReason, rec.EngineReason, "Firefox's own reason; text %q", rec.ReasonText)
				assert.Equal(t, result.HeadersFromEvents, rec.HeadersSource)
			} else {
				assert.Empty(t, rec.EngineReason)
				assert.Empty(t, rec.HeadersSource, "Chromium's headers are the wire's")
			}
			require.NotEqual(t, cors.VerdictError, rec.Verdict, rec.Page.Error)
			require.NotNil(t, rec.Diagnosis)
			if tc.want.verdict == "network-error" {
				// Nothing answered: the model has nothing to decide on.
				assert.True(t, rec.Diagnosis.ModelUndecided(), "model: %s", rec.Diagnosis.ModelVerdict)
			} else {
				assert.True(t, rec.Diagnosis.AgreesWithBrowser, "the model disagrees: %s", rec.Diagnosis.Summary)
			}
			if rec.Verdict == cors.VerdictBlocked {
				assert.NotEmpty(t, rec.Diagnosis.Fix, "every blocked record carries a fix")
			}
			assert.Equal(t, tc.want.verdict, string(rec.Verdict), "page: %+v console: %v", rec.Page, rec.Console)
			assert.Equal(t, tc.want.corsError, string(rec.CorsError))
			if rec.Verdict == cors.VerdictAllowed && !strings.Contains(tc.desc, "stream") && tc.req.Mode != "no-cors" {
				require.NotNil(t, rec.Actual)
				assert.Empty(t, rec.Actual.Error, "an allowed request whose body the page read ends as finished, not aborted")
			}
			if tc.want.param != "" {
				assert.Equal(t, tc.want.param, rec.FailedParameter)
			}
			assert.Equal(t, tc.origin, rec.Page.Origin)
			// https pages and localhost are secure contexts; plain http
			// elsewhere and opaque origins are not.
			wantSecure := strings.HasPrefix(tc.origin, "https:") || strings.HasPrefix(tc.origin, "http://localhost")
			assert.Equal(t, wantSecure, rec.Page.SecureContext, "secure context")
			if tc.want.preflight {
				require.NotNil(t, rec.Preflight, "preflight")
				assert.Equal(t, "OPTIONS", rec.Preflight.Method)
				assert.Equal(t, tc.origin, rec.Preflight.RequestHeaders["Origin"])
				assert.NotEmpty(t, rec.Preflight.RequestHeaders["Access-Control-Request-Method"])
				assert.NotZero(t, rec.Preflight.Status, "preflight status")
			} else {
				assert.Nil(t, rec.Preflight)
			}
			if tc.want.actualSent {
				require.NotNil(t, rec.Actual, "actual")
				if tc.req.Mode == "no-cors" {
					assert.NotContains(t, rec.Actual.RequestHeaders, "Origin", "a no-cors GET carries no Origin")
				} else {
					assert.Equal(t, tc.origin, rec.Actual.RequestHeaders["Origin"])
				}
				assert.NotZero(t, rec.Actual.Status)
				assert.NotEmpty(t, rec.Actual.ResponseHeaders)
			} else if tc.want.verdict == "blocked" {
				assert.Nil(t, rec.Actual, "a request refused after its preflight is never sent")
			}
			if tc.req.Mode == "no-cors" {
				assert.Equal(t, "opaque", rec.Page.Type)
			}
		})
	}
}

func TestReadableHeaders(t *testing.T) {
	base := api(t)
	rec, err := testBrowser.Run(context.Background(), scenarios.Case{Name: "read", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/open"}})
	require.NoError(t, err)
	assert.Equal(t, "42", rec.Actual.ResponseHeaders["X-Request-Id"], "on the wire")
	_, readable := rec.Page.ReadableHeaders["x-request-id"]
	assert.False(t, readable, "not exposed, so JavaScript cannot read it")
	assert.Contains(t, rec.Page.ReadableHeaders, "content-type")
}

func TestTimeout(t *testing.T) {
	base := api(t)
	b := *testBrowser
	b.opts.Timeout = 700 * time.Millisecond
	start := time.Now()
	rec, err := b.Run(context.Background(), scenarios.Case{Name: "slow", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/slow"}})
	require.NoError(t, err)
	assert.Equal(t, cors.VerdictTimeout, rec.Verdict)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, strings.Contains(rec.Page.Error, "time-out"))
}

func TestPageAPIThrowsIsAnError(t *testing.T) {
	base := api(t)
	// Suites reject such a value; a case built in Go can still carry one.
	c := scenarios.Case{Name: "euro", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/open", Headers: map[string]string{"X-A": "€"}}}
	rec := concluded(testBrowser.RunOne(context.Background(), c), c)
	assert.Equal(t, cors.VerdictError, rec.Verdict, "not a network error: nothing was sent")
	assert.Contains(t, rec.Page.Error, "TypeError")
	assert.Nil(t, rec.Actual)
	assert.False(t, rec.ExpectMet, "a case the page could not make does not pass")
}

func TestNeedsPreflight(t *testing.T) {
	for _, tc := range []struct {
		desc string
		c    scenarios.Case
		want bool
	}{
		{"cross-origin PUT", scenarios.Case{Origin: "https://app.example.test", Request: scenarios.Request{Method: "PUT", URL: "http://127.0.0.1:9/x"}}, true},
		{"same-origin PUT", scenarios.Case{Origin: "http://127.0.0.1:9", Request: scenarios.Request{Method: "PUT", URL: "http://127.0.0.1:9/x"}}, false},
		{"safelisted Range", scenarios.Case{Origin: "https://app.example.test", Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:9/x", Headers: map[string]string{"Range": "bytes=0-1"}}}, false},
		{"custom header", scenarios.Case{Origin: "https://app.example.test", Request: scenarios.Request{Method: "GET", URL: "http://127.0.0.1:9/x", Headers: map[string]string{"X-Token": "1"}}}, true},
		{"no-cors", scenarios.Case{Origin: "https://app.example.test", Request: scenarios.Request{Method: "POST", Mode: "no-cors", URL: "http://127.0.0.1:9/x"}}, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.want, needsPreflight(tc.c))
		})
	}
}

func TestDebugCDPLog(t *testing.T) {
	base := api(t)
	dir := t.TempDir()
	b := *testBrowser
	b.opts.DebugDir = dir
	rec := b.RunOne(context.Background(), scenarios.Case{Name: "missing ACAO/1", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: base + "/none"}})
	require.Equal(t, cors.ErrMissingAllowOriginHeader, rec.CorsError)
	files, err := filepath.Glob(filepath.Join(dir, "*-missing-ACAO-1.cdp.jsonl"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one log per case, named after it")
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Contains(t, string(data), `"type":"*network.EventLoadingFailed"`)
	assert.Contains(t, string(data), `"corsError":"MissingAllowOriginHeader"`)
}

// TestDebugCDPLogKeepsSecrets: a real case with an Authorization header, an
// API key and a Set-Cookie answer leaves no credential in the CDP log
// unless DebugSecrets, and the folder and files are the user's alone.
func TestDebugCDPLogKeepsSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example.test")
		w.Header().Set("Access-Control-Allow-Headers", "authorization, x-api-key")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Set-Cookie", "sid=set-cookie-secret; Path=/; SameSite=None; Secure")
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	for _, show := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "cdp")
		require.NoError(t, makeDebugDir(dir))
		b := *testBrowser
		b.opts.DebugDir, b.opts.DebugSecrets = dir, show
		rec := b.RunOne(context.Background(), scenarios.Case{Name: "secrets", Origin: "https://app.example.test",
			Cookies: map[string]string{"jar": "jar-cookie-secret"},
			Request: scenarios.Request{URL: srv.URL + "/x", Credentials: scenarios.CredentialsInclude,
				Headers: map[string]string{"Authorization": "Bearer bearer-secret", "X-Api-Key": "api-key-secret"}}})
		require.Equal(t, cors.VerdictAllowed, rec.Verdict, "%+v", rec.Page)
		fi, err := os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the folder")
		files, err := filepath.Glob(filepath.Join(dir, "*-secrets.cdp.jsonl"))
		require.NoError(t, err)
		require.Len(t, files, 1)
		fi, err = os.Stat(files[0])
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the log")
		data, err := os.ReadFile(files[0])
		require.NoError(t, err)
		for _, secret := range []string{"bearer-secret", "api-key-secret", "set-cookie-secret", "jar-cookie-secret"} {
			if show {
				continue
			}
			assert.NotContains(t, string(data), secret, "redacted without DebugSecrets")
		}
		if show {
			assert.Contains(t, string(data), "bearer-secret", "--show-secrets keeps them")
		} else {
			assert.Contains(t, string(data), `[redacted]`)
			assert.Contains(t, string(data), "x-api-key", "names stay: they are what CORS checks")
		}
	}
	require.NoError(t, writePrivate(filepath.Join(t.TempDir(), "launch.txt"), []byte("x")))
}
