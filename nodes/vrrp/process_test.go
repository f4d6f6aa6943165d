package vrrp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/vrrp/kaconf"
)

func TestMatchProcess(t *testing.T) {
	comm := &kaconf.Process{Command: "halab-proxy"}
	full := &kaconf.Process{Command: "/usr/sbin/haproxy", FullCommand: true}
	exact := &kaconf.Process{Command: "/usr/sbin/haproxy", Params: []string{"-f", "/etc/haproxy/haproxy.cfg"}, ParamMatch: kaconf.ParamMatchExact, FullCommand: true}
	none := &kaconf.Process{Command: "nginx", ParamMatch: kaconf.ParamMatchExact, FullCommand: true}
	cmdline := func(argv ...string) []byte { return []byte(strings.Join(argv, "\x00") + "\x00") }
	tests := []struct {
		name    string
		p       *kaconf.Process
		comm    string
		cmdline []byte
		want    bool
	}{
		{"comm equal", comm, "halab-proxy", nil, true},
		{"comm is exact, not a prefix (pgrep ^x$)", comm, "halab-proxy2", nil, false},
		{"comm, not argv[0]", comm, "halab", cmdline("halab-proxy"), false},
		{"halab-proxy is the node's proxy: real haproxy in its place", comm, "haproxy", nil, true},
		{"but not its adapter", comm, "halab-haproxy", nil, false},
		{"full command: argv[0]", full, "haproxy", cmdline("/usr/sbin/haproxy", "-f", "x"), true},
		{"full command: the whole argv[0], not its base name", full, "haproxy", cmdline("haproxy", "-f", "x"), false},
		{"full command: empty cmdline (kernel thread)", full, "haproxy", nil, false},
		{"exact parameters", exact, "haproxy", cmdline("/usr/sbin/haproxy", "-f", "/etc/haproxy/haproxy.cfg"), true},
		{"exact: one more", exact, "haproxy", cmdline("/usr/sbin/haproxy", "-f", "/etc/haproxy/haproxy.cfg", "-D"), false},
		{"exact: one fewer", exact, "haproxy", cmdline("/usr/sbin/haproxy", "-f"), false},
		{"param_match alone: no parameters", none, "nginx", cmdline("nginx"), true},
		{"param_match alone: parameters", none, "nginx", cmdline("nginx", "-g"), false},
	}
	for _, tt := range tests {
		if got := matchProcess(tt.p, tt.comm, tt.cmdline); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCheckParams follows keepalived's check_params case by case.
func TestCheckParams(t *testing.T) {
	params := func(argv ...string) []byte {
		if len(argv) == 0 {
			return nil
		}
		return []byte(strings.Join(argv, "\x00") + "\x00")
	}
	ab := []string{"-f", "/etc/a"}
	tests := []struct {
		m    kaconf.ParamMatch
		want []string
		got  []byte
		ok   bool
	}{
		{kaconf.ParamMatchExact, ab, params("-f", "/etc/a"), true},
		{kaconf.ParamMatchExact, ab, params("-f", "/etc/ab"), false},
		{kaconf.ParamMatchExact, nil, nil, true},
		{kaconf.ParamMatchExact, nil, params("-x"), false},
		{kaconf.ParamMatchPartial, ab, params("-f", "/etc/a", "-D"), true},
		{kaconf.ParamMatchPartial, ab, params("-f", "/etc/ab"), false},
		{kaconf.ParamMatchPartial, ab, params("-f"), false},
		{kaconf.ParamMatchPartial, nil, params("-x"), true},
		{kaconf.ParamMatchInitial, ab, params("-f", "/etc/abc"), true},
		{kaconf.ParamMatchInitial, ab, params("-f", "/etc/a", "-D"), true},
		{kaconf.ParamMatchInitial, ab, params("-f", "/etc"), false},
		{kaconf.ParamMatchInitial, []string{"-f", ""}, params("-f", "x"), true},
		{kaconf.ParamMatchInitial, nil, nil, true},
	}
	for i, tt := range tests {
		if got := checkParams(tt.m, tt.want, tt.got); got != tt.ok {
			t.Errorf("%d: %v %q against %q = %v, want %v", i, tt.m, tt.want, tt.got, got, tt.ok)
		}
	}
}

func TestQuorumState(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type step struct {
		ms, count       int
		changed, wantUp bool
	}
	tests := []struct {
		name  string
		q     quorumState
		steps []step
	}{
		{"quorum 1: at once both ways", quorumState{quorum: 1, quorumMax: kaconf.NoQuorumMax},
			[]step{{0, 0, true, false}, {10, 1, true, true}, {20, 2, false, true}, {30, 0, true, false}}},
		{"first count decides even under a delay", quorumState{quorum: 1, quorumMax: kaconf.NoQuorumMax, terminateDelay: time.Second},
			[]step{{0, 0, true, false}}},
		{"quorum 2, quorum_max 3", quorumState{quorum: 2, quorumMax: 3},
			[]step{{0, 1, true, false}, {1, 2, true, true}, {2, 3, false, true}, {3, 4, true, false}, {4, 3, true, true}}},
		{"quorum_max 0: up while none runs", quorumState{quorum: 0, quorumMax: 0},
			[]step{{0, 0, true, true}, {1, 1, true, false}}},
		{"terminate_delay: a restart within it is not seen", quorumState{quorum: 1, quorumMax: kaconf.NoQuorumMax, terminateDelay: 500 * time.Millisecond},
			[]step{{0, 1, true, true}, {100, 0, false, true}, {300, 1, false, true}, {900, 1, false, true}}},
		{"terminate_delay: a death lasting longer is", quorumState{quorum: 1, quorumMax: kaconf.NoQuorumMax, terminateDelay: 500 * time.Millisecond},
			[]step{{0, 1, true, true}, {100, 0, false, true}, {599, 0, false, true}, {600, 0, true, false}}},
		{"fork_delay holds back the start", quorumState{quorum: 1, quorumMax: kaconf.NoQuorumMax, forkDelay: 200 * time.Millisecond, terminateDelay: time.Second},
			[]step{{0, 0, true, false}, {10, 1, false, false}, {100, 1, false, false}, {210, 1, true, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			for i, s := range tt.steps {
				if changed := q.observe(at(s.ms), s.count); changed != s.changed || q.up != s.wantUp {
					t.Fatalf("step %d (%d ms, count %d): changed %v up %v, want %v %v", i, s.ms, s.count, changed, q.up, s.changed, s.wantUp)
				}
			}
		})
	}
}

// fakeProc builds a /proc: self in net:[1], and processes pid → {comm,
// netns, state, cmdline with spaces for NULs}.
func fakeProc(t *testing.T, procs map[string][4]string) string {
	t.Helper()
	root := t.TempDir()
	mk := func(pid, comm, ns, state, cmdline string) {
		dir := filepath.Join(root, pid)
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "stat"), []byte(pid+" ("+comm+") "+state+" 1 1 1"), 0o644)
		os.WriteFile(filepath.Join(dir, "cmdline"), []byte(strings.ReplaceAll(cmdline, " ", "\x00")+"\x00"), 0o644)
		if err := os.Symlink(ns, filepath.Join(dir, "ns", "net")); err != nil {
			t.Fatal(err)
		}
	}
	mk("self", "halab-vrrp", "net:[1]", "S", "halab run vrrp")
	for pid, p := range procs {
		mk(pid, p[0], p[1], p[2], p[3])
	}
	return root
}

func TestProcessTrackerScan(t *testing.T) {
	root := fakeProc(t, map[string][4]string{
		"10": {"halab-proxy", "net:[1]", "S", "/run/halab/x/bin/halab run proxy"},
		"11": {"halab-proxy", "net:[2]", "S", "/run/halab/x/bin/halab run proxy"}, // the other node's
		"12": {"halab-proxy", "net:[1]", "Z", ""},                                 // dead, not reaped
		"13": {"halab-vrrp", "net:[1]", "R", "/run/halab/x/bin/halab run vrrp"},
		"14": {"odd) (name", "net:[1]", "S", "/run/halab/x/bin/halab run proxy -f a"},
		"15": {"halab-proxy", "net:[1]", "R", "/run/halab/x/bin/halab run proxy"},
	})
	tests := []struct {
		name string
		p    kaconf.Process
		want []int
	}{
		{"by name, own namespace, alive", kaconf.Process{Command: "halab-proxy"}, []int{10, 15}},
		{"name with parentheses", kaconf.Process{Command: "odd) (name"}, []int{14}},
		{"full command, partial parameters", kaconf.Process{Command: "/run/halab/x/bin/halab", Params: []string{"run", "proxy"}, ParamMatch: kaconf.ParamMatchPartial, FullCommand: true}, []int{10, 14, 15}},
		{"full command, exact parameters", kaconf.Process{Command: "/run/halab/x/bin/halab", Params: []string{"run", "proxy"}, ParamMatch: kaconf.ParamMatchExact, FullCommand: true}, []int{10, 15}},
		{"none", kaconf.Process{Command: "haproxy"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.Quorum, p.QuorumMax = 1, kaconf.NoQuorumMax
			tr, err := newProcessTracker(&p, root)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tr.pids, tt.want) || tr.up() != (len(tt.want) > 0) {
				t.Errorf("pids %v up %v, want %v", tr.pids, tr.up(), tt.want)
			}
			if got, _ := tr.scan([]int{10}); slices.Contains(got, 10) {
				t.Errorf("scan skipping 10 found it: %v", got)
			}
		})
	}
	if _, err := newProcessTracker(&kaconf.Process{Command: "x"}, t.TempDir()); err == nil {
		t.Error("a /proc without self/ns/net: no error")
	}
}

