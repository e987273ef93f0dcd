package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/proxy"
)

// proxyOptions are the flags of `corsproof proxy`.
type proxyOptions struct {
	f                *factory
	target, policy   string
	allowOrigins     []string
	allowCredentials bool
	addr             string
	quiet            bool
	logFormat        string
	ready            func(url string) // tests learn the address here
	shutdownDeadline time.Duration
}

func newProxyCmd(f *factory, runF func(context.Context, *proxyOptions) error) *cobra.Command {
	opts := &proxyOptions{f: f, shutdownDeadline: 2 * time.Second}
	if runF == nil {
		runF = runProxy
	}
	cmd := &cobra.Command{
		Use:   "proxy --target URL (--policy POLICY.yaml | --allow-origin ORIGIN...)",
		Short: "A development CORS proxy to one API that answers with the CORS headers of a policy",
		Long: `Forward every request to the API at --target (that one upstream only) and
answer with the CORS headers the policy gives, instead of the API's own:
preflights are answered by the proxy per route, actual responses get the
route's Access-Control-Allow-Origin, -Credentials and -Expose-Headers, and
origins the policy does not list get no CORS headers, so the browser blocks
them as the fixed API will. What works through the proxy works against an API
that honours the policy: hand the same file to the API team, and check their
API with ` + "`corsproof verify`" + `.
The proxy listens on loopback unless --addr says otherwise, refuses "*" with
credentials and "reflect", marks every answer X-Corsproof-Proxy: dev and logs
one line per request. Cookie and Set-Cookie pass through untouched.`,
		Example: `  corsproof proxy --target https://api.staging.example.com --policy api-cors.yaml
  corsproof proxy --target http://127.0.0.1:8080 --allow-origin http://localhost:5173 --allow-credentials`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runF(cmd.Context(), opts) },
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.target, "target", "", "the API's origin, such as https://api.staging.example.com (required)")
	fs.StringVar(&opts.policy, "policy", "", "the policy file whose CORS headers the proxy answers with")
	fs.StringArrayVar(&opts.allowOrigins, "allow-origin", nil, "without --policy: an origin to allow on every path (repeatable)")
	fs.BoolVar(&opts.allowCredentials, "allow-credentials", false, "with --allow-origin: allow credentials (cookies) too")
	fs.StringVar(&opts.addr, "addr", "127.0.0.1:8787", "address to listen on; loopback unless you ask otherwise")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "do not log requests")
	fs.StringVar(&opts.logFormat, "log-format", "text", "the request log on stdout: text (one line per request) or json (one JSON object per request, for tools)")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

// runProxy serves until ctx is done.
func runProxy(ctx context.Context, opts *proxyOptions) error {
	stdout, stderr := opts.f.stdout, opts.f.stderr
	if _, err := proxy.ParseTarget(opts.target); err != nil {
		return usagef("for example --target https://api.staging.example.com", "--target: %v", err)
	}
	if opts.logFormat != "text" && opts.logFormat != "json" {
		return usagef("use --log-format text or --log-format json", "--log-format: %q is not a log format", opts.logFormat)
	}
	host, _, err := net.SplitHostPort(opts.addr)
	if err != nil {
		return usagef("for example --addr 127.0.0.1:8787", "--addr %q: %v", opts.addr, err)
	}
	var pol *policy.Policy
	switch {
	case opts.policy != "" && len(opts.allowOrigins) > 0:
		return usagef("put the origins in the policy file", "--policy and --allow-origin exclude each other")
	case opts.policy == "" && len(opts.allowOrigins) == 0:
		return usagef("for example --policy api-cors.yaml, or --allow-origin http://localhost:5173", "give --policy or --allow-origin: the proxy adds CORS headers for the origins they name only")
	case opts.allowCredentials && opts.policy != "":
		return usagef("set allow_credentials on the policy's routes", "--allow-credentials goes with --allow-origin, not --policy")
	case opts.policy != "":
		pol, err = interruptible(ctx, "loading the policy", func() (*policy.Policy, error) { return policy.LoadContext(ctx, opts.policy) })
		if err != nil {
			return err
		}
	default:
		pol, err = proxy.MinimalPolicy(opts.allowOrigins, opts.allowCredentials)
		if err != nil {
			return fmt.Errorf("--allow-origin: %w", err)
		}
	}
	rules, warnings, err := proxy.NewPolicyRules(pol)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		// w says its own severity after its file:line:col.
		fmt.Fprintf(stderr, "corsproof: %s\n", w)
	}
	if w := exposureWarning(host, opts.addr); w != "" {
		fmt.Fprintln(stderr, "corsproof: warning: "+w)
	}
	popts := proxy.Options{Target: opts.target, Rules: rules, LogJSON: opts.logFormat == "json", RewriteRedirects: true}
	if !opts.quiet {
		popts.Log = stdout
	}
	p, err := proxy.New(popts)
	if err != nil {
		return err
	}
	srv, err := proxy.Listen(opts.addr, p)
	if err != nil {
		return listenError(err, opts.addr)
	}
	proxy.Banner{URL: srv.URL(), Target: p.Target(), Policy: pol, PolicyFile: opts.policy,
		Origins: opts.allowOrigins, Credentials: opts.allowCredentials}.Write(stderr)
	if opts.ready != nil {
		opts.ready(srv.URL())
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), opts.shutdownDeadline)
	defer cancel()
	return srv.Shutdown(sctx)
}
