package harness

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/pages"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// TestRod runs everything about the rod driver on one rod browser, launched
// here and closed at the end, next to the chromedp browser of TestMain.
func TestRod(t *testing.T) {
	b, err := LaunchWith(context.Background(), Rod{}, Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = b.Close()
		}
	})
	assert.Equal(t, "rod", b.Driver())
	assert.Equal(t, testBrowser.Product(), b.Product(), "the browser's own product string")

	t.Run("records equal chromedp's", func(t *testing.T) { testRodParity(t, b) })
	t.Run("command line is exactly the spec", func(t *testing.T) { testRodCommandLine(t, b) })
	t.Run("tab", func(t *testing.T) { testRodTab(t, b) })
	t.Run("reset clears cookies", func(t *testing.T) { testRodReset(t, b) })
	t.Run("remote", func(t *testing.T) { testRodRemote(t, b) })
	t.Run("isolation holds", func(t *testing.T) { testRodIsolation(t, b) })

	profile := b.profile
	require.NoError(t, b.Close())
	closed = true
	select {
	case <-b.proc.exited:
	default:
		t.Error("the browser process is still running after Close")
	}
	_, err = os.Stat(profile)
	assert.True(t, os.IsNotExist(err), "profile %s removed: %v", profile, err)
}

// normalized is a record as JSON without what legitimately differs between
// two runs of one case: timings, the driver's name, and Date headers.
func normalized(t *testing.T, rec result.Record) string {
	t.Helper()
	rec.DurationMS = 0
	rec.Driver = ""
	exchanges := []*result.Exchange{rec.Preflight, rec.Actual}
	for i := range rec.Redirects {
		exchanges = append(exchanges, &rec.Redirects[i])
	}
	for _, ex := range exchanges {
		if ex == nil {
			continue
		}
		ex.TimeMS = 0
		for _, h := range []map[string]string{ex.RequestHeaders, ex.ResponseHeaders} {
			for k := range h {
				if strings.EqualFold(k, "Date") {
					delete(h, k)
				}
			}
		}
	}
	data, err := json.Marshal(rec)
	require.NoError(t, err)
	return string(data)
}

func testRodParity(t *testing.T, rb *Browser) {
	base := api(t)
	cases := []struct {
		desc      string
		origin    string
		req       scenarios.Request
		verdict   cors.Verdict
		corsError string
	}{
		{"allowed GET", "https://app.example.test",
			scenarios.Request{URL: base + "/open"}, cors.VerdictAllowed, ""},
		{"missing ACAO", "https://app.example.test",
			scenarios.Request{URL: base + "/none"}, cors.VerdictBlocked, "MissingAllowOriginHeader"},
		{"header not allowed", "https://app.example.test",
			scenarios.Request{URL: base + "/no-allow-headers", Headers: map[string]string{"X-Token": "abc"}},
			cors.VerdictBlocked, "HeaderDisallowedByPreflightResponse"},
		{"preflighted PUT allowed", "http://localhost:3000",
			scenarios.Request{URL: base + "/preflight-ok", Method: "PUT", Headers: map[string]string{"X-Token": "abc", "Content-Type": "application/json"}, Body: `{"a":1}`},
			cors.VerdictAllowed, ""},
		{"credentials with wildcard", "https://app.example.test",
			scenarios.Request{URL: base + "/star-creds", Credentials: "include"}, cors.VerdictBlocked, "WildcardOriginNotAllowed"},
		{"trailing-slash ACAO", "https://app.example.test",
			scenarios.Request{URL: base + "/trailing-slash"}, cors.VerdictBlocked, "AllowOriginMismatch"},
		{"XHR withCredentials allowed", "https://app.example.test",
			scenarios.Request{API: "xhr", URL: base + "/creds", Credentials: "include"}, cors.VerdictAllowed, ""},
		{"no-cors gives opaque", "https://app.example.test",
			scenarios.Request{URL: base + "/none", Mode: "no-cors"}, cors.VerdictAllowed, ""},
		{"preflight redirect", "https://app.example.test",
			scenarios.Request{URL: base + "/preflight-redirect", Headers: map[string]string{"X-Token": "abc"}},
			cors.VerdictBlocked, "PreflightDisallowedRedirect"},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			c := scenarios.Case{Name: tc.desc, Origin: tc.origin, Request: tc.req}
			want := testBrowser.RunOne(context.Background(), c)
			got := rb.RunOne(context.Background(), c)
			assert.Equal(t, "chromedp", want.Driver)
			assert.Equal(t, "rod", got.Driver)
			// Both drivers agreeing on a wrong verdict is a failure too.
			assert.Equal(t, tc.verdict, got.Verdict, "page: %+v", got.Page)
			assert.Equal(t, tc.corsError, string(got.CorsError))
			assert.JSONEq(t, normalized(t, want), normalized(t, got))
		})
	}
}

// testRodCommandLine reads the launched browser's command line back from
// the system: nothing of rod's launcher defaults may be on it.
func testRodCommandLine(t *testing.T, b *Browser) {
	assertCommandLine(t, b, "--remote-debugging-port=0")
}

// eventLog keeps what a tab's sink received, in order.
type eventLog struct {
	mu  sync.Mutex
	evs []any
}

func (l *eventLog) add(ev any) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
}

func (l *eventLog) all() []any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]any{}, l.evs...)
}

func openRodTab(t *testing.T, b *Browser, sink func(any), origin string) Tab {
	t.Helper()
	tab := b.conn.NewTab(sink, TabOptions{})
	t.Cleanup(tab.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, tab.Open(ctx))
	pg, err := pages.For(origin)
	require.NoError(t, err)
	require.NoError(t, tab.Load(ctx, pg))
	return tab
}

