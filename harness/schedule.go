package harness

import (
	"cmp"
	"slices"
	"sync"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/scenarios"
)

// scheduler hands the cases of a run to the workers so that each worker's
// next page is as cheap to load as it can be. A reused tab keeps its page
// for a case of the same origin (no navigation at all), and a page of
// another origin of the same site loads in the renderer process the tab
// already has; a new site costs a new renderer process (site isolation),
// tens of milliseconds of CPU. So a worker stays on its origin, then on its
// site, then takes a site no other worker has, and only when every site is
// taken joins the one with the most cases left. Sharing a site among
// workers would give each of them that site's process; keeping to one is
// free under clean isolation, where a reused context was verified empty.
type scheduler struct {
	mu    sync.Mutex
	sites []*siteGroup
	// where[i] is case i's site and origin queue.
	where []struct{ site, origin int }
	// unclaimed is the first site no worker has taken yet; active are the
	// sites taken, pruned of the finished ones when a worker looks for a
	// site to join.
	unclaimed int
	active    []int
}

// siteGroup is the cases of one site not yet handed out, by origin.
type siteGroup struct {
	origins [][]int
	first   int // origins before this one are empty
	left    int
}

func newScheduler(cases []scenarios.Case) *scheduler {
	type key struct{ site, origin string }
	keys := make([]key, len(cases))
	order := make([]int, len(cases))
	for i, c := range cases {
		keys[i] = key{cors.Site(c.Origin), c.Origin}
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(keys[a].site, keys[b].site), cmp.Compare(keys[a].origin, keys[b].origin))
	})
	s := &scheduler{where: make([]struct{ site, origin int }, len(cases))}
	for n, i := range order {
		if n == 0 || keys[i].site != keys[order[n-1]].site {
			s.sites = append(s.sites, &siteGroup{})
		}
		g := s.sites[len(s.sites)-1]
		if n == 0 || keys[i] != keys[order[n-1]] {
			g.origins = append(g.origins, nil)
		}
		g.origins[len(g.origins)-1] = append(g.origins[len(g.origins)-1], i)
		g.left++
		s.where[i] = struct{ site, origin int }{len(s.sites) - 1, len(g.origins) - 1}
	}
	return s
}

// next is the case a worker runs after case last (-1 before its first); ok
// is false when every case has been handed out.
func (s *scheduler) next(last int) (i int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last >= 0 {
		w := s.where[last]
		if g := s.sites[w.site]; g.left > 0 {
			if len(g.origins[w.origin]) > 0 {
				return s.take(w.site, w.origin), true
			}
			return s.take(w.site, -1), true
		}
	}
	if s.unclaimed < len(s.sites) {
		site := s.unclaimed
		s.unclaimed++
		s.active = append(s.active, site)
		return s.take(site, -1), true
	}
	best := -1
	s.active = slices.DeleteFunc(s.active, func(site int) bool { return s.sites[site].left == 0 })
	for _, site := range s.active {
		if best < 0 || s.sites[site].left > s.sites[best].left {
			best = site
		}
	}
	if best < 0 {
		return -1, false
	}
	return s.take(best, -1), true
}

// take hands out the next case of an origin of a site (origin -1: of the
// site's first origin with cases left).
func (s *scheduler) take(site, origin int) int {
	g := s.sites[site]
	if origin < 0 {
		for len(g.origins[g.first]) == 0 {
			g.first++
		}
		origin = g.first
	}
	i := g.origins[origin][0]
	g.origins[origin] = g.origins[origin][1:]
	g.left--
	return i
}
