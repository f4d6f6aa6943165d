package fake

import (
	"fmt"
	"slices"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// Now is the scenarios' fixed clock: 12:04:31.726 UTC.
var Now = time.Date(2026, 3, 14, 12, 4, 31, 726_000_000, time.UTC)

// Uptime is how long before Now the scenarios' lab was built.
const Uptime = 2*time.Minute + 41*time.Second

// masterDown is the seed lab's Master_Down_Interval for lb2 (VRRPv2, one
// second adverts, priority 102): 3 s + 154/256 s.
const masterDown = 3*time.Second + 601562500*time.Nanosecond

// Event builds an event of no payload.
func Event(t time.Time, node, component string, kind control.Kind, level, msg string) control.Event {
	return control.Event{Time: t, Node: node, Component: component, Kind: kind, Level: level, Message: msg}
}

// Ready is a component's ready event.
func Ready(t time.Time, node, component, msg string) control.Event {
	return Event(t, node, component, control.KindReady, "info", msg)
}

// State is a VRRP transition of LB_VIP.
func State(t time.Time, node, from, to string, prio int, reason string) control.Event {
	e := Event(t, node, "vrrp", control.KindVRRPState, "info", fmt.Sprintf("%s → %s: %s", from, to, reason))
	e.VRRP = &control.VRRPState{Instance: "LB_VIP", From: from, To: to, Reason: reason, Priority: prio}
	return e
}

// Priority is a change of LB_VIP's effective priority.
func Priority(t time.Time, node, state string, from, to int, reason string) control.Event {
	e := Event(t, node, "vrrp", control.KindVRRPPriority, "info",
		fmt.Sprintf("(LB_VIP) Changing effective priority from %d to %d: %s", from, to, reason))
	e.VRRP = &control.VRRPState{Instance: "LB_VIP", From: state, To: state, Reason: reason, Priority: to}
	return e
}

// Timer is a master-down timer event of LB_VIP.
func Timer(t time.Time, node string, deadline time.Time, interval time.Duration, running bool) control.Event {
	msg := fmt.Sprintf("(LB_VIP) master silent: taking over at %s unless an advert arrives", deadline.Format("15:04:05.000"))
	if !running {
		msg = "(LB_VIP) master adverts resumed"
	}
	e := Event(t, node, "vrrp", control.KindVRRPTimer, "info", msg)
	e.Timer = &control.VRRPTimer{Instance: "LB_VIP", Deadline: deadline, Interval: interval, Running: running}
	return e
}

// VIP is the seed lab's VIP added to or removed from a node's enp0s9.
func VIP(t time.Time, node string, added bool) control.Event {
	msg := "VIP 172.16.0.200 added on enp0s9"
	if !added {
		msg = "VIP 172.16.0.200 removed from enp0s9"
	}
	e := Event(t, node, "vrrp", control.KindVIP, "info", msg)
	e.VIP = &control.VIPChange{Address: "172.16.0.200", Interface: "enp0s9", Added: added}
	return e
}

// Server is a proxy's health change of webserverapp/webserver1.
func Server(t time.Time, node string, up bool, reason string) control.Event {
	msg := "Server webserverapp/webserver1 is UP, reason: " + reason
	level := "info"
	if !up {
		msg, level = "Server webserverapp/webserver1 is DOWN, reason: "+reason, "warn"
	}
	e := Event(t, node, "proxy", control.KindBackend, level, msg)
	e.Backend = &control.Backend{Backend: "webserverapp", Server: "webserver1", Up: up, Reason: reason}
	return e
}

// Bucket is one 100 ms probe bucket answered by lb (when ok > 0).
func Bucket(start time.Time, ok, failed int, lb string) control.Event {
	b := &control.ProbeBucket{Start: start, Width: 100 * time.Millisecond, OK: ok, Failed: failed}
	if ok > 0 {
		b.P50, b.P99, b.Max = 1100*time.Microsecond, 3800*time.Microsecond, 4200*time.Microsecond
		b.ByLB = map[string]int{lb: ok}
		b.ByWeb = map[string]int{"web1": ok}
	}
	if failed > 0 {
		b.Errors = map[string]int{"timeout": failed}
	}
	e := Event(start.Add(400*time.Millisecond), "client", "probe", control.KindProbe, "info",
		fmt.Sprintf("%d ok, %d failed", ok, failed))
	e.Probe = b
	return e
}

// Traffic is the buckets from from to to (exclusive), 10 requests each,
// answered as answer says for the bucket's start.
func Traffic(from, to time.Time, answer func(t time.Time) (ok int, lb string)) []control.Event {
	var out []control.Event
	from = from.Truncate(100 * time.Millisecond)
	for t := from; t.Before(to); t = t.Add(100 * time.Millisecond) {
		ok, lb := answer(t)
		out = append(out, Bucket(t, ok, 10-ok, lb))
	}
	return out
}

// Outage is a probe outage event, open (end zero) or closed.
func Outage(t, start, end time.Time, failed int) control.Event {
	o := &control.Outage{Start: start, End: end, Failed: failed, Open: end.IsZero()}
	if o.Open {
		o.Length = t.Sub(start)
		e := Event(t, "client", "probe", control.KindOutage, "warn",
			fmt.Sprintf("client: no successful answer since %s (timeout)", start.Format("15:04:05.000")))
		e.Outage = o
		return e
	}
	o.Length = end.Sub(start)
	e := Event(end, "client", "probe", control.KindOutage, "info",
		fmt.Sprintf("client: answers again, now via lb2 — outage %.2f s, %d requests failed", o.Length.Seconds(), failed))
	e.Outage = o
	return e
}

// Exit is a component found not running.
func Exit(t time.Time, node, component string, pid int) control.Event {
	e := Event(t, node, component, control.KindExit, "error", fmt.Sprintf("%s on %s is not running (pid %d)", component, node, pid))
	e.Exit = &control.Exit{PID: pid, Status: "stream ended"}
	return e
}

// Fault is the lab's announcement of a fault applied (or mended), as the
// netns provider writes it.
func Fault(t time.Time, f lab.Fault) control.Event {
	mends := f.Kind == lab.FaultRestore || f.Kind == lab.FaultStart || f.Kind == lab.FaultLinkUp || f.Kind == lab.FaultHeal
	target := f.Node
	switch {
	case f.Peer != "":
		target = f.Node + "," + f.Peer
	case f.Component != "":
		target = f.Node + "/" + f.Component
	case f.Interface != "":
		target = f.Node + "/" + f.Interface
	}
	e := Event(t, f.Node, "lab", control.KindFault, "info", "fault: "+f.String())
	e.Fault = &control.Fault{Name: string(f.Kind), Target: target, Active: !mends}
	return e
}

// Steady is the seed lab from its start to now: both load balancers start
// as BACKUP, lb1 takes the VIP when its master-down timer expires, and the
// client's requests all succeed through lb1 since.
func Steady(now time.Time) []control.Event {
	c := now.Add(-Uptime)
	ms := func(n int) time.Time { return c.Add(time.Duration(n) * time.Millisecond) }
	ev := []control.Event{
		Ready(ms(120), "web1", "web", "web1 serving on 192.168.10.200:80"),
		Event(ms(150), "lb1", "vrrp", control.KindLog, "warn", "keepalived.conf:34: auth_pass is truncated to 8 characters"),
		Event(ms(150), "lb1", "vrrp", control.KindLog, "warn", "(LB_VIP) Initial state master is incompatible with AH authentication - clearing"),
		State(ms(160), "lb1", "INIT", "BACKUP", 101, "initial state BACKUP, master down timer 3.61 s"),
		Timer(ms(160), "lb1", ms(160+3605), 3605*time.Millisecond, true),
		Ready(ms(170), "lb1", "vrrp", "vrrp running LB_VIP"),
		State(ms(180), "lb2", "INIT", "BACKUP", 100, "initial state BACKUP, master down timer 3.61 s"),
		Timer(ms(180), "lb2", ms(180+3609), 3609*time.Millisecond, true),
		Ready(ms(190), "lb2", "vrrp", "vrrp running LB_VIP"),
		Ready(ms(210), "lb1", "proxy", "proxy listening on 172.16.0.200:80"),
		Ready(ms(220), "lb2", "proxy", "proxy listening on 172.16.0.200:80"),
		Server(ms(240), "lb1", true, "Layer4 check passed"),
		Server(ms(250), "lb2", true, "Layer4 check passed"),
		Ready(ms(300), "client", "probe", "probe: 100 requests/s to http://172.16.0.200:80/"),
		Priority(ms(2170), "lb1", "BACKUP", 101, 103, "script chk_haproxy succeeded"),
		Priority(ms(2190), "lb2", "BACKUP", 100, 102, "script chk_haproxy succeeded"),
		State(ms(3765), "lb1", "BACKUP", "MASTER", 103, "master down timer expired after 3.61 s"),
		VIP(ms(3766), "lb1", true),
	}
	return byTime(append(ev, Traffic(ms(400), now, func(t time.Time) (int, string) {
		if t.Before(ms(3800)) {
			return 0, ""
		}
		return 10, "lb1"
	})...))
}

// Failover is Steady, then lb1 powered off 2.5 s before now: lb1's
// components are gone, the client's requests fail (an outage is open), and
// lb2's master-down timer runs out about 1.1 s after now.
func Failover(now time.Time) []control.Event {
	crash := now.Add(-2500 * time.Millisecond)
	ev := Steady(crash)
	ev = append(ev, Fault(crash, lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}))
	silent := crash.Add(1500 * time.Millisecond)
	ev = append(ev,
		Exit(crash.Add(260*time.Millisecond), "lb1", "vrrp", 1010),
		Exit(crash.Add(270*time.Millisecond), "lb1", "proxy", 1011),
		Timer(silent, "lb2", crash.Add(-400*time.Millisecond).Add(masterDown), masterDown, true),
		Outage(crash.Add(400*time.Millisecond), crash.Add(-10*time.Millisecond), time.Time{}, 30),
	)
	return byTime(append(ev, Traffic(crash, now.Add(-400*time.Millisecond), func(time.Time) (int, string) { return 0, "" })...))
}