// uniqueCommand returns the path of a sleep command whose process name
// (comm) no other process on the machine has: a symlink to sleep named
// after the test process.
func uniqueCommand(t *testing.T) (path, comm string) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	comm = fmt.Sprintf("hlbtrk%d", os.Getpid())
	path = filepath.Join(t.TempDir(), comm)
	if err := os.Symlink(sleep, path); err != nil {
		t.Fatal(err)
	}
	return path, comm
}

// startChild starts the command; the caller kills it. It is reaped only
// at cleanup, so that it stays a zombie after a kill, as an unreaped
// process can.
func startChild(t *testing.T, argv ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// TestProcessTrackerFollowsAChild runs a tracker on the real /proc: it
// sees a process start (within a rescan), and its death at once (pidfd),
// even while the dead process is an unreaped zombie. With root, a process
// of the same name in another network namespace is not counted.
func TestProcessTrackerFollowsAChild(t *testing.T) {
	followChild(t, processRescan/2)
}

// TestProcessTrackerWithoutPidfd: where pidfd_open fails, the tracker
// rescans /proc every 50 ms instead, and a death takes a rescan to see.
func TestProcessTrackerWithoutPidfd(t *testing.T) {
	old := openPidWaiter
	openPidWaiter = func() (*pidWaiter, error) { return nil, errNoPidfd }
	defer func() { openPidWaiter = old }()
	followChild(t, 3*processRescanNoPidfd)
}

// followChild starts and kills a child with a unique name under a tracker
// and fails unless the tracker reports its death within deathLimit.
func followChild(t *testing.T, deathLimit time.Duration) {
	path, comm := uniqueCommand(t)
	p := &kaconf.Process{Name: "child", Command: comm, Quorum: 1, QuorumMax: kaconf.NoQuorumMax}
	tr, err := newProcessTracker(p, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	if tr.up() {
		t.Fatalf("up before the child started: %v", tr.pids)
	}
	type change struct {
		up    bool
		count int
		at    time.Time
	}
	changes := make(chan change, 8)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.run(ctx, slog.New(slog.DiscardHandler), func(up bool, count int) { changes <- change{up, count, time.Now()} })
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Error("tracker did not stop within 2 s of its context's end")
		}
	}()
	next := func(limit time.Duration) change {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case <-time.After(limit):
			t.Fatalf("no change within %v", limit)
		}
		return change{}
	}

	if os.Geteuid() == 0 {
		if unshare, err := exec.LookPath("unshare"); err == nil {
			startChild(t, unshare, "--net", path, "30")
			select {
			case c := <-changes:
				t.Fatalf("a process in another network namespace counted: %+v", c)
			case <-time.After(3 * processRescan):
			}
		}
	}
	started := time.Now()
	child := startChild(t, path, "30")
	if c := next(2 * time.Second); !c.up || c.count != 1 {
		t.Fatalf("after start: %+v, want up with 1", c)
	} else {
		t.Logf("start seen after %v", c.at.Sub(started))
	}
	killed := time.Now()
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c := next(2 * time.Second)
	if c.up || c.count != 0 {
		t.Fatalf("after kill: %+v, want down with 0", c)
	}
	took := c.at.Sub(killed)
	t.Logf("death seen after %v", took)
	if took > deathLimit {
		t.Errorf("death seen after %v, want within %v", took, deathLimit)
	}
}

