package vrrp

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// How often a process tracker rescans /proc. Deaths are known at once from
// pidfds; the rescan is what notices a process starting (keepalived learns
// of that from the process connector too). Without pidfds the rescan is
// all there is, and runs more often.
const (
	processRescan        = 200 * time.Millisecond
	processRescanNoPidfd = 50 * time.Millisecond
)

// procRoot is the proc file system process trackers read.
var procRoot = "/proc"

// processTracker follows one vrrp_track_process: it counts the matching
// processes and reports when the quorum is gained or lost, as keepalived's
// track_process.c does, to the instances tracking it.
//
// keepalived scans /proc once at start-up, then follows every fork, exec,
// comm change and exit through the kernel's process connector (cn_proc),
// and so reacts the moment a tracked process dies. halab deviates in two
// ways, both because a namespace lab is not a set of machines:
//
//   - It counts only the processes that live in the daemon's own network
//     namespace, as `halab check process` (nodes/check.ProcessInNamespace)
//     does. In a namespace lab every node shares one process table, so
//     keepalived's count would include the other nodes' proxies, and a
//     proxy dying on lb1 would go unnoticed while lb2's runs. On a VM of
//     its own every process is in the daemon's namespace and the count is
//     keepalived's.
//   - The process connector only works in the initial network namespace,
//     where a lab node never is: keepalived 2.2.7 run in a lab node says
//     "Failed to set/clear process event listen - errno 111 - Connection
//     refused" and holds a weight-0 instance in FAULT ("tracked process
//     proxy quorum not achieved") with the proxy running. halab instead
//     holds a pidfd for each matching process and polls them all: a pidfd
//     is readable the moment its process exits, so a death is as prompt as
//     with the connector. A rescan of /proc every 200 ms (and after each
//     death) finds processes that start; where pidfd_open is missing it
//     rescans every 50 ms instead.
type processTracker struct {
	cfg      *kaconf.Process
	procRoot string
	ownNS    string // the daemon's network namespace, "net:[4026531840]"
	pids     []int  // matching processes at the last scan
	q        quorumState
}

// newProcessTracker makes the start-up scan, so that the tracked process
// starts in a known state, as keepalived's init_track_processes.
func newProcessTracker(cfg *kaconf.Process, root string) (*processTracker, error) {
	own, err := os.Readlink(filepath.Join(root, "self/ns/net"))
	if err != nil {
		return nil, fmt.Errorf("read own network namespace: %w", err)
	}
	t := &processTracker{cfg: cfg, procRoot: root, ownNS: own, q: quorumState{
		quorum: cfg.Quorum, quorumMax: cfg.QuorumMax,
		forkDelay: cfg.ForkDelay, terminateDelay: cfg.TerminateDelay,
	}}
	if t.pids, err = t.scan(nil); err != nil {
		return nil, err
	}
	t.q.observe(time.Now(), len(t.pids))
	return t, nil
}

// up reports whether the quorum is held, as last reported.
func (t *processTracker) up() bool { return t.q.up }

