package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// The HAR importer pairs entries with each other: redirect hops with the
// request they continue in, preflights with their request. Scanning every
// entry for each made a 50,000-entry HAR take minutes; these indexes make
// each pairing a lookup, so an import is linear in the entries.

// reqKey groups requests that can pair: the same URL from the same page.
type reqKey struct{ url, origin string }

// redirectIndex finds the next request for a URL from a page origin that
// no redirect continues in yet.
type redirectIndex struct {
	lists  map[reqKey][]*harReq // in entry order
	cursor map[reqKey]int
}

func newRedirectIndex(entries []*harReq) *redirectIndex {
	ix := &redirectIndex{lists: map[reqKey][]*harReq{}, cursor: map[reqKey]int{}}
	for _, n := range entries {
		if !n.preflight {
			k := reqKey{n.url, n.origin}
			ix.lists[k] = append(ix.lists[k], n)
		}
	}
	return ix
}

// next returns the first request after entry index that no hop continues
// in, or nil. Calls come in increasing index, so every candidate before the
// one returned is of no use to a later call: the cursor moves past them.
func (ix *redirectIndex) next(k reqKey, index int) *harReq {
	list := ix.lists[k]
	for i := ix.cursor[k]; i < len(list); i++ {
		n := list[i]
		if n.index > index && n.prev == nil {
			ix.cursor[k] = i + 1
			return n
		}
	}
	return nil
}

// preflightIndex finds the request nearest to a preflight (by entry
// index) among those to its URL from its page with the method it asked
// for, skipping requests already paired. Paired requests are spliced out
// of each group with path-compressed links, so each lookup costs about
// as much as the distance to the nearest free request.
type preflightIndex struct {
	groups map[string]*nearGroup
	all    map[reqKey][]*harReq
}

// nearGroup is one group's requests in entry order, with links to skip
// requests that are paired.
type nearGroup struct {
	reqs        []*harReq
	left, right []int // the nearest free position at or left (right) of i
}

func newPreflightIndex(cands []*harReq) *preflightIndex {
	ix := &preflightIndex{groups: map[string]*nearGroup{}, all: map[reqKey][]*harReq{}}
	for _, r := range cands {
		if r.preflight {
			continue
		}
		k := methodKey(r.url, r.origin, r.method)
		g := ix.groups[k]
		if g == nil {
			g = &nearGroup{}
			ix.groups[k] = g
		}
		g.reqs = append(g.reqs, r)
		ix.all[reqKey{r.url, r.origin}] = append(ix.all[reqKey{r.url, r.origin}], r)
	}
	for _, g := range ix.groups {
		sortByIndex(g.reqs)
		g.left, g.right = make([]int, len(g.reqs)), make([]int, len(g.reqs))
		for i := range g.reqs {
			g.left[i], g.right[i] = i, i
		}
	}
	for k, l := range ix.all {
		sortByIndex(l)
		ix.all[k] = l
	}
	return ix
}

func methodKey(url, origin, method string) string {
	return fmt.Sprintf("%d:%s%d:%s%s", len(url), url, len(origin), origin, strings.ToUpper(method))
}

// match pairs p with its request, if one is free.
func (ix *preflightIndex) match(p *harReq) *harReq {
	var best *harReq
	if p.acrm == "" {
		// A preflight known only by its type: any method. Rare enough
		// to scan its group.
		bestDist := 0
		for _, r := range ix.all[reqKey{p.url, p.origin}] {
			if r.matched != nil {
				continue
			}
			if d := abs(r.index - p.index); best == nil || d < bestDist {
				best, bestDist = r, d
			}
		}
		return best
	}
	g := ix.groups[methodKey(p.url, p.origin, p.acrm)]
	if g == nil {
		return nil
	}
	// The first request after the preflight, and the one before it.
	lo, hi := 0, len(g.reqs)
	for lo < hi {
		mid := (lo + hi) / 2
		if g.reqs[mid].index < p.index {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	after, before := g.free(lo, true), g.free(lo-1, false)
	switch {
	case after < 0 && before < 0:
		return nil
	case after < 0:
		best = g.reqs[before]
	case before < 0:
		best = g.reqs[after]
	default:
		a, b := g.reqs[after], g.reqs[before]
		// A request that sends every header the preflight asked about
		// wins over one that does not (a simple GET next to the preflight
		// of a GET with X-Token); else the nearer, and at equal distance
		// the earlier, as when every entry was scanned in order.
		best = a
		switch fa, fb := coversPreflight(p, a), coversPreflight(p, b); {
		case fa != fb:
			if fb {
				best = b
			}
		case p.index-b.index <= a.index-p.index:
			best = b
		}
	}
	return best
}

// free returns the nearest position at or beyond i (rightwards or
// leftwards) whose request is not paired, or -1.
func (g *nearGroup) free(i int, rightwards bool) int {
	links := g.left
	if rightwards {
		links = g.right
	}
	var path []int
	for i >= 0 && i < len(g.reqs) {
		if links[i] != i {
			path = append(path, i)
			i = links[i]
			continue
		}
		if g.reqs[i].matched == nil {
			break
		}
		// Paired since: link it to its neighbour.
		path = append(path, i)
		if rightwards {
			links[i] = i + 1
		} else {
			links[i] = i - 1
		}
		i = links[i]
	}
	if i >= len(g.reqs) {
		i = -1
	}
	for _, j := range path {
		if i >= 0 {
			links[j] = i
		} else if rightwards {
			links[j] = len(g.reqs)
		} else {
			links[j] = -1
		}
	}
	return i
}

func sortByIndex(l []*harReq) {
	slices.SortStableFunc(l, func(a, b *harReq) int { return a.index - b.index })
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// uniqueNames gives cases unique names: a repeated name gets " #2", " #3"
// … in order, skipping any number another case already has as its name.
type uniqueNames struct {
	used map[string]bool
	next map[string]int
}

func newUniqueNames() *uniqueNames {
	return &uniqueNames{used: map[string]bool{}, next: map[string]int{}}
}

func (u *uniqueNames) name(base string) string {
	name := base
	if u.used[name] {
		n := max(u.next[base], 2)
		for ; u.used[fmt.Sprintf("%s #%d", base, n)]; n++ {
		}
		name = fmt.Sprintf("%s #%d", base, n)
		u.next[base] = n + 1
	}
	u.used[name] = true
	return name
}

// coversPreflight reports whether request r sends every header preflight
// p asked about (Access-Control-Request-Headers), as p's request must.
func coversPreflight(p, r *harReq) bool {
	for _, want := range p.acrh {
		if !slices.ContainsFunc(r.headers, func(h [2]string) bool { return strings.EqualFold(h[0], want) }) {
			return false
		}
	}
	return true
}
