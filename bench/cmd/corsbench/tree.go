package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER (linux/prctl.h).
const prSetChildSubreaper = 36

// becomeSubreaper makes this process the parent of every orphan among its
// descendants. Chromium's crash handler and some helpers double-fork; as a
// subreaper the benchmark still sees them in its tree, so the PSS sum and
// the leftover count cover everything a tool started.
func becomeSubreaper() error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("becoming child subreaper: %w", errno)
	}
	return nil
}

// parentOf reads the parent pid from the text of /proc/PID/stat. The
// command name in parentheses may hold spaces and ")", so the fields are
// counted from the last ")".
func parentOf(stat []byte) (int, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("no command name")
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 2 {
		return 0, errors.New("too few fields")
	}
	return strconv.Atoi(fields[1])
}

// descendants lists the live processes below root, root excluded.
func descendants(root int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone since ReadDir
		}
		ppid, err := parentOf(stat)
		if err != nil {
			continue
		}
		children[ppid] = append(children[ppid], pid)
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// pssKB parses the Pss line of /proc/PID/smaps_rollup.
func pssKB(rollup []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(rollup))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, errors.New("no Pss line")
}

// treePSS sums the proportional set size of the processes, in kB, and
// counts those it could read (zombies have no memory and no rollup).
func treePSS(pids []int) (kb int64, live int) {
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil || len(data) == 0 {
			continue
		}
		n, err := pssKB(data)
		if err != nil {
			continue
		}
		kb += n
		live++
	}
	return kb, live
}

// sampler records the peak PSS of the processes below root while a tool
// runs. PSS divides shared pages among the processes that map them, so the
// sum over a tree is the tree's real share of memory; RSS would count
// Chromium's shared libraries once per process.
type sampler struct {
	root  int
	stop  chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	peak  int64
	procs int
}

// startSampler samples the tree below root every interval until Stop.
func startSampler(root int, interval time.Duration) *sampler {
	s := &sampler{root: root, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) sample() {
	kb, live := treePSS(descendants(s.root))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak = max(s.peak, kb)
	s.procs = max(s.procs, live)
}

// Stop ends sampling and returns the peak PSS in kB and the most processes
// seen at once.
func (s *sampler) Stop() (peakKB int64, maxProcs int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.procs
}

// reapLeftovers is called when a tool's own process has exited. It reaps
// the zombies handed to this subreaper, waits up to grace for the rest of
// the tree to exit, and kills by pid whatever is still alive then. atExit
// counts the live processes the tool left behind when it exited; killed,
// those still alive after grace (a leak). Call it only when no exec.Cmd of
// this program is running, since it reaps any child.
func reapLeftovers(root int, grace time.Duration) (atExit, killed int) {
	reapZombies()
	atExit = len(descendants(root))
	deadline := time.Now().Add(grace)
	for {
		now := descendants(root)
		if len(now) == 0 {
			return atExit, 0
		}
		if time.Now().After(deadline) {
			for _, pid := range now {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			time.Sleep(100 * time.Millisecond)
			reapZombies()
			return atExit, len(now)
		}
		time.Sleep(50 * time.Millisecond)
		reapZombies()
	}
}

func reapZombies() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
