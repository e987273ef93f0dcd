package scenarios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
)

// Imported requests come from a browser's DevTools, which lists every header
// that went out, including those the browser added itself. The importers keep
// what the page set and drop the rest, so that replaying the case makes the
// same request instead of one the browser would refuse or rewrite.

// browserAddedHeaders are headers a browser adds by itself to a fetch or xhr
// (besides the forbidden ones, which a page cannot set at all).
var browserAddedHeaders = map[string]bool{
	"user-agent": true, "priority": true, "accept-language": true,
	"pragma": true, "cache-control": true,
}

// RedactedValue replaces secret header values in imported cases.
const RedactedValue = "REDACTED"

// importedRequest is what a DevTools copy says about one request.
type importedRequest struct {
	method, url, body string
	headers           [][2]string
	cookies           bool
	credentials       Credentials
	mode              Mode
	referrer          string
}

// toCase keeps what the page set, derives the page origin from the Origin
// header or, failing that, the Referer, and infers credentials from cookies.
func (r importedRequest) toCase() (Case, ImportedCase, error) {
	ic := ImportedCase{Preflight: -1}
	u, err := url.Parse(r.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Case{}, ic, fmt.Errorf("%q is not an absolute http(s) URL", r.url)
	}
	method := r.method
	if method == "" {
		// A copied command leaves out the default method: GET, or POST
		// when it sends a body (curl --data).
		method = DefaultMethod
		if r.body != "" {
			method = "POST"
		}
	}
	c := Case{Request: Request{API: APIFetch, Method: cors.NormalizeMethod(method), URL: r.url, Body: r.body,
		Credentials: DefaultCredentials, Mode: DefaultMode}}
	referrer := r.referrer
	for _, h := range r.headers {
		name, value := h[0], h[1]
		l := strings.ToLower(name)
		switch {
		case l == "origin":
			c.Origin = value
		case l == "referer":
			referrer = value
		case l == "cookie":
			r.cookies = true
		}
		switch {
		case l == "origin", l == "referer", l == "cookie",
			// fetch's own default.
			l == "accept" && value == "*/*",
			browserAddedHeaders[l], cors.IsForbiddenRequestHeader(l), strings.HasPrefix(l, ":"):
			ic.Dropped = appendOnce(ic.Dropped, name)
			continue
		case headerNameIssue(name) != nil:
			ic.Notes = append(ic.Notes, fmt.Sprintf("dropped header %q: a page cannot send it as recorded", name))
			continue
		}
		// Keep the name, which is what matters for CORS, and replace the
		// value so a user's token never ends up in a suite file.
		if cors.IsSecretHeader(name) {
			// As HAR import does: the Authorization scheme stays.
			value = redactValue(l, value)
			ic.Redacted = appendOnce(ic.Redacted, name)
		}
		if c.Request.Headers == nil {
			c.Request.Headers = map[string]string{}
		}
		c.Request.Headers[name] = value
	}
	if c.Origin == "" && referrer != "" {
		if ru, err := url.Parse(referrer); err == nil && ru.Scheme != "" && ru.Host != "" {
			c.Origin = strings.ToLower(ru.Scheme) + "://" + strings.ToLower(ru.Host)
		}
	}
	if r.cookies {
		c.Request.Credentials = CredentialsInclude
		if r.credentials == "" {
			ic.Notes = append(ic.Notes, "credentials: include, because the request carried cookies (their values are not replayed)")
		}
	}
	if r.credentials != "" {
		c.Request.Credentials = r.credentials
	}
	if r.mode != "" {
		c.Request.Mode = r.mode
	}
	c.Name = c.Request.Method + " " + u.Host + u.EscapedPath()
	return c, ic, nil
}

// importedSuite builds a suite from imported requests with unique names,
// and says what the import changed in each (numbered from 1).
func importedSuite(name string, reqs []importedRequest) (*Suite, []ImportedCase, error) {
	s := &Suite{Version: SuiteVersion, Name: name}
	var ics []ImportedCase
	seen := map[string]int{}
	for i, r := range reqs {
		c, ic, err := r.toCase()
		if err != nil {
			return nil, nil, fmt.Errorf("request %d: %w", i+1, err)
		}
		seen[c.Name]++
		if n := seen[c.Name]; n > 1 {
			c.Name = fmt.Sprintf("%s #%d", c.Name, n)
		}
		ic.Entry, ic.Name = i+1, c.Name
		s.Cases = append(s.Cases, c)
		ics = append(ics, ic)
	}
	if len(s.Cases) == 0 {
		return nil, nil, errors.New("nothing to import: no request found")
	}
	return s, ics, nil
}

