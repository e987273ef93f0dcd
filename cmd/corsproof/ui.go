package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/ui"
)

// uiOptions are the flags and argument of `corsproof ui`.
type uiOptions struct {
	f       *factory
	addr    string
	link    string
	browser browserFlags
	ready   func(url string) // tests learn the address here
}

func newUICmd(f *factory, runF func(context.Context, *uiOptions) error) *cobra.Command {
	opts := &uiOptions{f: f}
	if runF == nil {
		runF = runUI
	}
	cmd := &cobra.Command{
		Use:   "ui [LINK]",
		Short: "Open a local playground page: a request form whose Run button asks real Chromium",
		Long: `Serve a playground page on loopback: a form for one request (page origin,
URL, method, headers, body, credentials, fetch or XHR) whose Run button makes
the request in corsproof's own headless Chromium, from a page at that origin,
and shows the record as the HTML report does: the verdict, Chromium's reason,
the diagnosis and fix, the preflight and actual headers side by side, what
JavaScript could read. Each record can be copied as a suite case or as a
corsproof probe command, and the form as a share link.

The page's URL holds a random token made at each start; requests without it,
from another origin or naming another Host (DNS rebinding) are refused. LINK
is a share link from the page: the form opens filled in with its request.`,
		Example: `  corsproof ui
  corsproof ui 'http://127.0.0.1:8787/#url=http%3A%2F%2F127.0.0.1%3A8080%2Fapi%2Fopen&method=PUT'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.link = args[0]
			}
			return runF(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.addr, "addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	opts.browser.add(fs)
	opts.browser.addTryFix(fs)
	return cmd
}

// runUI serves the playground until ctx is done.
func runUI(ctx context.Context, opts *uiOptions) error {
	frag, err := ui.ShareFragment(opts.link)
	if err != nil {
		return err
	}
	cfg, err := opts.browser.config(opts.f.browser)
	if err != nil {
		return err
	}
	srv, err := ui.Start(ctx, opts.addr, ui.Config{Runner: cfg, Notice: noticeTo(opts.f.stderr)})
	if err != nil {
		return err
	}
	page := srv.URL()
	if frag != "" {
		page += "#" + frag
	}
	fmt.Fprintf(opts.f.stderr, "corsproof: playground on loopback, running requests in %s (Ctrl-C to stop); open:\n", srv.Browser().Version())
	fmt.Fprintln(opts.f.stdout, page)
	if opts.ready != nil {
		opts.ready(page)
	}
	<-ctx.Done()
	return srv.Close()
}
