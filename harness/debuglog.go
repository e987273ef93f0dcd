package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

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

// redactCDP hides credentials in a decoded CDP value in place. It goes by
// the field names CDP uses: headers, requestHeaders and responseHeaders hold
// headers (an object, or a list of {name, value} in the Fetch domain),
// headersText and requestHeadersText raw header lines, cookie a cookie
// object and cookieLine a Set-Cookie value.
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
				if c, ok := val.(map[string]any); ok {
					if _, has := c["value"]; has {
						c["value"] = debugRedacted
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
				entry["value"] = debugRedacted
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}