// ImportCurl turns DevTools' "Copy as cURL (bash)" or "Copy as cURL (cmd)"
// (one command, or several from "Copy all as cURL") into a suite, one case
// per command. It reads cmd.exe's ^ escapes and ^"…^" quoting when the text
// is written for cmd (isCmdCurl), bash quoting otherwise ('…', "…", $'…',
// backslashes and line continuations), and the options Chromium's and Firefox's DevTools write: the URL (with curl's
// escapes of [ ] { }), -X/--request, -I/--head, -H/--header (repeated, and
// "Name;" for an empty value), -b/--cookie,
// --data-raw/--data/-d/--data-binary/--data-ascii, and --compressed,
// --insecure/-k and --globoff/-g, which change only what curl itself does.
// Any other option is an error naming it, because guessing at its meaning
// could replay a different request.
//
// The page origin comes from the Origin header, else from the Referer's
// origin; a case left with an empty Origin needs one from the caller. Cookie
// values are never kept: a cookie makes the case credentials: include.
// Headers the browser adds itself are dropped, and values of headers that
// look like credentials are replaced with RedactedValue.
func ImportCurl(text string) (*Suite, error) {
	s, _, err := importCurl(text)
	return s, err
}

func importCurl(text string) (*Suite, []ImportedCase, error) {
	split := shellWords
	if isCmdCurl(text) {
		split = cmdWords
	}
	cmds, spans, err := split(text)
	if err != nil {
		return nil, nil, fmt.Errorf("importing curl: %w", err)
	}
	var reqs []importedRequest
	for i, words := range cmds {
		r, at, err := curlRequest(words)
		if err != nil {
			// The word the error is about, found as written within its
			// command (options are bare); else the command's start.
			sp := spans[i]
			off := sp.start
			if j := strings.Index(text[sp.start:sp.end], words[at]); j >= 0 {
				off = sp.start + j
			}
			line, col := lineCol([]byte(text), int64(off))
			return nil, nil, &CopiedRequestError{Kind: "curl", Line: line, Col: col, Command: i + 1, Err: err}
		}
		reqs = append(reqs, r)
	}
	s, ics, err := importedSuite("imported-curl", reqs)
	if err != nil {
		return nil, nil, fmt.Errorf("importing curl: %w", err)
	}
	return s, ics, nil
}

// curlRequest reads one command's words; at is the index of the word an
// error is about.
func curlRequest(words []string) (r importedRequest, at int, err error) {
	// Firefox on Windows writes curl.exe.
	if len(words) == 0 || (words[0] != "curl" && !strings.EqualFold(words[0], "curl.exe")) {
		return r, at, fmt.Errorf("%q is not a curl command", strings.Join(words, " "))
	}
	value := func(i *int, opt string) (string, error) {
		*i++
		if *i >= len(words) {
			return "", fmt.Errorf("option %s needs a value", opt)
		}
		return words[*i], nil
	}
	globoff := false
	for i := 1; i < len(words); i++ {
		at = i
		w := words[i]
		opt, inline, hasInline := w, "", false
		if strings.HasPrefix(w, "--") {
			opt, inline, hasInline = strings.Cut(w, "=")
		} else if len(w) > 2 && w[0] == '-' && strings.ContainsRune("XHbd", rune(w[1])) {
			opt, inline, hasInline = w[:2], w[2:], true
		}
		arg := func() (string, error) {
			if hasInline {
				return inline, nil
			}
			return value(&i, opt)
		}
		switch opt {
		case "-X", "--request":
			r.method, err = arg()
		case "-H", "--header":
			var h string
			if h, err = arg(); err == nil {
				name, v, ok := strings.Cut(h, ":")
				if !ok {
					// curl sends "Name;" as a header with an empty
					// value, which is how DevTools writes one.
					if name, ok = strings.CutSuffix(strings.TrimSpace(h), ";"); !ok {
						return r, at, fmt.Errorf("header %q has no colon", h)
					}
				}
				r.headers = append(r.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(v)})
			}
		case "-b", "--cookie":
			_, err = arg()
			r.cookies = true
		case "-d", "--data", "--data-raw", "--data-binary", "--data-ascii":
			var d string
			if d, err = arg(); err == nil {
				if r.body != "" {
					r.body += "&"
				}
				r.body += d
			}
		case "--url":
			r.url, err = arg()
		case "-I", "--head":
			r.method = "HEAD"
		case "--compressed", "--insecure", "-k":
			// What curl does with the answer and the certificate; the
			// browser negotiates compression and checks TLS itself.
		case "--globoff", "-g":
			globoff = true
		default:
			if strings.HasPrefix(w, "-") && w != "-" {
				return r, at, fmt.Errorf("unknown option %s (corsproof reads -X, -I, -H, -b, --data-raw, --data, --data-binary, --url, --compressed, --insecure and --globoff)", opt)
			}
			if r.url != "" {
				return r, at, fmt.Errorf("a second URL %q; write one request per curl command", w)
			}
			r.url = w
		}
		if err != nil {
			return r, at, err
		}
	}
	if r.url == "" {
		return r, 0, errors.New("no URL")
	}
	if !globoff {
		// Chromium writes [ ] { } in a URL as \[ \] \{ \} so that curl
		// does not read them as a glob; the URL is the one without.
		r.url = curlGlobEscapes.Replace(r.url)
	}
	return r, 0, nil
}

