package vrrp

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// pidWaiter waits for any of a set of processes to end, on pidfds
// (pidfd_open(2), Linux 5.3): a pidfd polls readable the moment its process
// exits (it is a zombie then, not yet reaped), so a tracked process's death
// is known without a /proc scan, as keepalived knows it from the kernel's
// process connector. An eventfd wakes the wait when the tracker stops.
//
// A pidfd names one process, not a number: a pid reused after the process
// was reaped is a new process, with a new pidfd, and never confused with
// the old one.
type pidWaiter struct {
	mu     sync.Mutex // guards wake against stop racing close
	wake   int        // eventfd: written to stop a wait
	closed bool

	fds map[int]int // pid → pidfd; used by one goroutine
}

// errNoPidfd is returned by newPidWaiter where the kernel (or a seccomp
// filter) has no pidfd_open: the tracker then rescans /proc often instead.
var errNoPidfd = errors.New("pidfd_open is not available")

// openPidWaiter is newPidWaiter; tests replace it to take the fallback.
var openPidWaiter = newPidWaiter

// newPidWaiter opens the eventfd and checks that pidfd_open works, on this
// process itself.
func newPidWaiter() (*pidWaiter, error) {
	self, err := unix.PidfdOpen(unix.Getpid(), 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoPidfd, err)
	}
	unix.Close(self)
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	return &pidWaiter{wake: wake, fds: map[int]int{}}, nil
}

// stop makes the current and every later wait return at once. It may be
// called from any goroutine, before close.
func (w *pidWaiter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
		_, _ = unix.Write(w.wake, one)
	}
}

// close closes every descriptor; closing twice does nothing.
func (w *pidWaiter) close() {
	for pid, fd := range w.fds {
		unix.Close(fd)
		delete(w.fds, pid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		unix.Close(w.wake)
	}
}

// watch makes the set of watched processes pids: it opens a pidfd for each
// new one and closes those of processes no longer listed. It returns the
// pids that are already gone (pidfd_open fails with ESRCH).
func (w *pidWaiter) watch(pids []int) (gone []int) {
	want := make(map[int]bool, len(pids))
	for _, pid := range pids {
		want[pid] = true
		if _, ok := w.fds[pid]; ok {
			continue
		}
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			gone = append(gone, pid)
			continue
		}
		w.fds[pid] = fd // pidfds are close-on-exec: notify scripts never inherit them
	}
	for pid, fd := range w.fds {
		if !want[pid] {
			unix.Close(fd)
			delete(w.fds, pid)
		}
	}
	return gone
}

// wait blocks until a watched process ends, stop is called, or timeout
// passes (a negative timeout waits without a bound). It returns the pids
// that ended, sorted, and forgets them; stopped reports a stop.
func (w *pidWaiter) wait(timeout time.Duration) (ended []int, stopped bool, err error) {
	fds := make([]unix.PollFd, 0, 1+len(w.fds))
	fds = append(fds, unix.PollFd{Fd: int32(w.wake), Events: unix.POLLIN})
	pids := make([]int, 0, len(w.fds))
	for pid, fd := range w.fds {
		fds = append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		pids = append(pids, pid)
	}
	ms := -1
	deadline := time.Now().Add(timeout)
	for {
		if timeout >= 0 {
			// Round up: waking a little late is harmless, early is a spin.
			ms = int((time.Until(deadline) + time.Millisecond - 1) / time.Millisecond)
			ms = max(ms, 0)
		}
		_, err = unix.Poll(fds, ms)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("poll pidfds: %w", err)
	}
	stopped = fds[0].Revents != 0
	for i, pfd := range fds[1:] {
		if pfd.Revents == 0 {
			continue
		}
		// POLLIN: the process ended. POLLERR/POLLHUP/POLLNVAL would mean
		// the descriptor no longer watches anything: forget it too, and
		// let the rescan decide.
		pid := pids[i]
		unix.Close(w.fds[pid])
		delete(w.fds, pid)
		ended = append(ended, pid)
	}
	sort.Ints(ended)
	return ended, stopped, nil
}
