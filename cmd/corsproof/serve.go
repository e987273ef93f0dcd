package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/testapi"
)

func newServeCmd(stdout, stderr io.Writer) *cobra.Command {
	var policyPath, addr string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the built-in target API with a CORS policy per route",
		Long: `Run the built-in target API. Each route answers with the CORS headers its
policy gives (the default policy has correct and typically broken routes);
query parameters adjust any answer ad hoc, e.g. ?acao=*&acac=true.
Every request is logged as received, so you can see exactly what a browser sent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pol := testapi.DefaultPolicy()
			if policyPath != "" {
				p, err := policy.Load(policyPath)
				if err != nil {
					return err
				}
				pol = p
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usagef("for example --addr 127.0.0.1:8080", "--addr %q: %v", addr, err)
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				fmt.Fprintf(stderr, "corsproof: warning: serving on %s, which is reachable from other machines\n", addr)
			}
			var opts []testapi.Option
			if !quiet {
				opts = append(opts, testapi.WithLogWriter(stdout))
			}
			srv, err := testapi.Start(addr, testapi.NewHandler(pol, opts...))
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "corsproof: target API listening on %s (Ctrl-C to stop)\n", srv.URL)
			for _, r := range pol.Routes {
				fmt.Fprintf(stderr, "  %s%s\n", srv.URL, r.Path)
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			return srv.Shutdown(ctx)
		},
	}
	cmd.Flags().StringVar(&policyPath, "policy", "", "policy file (default: the built-in policy)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on; loopback unless you ask otherwise")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not log requests")
	return cmd
}