var curlGlobEscapes = strings.NewReplacer(`\[`, "[", `\]`, "]", `\{`, "{", `\}`, "}")

// span is where a command is in the text, [start, end) in bytes.
type span struct{ start, end int }

// shellWords splits bash text into commands (separated by unquoted ; or
// newlines, or &&) and words, and says where each command is.
func shellWords(text string) ([][]string, []span, error) {
	var cmds [][]string
	var spans []span
	var words []string
	var cur strings.Builder
	inWord := false
	// start is where the command being read began (-1 before its first
	// character); pos is the byte being read.
	start, pos := -1, 0
	endWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			spans = append(spans, span{max(start, 0), pos})
			words = nil
		}
		start = -1
	}
	line := 1
	for i := 0; i < len(text); i++ {
		c := text[i]
		pos = i
		if start < 0 && strings.IndexByte(" \t\r\n;&", c) < 0 {
			start = i
		}
		switch {
		case c == '\\':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
				line++
				continue
			}
			if i+1 < len(text) && text[i+1] == '\r' && i+2 < len(text) && text[i+2] == '\n' {
				i += 2
				line++
				continue
			}
			if i+1 < len(text) {
				i++
				cur.WriteByte(text[i])
				inWord = true
			}
		case c == '\'':
			end := strings.IndexByte(text[i+1:], '\'')
			if end < 0 {
				return nil, nil, fmt.Errorf("line %d: unterminated single quote", line)
			}
			cur.WriteString(text[i+1 : i+1+end])
			line += strings.Count(text[i+1:i+1+end], "\n")
			i += end + 1
			inWord = true
		case c == '$' && i+1 < len(text) && text[i+1] == '\'':
			n, err := ansiC(text[i+2:], &cur)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", line, err)
			}
			// n counts the closing quote; the loop steps past it, not
			// past the blank that ends the word.
			i += n + 1
			inWord = true
		case c == '"':
			j := i + 1
			for ; j < len(text) && text[j] != '"'; j++ {
				if text[j] == '\\' && j+1 < len(text) && strings.IndexByte("\\\"$`\n", text[j+1]) >= 0 {
					j++
					if text[j] != '\n' {
						cur.WriteByte(text[j])
					}
					continue
				}
				cur.WriteByte(text[j])
			}
			if j >= len(text) {
				return nil, nil, fmt.Errorf("line %d: unterminated double quote", line)
			}
			i = j
			inWord = true
		case c == ' ' || c == '\t' || c == '\r':
			endWord()
		case c == '\n' || c == ';':
			if c == '\n' {
				line++
			}
			endCmd()
		case c == '&' && i+1 < len(text) && text[i+1] == '&':
			i++
			endCmd()
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	pos = len(text)
	endCmd()
	return cmds, spans, nil
}