// run follows the processes until ctx is done and calls report with every
// change of the quorum state (after fork_delay or terminate_delay).
func (t *processTracker) run(ctx context.Context, log *slog.Logger, report func(up bool, count int)) {
	w, err := openPidWaiter()
	if err != nil {
		log.Warn(fmt.Sprintf("vrrp_track_process %s: %v - rescanning /proc every %v instead", t.cfg.Name, err, processRescanNoPidfd))
		w = nil
	} else {
		defer w.close()
		defer context.AfterFunc(ctx, w.stop)()
	}
	scanFailed := false
	for {
		var ended []int
		if w != nil {
			ended = w.watch(t.pids)
			if len(ended) == 0 {
				var stopped bool
				ended, stopped, err = w.wait(t.timeout(processRescan))
				switch {
				case stopped:
					return
				case err != nil:
					log.Warn(fmt.Sprintf("vrrp_track_process %s: %v - rescanning /proc every %v instead", t.cfg.Name, err, processRescanNoPidfd))
					w.close()
					w = nil
				}
			}
		} else {
			timer := time.NewTimer(t.timeout(processRescanNoPidfd))
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		pids, err := t.scan(ended)
		if err != nil {
			if !scanFailed {
				log.Error(fmt.Sprintf("vrrp_track_process %s: %v", t.cfg.Name, err))
			}
			scanFailed = true
			continue
		}
		scanFailed = false
		t.pids = pids
		if t.q.observe(time.Now(), len(pids)) {
			report(t.q.up, len(pids))
		}
	}
}

// timeout is how long to wait before the next scan: the rescan interval,
// or less when a delayed change falls due sooner.
func (t *processTracker) timeout(rescan time.Duration) time.Duration {
	if t.q.pending.IsZero() {
		return rescan
	}
	return max(min(rescan, time.Until(t.q.pending)), 0)
}

// describe says the count against the quorum: "1 running, quorum 1".
func (t *processTracker) describe(count int) string {
	want := strconv.Itoa(t.q.quorum)
	if t.q.quorumMax != kaconf.NoQuorumMax {
		want += ".." + strconv.Itoa(t.q.quorumMax)
	}
	return fmt.Sprintf("%d running in this network namespace, quorum %s", count, want)
}

// scan lists the live processes of the daemon's network namespace that
// match, leaving out those in skip (just seen to end).
func (t *processTracker) scan(skip []int) ([]int, error) {
	entries, err := os.ReadDir(t.procRoot)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || slices.Contains(skip, pid) {
			continue
		}
		dir := filepath.Join(t.procRoot, e.Name())
		comm, alive := readStat(dir)
		if !alive {
			continue
		}
		var cmdline []byte
		if t.cfg.FullCommand {
			if cmdline, err = os.ReadFile(filepath.Join(dir, "cmdline")); err != nil {
				continue
			}
		}
		if !matchProcess(t.cfg, comm, cmdline) {
			continue
		}
		if ns, err := os.Readlink(filepath.Join(dir, "ns/net")); err != nil || ns != t.ownNS {
			continue
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// readStat reads a process's name (comm) from /proc/PID/stat, and whether
// the process is alive: not a zombie (keepalived does not count those) and
// not dead.
func readStat(dir string) (comm string, alive bool) {
	data, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return "", false
	}
	// "PID (COMM) S …": the name may hold spaces and parentheses, the
	// state letter follows the last ')'.
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open || end+2 >= len(data) {
		return "", false
	}
	state := data[end+2]
	return string(data[open+1 : end]), state != 'Z' && state != 'X' && state != 'x'
}

// matchProcess is keepalived's match (track_process.c read_procs,
// check_process): the process name (comm) equals Command; or, with
// FullCommand, argv[0] of the NUL-separated cmdline equals Command and the
// parameters match as check_params says. halab-proxy (and the other
// component names) also match the real program a node may run in the
// component's place (check.SameComponent).
func matchProcess(p *kaconf.Process, comm string, cmdline []byte) bool {
	if !p.FullCommand {
		return check.SameComponent(comm, p.Command)
	}
	argv0, params, _ := bytes.Cut(cmdline, []byte{0})
	if string(argv0) != p.Command {
		return false
	}
	return p.ParamMatch == kaconf.ParamMatchNone || checkParams(p.ParamMatch, p.Params, params)
}

// checkParams is keepalived's check_params over the NUL-terminated
// parameters of a command line: exact (all, and nothing more), partial
// (the configured ones first, more may follow) or initial (as partial, the
// last configured one possibly longer in the process).
func checkParams(m kaconf.ParamMatch, want []string, got []byte) bool {
	var blob string
	if len(want) > 0 {
		blob = strings.Join(want, "\x00") + "\x00"
	}
	switch {
	case m == kaconf.ParamMatchExact:
		return string(got) == blob
	case len(got) < len(blob):
		return false
	case m == kaconf.ParamMatchPartial:
		return string(got[:len(blob)]) == blob
	case len(blob) == 0:
		return true
	}
	// Initial: all but the last NUL.
	return string(got[:len(blob)-1]) == blob[:len(blob)-1]
}

// quorumState turns process counts into the tracked process's state, as
// keepalived's track_process.c: up while quorum <= count <= quorum_max. A
// change caused by a process starting waits fork_delay, one caused by a
// process ending terminate_delay, and is dropped if the count comes back
// meanwhile (a reload: stop, then start, does not bounce the instance).
// keepalived has two timers where halab has one deadline; the effect is
// the same.
type quorumState struct {
	quorum, quorumMax         int
	forkDelay, terminateDelay time.Duration

	count   int
	up      bool      // the state reported
	known   bool      // a first count was seen
	pending time.Time // when a held-back change falls due; zero when none
}

// observe records the count at now and reports whether the state changes.
// The first count decides at once, as keepalived's start-up scan.
func (q *quorumState) observe(now time.Time, count int) bool {
	prev := q.count
	q.count = count
	want := count >= q.quorum && count <= q.quorumMax
	switch {
	case !q.known:
		q.known, q.up = true, want
		return true
	case want == q.up:
		q.pending = time.Time{}
		return false
	case !q.pending.IsZero():
		if now.Before(q.pending) {
			return false
		}
	default:
		delay := q.terminateDelay
		if count > prev {
			delay = q.forkDelay
		}
		if delay > 0 {
			q.pending = now.Add(delay)
			return false
		}
	}
	q.up, q.pending = want, time.Time{}
	return true
}
