package harness

import (
	"slices"
	"testing"

	"github.com/corsproof/corsproof/scenarios"
)

func casesFrom(origins ...string) []scenarios.Case {
	cs := make([]scenarios.Case, len(origins))
	for i, o := range origins {
		cs[i] = scenarios.Case{Name: o, Origin: o}
	}
	return cs
}

// drain hands every case out to workers that ask in turn, and returns the
// case indices each worker ran.
func drain(t *testing.T, cases []scenarios.Case, workers int) [][]int {
	t.Helper()
	s := newScheduler(cases)
	last := make([]int, workers)
	for w := range last {
		last[w] = -1
	}
	ran := make([][]int, workers)
	seen := map[int]bool{}
	for busy := true; busy; {
		busy = false
		for w := range last {
			if last[w] == -2 {
				continue
			}
			i, ok := s.next(last[w])
			if !ok {
				last[w] = -2
				continue
			}
			if seen[i] {
				t.Fatalf("case %d handed out twice", i)
			}
			busy, seen[i], last[w] = true, true, i
			ran[w] = append(ran[w], i)
		}
	}
	if len(seen) != len(cases) {
		t.Fatalf("%d of %d cases handed out", len(seen), len(cases))
	}
	return ran
}

func TestSchedulerKeepsAWorkerOnItsOriginThenItsSite(t *testing.T) {
	cases := casesFrom(
		"https://a.example.com", // 0
		"https://evil.test",     // 1
		"https://b.example.com", // 2
		"http://127.0.0.1",      // 3
		"https://a.example.com", // 4
		"https://x.evil.test",   // 5
		"https://b.example.com", // 6
		"https://a.example.com", // 7
	)
	ran := drain(t, cases, 2)
	// Sites in order: http://127.0.0.1, https://evil.test, https://example.com.
	// Worker 0 takes 127.0.0.1, then the unclaimed example.com, and stays on
	// a.example.com while it has cases; worker 1 takes evil.test, moves to
	// its other origin, then joins example.com, the only site with cases
	// left.
	want := [][]int{{3, 0, 4, 2}, {1, 5, 7, 6}}
	for w := range want {
		if !slices.Equal(ran[w], want[w]) {
			t.Errorf("worker %d ran %v, want %v (all: %v)", w, ran[w], want[w], ran)
		}
	}
}

func TestSchedulerSharesOneOriginAmongWorkers(t *testing.T) {
	// One origin (the usual hand-written suite): no worker may sit idle.
	ran := drain(t, casesFrom(slices.Repeat([]string{"http://localhost:3000"}, 7)...), 3)
	for w, r := range ran {
		if len(r) < 2 {
			t.Errorf("worker %d ran %v of 7 cases of one origin: the others did its work", w, r)
		}
	}
}

func TestSchedulerEmpty(t *testing.T) {
	if i, ok := newScheduler(nil).next(-1); ok {
		t.Fatalf("next on no cases = %d, true", i)
	}
}
