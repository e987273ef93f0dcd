package testapi

import (
	"bytes"
	"net"
	"net/http"
	"sync"
)

// WrapListener returns a listener whose connections keep the bytes they
// read, so the request log can show each request's header lines in the
// order and spelling they crossed the wire; net/http itself keeps only a
// map. It works for plaintext HTTP/1.x: wrap the plain listener, not a TLS
// one, and expect the canonical, sorted form for anything else.
func (h *Handler) WrapListener(l net.Listener) net.Listener {
	return &rawListener{Listener: l, h: h}
}

type rawListener struct {
	net.Listener
	h *Handler
}

// Accept registers the connection under its remote address, which net/http
// copies into Request.RemoteAddr: that is how the handler finds it.
func (l *rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &rawConn{Conn: c, h: l.h, key: c.RemoteAddr().String()}
	l.h.conns.Store(rc.key, rc)
	return rc, nil
}

// rawConn tees what it reads into buf until the handler takes the head of
// the request being served. Browsers do not pipeline, so when a handler
// runs, buf holds the rest of earlier bodies, then this request's head.
type rawConn struct {
	net.Conn
	h   *Handler
	key string
	mu  sync.Mutex
	buf []byte
}

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.buf = append(c.buf, p[:n]...)
		if over := len(c.buf) - c.h.rawLimit; over > 0 {
			// Large bodies are of no interest; keep the tail where the next head will be.
			c.buf = append([]byte(nil), c.buf[over:]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *rawConn) Close() error {
	c.h.conns.CompareAndDelete(c.key, c)
	return c.Conn.Close()
}

// takeHead finds the head of r in the buffer, drops everything up to its
// end and returns its header lines.
func (c *rawConn) takeHead(r *http.Request) ([]HeaderLine, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := bytes.Index(c.buf, []byte(r.Method+" "+r.RequestURI+" "+r.Proto+"\r\n"))
	if start < 0 {
		return nil, false
	}
	end := bytes.Index(c.buf[start:], []byte("\r\n\r\n"))
	if end < 0 {
		return nil, false
	}
	head := c.buf[start : start+end]
	c.buf = append([]byte(nil), c.buf[start+end+4:]...)
	lines := bytes.Split(head, []byte("\r\n"))[1:]
	out := make([]HeaderLine, 0, len(lines))
	for _, l := range lines {
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		out = append(out, HeaderLine{Name: string(name), Value: string(bytes.Trim(value, " \t"))})
	}
	return out, true
}
