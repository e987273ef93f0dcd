package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/testbrowser"
	"github.com/corsproof/corsproof/scenarios"
)

// TestNonASCIIAllowOriginInChromium sends Access-Control-Allow-Origin
// values with bytes outside ASCII on the wire (U+202E in UTF-8, C1 and
// Latin-1 bytes, an IDN) and checks that Chromium's reason is the one
// cors.TestNonASCIIAllowOrigin expects from the model, and that the model,
// given what CDP reports, agrees with the browser: the false "model
// disagrees" the model once gave on a U+202E is gone.
func TestNonASCIIAllowOriginInChromium(t *testing.T) {
	const origin = "https://app.example.test"
	values := map[string]string{
		"/rlo-after":  origin + "\xe2\x80\xae",
		"/rlo-before": "\xe2\x80\xae" + origin,
		"/rlo-path":   origin + "/\xe2\x80\xae",
		"/nel":        origin + "\x85",
		"/unassigned": origin + "\x81",
		"/latin1":     origin + "\xe9",
		"/idn":        "https://b\xc3\xbccher.example",
	}
	want := map[string]cors.CorsError{
		"/rlo-after": cors.ErrInvalidAllowOriginValue, "/rlo-before": cors.ErrInvalidAllowOriginValue,
		"/rlo-path": cors.ErrAllowOriginMismatch, "/nel": cors.ErrInvalidAllowOriginValue,
		"/unassigned": cors.ErrInvalidAllowOriginValue, "/latin1": cors.ErrInvalidAllowOriginValue,
		"/idn": cors.ErrAllowOriginMismatch,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Access-Control-Allow-Origin"] = []string{values[r.URL.Path]}
	}))
	t.Cleanup(srv.Close)
	s := &scenarios.Suite{Name: "wire", File: "wire.yaml"}
	for path := range values {
		s.Cases = append(s.Cases, scenarios.Case{Name: path, File: "wire.yaml", Origin: origin, Request: scenarios.Request{URL: srv.URL + path}})
	}
	run, err := Run(context.Background(), Config{Reuse: testbrowser.Get(t), Jobs: 2}, []*scenarios.Suite{s}, Hooks{})
	require.NoError(t, err)
	require.Len(t, run.Records, len(values))
	for _, rec := range run.Records {
		assert.Equal(t, cors.VerdictBlocked, rec.Verdict, rec.Name)
		assert.Equal(t, want[rec.Name], rec.CorsError, rec.Name)
		require.NotNil(t, rec.Diagnosis, rec.Name)
		assert.True(t, rec.Diagnosis.AgreesWithBrowser, "%s: the model disagrees: %s", rec.Name, rec.Diagnosis.Summary)
	}
}