// ansiC decodes the body of a bash $'…' string (DevTools uses it for values
// with quotes or control characters) and returns how many bytes it used,
// including the closing quote. Firefox writes every character below U+0100
// as \xNN (é as \xe9), which bash would send as one byte that is not
// UTF-8; when the bytes decoded are not UTF-8, \xNN is read as U+00NN, the
// character Firefox meant.
func ansiC(s string, out *strings.Builder) (int, error) {
	var b strings.Builder
	n, err := ansiCDecode(s, &b, false)
	if err == nil && !utf8.ValidString(b.String()) {
		b.Reset()
		n, err = ansiCDecode(s, &b, true)
	}
	out.WriteString(b.String())
	return n, err
}

func ansiCDecode(s string, out *strings.Builder, latin1 bool) (int, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			return i + 1, nil
		}
		if c != '\\' {
			out.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		i++
		switch e := s[i]; e {
		case 'n':
			out.WriteByte('\n')
		case 't':
			out.WriteByte('\t')
		case 'r':
			out.WriteByte('\r')
		case 'a', 'b', 'e', 'E', 'f', 'v':
			out.WriteByte(map[byte]byte{'a': 7, 'b': 8, 'e': 27, 'E': 27, 'f': 12, 'v': 11}[e])
		case 'x', 'u', 'U':
			maxDigits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			j := i + 1
			for j < len(s) && j-i-1 < maxDigits && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			if j == i+1 {
				return 0, fmt.Errorf("\\%c without hex digits in $'…'", e)
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
			if e == 'x' && !latin1 {
				out.WriteByte(byte(n))
			} else if n <= utf8.MaxRune {
				out.WriteRune(rune(n))
			}
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 16)
			out.WriteByte(byte(n))
			i = j - 1
		default:
			// \\, \', \" and \? stand for themselves; bash keeps the
			// backslash before anything else.
			if strings.IndexByte("\\'\"?", e) < 0 {
				out.WriteByte('\\')
			}
			out.WriteByte(e)
		}
	}
	return 0, errors.New("unterminated $'…' string")
}

// CopiedRequestError is a command of a "Copy as cURL" corsproof cannot
// read, located in the text: Line and Col point at the word it is about.
type CopiedRequestError struct {
	Kind string
	// Unit is what one request is in the copy: command (curl) or call
	// (fetch); empty means command.
	Unit      string
	Line, Col int
	Command   int
	Err       error
}

func (e *CopiedRequestError) unit() string { return cmp.Or(e.Unit, "command") }

func (e *CopiedRequestError) Error() string {
	return fmt.Sprintf("importing %s: line %d: %s %d: %v", e.Kind, e.Line, e.unit(), e.Command, e.Err)
}

// Unwrap returns the cause.
func (e *CopiedRequestError) Unwrap() error { return e.Err }

// ImportFetch turns DevTools' "Copy as fetch" (one call, or several from
// "Copy all as fetch") into a suite. Each call is fetch(URL, OPTIONS) with
// a JSON string and a JSON object, as DevTools writes it; the page origin
// comes from the referrer option's origin (or an Origin header), credentials
// and mode from the options. Headers are filtered and redacted as in
// ImportCurl; options other than headers, body, method, mode, credentials,
// referrer and referrerPolicy are errors naming the option.
func ImportFetch(text string) (*Suite, error) {
	s, _, err := importFetch(text)
	return s, err
}