// NodeDown is Failover finished: lb1 stays powered off, lb2 took the VIP
// 3.21 s after the last answer through lb1, and answers since.
func NodeDown(now time.Time) []control.Event {
	crash := now.Add(-40 * time.Second)
	ev := Steady(crash)
	ev = append(ev, Fault(crash, lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}))
	last := crash.Add(-10 * time.Millisecond)
	takeover := crash.Add(-411 * time.Millisecond).Add(masterDown)
	back := last.Add(3210 * time.Millisecond)
	ev = append(ev,
		Exit(crash.Add(260*time.Millisecond), "lb1", "vrrp", 1010),
		Exit(crash.Add(270*time.Millisecond), "lb1", "proxy", 1011),
		Timer(crash.Add(1500*time.Millisecond), "lb2", takeover, masterDown, true),
		Outage(crash.Add(400*time.Millisecond), last, time.Time{}, 30),
		State(takeover, "lb2", "BACKUP", "MASTER", 102, "master down timer expired after 3.60 s"),
		VIP(takeover.Add(time.Millisecond), "lb2", true),
		Outage(back, last, back, 321),
	)
	return byTime(append(ev, Traffic(crash, now.Add(-400*time.Millisecond), func(t time.Time) (int, string) {
		if t.Before(back) {
			return 0, ""
		}
		return 10, "lb2"
	})...))
}

