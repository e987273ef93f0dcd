package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// bidiClient is a minimal WebDriver BiDi client: commands with ids and
// their answers, and events handed to whoever listens for their browsing
// context. The WebSocket framing is github.com/coder/websocket's.
type bidiClient struct {
	ws     *websocket.Conn
	nextID atomic.Int64

	mu      sync.Mutex
	pending map[int64]pendingCall
	// sinks receive the events of one browsing context (by its id); events
	// of no known context are dropped.
	sinks map[string]bidiSink
	// closed is closed when the reader stops; err says why.
	closed chan struct{}
	err    error
}

// bidiSink receives an event: its method, its params and the whole
// message as it came, for the debug log.
type bidiSink func(method string, params json.RawMessage, raw []byte)

// bidiTap sees a command's messages as they go and come on the wire: the
// command (sent) and its answer, for the debug log. It runs on the caller's
// goroutine for the command and on the reading goroutine for the answer,
// so that the answer keeps its place among the events.
type bidiTap func(sent bool, method string, raw []byte)

// pendingCall is a command waiting for its answer.
type pendingCall struct {
	ch     chan bidiAnswer
	method string
	tap    bidiTap
}

// bidiAnswer is the result or error of one command.
type bidiAnswer struct {
	result json.RawMessage
	err    error
}

// bidiMessage is any message from the browser: an answer (id and type
// success or error) or an event (type event, method, params).
type bidiMessage struct {
	ID      *int64          `json:"id"`
	Type    string          `json:"type"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// bidiError is an error answer to a BiDi command.
type bidiError struct {
	Method, Code, Message string
}

func (e *bidiError) Error() string { return fmt.Sprintf("%s: %s: %s", e.Method, e.Code, e.Message) }

// dialBiDi connects to the BiDi endpoint url (ws://host:port/session).
func dialBiDi(ctx context.Context, url string) (*bidiClient, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	// Network events carry every header and the page's body: far more than
	// the library's 32 KiB default.
	ws.SetReadLimit(64 << 20)
	c := &bidiClient{ws: ws, pending: map[int64]pendingCall{}, sinks: map[string]bidiSink{}, closed: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *bidiClient) read() {
	var err error
	for {
		var data []byte
		_, data, err = c.ws.Read(context.Background())
		if err != nil {
			break
		}
		var m bidiMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.Type == "event" {
			c.dispatch(m.Method, m.Params, data)
			continue
		}
		if m.ID == nil {
			continue
		}
		c.mu.Lock()
		pc, ok := c.pending[*m.ID]
		delete(c.pending, *m.ID)
		c.mu.Unlock()
		if !ok {
			continue
		}
		if pc.tap != nil {
			pc.tap(false, pc.method, data)
		}
		if m.Type == "error" {
			pc.ch <- bidiAnswer{err: &bidiError{Code: m.Error, Message: m.Message}}
		} else {
			pc.ch <- bidiAnswer{result: m.Result}
		}
	}
	c.mu.Lock()
	c.err = fmt.Errorf("connection to the browser lost: %w", err)
	c.mu.Unlock()
	close(c.closed)
}

// dispatch hands an event to the sink of its browsing context: network
// events name it in params.context, log entries in params.source.context;
// script.realmDestroyed, which names no context, goes to every sink.
func (c *bidiClient) dispatch(method string, params json.RawMessage, raw []byte) {
	var where struct {
		Context string `json:"context"`
		Source  struct {
			Context string `json:"context"`
		} `json:"source"`
	}
	if json.Unmarshal(params, &where) != nil {
		return
	}
	id := where.Context
	if id == "" {
		id = where.Source.Context
	}
	c.mu.Lock()
	if id == "" && method == "script.realmDestroyed" {
		// It names only the realm: every tab checks whether the realm was
		// its page's.
		sinks := make([]bidiSink, 0, len(c.sinks))
		for _, sink := range c.sinks {
			sinks = append(sinks, sink)
		}
		c.mu.Unlock()
		for _, sink := range sinks {
			sink(method, params, raw)
		}
		return
	}
	sink := c.sinks[id]
	c.mu.Unlock()
	if sink != nil {
		sink(method, params, raw)
	}
}

// listen sends the events of browsing context id to sink until the
// returned function is called.
func (c *bidiClient) listen(id string, sink bidiSink) func() {
	c.mu.Lock()
	c.sinks[id] = sink
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.sinks, id)
		c.mu.Unlock()
	}
}

// call sends a command and decodes its result into out (unless nil).
func (c *bidiClient) call(ctx context.Context, method string, params, out any) error {
	return c.callTap(ctx, method, params, out, nil)
}

// callTap is call with the command and its answer shown to tap (unless
// nil) as they go and come.
func (c *bidiClient) callTap(ctx context.Context, method string, params, out any, tap bidiTap) error {
	if params == nil {
		params = struct{}{}
	}
	id := c.nextID.Add(1)
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	ch := make(chan bidiAnswer, 1)
	c.mu.Lock()
	c.pending[id] = pendingCall{ch: ch, method: method, tap: tap}
	c.mu.Unlock()
	if tap != nil {
		tap(true, method, msg)
	}
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case a := <-ch:
		if a.err != nil {
			var be *bidiError
			if errors.As(a.err, &be) {
				be.Method = method
			}
			return a.err
		}
		if out != nil {
			if err := json.Unmarshal(a.result, out); err != nil {
				return fmt.Errorf("%s: decoding result: %w", method, err)
			}
		}
		return nil
	case <-c.closed:
		c.mu.Lock()
		defer c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, c.err)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// close ends the connection.
func (c *bidiClient) close() error {
	// The browser may already be gone (browser.close): nothing to say.
	_ = c.ws.CloseNow()
	return nil
}
