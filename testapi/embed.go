package testapi

import (
	_ "embed"
	"fmt"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
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

// Demo is the built-in example suite aimed at the server at targetURL. The
// target key goes at the end of the document so that positions in messages
// still match the embedded file's lines.
func Demo(targetURL string) (*scenarios.Suite, error) {
	data := append(DemoSuite(), []byte("\ntarget: "+targetURL+"\n")...)
	s, err := scenarios.Parse("demo.yaml (built in)", data)
	if err != nil {
		return nil, fmt.Errorf("loading the built-in demo suite: %w", err)
	}
	return s, nil
}

// StartDemo starts the built-in target with the default policy on a free
// loopback port and returns it with the demo suite aimed at it; the caller
// closes the server.
func StartDemo() (*Server, *scenarios.Suite, error) {
	srv, err := Start("127.0.0.1:0", NewHandler(DefaultPolicy()))
	if err != nil {
		return nil, nil, err
	}
	s, err := Demo(srv.URL)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, s, nil
}
