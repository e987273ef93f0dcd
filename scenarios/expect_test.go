package scenarios

import (
	"reflect"
	"testing"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/yamlpos"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpectCheck(t *testing.T) {
	t.Parallel()
	blocked := Observed{Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader", PreflightSent: true}
	allowed := Observed{Verdict: cors.VerdictAllowed, Status: 200, ReadableHeaders: map[string]string{"content-type": "text/plain", "X-Request-Id": "1"}}
	tests := []struct {
		desc string
		e    *Expect
		obs  Observed
		want []string
	}{
		{"nil expects nothing", nil, blocked, nil},
		{"empty expects nothing", &Expect{}, blocked, nil},
		{"all met", &Expect{Verdict: cors.VerdictBlocked, CorsError: "MissingAllowOriginHeader", Preflight: ptr(true)}, blocked, nil},
		{"verdict", &Expect{Verdict: cors.VerdictBlocked}, allowed, []string{"verdict: expected blocked, got allowed"}},
		{"cors error differs", &Expect{CorsError: "AllowOriginMismatch"}, blocked, []string{"cors_error: expected AllowOriginMismatch, got MissingAllowOriginHeader"}},
		{"cors error absent", &Expect{CorsError: "AllowOriginMismatch"}, allowed, []string{"cors_error: expected AllowOriginMismatch, got none"}},
		{"preflight", &Expect{Preflight: ptr(false)}, blocked, []string{"preflight: expected not sent, got sent"}},
		{"status", &Expect{Status: ptr(204)}, allowed, []string{"status: expected 204, got 200"}},
		{"status without response", &Expect{Status: ptr(200)}, blocked, []string{"status: expected 200, got no response"}},
		{"readable headers ignore case", &Expect{ReadableHeaders: []string{"Content-Type", "x-request-id"}}, allowed, nil},
		{"readable header missing", &Expect{ReadableHeaders: []string{"X-Total"}}, allowed, []string{"readable_headers: expected X-Total to be readable, got X-Request-Id, content-type"}},
		{"no readable headers", &Expect{ReadableHeaders: []string{"X-Total"}}, blocked, []string{"readable_headers: expected X-Total to be readable, got none"}},
		{"hostile values are quoted", &Expect{Verdict: cors.VerdictAllowed, ReadableHeaders: []string{"A"}},
			Observed{Verdict: "x\x1b[2J", ReadableHeaders: map[string]string{"b\nc": ""}},
			[]string{`verdict: expected allowed, got "x\x1b[2J"`, `readable_headers: expected A to be readable, got "b\nc"`}},
		{"several mismatches in order", &Expect{Verdict: cors.VerdictAllowed, Preflight: ptr(false), Status: ptr(200)}, blocked,
			[]string{"verdict: expected allowed, got blocked", "preflight: expected not sent, got sent", "status: expected 200, got no response"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.e.Check(tt.obs))
		})
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, in, want string }{
		{"transposition", "hedaers", "headers"},
		{"case only", "Headers", "headers"},
		{"dropped letter", "metod", "method"},
		{"unrelated", "zzzzzz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, yamlpos.Closest(tt.in, requestKeys))
		})
	}
	assert.Equal(t, "PreflightInvalidStatus", yamlpos.Closest("PreflightInvalidStatu", corsErrorNames))
	assert.Len(t, corsErrorNames, len(cors.CorsErrors()), "suggestions come from cors' one list")
	assert.NotContains(t, corsErrorNames, "UnexpectedPrivateNetworkAccess", "legacy names are accepted, never suggested")
}

func TestExpectCorsErrorNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		corsError string
		hint      string // empty: the suite is valid
	}{
		{desc: "current name", corsError: "MissingAllowOriginHeader"},
		{desc: "legacy private-network name is accepted", corsError: "UnexpectedPrivateNetworkAccess"},
		{desc: "renamed private-network name is accepted", corsError: "InsecurePrivateNetwork"},
		{desc: "wrong case is a typo", corsError: "missingalloworiginheader", hint: "did you mean MissingAllowOriginHeader?"},
		{desc: "misspelt name", corsError: "PreflightInvalidStatu", hint: "did you mean PreflightInvalidStatus?"},
		{desc: "Firefox's code is accepted", corsError: "CORSMissingAllowOrigin"},
		{desc: "misspelt Firefox code", corsError: "CORSMissingAllowOrign", hint: "did you mean CORSMissingAllowOrigin?"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("suite.yaml", []byte(oneCase(okOrigin, okReq, "    expect: {cors_error: "+tt.corsError+"}")))
			if tt.hint == "" {
				require.NoError(t, err)
				assert.Equal(t, cors.CorsError(tt.corsError), s.Cases[0].Expect.CorsError, "kept as written")
				return
			}
			ps := fileerr.Problems(err)
			require.Len(t, ps, 1, "%v", err)
			assert.Equal(t, tt.hint, ps[0].Hint)
		})
	}
}

func TestExpectCheckLegacyCorsError(t *testing.T) {
	t.Parallel()
	old := Observed{Verdict: cors.VerdictBlocked, CorsError: "InsecurePrivateNetwork"}
	assert.Empty(t, (&Expect{CorsError: cors.ErrInsecureLocalNetwork}).Check(old), "an older Chromium's name matches the current one")
	assert.Empty(t, (&Expect{CorsError: "PrivateNetworkAccessPermissionDenied"}).Check(Observed{CorsError: cors.ErrLocalNetworkAccessPermissionDenied}))
	assert.Equal(t, []string{"cors_error: expected InvalidLocalNetworkAccess, got InsecurePrivateNetwork"},
		(&Expect{CorsError: cors.ErrInvalidLocalNetworkAccess}).Check(old), "the browser's own spelling is shown")
}

func TestRequestModel(t *testing.T) {
	t.Parallel()
	r := Request{API: APIXHR, Method: "patch", URL: "https://api.test/x", Headers: map[string]string{"X-A": "1"},
		Credentials: CredentialsInclude, Body: "b", Mode: ModeNoCORS}
	got := r.Model("https://app.test")
	assert.Equal(t, cors.Request{Origin: "https://app.test", Method: "patch", URL: "https://api.test/x", Headers: map[string]string{"X-A": "1"},
		Credentials: "include", Mode: "no-cors", API: "xhr", Body: "b"}, got, "values pass through; the model normalises")
	// A field added to cors.Request must be mapped here or explicitly left out.
	v := reflect.ValueOf(got)
	for i := range v.NumField() {
		assert.False(t, v.Field(i).IsZero(), "cors.Request.%s is not mapped from a scenario request", v.Type().Field(i).Name)
	}
}

func TestExpectCheckEitherEngine(t *testing.T) {
	t.Parallel()
	firefox := Observed{Verdict: cors.VerdictBlocked, CorsError: cors.ErrPreflightMissingAllowOriginHeader, EngineReason: "CORSMissingAllowOrigin"}
	chromium := Observed{Verdict: cors.VerdictBlocked, CorsError: cors.ErrPreflightMissingAllowOriginHeader}
	for _, name := range []cors.CorsError{"CORSMissingAllowOrigin", "PreflightMissingAllowOriginHeader"} {
		assert.Empty(t, (&Expect{CorsError: name}).Check(firefox), "%s on Firefox", name)
		assert.Empty(t, (&Expect{CorsError: name}).Check(chromium), "%s on Chromium", name)
	}
	assert.Equal(t, []string{"cors_error: expected CORSMethodNotFound, got CORSMissingAllowOrigin"},
		(&Expect{CorsError: "CORSMethodNotFound"}).Check(firefox), "Firefox's name is shown against Firefox's")
	assert.Equal(t, []string{"cors_error: expected CORSMethodNotFound, got PreflightMissingAllowOriginHeader"},
		(&Expect{CorsError: "CORSMethodNotFound"}).Check(chromium))
}
