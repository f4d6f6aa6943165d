package interop

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab/netns"
)

// env is a lab of bare hosts on one network, 10.77.0.0/24 (host i has
// 10.77.0.i on eth0), for running peers side by side.
type env struct {
	t     *testing.T
	name  string
	dir   string
	hosts []string
	// starts counts programs started, for unique file names.
	starts int
}

func newEnv(t *testing.T, prefix string, hosts ...string) *env {
	t.Helper()
	roottest.Require(t)
	e := &env{t: t, name: roottest.LabName(prefix), dir: t.TempDir(), hosts: hosts}
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nnetworks:\n  net: {subnet: 10.77.0.0/24}\nvip: {address: 10.77.0.100, network: net}\nnodes:\n", e.name)
	for i, h := range hosts {
		fmt.Fprintf(&b, "  %s:\n    role: host\n    interfaces: {eth0: {network: net, address: 10.77.0.%d/24}}\n", h, i+1)
	}
	file := filepath.Join(e.dir, "lab.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", e.name) })
	roottest.MustRun(t, "up", "--no-ui", "-q", "-f", file)
	return e
}

// addr is host's address.
func (e *env) addr(host string) string {
	for i, h := range e.hosts {
		if h == host {
			return fmt.Sprintf("10.77.0.%d", i+1)
		}
	}
	e.t.Fatalf("no host %s", host)
	return ""
}

// proc is a program started inside a host.
type proc struct {
	lab, host string
	cmd       *exec.Cmd
	log       string
	done      chan struct{}
}

// start runs argv inside host, output to a log file, stopped at cleanup.
func (e *env) start(host, label string, argv ...string) *proc {
	e.t.Helper()
	logPath := filepath.Join(e.dir, host+"-"+label+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Dir = e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := netns.InNode(e.name, host, cmd.Start); err != nil {
		e.t.Fatalf("start %v in %s: %v", argv, host, err)
	}
	p := &proc{cmd: cmd, log: logPath, done: make(chan struct{}), lab: e.name, host: host}
	go func() { cmd.Wait(); close(p.done) }()
	e.t.Cleanup(func() {
		p.kill()
		if e.t.Failed() {
			e.t.Logf("--- log of %s on %s (%s):\n%s", label, host, strings.Join(argv, " "), lastLines(p.logText(), 60))
		}
	})
	return p
}

// kill is kill -9 of the program and every process it made in its host
// (keepalived's VRRP child runs in a session of its own).
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	for _, pid := range netns.NodeProcesses(p.lab, p.host) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	<-p.done
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if len(netns.NodeProcesses(p.lab, p.host)) == 0 {
			return
		}
	}
}

// stop sends SIGTERM and waits (bounded) for the program to end.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Errorf("%v did not stop within 10 s of SIGTERM", p.cmd.Args)
		p.kill()
	}
}

func (p *proc) logText() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// sample is who held the VIP at one moment.
type sample struct {
	at      time.Time
	holders []string
	raw     []string // every host with the address, dead or alive
}

// vipWatch polls every host's addresses (every 5 ms) and records who holds
// the VIP.
type vipWatch struct {
	mu      sync.Mutex
	samples []sample
	// dead hosts hold no VIP in the VRRP sense: a router killed with -9
	// leaves its address configured, as keepalived does, but a power-off
	// (which the kill stands for) would take it away.
	dead map[string]bool
	stop context.CancelFunc
	done chan struct{}
}

func (e *env) watchVIP(vip string) *vipWatch {
	e.t.Helper()
	want := netip.MustParseAddr(vip)
	handles := map[string]*netlink.Handle{}
	for _, h := range e.hosts {
		ns, err := vnetns.GetFromPath(netns.NamespacePath(netns.NamespaceName(e.name, h)))
		if err != nil {
			e.t.Fatal(err)
		}
		nh, err := netlink.NewHandleAt(ns)
		ns.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		handles[h] = nh
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &vipWatch{stop: cancel, done: make(chan struct{}), dead: map[string]bool{}}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var holders []string
			w.mu.Lock()
			dead := maps.Clone(w.dead)
			w.mu.Unlock()
			var raw []string
			for _, h := range e.hosts {
				addrs, _ := handles[h].AddrList(nil, netlink.FAMILY_V4)
				for _, a := range addrs {
					if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok && ip == want {
						raw = append(raw, h)
						if !dead[h] {
							holders = append(holders, h)
						}
					}
				}
			}
			w.mu.Lock()
			w.samples = append(w.samples, sample{time.Now(), holders, raw})
			w.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	e.t.Cleanup(func() {
		w.stop()
		<-w.done
		for _, h := range handles {
			h.Close()
		}
	})
	return w
}

// alive marks host's VRRP speaker as running or not.
func (w *vipWatch) alive(host string, alive bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if alive {
		delete(w.dead, host)
	} else {
		w.dead[host] = true
	}
}

// aliveOnceReleased marks a restarted host alive once its daemon has
// removed the address a kill -9 left behind (as keepalived does at start).
func (w *vipWatch) aliveOnceReleased(t *testing.T, host string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		w.mu.Lock()
		raw := w.samples[len(w.samples)-1].raw
		w.mu.Unlock()
		if !slices.Contains(raw, host) {
			w.alive(host, true)
			return
		}
	}
	t.Fatalf("%s kept the address left by the killed daemon for 3 s after restarting", host)
}

// ignore leaves host out of the watch from now on.
func (w *vipWatch) ignore(host string) { w.alive(host, false) }

// holder is the single host holding the VIP now, or "" (none or several).
func (w *vipWatch) holder() (string, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.samples) == 0 {
		return "", nil
	}
	h := w.samples[len(w.samples)-1].holders
	if len(h) == 1 {
		return h[0], h
	}
	return "", h
}

// waitHolder waits until host alone holds the VIP and returns when that
// first became true after since.
func (w *vipWatch) waitHolder(t *testing.T, host string, since time.Time, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		for _, s := range w.samples {
			if s.at.After(since) && len(s.holders) == 1 && s.holders[0] == host {
				w.mu.Unlock()
				return s.at
			}
		}
		w.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	_, now := w.holder()
	t.Fatalf("%s did not take the VIP within %v of %s (holders now: %v)", host, limit, since.Format("15:04:05.000"), now)
	return time.Time{}
}

// longestSplit is the longest time two or more hosts held the VIP at once.
func (w *vipWatch) longestSplit() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var longest time.Duration
	var start time.Time
	for _, s := range w.samples {
		switch {
		case len(s.holders) > 1 && start.IsZero():
			start = s.at
		case len(s.holders) <= 1 && !start.IsZero():
			longest = max(longest, s.at.Sub(start))
			start = time.Time{}
		}
	}
	return longest
}

// stableSince reports whether host alone held the VIP in every sample
// since t.
func (w *vipWatch) heldThroughout(host string, since time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.samples {
		if s.at.After(since) && (len(s.holders) != 1 || s.holders[0] != host) {
			return false
		}
	}
	return true
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
