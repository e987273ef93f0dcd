package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/scenarios"
)

// wptCase is the part of a web-platform-tests sample case the harness test
// needs: the request, the server's answers, and what Chromium 156 did.
type wptCase struct {
	ID             string            `json:"id"`
	API            string            `json:"api"`
	Method         string            `json:"method"`
	RequestHeaders map[string]string `json:"request_headers"`
	Credentials    string            `json:"credentials"`
	Mode           string            `json:"mode"`
	Body           *string           `json:"body"`
	PageOrigin     string            `json:"page_origin_kind"`
	Preflight      *wptResponse      `json:"preflight_response"`
	Actual         *wptResponse      `json:"actual_response"`
	Redirect       json.RawMessage   `json:"redirect"`
	Sequence       json.RawMessage   `json:"sequence"`
	Observed       *struct {
		Verdict       string `json:"verdict"`
		PreflightSent *bool  `json:"preflight_sent"`
	} `json:"chromium_156_observed"`
}

type wptResponse struct {
	Status  int                        `json:"status"`
	Headers map[string]json.RawMessage `json:"headers"`
}

// write answers with the recorded status and headers; a header given as a
// list goes out as several lines, and the placeholders take the request's
// values.
func (r *wptResponse) write(w http.ResponseWriter, req *http.Request, target string) {
	for name, raw := range r.Headers {
		var values []string
		if err := json.Unmarshal(raw, &values); err != nil {
			var one string
			_ = json.Unmarshal(raw, &one)
			values = []string{one}
		}
		for _, v := range values {
			v = strings.NewReplacer("<page-origin>", req.Header.Get("Origin"), "<echo-request-origin>", req.Header.Get("Origin"),
				"<allows page; exact value not verified>", req.Header.Get("Origin"), "<target-origin>", target).Replace(v)
			w.Header().Add(name, v)
		}
	}
	w.WriteHeader(r.Status)
}

// TestWPTSampleInRealChromium replays the web-platform-tests sample's plain
// cross-origin cases against a loopback server and checks the harness
// records what Chromium 156 was observed to do, and that the CORS model
// agrees with the browser on each.
func TestWPTSampleInRealChromium(t *testing.T) {
	cases, picked := wptSampleCases(t)
	recs := testBrowser.RunCases(context.Background(), cases, 2, "", nil)
	require.Len(t, recs, len(cases))
	agree := 0
	for i, rec := range recs {
		rec := concluded(rec, cases[i])
		c := picked[i]
		t.Run(c.ID, func(t *testing.T) {
			assert.Equal(t, c.Observed.Verdict, string(rec.Verdict), "page: %+v console: %v", rec.Page, rec.Console)
			if c.Observed.PreflightSent != nil {
				assert.Equal(t, *c.Observed.PreflightSent, rec.Preflight != nil, "preflight sent")
			}
			require.NotNil(t, rec.Diagnosis)
			if assert.True(t, rec.Diagnosis.AgreesWithBrowser, "model: %s", rec.Diagnosis.Summary) {
				agree++
			}
		})
	}
	t.Logf("%d WPT sample cases in Chromium: the model agrees with the browser on %d", len(recs), agree)
}

// wptSampleCases serves the web-platform-tests sample's plain
// cross-origin cases from a loopback server for the test's lifetime and
// returns them as cases, with the sample entry of each.
func wptSampleCases(t *testing.T) ([]scenarios.Case, []*wptCase) {
	t.Helper()
	data, err := os.ReadFile("../testdata/wpt-cors-sample.json")
	require.NoError(t, err)
	var all []wptCase
	require.NoError(t, json.Unmarshal(data, &all))

	byID := map[string]*wptCase{}
	var target string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := byID[strings.TrimPrefix(r.URL.Path, "/wpt/")]
		switch {
		case c == nil:
			http.NotFound(w, r)
		case r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" && c.Preflight != nil:
			c.Preflight.write(w, r, target)
		case c.Actual != nil:
			c.Actual.write(w, r, target)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	target = srv.URL

	var cases []scenarios.Case
	var picked []*wptCase
	for i := range all {
		c := &all[i]
		// Redirects, cache sequences and private-network address spaces
		// need servers and origins this test does not build.
		if c.PageOrigin != "cross-origin" || len(c.Redirect) > 0 && string(c.Redirect) != "null" ||
			len(c.Sequence) > 0 && string(c.Sequence) != "null" || c.Observed == nil || c.Observed.Verdict == "" {
			continue
		}
		if strings.ContainsFunc(strings.Join(mapValues(c.RequestHeaders), ""), func(r rune) bool { return r < 0x20 }) {
			// Go's HTTP server answers 400 to a control byte in a header
			// value before any handler runs; WPT's server does not.
			continue
		}
		byID[c.ID] = c
		req := scenarios.Request{API: scenarios.API(c.API), Method: c.Method, URL: srv.URL + "/wpt/" + c.ID,
			Headers: c.RequestHeaders, Credentials: scenarios.Credentials(c.Credentials), Mode: scenarios.Mode(c.Mode)}
		if c.Body != nil {
			req.Body = *c.Body
		}
		if req.API == scenarios.APIXHR {
			req.Mode = ""
		}
		cases = append(cases, scenarios.Case{Name: c.ID, Origin: "https://app.example.test", Request: req})
		picked = append(picked, c)
	}
	require.GreaterOrEqual(t, len(cases), 50, "most of the sample is plain cross-origin")
	return cases, picked
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
