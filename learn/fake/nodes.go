package fake

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/vrrp"
)

// Page is the web server's page, as halab's web server starts it.
const Page = "<!DOCTYPE html>\n<html>\n<body>\n<h1>web1 — served by halab web</h1>\n</body>\n</html>\n"

// Exec answers the commands the walkthrough runs, as the nodes would;
// any other command exits 127.
func (f *Lab) Exec(ctx context.Context, node string, argv []string) (learn.Output, error) {
	if err := ctx.Err(); err != nil {
		return learn.Output{}, err
	}
	if _, err := f.st.Lab.Node(node); err != nil {
		return learn.Output{}, err
	}
	cmd := strings.Join(argv, " ")
	switch {
	case strings.HasPrefix(cmd, "ip --brief addr"):
		return f.ipAddr(ctx, node, argv[3:])
	case argv[0] == "curl":
		return f.curl(node, argv)
	case cmd == "sysctl net.ipv4.ip_nonlocal_bind":
		v := "1"
		f.mu.Lock()
		if f.broken["nonlocal"] && node == "lb2" {
			v = "0"
		}
		f.mu.Unlock()
		return learn.Output{Stdout: "net.ipv4.ip_nonlocal_bind = " + v + "\n"}, nil
	case strings.HasPrefix(cmd, "ss -ltnH"):
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.poweredOff(node) || f.proxyDead(node) || f.broken["nonlocal"] && node == "lb2" {
			return learn.Output{}, nil
		}
		return learn.Output{Stdout: "LISTEN 0      4096   172.16.0.200:80 0.0.0.0:*\n"}, nil
	}
	return learn.Output{Stderr: argv[0] + ": not simulated\n", Code: 127}, nil
}

// ipAddr is `ip --brief addr [show dev IF]`.
func (f *Lab) ipAddr(ctx context.Context, node string, rest []string) (learn.Output, error) {
	ifaces, err := f.Interfaces(ctx, node)
	if err != nil {
		return learn.Output{}, err
	}
	var b strings.Builder
	if len(rest) == 0 {
		b.WriteString("lo               UNKNOWN        127.0.0.1/8 \n")
	}
	for k, i := range ifaces {
		if len(rest) == 3 && rest[2] != i.Name {
			continue
		}
		state := "UP"
		if !i.Up {
			state = "DOWN"
		}
		fmt.Fprintf(&b, "%-16s %-14s %s \n", fmt.Sprintf("%s@if%d", i.Name, 5+k), state, strings.Join(i.Addresses, " "))
	}
	return learn.Output{Stdout: b.String()}, nil
}

// curl is `curl -sS [-i] -m N URL` from node.
func (f *Lab) curl(node string, argv []string) (learn.Output, error) {
	u, err := url.Parse(argv[len(argv)-1])
	if err != nil {
		return learn.Output{}, err
	}
	headers := slices.Contains(argv, "-i")
	f.mu.Lock()
	defer f.mu.Unlock()
	refused := learn.Output{Stderr: fmt.Sprintf("curl: (7) Failed to connect to %s port 80 after 0 ms: Couldn't connect to server\n", u.Hostname()), Code: 7}
	if f.broken["curl"] || f.poweredOff(node) {
		return refused, nil
	}
	switch u.Hostname() {
	case "192.168.10.200":
		if node == "client" {
			return refused, nil
		}
		return learn.Output{Stdout: Page}, nil
	case f.st.Lab.VIP.Address.String():
		w := f.worldAt(f.Clock.Now())
		if len(w.holders) == 0 {
			return learn.Output{Stderr: "curl: (28) Connection timed out after 2001 milliseconds\n", Code: 28}, nil
		}
		lb := w.holders[len(w.holders)-1]
		if f.proxyDead(lb) {
			return refused, nil
		}
		out := Page
		if headers {
			out = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nServer: halab-web\r\nX-Halab-Web: web1\r\nX-Halab-LB: " + lb + "\r\n\r\n" + Page
		}
		return learn.Output{Stdout: out}, nil
	}
	return refused, nil
}

