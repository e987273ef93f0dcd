package testapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Server is a running target API.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:40123.
	URL     string
	Handler *Handler
	srv     *http.Server
	done    chan error
}

// Start listens on addr (host:port; port 0 picks a free one) and serves h in
// the background, with wire-order request logging. Close or Shutdown stops it.
func Start(addr string, h *Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting target: %w", err)
	}
	s := &Server{
		URL:     "http://" + dialAddr(ln.Addr()),
		Handler: h,
		srv:     &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done:    make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(h.WrapListener(ln))
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Shutdown stops accepting requests and waits for the ones in flight, until
// ctx ends; then it closes the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	if serveErr := <-s.done; serveErr != nil {
		return fmt.Errorf("serving target: %w", serveErr)
	}
	if err != nil {
		return fmt.Errorf("stopping target: %w", err)
	}
	return nil
}

// Close stops the server at once, dropping requests in flight (a slow
// route may be sleeping).
func (s *Server) Close() error {
	err := s.srv.Close()
	if serveErr := <-s.done; serveErr != nil {
		return fmt.Errorf("serving target: %w", serveErr)
	}
	if err != nil {
		return fmt.Errorf("stopping target: %w", err)
	}
	return nil
}

// dialAddr is the address to reach a listener at from this machine: a
// wildcard listener (0.0.0.0, which Go reports as [::]) is reached on
// loopback, which a printed URL must name to be usable.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
