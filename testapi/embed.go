package testapi

import (
	_ "embed"
	"fmt"

	"github.com/corsproof/corsproof/policy"
)

//go:embed default-policy.yaml
var defaultPolicyYAML []byte

//go:embed demo.yaml
var demoSuiteYAML []byte

// DefaultPolicyFile is the name the default policy goes by in messages.
const DefaultPolicyFile = "default-policy.yaml"

// DefaultPolicy returns a fresh copy of the built-in policy: correct routes
// and the broken ones real servers ship. The embedded file is checked by
// the package's tests, so a parse failure here is a build defect.
func DefaultPolicy() *policy.Policy {
	p, err := policy.Parse(DefaultPolicyFile, defaultPolicyYAML)
	if err != nil {
		panic(fmt.Sprintf("built-in policy is invalid: %v", err))
	}
	return p
}

// DefaultPolicyYAML returns the source of the built-in policy, for users
// who want a starting point for their own.
func DefaultPolicyYAML() []byte {
	return append([]byte(nil), defaultPolicyYAML...)
}

// DemoSuite returns the built-in example suite (suite format version 1)
// that exercises every route of the default policy. Its URLs are relative
// and it has no target: the caller supplies the running server's URL.
func DemoSuite() []byte {
	return append([]byte(nil), demoSuiteYAML...)
}
