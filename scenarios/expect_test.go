package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/corsproof/corsproof/internal/yamlpos"
)

func TestExpectCheck(t *testing.T) {
	t.Parallel()
	blocked := Observed{Verdict: VerdictBlocked, CorsError: "MissingAllowOriginHeader", PreflightSent: true}
	allowed := Observed{Verdict: VerdictAllowed, Status: 200, ReadableHeaders: map[string]string{"content-type": "text/plain", "X-Request-Id": "1"}}
	tests := []struct {
		desc string
		e    *Expect
		obs  Observed
		want []string
	}{
		{"nil expects nothing", nil, blocked, nil},
		{"empty expects nothing", &Expect{}, blocked, nil},
		{"all met", &Expect{Verdict: VerdictBlocked, CorsError: "MissingAllowOriginHeader", Preflight: ptr(true)}, blocked, nil},
		{"verdict", &Expect{Verdict: VerdictBlocked}, allowed, []string{"verdict: expected blocked, got allowed"}},
		{"cors error differs", &Expect{CorsError: "AllowOriginMismatch"}, blocked, []string{"cors_error: expected AllowOriginMismatch, got MissingAllowOriginHeader"}},
		{"cors error absent", &Expect{CorsError: "AllowOriginMismatch"}, allowed, []string{"cors_error: expected AllowOriginMismatch, got none"}},
		{"preflight", &Expect{Preflight: ptr(false)}, blocked, []string{"preflight: expected not sent, got sent"}},
		{"status", &Expect{Status: ptr(204)}, allowed, []string{"status: expected 204, got 200"}},
		{"status without response", &Expect{Status: ptr(200)}, blocked, []string{"status: expected 200, got no response"}},
		{"readable headers ignore case", &Expect{ReadableHeaders: []string{"Content-Type", "x-request-id"}}, allowed, nil},
		{"readable header missing", &Expect{ReadableHeaders: []string{"X-Total"}}, allowed, []string{"readable_headers: expected X-Total to be readable, got X-Request-Id, content-type"}},
		{"no readable headers", &Expect{ReadableHeaders: []string{"X-Total"}}, blocked, []string{"readable_headers: expected X-Total to be readable, got none"}},
		{"hostile values are quoted", &Expect{Verdict: VerdictAllowed, ReadableHeaders: []string{"A"}},
			Observed{Verdict: "x\x1b[2J", ReadableHeaders: map[string]string{"b\nc": ""}},
			[]string{`verdict: expected allowed, got "x\x1b[2J"`, `readable_headers: expected A to be readable, got "b\nc"`}},
		{"several mismatches in order", &Expect{Verdict: VerdictAllowed, Preflight: ptr(false), Status: ptr(200)}, blocked,
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
	assert.Equal(t, "PreflightInvalidStatus", yamlpos.Closest("PreflightInvalidStatu", CorsErrors))
	assert.True(t, IsCorsError("UnexpectedPrivateNetworkAccess"))
	assert.False(t, IsCorsError("missingalloworiginheader"))
	assert.Len(t, CorsErrors, 32)
}