// SplitBrain is Steady, then lb1 and lb2 partitioned 12 s before now: lb2
// hears no adverts, takes the VIP as well, and both hold it.
func SplitBrain(now time.Time) []control.Event {
	cut := now.Add(-12 * time.Second)
	ev := Steady(cut)
	takeover := cut.Add(-300 * time.Millisecond).Add(masterDown)
	ev = append(ev,
		Fault(cut, lab.Fault{Kind: lab.FaultPartition, Node: "lb1", Peer: "lb2"}),
		Timer(cut.Add(1200*time.Millisecond), "lb2", takeover, masterDown, true),
		State(takeover, "lb2", "BACKUP", "MASTER", 102, "master down timer expired after 3.60 s"),
		VIP(takeover.Add(time.Millisecond), "lb2", true),
	)
	return byTime(append(ev, Traffic(cut, now.Add(-400*time.Millisecond), func(t time.Time) (int, string) {
		if t.Before(takeover) {
			return 10, "lb1"
		}
		if t.UnixMilli()/100%3 == 0 {
			return 7, "lb1"
		}
		return 10, "lb2"
	})...))
}

// byTime orders events as they happened (a stable sort: equal times keep
// their order).
func byTime(ev []control.Event) []control.Event {
	slices.SortStableFunc(ev, func(a, b control.Event) int { return a.Time.Compare(b.Time) })
	return ev
}
