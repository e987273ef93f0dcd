package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/corsproof/corsproof/runner"
)

// repeatFlags are --repeat and --every, shared by run and probe: a client
// pattern of many calls, whose preflight cost the reports count.
type repeatFlags struct {
	n     int
	every time.Duration
}

func (r *repeatFlags) add(fs *pflag.FlagSet) {
	fs.IntVar(&r.n, "repeat", 1, "make each request N times from the same page and browser context, to measure the preflight cache and the preflight economy")
	fs.DurationVar(&r.every, "every", 500*time.Millisecond, "with --repeat: the pause between calls (real time; Chromium keeps a preflight result 5 s without Access-Control-Max-Age)")
}

// apply puts the flags into a runner configuration; the runner validates.
func (r *repeatFlags) apply(cfg *runner.Config) error {
	cfg.Repeat, cfg.Every = r.n, r.every
	if r.n < 1 {
		return usagef("for example --repeat 20", "--repeat must be at least 1, got %d", r.n)
	}
	return cfg.Validate()
}
