package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUICommandFunction(t *testing.T) {
	f, stdout, stderr := testFactory(t)
	opts := &uiOptions{f: f, addr: "127.0.0.1:0", browser: defaultBrowserFlags(), link: "http://127.0.0.1:9/#url=http%3A%2F%2F127.0.0.1%3A8080%2Fapi&method=PUT"}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	opts.ready = func(url string) { urls <- url }
	go func() { done <- runUI(ctx, opts) }()
	var page string
	select {
	case page = <-urls:
	case err := <-done:
		t.Fatalf("ui ended early: %v", err)
	}
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/[0-9a-f]{48}/#url=http%3A%2F%2F127\.0\.0\.1%3A8080%2Fapi&method=PUT$`, page, "the share link's request, on this ui's own URL")
	assert.Equal(t, page+"\n", stdout.String(), "stdout is the URL alone")
	resp, err := http.Get(page)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `<form id="request"`)
	root, _, _ := strings.Cut(strings.TrimPrefix(page, "http://"), "/")
	resp, err = http.Get("http://" + root + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no token, no page")
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, stderr.String(), "playground on loopback")
}
