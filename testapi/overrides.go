package testapi

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/policy"
)

// overrides are the per-request adjustments read from the query string;
// nil fields leave the route as it is.
type overrides struct {
	acao              []string
	acac              *bool
	acam, acah, aceh  *[]string
	maxAge            *int
	clearMaxAge       bool
	preflightStatus   *int
	status            *int
	redirect          *string
	preflightRedirect *string
	vary              *bool
	corsOnErrors      *bool
	delayMS           *int
}

// overrideKeys are the query parameters that adjust a route.
var overrideKeys = []string{"acao", "acac", "acam", "acah", "aceh", "max_age", "preflight_status",
	"status", "redirect", "preflight_redirect", "vary", "cors_on_errors", "delay_ms"}

// parseOverrides reads the override parameters of q. present is true when
// any override key appears, even with a bad value.
func parseOverrides(q url.Values) (ov overrides, present bool, err error) {
	var errs []error
	bad := func(key, val, want string) {
		errs = append(errs, fmt.Errorf("%s=%s: want %s", key, fileerr.Quote(val), want))
	}
	for _, key := range overrideKeys {
		vals, ok := q[key]
		if !ok {
			continue
		}
		present = true
		last := vals[len(vals)-1]
		switch key {
		case "acao":
			for _, v := range vals {
				if v == "" || hasControl(v) {
					bad(key, v, "a non-empty value without control characters")
				}
			}
			ov.acao = vals
		case "acac", "vary", "cors_on_errors":
			b, perr := parseBool(last)
			if perr != nil {
				bad(key, last, "true or false (1 or 0)")
				continue
			}
			switch key {
			case "acac":
				ov.acac = &b
			case "vary":
				ov.vary = &b
			default:
				ov.corsOnErrors = &b
			}
		case "acam", "acah", "aceh":
			list := splitList(vals)
			check := policy.CheckHeaderName
			if key == "acam" {
				check = policy.CheckMethod
			}
			for _, v := range list {
				if msg, _ := check(v); msg != "" {
					bad(key, v, "comma-separated tokens")
				}
			}

			switch key {
			case "acam":
				ov.acam = &list
			case "acah":
				ov.acah = &list
			default:
				ov.aceh = &list
			}
		case "max_age":
			if last == "" {
				ov.clearMaxAge = true
				continue
			}
			// Negative values are allowed: what a browser makes of them is
			// worth measuring.
			n, perr := strconv.Atoi(last)
			if perr != nil {
				bad(key, last, "whole seconds")
				continue
			}
			ov.maxAge = &n
		case "preflight_status", "status":
			n, perr := strconv.Atoi(last)
			if perr != nil || n < 200 || n > 599 {
				bad(key, last, "a status between 200 and 599")
				continue
			}
			if key == "status" {
				ov.status = &n
			} else {
				ov.preflightStatus = &n
			}
		case "redirect", "preflight_redirect":
			if cerr := policy.CheckRedirect(last); cerr != nil {
				bad(key, last, "an absolute http(s) URL or a path starting with /")
				continue
			}
			if key == "redirect" {
				ov.redirect = &last
			} else {
				ov.preflightRedirect = &last
			}
		case "delay_ms":
			n, perr := strconv.Atoi(last)
			if perr != nil || n < 0 || n > policy.MaxDelayMS {
				bad(key, last, fmt.Sprintf("milliseconds between 0 and %d", policy.MaxDelayMS))
				continue
			}
			ov.delayMS = &n
		}
	}
	return ov, present, errors.Join(errs...)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// splitList turns repeated and comma-separated values into one list; an
// empty value gives an empty list, which clears the header.
func splitList(vals []string) []string {
	out := []string{}
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// apply changes route by the overrides.
func (ov overrides) apply(r *policy.Route) {
	if ov.acao != nil {
		// Sent for any request with an Origin: "reflect" matches them all.
		r.AllowOrigins = []string{policy.OriginReflect}
		r.ACAOOverride = ov.acao
	}
	if ov.acac != nil {
		r.AllowCredentials = *ov.acac
	}
	if ov.acam != nil {
		r.AllowMethods = *ov.acam
	}
	if ov.acah != nil {
		r.AllowHeaders = *ov.acah
	}
	if ov.aceh != nil {
		r.ExposeHeaders = *ov.aceh
	}
	if ov.clearMaxAge {
		r.MaxAge = nil
	}
	if ov.maxAge != nil {
		r.MaxAge = ov.maxAge
	}
	if ov.preflightStatus != nil {
		r.PreflightStatus = *ov.preflightStatus
	}
	if ov.status != nil {
		r.Status = *ov.status
	}
	if ov.redirect != nil {
		r.Redirect = *ov.redirect
	}
	if ov.preflightRedirect != nil {
		r.PreflightRedirect = *ov.preflightRedirect
	}
	if ov.vary != nil {
		r.Vary = *ov.vary
	}
	if ov.corsOnErrors != nil {
		r.CORSOnErrors = *ov.corsOnErrors
	}
	if ov.delayMS != nil {
		r.DelayMS = *ov.delayMS
	}
}

// reflectHeaders, as the one value of acah, makes a preflight answer echo
// Access-Control-Request-Headers, as many frameworks' "allow any header"
// settings do: each cached result then lists only the headers that one
// preflight asked for.
const reflectHeaders = "reflect"

// hasControl reports control characters, which no header value may carry.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
