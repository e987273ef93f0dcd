package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// TestRendererCrashIsItsOwnReason crashes the page's renderer while its
// request waits on the server: the record says so at once, instead of a
// timeout once the time limit is up.
func TestRendererCrashIsItsOwnReason(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	}))
	defer srv.Close()
	s := testBrowser.newSession()
	defer s.close()
	go func() {
		<-arrived
		tab, ok := s.tab.(*chromedpTab)
		if ok {
			// The crashed page never answers this call.
			_, _ = chromedp.Call(tab.ctx, page.Crash, cdp.Empty{})
		}
	}()
	start := time.Now()
	rec := s.runOne(context.Background(), scenarios.Case{Name: "crash", Origin: "https://app.example.test", Request: scenarios.Request{URL: srv.URL + "/slow"}})
	assert.Less(t, time.Since(start), testBrowser.opts.Timeout, "not a timeout")
	assert.Equal(t, cors.VerdictError, rec.Verdict)
	assert.Equal(t, result.FaultRendererCrashed, rec.Fault)
	assert.Contains(t, rec.Page.Error, "renderer process crashed")
	assert.True(t, s.dirty, "the tab is not reused")
	require.NoError(t, testBrowser.Alive(context.Background()), "the browser itself lives on")
}

// TestAliveNoticesAFrozenBrowser: a stopped browser (SIGSTOP) fails the
// health check within its own short deadline, and Kill removes it.
func TestAliveNoticesAFrozenBrowser(t *testing.T) {
	b, err := Launch(context.Background(), Options{})
	require.NoError(t, err)
	require.NoError(t, b.Alive(context.Background()))
	profile := b.profile
	require.NoError(t, syscall.Kill(-b.PID(), syscall.SIGSTOP))
	start := time.Now()
	err = b.Alive(context.Background())
	assert.ErrorIs(t, err, ErrBrowserGone)
	assert.Contains(t, err.Error(), "did not answer a DevTools call within 2s")
	assert.Less(t, time.Since(start), pingLimit+time.Second)
	start = time.Now()
	require.NoError(t, b.Kill())
	assert.Less(t, time.Since(start), 5*time.Second, "a frozen browser is killed, not waited for")
	assertGone(t, b.PID(), profile, "")
}
