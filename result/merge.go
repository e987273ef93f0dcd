package result

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Merge joins runs made in parallel (shards of one suite on several CI
// jobs, say) into one run from which every report can be produced. Records
// keep the order of the runs given; the browser, driver and settings are
// kept when all runs agree and listed when they do not.
func Merge(runs ...*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, errors.New("merging runs: no runs given")
	}
	out := &Run{Tool: "corsproof"}
	var browsers, paths, drivers, cookies, lnas, isolations []string
	for _, r := range runs {
		if r == nil {
			continue
		}
		for _, s := range r.Suites {
			if !slices.Contains(out.Suites, s) {
				out.Suites = append(out.Suites, s)
			}
		}
		browsers = addOnce(browsers, r.Browser)
		paths = addOnce(paths, r.BrowserPath)
		drivers = addOnce(drivers, r.Driver)
		cookies = addOnce(cookies, r.ThirdPartyCookies)
		lnas = addOnce(lnas, r.LNA)
		isolations = addOnce(isolations, r.Isolation)
		if !r.Started.IsZero() && (out.Started.IsZero() || r.Started.Before(out.Started)) {
			out.Started = r.Started
		}
		// Shards run side by side, so the merged run lasts as long as the
		// longest of them, not their sum.
		out.DurationMS = max(out.DurationMS, r.DurationMS)
		out.Records = append(out.Records, r.Records...)
	}
	out.Browser = strings.Join(browsers, ", ")
	out.BrowserPath = strings.Join(paths, ", ")
	out.Driver = strings.Join(drivers, ", ")
	out.ThirdPartyCookies = strings.Join(cookies, ", ")
	out.LNA = strings.Join(lnas, ", ")
	out.Isolation = strings.Join(isolations, ", ")
	if out.Started.IsZero() {
		out.Started = time.Time{}
	}
	out.Tally()
	return out, nil
}

func addOnce(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
