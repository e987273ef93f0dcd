package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/corsproof/corsproof/cors"
)

// debugRedacted replaces a credential in the CDP log; it is the mark the
// reports use, so a reader recognises it.
const debugRedacted = "[redacted]"

// debugEvent renders one CDP event as a line of the case's CDP log. Unless
// showSecrets, credentials are hidden by the policy every report follows
// (cors.IsSecretHeader), because the log lands in a folder users attach to
// bug reports: secret header values in header maps, {name, value} header
// lists and raw header text, and every cookie's value. Everything else is
// kept, since the log exists to explain a verdict.
func debugEvent(ms int64, ev any, showSecrets bool) ([]byte, error) {
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encoding %T for the CDP log: %w", ev, err)
	}
	if !showSecrets {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		// Numbers stay as CDP wrote them (timestamps, request ids).
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("reading %T back for the CDP log: %w", ev, err)
		}
		redactCDP(v)
		if raw, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("encoding %T for the CDP log: %w", ev, err)
		}
	}
	return json.Marshal(struct {
		MS    int64           `json:"ms"`
		Type  string          `json:"type"`
		Event json.RawMessage `json:"event"`
	}{ms, fmt.Sprintf("%T", ev), raw})
}

// bidiLogged is one raw WebDriver BiDi message of a case's tab, handed
// to the sink for the debug log: a command the tab sent (sent), its
// answer, or an event of the tab's browsing context. method names the
// command an answer is to, which the answer itself does not.
type bidiLogged struct {
	sent   bool
	method string
	raw    []byte
}

// debugBiDi renders one BiDi message as a line of the case's BiDi log:
// {"ms","dir":"sent"|"received","method","message"}, message as it went
// over the wire. Unless showSecrets, credentials are hidden by the same
// policy as the CDP log's (see debugEvent): secret values in BiDi's header
// lists, every cookie's value, and the headers in the request spec that
// script.evaluate hands the page and in the outcome it answers with.
func debugBiDi(ms int64, m bidiLogged, showSecrets bool) ([]byte, error) {
	raw := json.RawMessage(m.raw)
	if !showSecrets {
		var v any
		dec := json.NewDecoder(bytes.NewReader(m.raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("reading %s message for the BiDi log: %w", m.method, err)
		}
		if msg, ok := v.(map[string]any); ok && m.method == "script.evaluate" {
			redactEvaluate(msg, m.sent)
		}
		redactCDP(v)
		var err error
		if raw, err = marshalPlain(v); err != nil {
			return nil, fmt.Errorf("encoding %s message for the BiDi log: %w", m.method, err)
		}
	}
	dir := "received"
	if m.sent {
		dir = "sent"
	}
	return marshalPlain(struct {
		MS      int64           `json:"ms"`
		Dir     string          `json:"dir"`
		Method  string          `json:"method"`
		Message json.RawMessage `json:"message"`
	}{ms, dir, m.method, raw})
}

// redactEvaluate hides the credentials script.evaluate carries as JSON
// inside a string: the request spec in the command's expression
// (self.__corsproof.run({...,"headers":{...}})) and the page's outcome in
// the answer's string result, which holds the response headers the page
// could read.
func redactEvaluate(msg map[string]any, sent bool) {
	if sent {
		params, _ := msg["params"].(map[string]any)
		if expr, ok := params["expression"].(string); ok {
			params["expression"] = redactEmbeddedJSON(expr)
		}
		return
	}
	res, _ := msg["result"].(map[string]any)
	val, _ := res["result"].(map[string]any)
	if text, ok := val["value"].(string); ok && val["type"] == "string" {
		val["value"] = redactEmbeddedJSON(text)
	}
}

// redactEmbeddedJSON redacts, by redactCDP, the first JSON object in s,
// leaving the text around it as it is. Text with no object that decodes
// holds nothing corsproof put there, and is kept.
func redactEmbeddedJSON(s string) string {
	start := strings.IndexByte(s, '{')
	if start < 0 {
		return s
	}
	dec := json.NewDecoder(strings.NewReader(s[start:]))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return s
	}
	end := start + int(dec.InputOffset())
	redactCDP(v)
	out, err := marshalPlain(v)
	if err != nil {
		return s
	}
	return s[:start] + string(out) + s[end:]
}

