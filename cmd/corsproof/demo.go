package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/scenarios"
	"github.com/corsproof/corsproof/testapi"
)

func newDemoCmd(stdout, stderr io.Writer) *cobra.Command {
	var bf browserFlags
	var of outputFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the built-in target API on loopback and run the built-in example suite against it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, err := testapi.Start("127.0.0.1:0", testapi.NewHandler(testapi.DefaultPolicy()))
			if err != nil {
				return err
			}
			defer srv.Close()
			suite, err := demoSuite(srv.URL)
			if err != nil {
				return err
			}
			if !of.quiet && of.output == "text" {
				fmt.Fprintf(stderr, "corsproof: built-in target at %s; running %d demo cases\n", srv.URL, len(suite.Cases))
			}
			return runSuites(cmd.Context(), []*scenarios.Suite{suite}, &bf, &of, stdout, stderr)
		},
	}
	bf.add(cmd.Flags())
	of.add(cmd.Flags(), "text")
	return cmd
}

// demoSuite is the built-in suite aimed at a running target. The target
// key goes at the end of the document so that positions in messages still
// match the embedded file's lines.
func demoSuite(targetURL string) (*scenarios.Suite, error) {
	data := append([]byte{}, testapi.DemoSuite()...)
	data = append(data, []byte("\ntarget: "+targetURL+"\n")...)
	s, err := scenarios.Parse("demo.yaml (built in)", data)
	if err != nil {
		return nil, fmt.Errorf("loading the built-in demo suite: %w", err)
	}
	return s, nil
}
