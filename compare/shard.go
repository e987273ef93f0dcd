package compare

import (
	"strings"

	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// ForShard is the part of a saved run that shard sh of suites compares
// with (run --shard i/n --baseline): old without the records of the cases
// that the other shards of the split run, and how many it left out. A
// record belongs to a case when it has the case's suite and name, or the
// name of a record made from that case (the case on a path, "NAME @PATH",
// or one of its generated checks, "NAME › …"). Records of cases no suite has
// any more stay, so that every shard reports them as removed. The zero Shard
// is the whole run: old comes back as it is.
func ForShard(old *result.Run, suites []*scenarios.Suite, sh scenarios.Shard) (*result.Run, int, error) {
	if old == nil || sh == (scenarios.Shard{}) {
		return old, 0, nil
	}
	mine, err := sh.Split(suites)
	if err != nil {
		return nil, 0, err
	}
	part, skipped := ForCases(old, suites, mine)
	return part, skipped, nil
}

// ForCases is the part of a saved run that a run of the cases in mine, a
// part of all (a shard, a --case selection, or both), compares with: old
// without the records of the cases of all that are not in mine, and how
// many cases it left out. Records of cases all does not have stay, so that they
// are reported as removed.
func ForCases(old *result.Run, all, mine []*scenarios.Suite) (*result.Run, int) {
	if old == nil {
		return old, 0
	}
	type key struct{ suite, name string }
	own := map[key]bool{}
	for _, s := range mine {
		if s == nil {
			continue
		}
		for _, c := range s.Cases {
			own[key{s.Name, c.Name}] = true
		}
	}
	// others maps a suite name to the names of its cases not in mine.
	others := map[string][]string{}
	for _, s := range all {
		if s == nil {
			continue
		}
		for _, c := range s.Cases {
			if !own[key{s.Name, c.Name}] {
				others[s.Name] = append(others[s.Name], c.Name)
			}
		}
	}
	// caseOf is the case of all a record was made from, "" for none.
	caseOf := func(rec *result.Record, names []string) string {
		for _, n := range names {
			if rec.Name == n || strings.HasPrefix(rec.Name, n+" @") || strings.HasPrefix(rec.Name, n+" › ") {
				return n
			}
		}
		return ""
	}
	part := *old
	part.Records = nil
	// Cases, not records: a case on two paths with its checks is one.
	left := map[key]bool{}
	for i := range old.Records {
		rec := &old.Records[i]
		if !own[key{rec.Suite, rec.Name}] {
			if n := caseOf(rec, others[rec.Suite]); n != "" {
				left[key{rec.Suite, n}] = true
				continue
			}
		}
		part.Records = append(part.Records, *rec)
	}
	return &part, len(left)
}
