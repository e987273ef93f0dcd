// Package httpstatus remembers the status a handler answered with, for the
// servers that log their answers (the built-in target API, the proxy).
package httpstatus

import "net/http"

// Writer is an http.ResponseWriter that keeps the first status written:
// WriteHeader's code, or 200 when the body is written first.
type Writer struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records code (once) and passes it on.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written yet, as net/http does.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streamed responses (server-sent events) through at once.
func (w *Writer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath (Flush,
// deadlines).
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
