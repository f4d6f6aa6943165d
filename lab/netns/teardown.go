package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/check"
)

// killGrace is how long components get to stop after SIGTERM (a VRRP master
// sends its priority-0 advert, a proxy finishes what is in flight) before
// they are killed.
const killGrace = 1500 * time.Millisecond

// nsID identifies a network namespace by its nsfs inode.
type nsID struct{ dev, ino uint64 }

func namespaceID(path string) (nsID, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nsID{}, false
	}
	return nsID{uint64(st.Dev), st.Ino}, true
}

// processesOf finds every process living in one of the namespaces, or
// running a binary from the lab directories — by looking, not by trusting a
// record, so that it works after `kill -9` of anything and with lost state.
func processesOf(namespaces []string, labDirs []string) []int {
	ids := map[nsID]bool{}
	for _, name := range namespaces {
		if id, ok := namespaceID(NamespacePath(name)); ok {
			ids[id] = true
		}
	}
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if id, ok := namespaceID(fmt.Sprintf("/proc/%d/ns/net", pid)); ok && ids[id] {
			pids = append(pids, pid)
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil {
			continue
		}
		for _, dir := range labDirs {
			if strings.HasPrefix(exe, dir+"/") {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// stopProcesses sends SIGTERM, waits up to grace, then SIGKILLs the rest and
// waits until they are gone.
func stopProcesses(pids []int, grace time.Duration) error {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	waitGone := func(d time.Duration) []int {
		deadline := time.Now().Add(d)
		for {
			var left []int
			for _, pid := range pids {
				if check.ProcessAlive(pid) {
					left = append(left, pid)
				}
			}
			if len(left) == 0 || time.Now().After(deadline) {
				return left
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	left := waitGone(grace)
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	if left = waitGone(2 * time.Second); len(left) > 0 {
		return fmt.Errorf("processes %v survived SIGKILL", left)
	}
	return nil
}

// teardown removes a lab's processes, namespaces (with every link in them)
// and directory. prefix selects the namespaces (halab-NAME- or halab- for
// all); dirs are the lab directories to remove.
func teardown(prefix string, dirs []string, progress lab.Progress) error {
	namespaces := listNamespaces(prefix)
	var errs []error
	if pids := processesOf(namespaces, dirs); len(pids) > 0 {
		progress.Report("", "stopping %d processes", len(pids))
		if err := stopProcesses(pids, killGrace); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range namespaces {
		if err := deleteNamespace(name); err != nil {
			errs = append(errs, err)
		}
	}
	if len(namespaces) > 0 {
		progress.Report("", "removed %d namespaces: %s", len(namespaces), strings.Join(namespaces, " "))
	}
	for _, dir := range dirs {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", dir, err))
		}
	}
	return errors.Join(errs...)
}

// Down removes the lab called name: every process in its namespaces, the
// namespaces with their bridges and veths, and its directory. It is
// idempotent and needs no state: after `kill -9` of everything it finds
// the leftovers by name.
func (p *Provider) Down(_ context.Context, name string, progress lab.Progress) error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	unlock, err := lockLab(name)
	if err != nil {
		return err
	}
	defer unlock()
	// Recorded first, so that a removal stopped half-way (killed) shows as
	// such in `halab status` and to the next `halab up`.
	if st, err := lab.LoadState(name); err == nil && st.Phase != lab.PhaseRemoving {
		st.Phase = lab.PhaseRemoving
		_ = st.Save() // best effort: teardown needs no state
	}
	if err := teardown(Prefix+name+"-", []string{lab.LabDir(name)}, progress); err != nil {
		return fmt.Errorf("lab %s: down: %w", name, err)
	}
	return nil
}

// DownAll removes every lab halab made on this machine, including leftovers
// of labs whose state is lost.
func (p *Provider) DownAll(_ context.Context, progress lab.Progress) error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	unlock, err := lockLab("*")
	if err != nil {
		return err
	}
	defer unlock()
	entries, _ := os.ReadDir(lab.RunDir)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(lab.RunDir, e.Name()))
		}
	}
	return teardown(Prefix, dirs, progress)
}

// Leftovers lists what halab left on this machine that belongs to no
// recorded lab: its namespaces, and lab directories without a state record
// (a `halab up` killed before it recorded the lab, or a `halab down` killed
// while it removed the directory), which hold a copy of the halab binary.
// A lab being built this very instant may show for a moment as well.
func Leftovers() []string {
	recorded := map[string]bool{}
	for _, name := range lab.Running() {
		recorded[name] = true
	}
	var left []string
	for _, ns := range listNamespaces(Prefix) {
		labName, _, _ := strings.Cut(strings.TrimPrefix(ns, Prefix), "-")
		if !recorded[labName] {
			left = append(left, ns)
		}
	}
	entries, _ := os.ReadDir(lab.RunDir)
	for _, e := range entries {
		if e.IsDir() && !recorded[e.Name()] {
			left = append(left, lab.LabDir(e.Name()))
		}
	}
	return left
}

// lockLab is lab.Lock.
func lockLab(name string) (func(), error) { return lab.Lock(name) }
