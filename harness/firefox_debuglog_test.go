package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// bidiLogLine is one line of a case's BiDi log.
type bidiLogLine struct {
	MS      int64  `json:"ms"`
	Dir     string `json:"dir"`
	Method  string `json:"method"`
	Message struct {
		ID     *int64          `json:"id"`
		Type   string          `json:"type"`
		Params json.RawMessage `json:"params"`
	} `json:"message"`
	// event is the network event of Params, for a network event.
	event bidiNetworkEvent
}

// TestFirefoxDebugBiDiLog: with DebugDir, a real Firefox case with an
// Authorization header, an API key, a cookie in the jar and a Set-Cookie
// answer leaves DIR/NNNN-case.bidi.jsonl (0600, in a 0700 folder) with
// the raw BiDi messages of the case — the commands, their answers and the
// network events of the request under test — credential values redacted
// unless DebugSecrets; and launch.txt holds Firefox's launch settings.
func TestFirefoxDebugBiDiLog(t *testing.T) {
	ff := testFirefox(t)
	var mu sync.Mutex
	var cookies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example.test")
		w.Header().Set("Access-Control-Allow-Headers", "authorization, x-api-key")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions {
			return
		}
		mu.Lock()
		cookies = append(cookies, r.Header.Get("Cookie"))
		mu.Unlock()
		w.Header().Set("Access-Control-Expose-Headers", "X-Auth-Token")
		w.Header().Set("X-Auth-Token", "exposed-token-secret")
		w.Header().Set("Set-Cookie", "sid=set-cookie-secret; Path=/; SameSite=None; Secure")
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	target := srv.URL + "/x"
	secrets := []string{"bearer-secret", "api-key-secret", "jar-cookie-secret", "set-cookie-secret", "exposed-token-secret"}
	for _, show := range []bool{false, true} {
		t.Run(fmt.Sprintf("show secrets %v", show), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "debug")
			require.NoError(t, makeDebugDir(dir))
			b := *ff
			b.opts.DebugDir, b.opts.DebugSecrets = dir, show
			require.NoError(t, b.writeLaunchSettings(dir))
			rec := b.RunOne(context.Background(), scenarios.Case{Name: "secrets/1", Origin: "https://app.example.test",
				Cookies: map[string]string{"jar": "jar-cookie-secret"},
				Request: scenarios.Request{URL: target, Credentials: scenarios.CredentialsInclude,
					Headers: map[string]string{"Authorization": "Bearer bearer-secret", "X-Api-Key": "api-key-secret"}}})
			require.Equal(t, cors.VerdictAllowed, rec.Verdict, "%+v", rec.Page)
			mu.Lock()
			assert.Contains(t, cookies, "jar=jar-cookie-secret", "the jar's cookie went with the request")
			mu.Unlock()

			fi, err := os.Stat(dir)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the folder")
			cdp, err := filepath.Glob(filepath.Join(dir, "*.cdp.jsonl"))
			require.NoError(t, err)
			assert.Empty(t, cdp, "Firefox sends no CDP events: none are logged as if it had")
			files, err := filepath.Glob(filepath.Join(dir, "*-secrets-1.bidi.jsonl"))
			require.NoError(t, err)
			require.Len(t, files, 1, "one log per case, named after it")
			fi, err = os.Stat(files[0])
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the log")
			launch, err := os.Stat(filepath.Join(dir, "launch.txt"))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), launch.Mode().Perm(), "launch.txt")
			settings, err := os.ReadFile(filepath.Join(dir, "launch.txt"))
			require.NoError(t, err)
			assert.Contains(t, string(settings), "# "+ff.Version())
			assert.Contains(t, string(settings), "--remote-debugging-port 0")
			assert.Contains(t, string(settings), "pref remote.active-protocols=1")

			data, err := os.ReadFile(files[0])
			require.NoError(t, err)
			methods := map[string]int{}
			var actualSent, actualDone, preflight *bidiLogLine
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				var l bidiLogLine
				require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "%s", sc.Text())
				methods[l.Dir+" "+l.Method]++
				if l.Dir == "sent" {
					assert.NotNil(t, l.Message.ID, "a command has its id: %s", sc.Text())
				}
				if l.Message.Type != "event" || !strings.HasPrefix(l.Method, "network.") {
					continue
				}
				require.NoError(t, json.Unmarshal(l.Message.Params, &l.event))
				if l.event.Request.URL != target {
					continue
				}
				switch {
				case l.Method == "network.beforeRequestSent" && l.event.Request.Method == "OPTIONS":
					preflight = &l
				case l.Method == "network.beforeRequestSent":
					actualSent = &l
				case l.Method == "network.responseCompleted" && l.event.Request.Method == "GET":
					actualDone = &l
				}
			}
			require.NoError(t, sc.Err())
			for _, m := range []string{"sent browser.createUserContext", "received browser.createUserContext", "sent network.provideResponse",
				"sent storage.setCookie", "received storage.setCookie", "sent script.evaluate", "received script.evaluate"} {
				assert.NotZero(t, methods[m], "%s in the log; have %v", m, methods)
			}
			assert.Zero(t, methods["sent browsingContext.close"], "the tab's closing comes after the case: not in its log")
			require.NotNil(t, preflight, "the preflight's beforeRequestSent is in the log")
			require.NotNil(t, actualSent, "the actual request's beforeRequestSent is in the log")
			require.NotNil(t, actualDone, "the actual request's responseCompleted is in the log")
			assert.Equal(t, int64(200), actualDone.event.Response.Status)

			want := "Bearer bearer-secret"
			if !show {
				want = debugRedacted
			}
			assert.Equal(t, want, headerValue(actualSent.event.Request.Headers, "Authorization"))
			assert.Equal(t, "authorization,x-api-key", strings.ReplaceAll(headerValue(preflight.event.Request.Headers, "Access-Control-Request-Headers"), " ", ""),
				"names stay: they are what CORS checks")
			assert.Equal(t, "true", headerValue(actualDone.event.Response.Headers, "Access-Control-Allow-Credentials"))
			for _, secret := range secrets {
				if show {
					assert.Contains(t, string(data), secret, "DebugSecrets keeps the values")
				} else {
					assert.NotContains(t, string(data), secret, "redacted without DebugSecrets")
				}
			}
		})
	}
}

// headerValue is the value of the named header in a BiDi header list.
func headerValue(hs []bidiHeader, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value.Value
		}
	}
	return ""
}