func importFetch(text string) (*Suite, []ImportedCase, error) {
	var reqs []importedRequest
	at := func(off, call int, err error) error {
		line, col := lineCol([]byte(text), int64(off))
		return &CopiedRequestError{Kind: "fetch", Unit: "call", Line: line, Col: col, Command: call, Err: err}
	}
	pos := 0
	for {
		i := strings.Index(text[pos:], "fetch(")
		if i < 0 {
			break
		}
		if before := strings.TrimSuffix(strings.TrimSpace(text[pos:pos+i]), "await"); strings.Trim(before, " \t\r\n;") != "" {
			lead := len(text[pos:pos+i]) - len(strings.TrimLeft(text[pos:pos+i], " \t\r\n;"))
			return nil, nil, at(pos+lead, len(reqs)+1, fmt.Errorf("unexpected text %q before fetch(", clip(strings.TrimSpace(text[pos:pos+i]))))
		}
		start := pos + i + len("fetch(")
		r, n, off, err := fetchCall(text[start:])
		if err != nil {
			return nil, nil, at(start+off, len(reqs)+1, err)
		}
		reqs = append(reqs, r)
		pos = start + n
	}
	if t := strings.TrimSpace(strings.Trim(strings.TrimSpace(text[pos:]), ";")); t != "" {
		lead := len(text[pos:]) - len(strings.TrimLeft(text[pos:], " \t\r\n;"))
		return nil, nil, at(pos+lead, len(reqs), fmt.Errorf("unexpected text %q after the last fetch call", clip(t)))
	}
	s, ics, err := importedSuite("imported-fetch", reqs)
	if err != nil {
		return nil, nil, fmt.Errorf("importing fetch: %w", err)
	}
	return s, ics, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// fetchOptions is the options object DevTools writes.
type fetchOptions struct {
	Headers        map[string]string `json:"headers"`
	Body           *string           `json:"body"`
	Method         string            `json:"method"`
	Mode           string            `json:"mode"`
	Credentials    string            `json:"credentials"`
	Referrer       string            `json:"referrer"`
	ReferrerPolicy string            `json:"referrerPolicy"`
}

// fetchCall reads `"URL", {…})` and returns the request and the bytes
// used; on an error, at is the offset in s of what it is about.
func fetchCall(s string) (r importedRequest, n, at int, err error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&r.url); err != nil {
		return r, 0, jsonOffset(err, 0), fmt.Errorf("reading the URL: %w", err)
	}
	off := int(dec.InputOffset())
	rest := strings.TrimLeft(s[off:], " \t\r\n")
	off = len(s) - len(rest)
	if strings.HasPrefix(rest, ")") {
		r.method = "GET"
		return r, off + 1, 0, nil
	}
	if !strings.HasPrefix(rest, ",") {
		return r, 0, off, errors.New("expected , or ) after the URL")
	}
	off++
	opts := off
	// key is where the options name an option, for an error about it.
	key := func(name string) int {
		if j := strings.Index(s[opts:], `"`+name+`"`); j >= 0 {
			return opts + j
		}
		return opts
	}
	dec = json.NewDecoder(strings.NewReader(s[off:]))
	dec.DisallowUnknownFields()
	var o fetchOptions
	if err := dec.Decode(&o); err != nil {
		// DisallowUnknownFields names an option corsproof does not replay.
		at := jsonOffset(err, opts)
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			at = key(strings.Trim(name, `"`))
		}
		return r, 0, at, fmt.Errorf("reading the options: %w", err)
	}
	off += int(dec.InputOffset())
	rest = strings.TrimLeft(s[off:], " \t\r\n")
	if !strings.HasPrefix(rest, ")") {
		return r, 0, len(s) - len(rest), errors.New("expected ) after the options")
	}
	off = len(s) - len(rest) + 1
	r.method = o.Method
	if o.Body != nil {
		r.body = *o.Body
	}
	for name, v := range o.Headers {
		if strings.EqualFold(name, "referrer-policy") {
			// "Copy as fetch (Node.js)" moves the referrerPolicy option
			// into the headers; the page sent no such header, and
			// replaying one would add it to the preflight.
			continue
		}
		r.headers = append(r.headers, [2]string{name, v})
	}
	// DevTools writes headers as an object; sort for a stable import.
	sort.Slice(r.headers, func(i, j int) bool { return r.headers[i][0] < r.headers[j][0] })
	switch o.Credentials {
	case "", string(CredentialsOmit), string(CredentialsSameOrigin), string(CredentialsInclude):
		r.credentials = Credentials(o.Credentials)
	default:
		return r, 0, key("credentials"), fmt.Errorf("credentials %q is not omit, same-origin or include", o.Credentials)
	}
	switch o.Mode {
	case "", string(ModeCORS), string(ModeNoCORS):
		r.mode = Mode(o.Mode)
	default:
		return r, 0, key("mode"), fmt.Errorf("mode %q cannot be replayed from another origin (use cors or no-cors)", o.Mode)
	}
	r.referrer = o.Referrer
	return r, off, 0, nil
}

// jsonOffset is where in the text a JSON decoding error is, base plus
// the decoder's offset when it gives one.
func jsonOffset(err error, base int) int {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return base + max(0, int(se.Offset)-1)
	case errors.As(err, &te):
		return base + max(0, int(te.Offset)-1)
	}
	return base
}

// ImportKinds are the inputs Import reads: a HAR export, a "Copy as cURL"
// and a "Copy as fetch".
var ImportKinds = []string{"har", "curl", "fetch"}