func TestPidWaiter(t *testing.T) {
	w, err := newPidWaiter()
	if err != nil {
		t.Skipf("no pidfds here: %v", err)
	}
	defer w.close()
	a := startChild(t, "sleep", "30")
	b := startChild(t, "sleep", "30")
	if gone := w.watch([]int{a.Process.Pid, b.Process.Pid, 1 << 30}); !reflect.DeepEqual(gone, []int{1 << 30}) {
		t.Errorf("gone = %v, want the pid that does not exist", gone)
	}
	if ended, stopped, err := w.wait(20 * time.Millisecond); len(ended) != 0 || stopped || err != nil {
		t.Errorf("wait with nothing ending = %v %v %v", ended, stopped, err)
	}
	b.Process.Kill()
	start := time.Now()
	ended, stopped, err := w.wait(5 * time.Second)
	if !reflect.DeepEqual(ended, []int{b.Process.Pid}) || stopped || err != nil {
		t.Fatalf("wait = %v %v %v, want %d", ended, stopped, err, b.Process.Pid)
	}
	t.Logf("pidfd woke %v after the kill", time.Since(start))
	if len(w.fds) != 1 {
		t.Errorf("watching %v after the death, want only %d", w.fds, a.Process.Pid)
	}
	go func() { time.Sleep(10 * time.Millisecond); w.stop() }()
	if _, stopped, _ := w.wait(-1); !stopped {
		t.Error("stop did not end an unbounded wait")
	}
	w.close()
	w.stop() // after close: nothing
}
