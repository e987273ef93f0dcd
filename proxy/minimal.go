package proxy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
)

// Methods and request headers the minimal policy allows: what a front end
// calling a JSON API with a bearer token or cookies sends.
var (
	minimalMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	minimalHeaders = []string{"Content-Type", "Authorization"}
)

// MinimalPolicyYAML is the policy of `corsproof proxy --allow-origin`: one
// route for every path that lets the given origins in, with credentials
// when asked, for the usual methods and the Content-Type and Authorization
// headers. It is policy YAML, so it can be saved as the start of a real
// policy and handed to the API team.
func MinimalPolicyYAML(origins []string, credentials bool) []byte {
	var b strings.Builder
	b.WriteString("# written by corsproof proxy --allow-origin; edit it and pass --policy\nversion: 1\nroutes:\n  - path: /\n    allow_origins:\n")
	for _, o := range origins {
		fmt.Fprintf(&b, "      - %s\n", strconv.QuoteToASCII(o))
	}
	fmt.Fprintf(&b, "    allow_credentials: %t\n", credentials)
	fmt.Fprintf(&b, "    allow_methods: [%s]\n", strings.Join(minimalMethods, ", "))
	fmt.Fprintf(&b, "    allow_headers: [%s]\n", strings.Join(minimalHeaders, ", "))
	return []byte(b.String())
}

// MinimalPolicy parses MinimalPolicyYAML. A bad origin is an error naming
// the value, with a hint; "*" with credentials and "reflect" are refused
// here, in the words of the flags, rather than as lines of a file the user
// never wrote.
func MinimalPolicy(origins []string, credentials bool) (*policy.Policy, error) {
	if len(origins) == 0 {
		return nil, errors.New("no origins")
	}
	var errs []error
	for _, o := range origins {
		switch {
		case o == policy.OriginReflect:
			errs = append(errs, &hinted{fmt.Errorf("origin %q: the proxy never reflects an origin it was not given", o),
				"name the front end's origin, such as http://localhost:5173"})
		case o == policy.OriginAny && credentials:
			errs = append(errs, &hinted{fmt.Errorf(`origin "*" with credentials: browsers refuse "Access-Control-Allow-Origin: *" on credentialed requests`),
				"name the front end's origins, such as http://localhost:5173, or drop the credentials"})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p, err := policy.Parse("--allow-origin", MinimalPolicyYAML(origins, credentials))
	if err != nil {
		for _, pr := range fileerr.Problems(err) {
			errs = append(errs, &hinted{fmt.Errorf("origin %s: %s", strconv.Quote(pr.Value), pr.Message), pr.Hint})
		}
		if len(errs) == 0 {
			return nil, err
		}
		return nil, errors.Join(errs...)
	}
	p.File = ""
	return p, nil
}

// hinted is an error with something to do about it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// Hint says what to do.
func (h *hinted) Hint() string { return h.hint }