// marshalPlain is json.Marshal without HTML escaping, so that page
// scripts and header values read as they were.
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// redactCDP hides credentials in a decoded CDP value in place. It goes by
// the field names CDP uses: headers, requestHeaders and responseHeaders hold
// headers (an object, or a list of {name, value} in the Fetch domain),
// headersText and requestHeadersText raw header lines, cookie a cookie
// object, cookies a list of them and cookieLine a Set-Cookie value. BiDi
// uses the same names (headers and cookies lists, storage.setCookie's
// cookie), with each value a {type, value} object.
func redactCDP(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "headers", "requestHeaders", "responseHeaders":
				redactHeaders(val)
			case "headersText", "requestHeadersText":
				if s, ok := val.(string); ok {
					x[k] = redactHeaderText(s)
				}
			case "cookie":
				redactCookie(val)
			case "cookies":
				if list, ok := val.([]any); ok {
					for _, c := range list {
						redactCookie(c)
					}
				}
			case "cookieLine":
				if s, ok := val.(string); ok {
					x[k] = redactCookieLine(s)
				}
			default:
				redactCDP(val)
			}
		}
	case []any:
		for _, e := range x {
			redactCDP(e)
		}
	}
}

// redactCookie hides the value of a cookie object.
func redactCookie(v any) {
	if c, ok := v.(map[string]any); ok {
		if _, has := c["value"]; has {
			redactValue(c, "value")
		}
	}
}

// redactValue replaces m[key] by the redaction mark: a plain value, or the
// value inside BiDi's {type, value} form, which keeps its shape.
func redactValue(m map[string]any, key string) {
	if bv, ok := m[key].(map[string]any); ok {
		if _, has := bv["value"]; has {
			bv["type"], bv["value"] = "string", debugRedacted
			return
		}
	}
	m[key] = debugRedacted
}

// redactHeaders hides secret values in a header object or header list.
func redactHeaders(v any) {
	switch h := v.(type) {
	case map[string]any:
		for name := range h {
			if cors.IsSecretHeader(name) {
				h[name] = debugRedacted
			}
		}
	case []any:
		for _, e := range h {
			entry, ok := e.(map[string]any)
			if !ok {
				continue
			}
			if name, _ := entry["name"].(string); cors.IsSecretHeader(name) {
				redactValue(entry, "value")
			}
		}
	}
}

// redactHeaderText hides secret values in raw header lines ("Name: value",
// CRLF-separated, after a request or status line).
func redactHeaderText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		name, _, ok := strings.Cut(l, ":")
		if ok && cors.IsSecretHeader(name) {
			lines[i] = name + ": " + debugRedacted
			if strings.HasSuffix(l, "\r") {
				lines[i] += "\r"
			}
		}
	}
	return strings.Join(lines, "\n")
}

// redactCookieLine keeps a Set-Cookie value's cookie name and attributes,
// which explain why a cookie was blocked, and hides its value.
func redactCookieLine(s string) string {
	pair, attrs, hasAttrs := strings.Cut(s, ";")
	name, _, _ := strings.Cut(pair, "=")
	out := name + "=" + debugRedacted
	if hasAttrs {
		out += ";" + attrs
	}
	return out
}

// makeDebugDir creates the --debug-cdp folder for the user alone (0700): the
// logs hold the run's URLs, bodies and, with --show-secrets, credentials.
// A folder that exists keeps its mode (it may be /tmp); every file in it
// is 0600 anyway.
func makeDebugDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating --debug-cdp folder: %w", err)
	}
	return nil
}

// writePrivate writes a file of the --debug-cdp folder, readable by the
// user alone.
func writePrivate(path string, data []byte) error {
	f, err := openPrivate(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// openPrivate creates or truncates a file of the --debug-cdp folder for
// the user alone: a symbolic link planted at its name (the folder may be
// under a shared /tmp) is not followed, and a file left by an earlier run
// with a wider mode is narrowed before anything is written.
func openPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
