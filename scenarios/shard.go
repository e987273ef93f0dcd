package scenarios

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part of a deterministic split of cases across n CI jobs.
type Shard struct {
	// Index counts from 1 to Count.
	Index, Count int
}

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, such as 2/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Holds reports whether the case belongs to the shard. The split hashes the
// suite file and the case name, so it does not depend on the order of
// files or cases, and a case stays in its shard while others come and go.
func (s Shard) Holds(c Case) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(c.File))
	h.Write([]byte{0})
	h.Write([]byte(c.Name))
	return int(h.Sum64()%uint64(s.Count)) == s.Index-1
}

// Select returns the cases of the suite that belong to the shard, as a new
// suite.
func (s Shard) Select(suite *Suite) *Suite {
	out := *suite
	out.Cases = nil
	for _, c := range suite.Cases {
		if s.Holds(c) {
			out.Cases = append(out.Cases, c)
		}
	}
	return &out
}
