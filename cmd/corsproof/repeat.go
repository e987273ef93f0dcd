package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/corsproof/corsproof/runner"
)

// repeatFlags are --repeat and --every, shared by run and probe: a client
// pattern of many calls, whose preflight cost the reports count.
type repeatFlags struct {
	// n is how many calls; 0 (options built in code) means one, as the
	// flag's default does. The flag itself refuses anything below 1.
	n     repeatCount
	every time.Duration
	fs    *pflag.FlagSet
}

func (r *repeatFlags) add(fs *pflag.FlagSet) {
	r.n, r.fs = 1, fs
	fs.Var(&r.n, "repeat", "make each request `N` times from the same page and browser context, to measure the preflight cache and the preflight economy")
	fs.DurationVar(&r.every, "every", 500*time.Millisecond, "with --repeat: the pause between calls (real time; Chromium keeps a preflight result 5 s without Access-Control-Max-Age)")
}

// apply puts the flags into a runner configuration; the runner validates.
func (r *repeatFlags) apply(cfg *runner.Config) error {
	if r.fs != nil && r.fs.Changed("every") && r.n <= 1 {
		return usagef("add --repeat N to make N calls that far apart, or drop --every", "--every: %q paces the calls of --repeat, and there is one call", r.every.String())
	}
	cfg.Repeat, cfg.Every = int(r.n), r.every
	return cfg.Validate()
}

// repeatCount is --repeat's value: a whole number of at least 1.
type repeatCount int

func (c *repeatCount) String() string { return strconv.Itoa(int(*c)) }
func (c *repeatCount) Type() string   { return "int" }

func (c *repeatCount) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a number of calls (1 or more)", s)
	}
	*c = repeatCount(n)
	return nil
}