// Status answers for a node's component as its control socket would; a
// component of a powered-off node, a killed proxy or (broken) VRRP daemon
// does not answer.
func (f *Lab) Status(ctx context.Context, node, kind string, detail any) (control.Status, error) {
	if err := ctx.Err(); err != nil {
		return control.Status{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	silent := fmt.Errorf("%s/%s: dial unix /run/halab/seed/%s/%s.sock: connect: no such file or directory", node, kind, node, kind)
	if f.poweredOff(node) || kind == lab.ComponentProxy && f.proxyDead(node) || kind == lab.ComponentVRRP && f.broken["vrrp"] {
		return control.Status{}, silent
	}
	st := control.Status{Node: node, Component: kind, Ready: true, Started: f.st.Created}
	now := f.Clock.Now()
	switch kind {
	case lab.ComponentVRRP:
		return st, roundTrip(f.vrrpStatus(node, now), detail)
	case lab.ComponentProbe:
		return st, roundTrip(f.probeStatus(now), detail)
	}
	return st, nil
}

// vrrpStatus is node's VRRP daemon status at now (f.mu held).
func (f *Lab) vrrpStatus(node string, now time.Time) vrrp.Status {
	w := f.worldAt(now)
	c := w.vrrp[node]
	base, src, peer := 101, "192.168.10.101", "192.168.10.102"
	if node == "lb2" {
		base, src, peer = 100, peer, src
	}
	in := vrrp.InstanceStatus{
		Name: "LB_VIP", State: c.state, Priority: c.prio, BasePriority: base, VRID: 51, Version: 2,
		Interface: "enp0s9", Source: src, Destinations: []string{peer}, Auth: "AH", AdvertInterval: time.Second,
		VIPs:           []vrrp.VIPStatus{{Address: "172.16.0.200", Interface: "enp0s9", Held: slices.Contains(w.holders, node)}},
		LastTransition: &vrrp.TransitionAt{To: c.state, Reason: c.reason, At: c.at},
		Counters:       vrrp.Counters{Dropped: map[string]uint64{}},
	}
	if other := w.vrrp[map[string]string{"lb1": "lb2", "lb2": "lb1"}[node]]; other.state == "MASTER" && !f.poweredOff(map[string]string{"lb1": "lb2", "lb2": "lb1"}[node]) {
		in.Master, in.MasterPriority = peer, other.prio
		in.Counters.Received = uint64(now.Sub(other.at) / time.Second)
	}
	if c.state == "MASTER" {
		in.Master, in.MasterPriority = src, c.prio
		in.Counters.Sent = uint64(now.Sub(c.at) / time.Second)
	}
	return vrrp.Status{Summary: fmt.Sprintf("LB_VIP %s prio %d", c.state, c.prio), Instances: []vrrp.InstanceStatus{in}}
}

// probeStatus is the client probe's status at now (f.mu held).
func (f *Lab) probeStatus(now time.Time) probe.Status {
	ps := probe.Status{Target: "http://172.16.0.200:80/", Rate: 100, Timeout: 300 * time.Millisecond, Bucket: 100 * time.Millisecond, Running: true, Answered: true}
	from := now.Add(-10 * time.Second)
	var failed10 int64
	for i := range f.outages {
		o := f.outages[i]
		if o.Start.After(now) {
			continue
		}
		if o.End.After(now) {
			cur := control.Outage{Start: o.Start, Length: now.Sub(o.Start), Failed: int(now.Sub(o.Start) / (10 * time.Millisecond)), Open: true}
			ps.Current = &cur
			ps.Failed += int64(cur.Failed)
		} else {
			ps.Last = &o
			ps.Failed += int64(o.Failed)
		}
		s, e := maxTime(o.Start, from), minTime(o.End, now)
		if e.After(s) {
			failed10 += int64(e.Sub(s) / (10 * time.Millisecond))
		}
	}
	ok10 := 1000 - failed10
	ps.Last10s = probe.Window{Seconds: 10, OK: ok10, Failed: failed10, Ratio: float64(ok10) / 1000}
	ps.OK = int64(now.Sub(f.st.Created)/(10*time.Millisecond)) - ps.Failed
	ps.Sent = ps.OK + ps.Failed
	return ps
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// History replays what a component said: a VRRP daemon's warnings about
// the tutorial's keepalived.conf and its transitions so far.
func (f *Lab) History(ctx context.Context, node, kind string) ([]control.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if kind != lab.ComponentVRRP || f.poweredOff(node) {
		return nil, nil
	}
	at := f.st.Created
	warn := func(msg string) control.Event {
		return control.Event{Time: at, Node: node, Component: kind, Kind: control.KindLog, Level: "warn", Message: msg}
	}
	out := []control.Event{
		warn("keepalived.conf:35: warning: Truncating auth_pass to 8 characters - only the first 8 are used, by keepalived as by halab"),
		warn("keepalived.conf:20: warning: SECURITY VIOLATION - scripts are being executed but script_security not enabled. (add enable_script_security to global_defs, and script_user)"),
	}
	if node == "lb1" {
		out = append(out, warn("keepalived.conf:29: warning: (LB_VIP) Initial state master is incompatible with AH authentication - clearing"))
	}
	now := f.Clock.Now()
	prev := ""
	for _, c := range f.changes {
		if c.node != node || c.at.After(now) || c.at.Before(f.boot[node]) {
			continue
		}
		if c.state != prev {
			out = append(out, control.Event{Time: c.at, Node: node, Component: kind, Kind: control.KindVRRPState,
				Message: fmt.Sprintf("%s → %s: %s", orInit(prev), c.state, c.reason),
				VRRP:    &control.VRRPState{Instance: "LB_VIP", From: orInit(prev), To: c.state, Reason: c.reason, Priority: c.prio}})
			prev = c.state
		}
	}
	return out, nil
}

func orInit(s string) string {
	if s == "" {
		return "INIT"
	}
	return s
}
