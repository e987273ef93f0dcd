package policy_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/testapi"
)

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(fullPolicy))
	f.Add(testapi.DefaultPolicyYAML())
	f.Add([]byte("version: 1\nroutes:\n  - path: /x\n    allow_origins: [\"https://*.a.test:1\", null, \"http://[::1]\"]\n"))
	f.Add([]byte("version: 1\nroutes: [{path: /x, status: 1e3}]\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte("--- \n...\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.Parse("fuzz.yaml", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("want exactly one of policy and error, got %v and %v", p, err)
		}
		if err != nil {
			for _, e := range policyErrors(t, err) {
				if e.File != "fuzz.yaml" || e.Message == "" {
					t.Fatalf("error without file or message: %#v", e)
				}
			}
			return
		}
		// A policy that parses must serve and lint without panicking.
		_ = p.Lint()
		h := testapi.NewHandler(p, testapi.WithLogLimit(1))
		for _, r := range p.Routes {
			if r.DelayMS > 0 {
				continue
			}
			req := httptest.NewRequest(http.MethodOptions, "http://t"+r.Path, nil)
			req.Header.Set("Origin", "https://a.example.com")
			req.Header.Set("Access-Control-Request-Method", "PUT")
			h.ServeHTTP(httptest.NewRecorder(), req)
			r.AllowsOrigin("https://a.example.com")
		}
	})
}
