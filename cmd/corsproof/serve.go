package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/testapi"
)

// serveOptions are the flags of `corsproof serve`.
type serveOptions struct {
	f                *factory
	policy, addr     string
	quiet            bool
	ready            func(url string) // tests learn the address here
	shutdownDeadline time.Duration
}

func newServeCmd(f *factory, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{f: f, shutdownDeadline: 2 * time.Second}
	if runF == nil {
		runF = runServe
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the built-in target API with a CORS policy per route",
		Long: `Run the built-in target API. Each route answers with the CORS headers its
policy gives (the default policy has correct and typically broken routes);
query parameters adjust any answer ad hoc, e.g. ?acao=*&acac=true.
Every request is logged as received, so you can see exactly what a browser sent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.policy, "policy", "", "policy file (default: the built-in policy)")
	cmd.Flags().StringVar(&opts.addr, "addr", "127.0.0.1:8080", "address to listen on; loopback unless you ask otherwise")
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "do not log requests")
	return cmd
}

// runServe serves until ctx is done.
func runServe(ctx context.Context, opts *serveOptions) error {
	stdout, stderr := opts.f.stdout, opts.f.stderr
	pol := testapi.DefaultPolicy()
	if opts.policy != "" {
		p, err := interruptible(ctx, "loading the policy", func() (*policy.Policy, error) { return policy.LoadContext(ctx, opts.policy) })
		if err != nil {
			return err
		}
		pol = p
	}
	host, _, err := net.SplitHostPort(opts.addr)
	if err != nil {
		return usagef("for example --addr 127.0.0.1:8080", "--addr %q: %v", opts.addr, err)
	}
	if w := exposureWarning(host, opts.addr); w != "" {
		fmt.Fprintln(stderr, "corsproof: warning: "+w)
	}
	var hopts []testapi.Option
	if !opts.quiet {
		hopts = append(hopts, testapi.WithLogWriter(stdout))
	}
	srv, err := testapi.Start(opts.addr, testapi.NewHandler(pol, hopts...))
	if err != nil {
		return listenError(err, opts.addr)
	}
	fmt.Fprintf(stderr, "corsproof: target API listening on %s (Ctrl-C to stop)\n", srv.URL)
	for _, r := range pol.Routes {
		fmt.Fprintf(stderr, "  %s%s\n", srv.URL, r.Path)
	}
	if opts.ready != nil {
		opts.ready(srv.URL)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), opts.shutdownDeadline)
	defer cancel()
	return srv.Shutdown(sctx)
}

// exposureWarning says who can reach a server bound to addr (whose host is
// host), or nothing for loopback. It names the address as the user wrote
// it: Go listens on the IPv6 wildcard [::] for 0.0.0.0, which is not what
// they asked for and reads like a different address.
func exposureWarning(host, addr string) string {
	ip := net.ParseIP(host)
	switch {
	case host == "localhost", ip != nil && ip.IsLoopback():
		return ""
	case host == "", ip != nil && ip.IsUnspecified():
		return fmt.Sprintf("serving on %s, every network interface: reachable from other machines", addr)
	}
	return fmt.Sprintf("serving on %s, which is reachable from other machines", addr)
}

// listenError gives a server that could not listen on addr, the --addr of
// a command, a hint when the address is taken.
func listenError(err error, addr string) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return &usageError{err: err, hint: "another program listens on " + addr + ": stop it, or pass --addr with a free port (127.0.0.1:0 picks one)"}
	}
	return err
}
