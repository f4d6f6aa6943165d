package netns

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// procRoot is the proc file system process trees are read from.
var procRoot = "/proc"

// descendants lists root's children, their children and so on, as the
// proc file system has them now (parent pids from /proc/PID/stat). A
// process that left the tree's session stays in it: keepalived's VRRP
// child calls setsid, and is still keepalived's.
func descendants(root int) []int {
	entries, _ := os.ReadDir(procRoot)
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	seen := map[int]bool{root: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// parentOf reads a process's parent pid: the field after the state
// letter, which follows the command name in parentheses.
func parentOf(pid int) (int, bool) {
	data, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(data[i+1:])
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(fields[1]))
	return ppid, err == nil
}

// freezeTree stops (SIGSTOP) a component process and everything below it,
// looking again until no new process appears (one may fork while the
// others are being stopped; at most a few rounds), and returns them all,
// the component first.
func freezeTree(pid int) []int {
	all := []int{pid}
	frozen := map[int]bool{}
	for round := 0; round < 5; round++ {
		grew := false
		for _, p := range append([]int{pid}, descendants(pid)...) {
			if !frozen[p] {
				frozen[p] = true
				grew = true
				if p != pid {
					all = append(all, p)
				}
				_ = syscall.Kill(p, syscall.SIGSTOP)
			}
		}
		if !grew {
			break
		}
	}
	return all
}

// killTree is `killall -9` of a component: the component process and
// every process it started (a real program behind its adapter, with that
// program's children) are frozen, then killed together, so that none of
// them sees another die and has a last word (keepalived's VRRP child would
// send priority 0). It waits, bounded, until they are gone.
func killTree(pid int) {
	pids := freezeTree(pid)
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	for _, p := range pids {
		waitExit(p, 2*time.Second)
	}
}