// ImportError is an import asked for in a way that cannot work, with what
// to do instead. Err, when set, is the cause (ErrNothingToReplay…).
type ImportError struct {
	Reason, Advice string
	Err            error
}

func (e *ImportError) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *ImportError) Unwrap() error { return e.Err }

// Hint says what to do instead.
func (e *ImportError) Hint() string { return e.Advice }

// Import turns what a user sent into a suite: kind is one of ImportKinds.
// opts.File names the input; Name and Origin apply to every kind,
// OnlyFailed and WithCredentialsValues to HAR files only (a copied request
// is one request, and keeps no secrets' values). The report says which
// entries (commands, calls) became cases, what the import dropped or
// inferred in each, and, for a HAR, which entries were skipped and why.
func Import(kind string, data []byte, opts HAROptions) (*Suite, *ImportReport, error) {
	kind = strings.ToLower(kind)
	if !slices.Contains(ImportKinds, kind) {
		return nil, nil, &ImportError{Reason: fmt.Sprintf("import: %q is not a kind of input: use har, curl or fetch", kind), Advice: "write corsproof import har|curl|fetch FILE"}
	}
	data, err := unmarkUTF8(data, opts.File, kind)
	if err != nil {
		return nil, nil, err
	}
	if kind == "har" {
		return ImportHAR(data, opts)
	}
	if opts.WithCredentialsValues || opts.OnlyFailed {
		return nil, nil, &ImportError{Reason: "import " + kind + ": --with-credentials-values and --only-failed are for har", Advice: "these flags apply to HAR files only"}
	}
	if !utf8.Valid(data) {
		// DevTools copies are UTF-8; a file saved in another encoding
		// would put bytes no header or body of the page had in the suite.
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		line, col := lineCol(data, int64(off))
		return nil, nil, &SyntaxError{fileerr.Problem{File: cmp.Or(opts.File, kind), Line: line, Col: col,
			Message: fmt.Sprintf("byte 0x%02x is not UTF-8 text", data[off]),
			Hint:    "DevTools copies are UTF-8: save the copy as UTF-8 (for a Latin-1 file: iconv -f latin1 -t utf-8)"}}
	}
	var s *Suite
	var ics []ImportedCase
	if kind == "curl" {
		s, ics, err = importCurl(string(data))
	} else {
		s, ics, err = importFetch(string(data))
	}
	if ce := (*CopiedRequestError)(nil); errors.As(err, &ce) {
		hint := "give the command as DevTools' Copy as cURL (bash or cmd) wrote it, one request per command"
		if kind == "fetch" {
			hint = "give the calls as DevTools' Copy as fetch (or Copy all as fetch) wrote them: fetch(\"URL\", {…}); one after another"
		}
		return nil, nil, &SyntaxError{fileerr.Problem{File: cmp.Or(opts.File, kind), Line: ce.Line, Col: ce.Col, Field: fmt.Sprintf("%s %d", ce.unit(), ce.Command),
			Message: ce.Err.Error(), Hint: hint}}
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range s.Cases {
		if opts.Origin != "" {
			s.Cases[i].Origin = opts.Origin
		}
	}
	if opts.Name != "" {
		s.Name = opts.Name
	}
	if err := checkWritten(s, opts.File, kind); err != nil {
		return nil, nil, err
	}
	unit := map[string]string{"curl": "command", "fetch": "call"}[kind]
	return s, &ImportReport{File: cmp.Or(opts.File, kind), Unit: unit, Entries: len(s.Cases), Cases: ics}, nil
}

// unmarkUTF8 drops the byte order mark Windows tools put before UTF-8 text
// (PowerShell's Set-Content -Encoding utf8, Notepad's "UTF-8 with BOM",
// Fiddler's HAR export), which no parser here reads as text, and refuses
// UTF-16, which PowerShell's > and Out-File write, with the way out.
func unmarkUTF8(data []byte, file, kind string) ([]byte, error) {
	if b, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf")); ok {
		return b, nil
	}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return nil, &SyntaxError{fileerr.Problem{File: cmp.Or(file, kind), Line: 1, Col: 1,
			Message: "is UTF-16 text (it begins with a UTF-16 byte order mark), as PowerShell's > and Out-File write it",
			Hint:    "save it as UTF-8: iconv -f utf-16 -t utf-8 FILE > FILE.utf8, or in PowerShell Get-Clipboard | Set-Content -Encoding utf8 FILE"}}
	}
	return data, nil
}