func testRodTab(t *testing.T, b *Browser) {
	var log eventLog
	tab := openRodTab(t, b, log.add, "https://app.example.test")
	pg, err := pages.For("https://app.example.test")
	require.NoError(t, err)

	t.Run("sink gets the page's events as cdproto types", func(t *testing.T) {
		var sawDoc, sawLoad bool
		for _, ev := range log.all() {
			switch e := ev.(type) {
			case *network.EventRequestWillBeSent:
				sawDoc = sawDoc || e.Request.URL == pg.URL
			case *page.EventLifecycleEvent:
				sawLoad = sawLoad || e.Name == "load"
			case *fetch.EventRequestPaused:
				t.Errorf("the paused page request is the driver's own business: %+v", e)
			}
		}
		assert.True(t, sawDoc, "Network.requestWillBeSent for the page document")
		assert.True(t, sawLoad, "Page.lifecycleEvent load")
	})

	for _, tc := range []struct {
		desc    string
		expr    string
		timeout time.Duration
		check   func(t *testing.T, tab Tab, ctx context.Context, expr string)
	}{
		{"decodes a value", "self.__corsproof.info()", 5 * time.Second, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			var info pages.Info
			require.NoError(t, tab.Eval(ctx, expr, &info))
			assert.Equal(t, "https://app.example.test", info.Origin)
		}},
		{"awaits a promise", "new Promise(r => setTimeout(() => r(42), 50))", 5 * time.Second, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			var n int
			require.NoError(t, tab.Eval(ctx, expr, &n))
			assert.Equal(t, 42, n)
		}},
		{"undefined is null", "undefined", 5 * time.Second, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			n := new(int)
			require.NoError(t, tab.Eval(ctx, expr, &n))
			assert.Nil(t, n)
		}},
		{"exception is an error", "Promise.reject(new Error('boom'))", 5 * time.Second, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			var v any
			err := tab.Eval(ctx, expr, &v)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "boom")
		}},
		{"honours the deadline", "new Promise(() => {})", 300 * time.Millisecond, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			start := time.Now()
			var v any
			err := tab.Eval(ctx, expr, &v)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 3*time.Second)
		}},
		{"honours cancel", "new Promise(() => {})", 5 * time.Second, func(t *testing.T, tab Tab, ctx context.Context, expr string) {
			ctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(100*time.Millisecond, cancel)
			var v any
			assert.ErrorIs(t, tab.Eval(ctx, expr, &v), context.Canceled)
		}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			tc.check(t, tab, ctx, tc.expr)
		})
	}

	t.Run("usable after a time-out", func(t *testing.T) {
		var n int
		require.NoError(t, tab.Eval(context.Background(), "7", &n))
		assert.Equal(t, 7, n)
	})
}

func testRodReset(t *testing.T, b *Browser) {
	tab := openRodTab(t, b, func(any) {}, "https://app.example.test")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var cookie string
	require.NoError(t, tab.Eval(ctx, `document.cookie = "sid=1; Secure; SameSite=None"; document.cookie`, &cookie))
	require.Equal(t, "sid=1", cookie, "the control: the cookie is set before the reset")
	clean, err := tab.Reset(ctx)
	require.NoError(t, err)
	assert.True(t, clean)
	require.NoError(t, tab.Eval(ctx, `document.cookie`, &cookie))
	assert.Empty(t, cookie)
}

// testRodRemote connects a second time to the rod browser, by its
// WebSocket and by its HTTP address, and checks that closing such a
// connection leaves the browser running.
func testRodRemote(t *testing.T, b *Browser) {
	wsURL := b.conn.(*rodConn).wsURL
	u, err := url.Parse(wsURL)
	require.NoError(t, err)
	c := scenarios.Case{Name: "remote", Origin: "https://app.example.test",
		Request: scenarios.Request{URL: api(t) + "/open"}}
	for _, tc := range []struct{ desc, url string }{
		{"ws", wsURL},
		{"http", "http://" + u.Host},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rb, err := LaunchWith(context.Background(), Rod{}, Options{URL: tc.url})
			require.NoError(t, err)
			assert.Equal(t, b.Product(), rb.Product())
			rec := rb.RunOne(context.Background(), c)
			assert.Equal(t, cors.VerdictAllowed, rec.Verdict, "page: %+v", rec.Page)
			require.NoError(t, rb.Close())
			again := b.RunOne(context.Background(), c)
			assert.Equal(t, cors.VerdictAllowed, again.Verdict, "the browser outlives a remote connection")
		})
	}
}

// testRodIsolation is TestIsolationHoldsWhenContextsAreReused on the rod
// browser: Reset and fresh contexts must keep the preflight cache apart.
func testRodIsolation(t *testing.T, b *Browser) {
	for _, iso := range []Isolation{IsolationClean, IsolationFresh} {
		t.Run(string(iso), func(t *testing.T) {
			url := warmOnce(t) + "/data"
			cases := []scenarios.Case{preflighted(url), preflighted(url), preflighted(url)}
			recs := b.RunCases(context.Background(), cases, 2, iso, nil)
			require.Len(t, recs, 3)
			allowed := 0
			for _, r := range recs {
				require.NotNil(t, r.Preflight, "every case sends its own preflight")
				if r.Verdict == cors.VerdictAllowed {
					allowed++
				}
			}
			assert.Equal(t, 1, allowed, "only the case that got the one good preflight passes")
		})
	}
}

func TestRodConnectFailures(t *testing.T) {
	for _, tc := range []struct {
		desc string
		opts Options
		want string
	}{
		{"nothing listens", Options{URL: closedPort(t)}, "connection refused"},
		{"not a DevTools address", Options{URL: "ftp://127.0.0.1:1"}, `scheme "ftp"`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := LaunchWith(ctx, Rod{}, tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
