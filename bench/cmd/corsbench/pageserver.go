package main

import (
	"fmt"
	"net"
	"net/http"
)

// pageServer serves the page document of every many-origin page on
// 127.0.0.1: the peers and the floor reach it through Chromium's
// --host-resolver-rules (shape.hostRules), whatever the page's host name.
type pageServer struct {
	srv  *http.Server
	port int
}

func startPageServer() (*pageServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the page server: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page must not be cached across cases' resets any more than
		// corsproof's fulfilled page is.
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, "<!doctype html><title>peer</title>")
	})}
	go func() { _ = srv.Serve(ln) }()
	return &pageServer{srv: srv, port: ln.Addr().(*net.TCPAddr).Port}, nil
}

// Close stops the server.
func (p *pageServer) Close() error { return p.srv.Close() }
