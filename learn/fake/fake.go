// Package fake is a simulated seed lab for the walkthrough's unit tests: a
// learn.Lab whose nodes answer as the real ones do — `ip --brief addr`,
// curl, sysctl and ss outputs, the VRRP daemons' and the probe's status,
// their event histories — and whose faults play out on a simulated clock
// with the tutorial's timers (the backup takes the VIP 3.58 s after the
// master's power-off, the master preempts 3.7 s after it returns, and so
// on). Breaking one part (Break) makes the checks see a lab that does not
// behave, for their ✗ paths.
package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/nodes/control"
)

// Start is the simulated clock's time when a Lab is made; the lab was
// built a minute earlier and is at rest.
var Start = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// Clock is a learn.Clock whose time moves only when slept on.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the time on by d at once.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advance moves the time on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// The simulated lab's timers, the tutorial's.
const (
	// TakeOver is how long the backup takes to become master after the
	// master's power-off (its master-down interval, less the time since
	// the master's last advert).
	TakeOver = 3580 * time.Millisecond
	// Preempt is how long the returning master takes to preempt.
	Preempt = 3700 * time.Millisecond
	// ScriptFails is how long after a proxy's death its track script
	// fails.
	ScriptFails = 1200 * time.Millisecond
	// Heal is how long after a partition heals the backup steps down.
	Heal = 40 * time.Millisecond
)

// change is one scheduled change of the simulated world.
type change struct {
	at time.Time
	// holders who hold the VIP from at on (nil: unchanged).
	holders []string
	// vrrp state and priority of a node from at on ("" : unchanged).
	node, state string
	prio        int
	reason      string
}

// Lab is the simulated seed lab. It is safe for concurrent use.
type Lab struct {
	Clock *Clock

	mu      sync.Mutex
	st      *lab.State
	changes []change
	outages []control.Outage
	broken  map[string]bool
	faults  []lab.Fault
	// boot is when a node last powered on (its daemons' history starts
	// there).
	boot map[string]time.Time
}

var _ learn.Lab = (*Lab)(nil)

// New returns the seed lab at rest at Start: lb1 MASTER at 103 with the
// VIP, lb2 BACKUP at 102, the probe answered.
func New() *Lab {
	l, err := lab.LoadBuiltin("seed")
	if err != nil {
		panic("fake: the built-in seed lab does not load: " + err.Error())
	}
	built := Start.Add(-time.Minute)
	st := &lab.State{Name: l.Name, Provider: lab.ProviderNetns, Created: built, Phase: lab.PhaseUp, Dir: "/run/halab/" + l.Name, Lab: l}
	for _, n := range l.Nodes {
		ns := lab.NodeState{Name: n.Name, Namespace: "halab-" + l.Name + "-" + n.Name}
		for _, c := range n.Components {
			ns.Components = append(ns.Components, lab.ComponentState{Kind: c.Kind, Started: built})
		}
		st.Nodes = append(st.Nodes, ns)
	}
	f := &Lab{Clock: NewClock(Start), st: st, broken: map[string]bool{}, boot: map[string]time.Time{}}
	elected := built.Add(3600 * time.Millisecond)
	f.changes = []change{
		{at: built, node: "lb1", state: "BACKUP", prio: 103, reason: "initial state BACKUP, master down timer 3.61 s"},
		{at: built, node: "lb2", state: "BACKUP", prio: 102, reason: "initial state BACKUP, master down timer 3.61 s"},
		{at: elected, node: "lb1", state: "MASTER", prio: 103, reason: "master down timer expired after 3.60 s", holders: []string{"lb1"}},
	}
	f.outages = []control.Outage{{Start: built, End: elected, Length: elected.Sub(built), Failed: 360}}
	return f
}

// Break makes one part of the lab misbehave: "failover" (the backup never
// takes over), "preempt" (the master never takes the VIP back), "track"
// (a dead proxy's priority never drops), "split" (a partition splits
// nothing), "curl" (curl gets nothing anywhere), "nonlocal" (the backup's
// proxy cannot bind the VIP), "vrrp" (the VRRP daemons do not answer).
func (f *Lab) Break(part string) {
	f.mu.Lock()
	f.broken[part] = true
	f.mu.Unlock()
}

// State is the lab's recorded state.
func (f *Lab) State() *lab.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *f.st
	c.Nodes = slices.Clone(f.st.Nodes)
	c.Faults = slices.Clone(f.faults)
	return &c
}

// Faults lists the faults applied, in order.
func (f *Lab) Faults() []lab.Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.faults)
}

// at is the world at time t: who holds the VIP, and each node's VRRP
// state, priority and last transition.
type world struct {
	holders []string
	vrrp    map[string]change
}

func (f *Lab) worldAt(t time.Time) world {
	w := world{vrrp: map[string]change{}}
	for _, c := range f.changes {
		if c.at.After(t) {
			continue
		}
		if c.holders != nil {
			w.holders = c.holders
		}
		if c.node != "" {
			prev := w.vrrp[c.node]
			if c.state == prev.state && !prev.at.IsZero() {
				c.at = prev.at // a priority change is no transition
			}
			w.vrrp[c.node] = c
		}
	}
	return w
}

// poweredOff reports whether node is off now (f.mu held).
func (f *Lab) poweredOff(node string) bool {
	for _, n := range f.st.Nodes {
		if n.Name == node {
			return n.PoweredOff
		}
	}
	return false
}

func (f *Lab) setPower(node string, off bool) {
	for i := range f.st.Nodes {
		if f.st.Nodes[i].Name == node {
			f.st.Nodes[i].PoweredOff = off
		}
	}
}

// proxyDead reports whether node's proxy was killed and not started
// (f.mu held).
func (f *Lab) proxyDead(node string) bool {
	return slices.ContainsFunc(f.faults, func(x lab.Fault) bool {
		return x.Kind == lab.FaultKill && x.Node == node && x.Component == lab.ComponentProxy
	})
}

// Fault applies a fault: it is recorded, and its consequences are
// scheduled on the simulated clock.
func (f *Lab) Fault(ctx context.Context, x lab.Fault) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.Clock.Now()
	f.faults = lab.RecordFault(f.faults, x)
	add := func(d time.Duration, c change) {
		c.at = now.Add(d)
		f.changes = append(f.changes, c)
	}
	outage := func(length time.Duration) {
		f.outages = append(f.outages, control.Outage{Start: now, End: now.Add(length), Length: length, Failed: int(length / (10 * time.Millisecond))})
	}
	switch {
	case x.Kind == lab.FaultCrash && x.Node == "lb1":
		f.setPower("lb1", true)
		add(0, change{holders: []string{}})
		if !f.broken["failover"] {
			add(TakeOver, change{node: "lb2", state: "MASTER", prio: 102, reason: "master down timer expired after 3.60 s", holders: []string{"lb2"}})
			outage(TakeOver + 20*time.Millisecond)
		} else {
			outage(time.Hour)
		}
	case x.Kind == lab.FaultRestore && x.Node == "lb1":
		f.setPower("lb1", false)
		f.boot["lb1"] = now
		add(0, change{node: "lb1", state: "BACKUP", prio: 103, reason: "initial state BACKUP, master down timer 3.60 s"})
		if !f.broken["preempt"] {
			f.preempt(now)
		}
	case x.Kind == lab.FaultKill && x.Component == lab.ComponentProxy && x.Node == "lb1":
		if !f.broken["track"] {
			add(ScriptFails, change{node: "lb1", state: "MASTER", prio: 101})
			add(ScriptFails+3600*time.Millisecond, change{node: "lb2", state: "MASTER", prio: 102, reason: "master down timer expired after 3.60 s", holders: []string{"lb2"}})
			add(ScriptFails+3610*time.Millisecond, change{node: "lb1", state: "BACKUP", prio: 101, reason: "higher priority advert from 192.168.10.102 (102 > 101)"})
			outage(ScriptFails + 3620*time.Millisecond)
		} else {
			outage(time.Hour)
		}
	case x.Kind == lab.FaultStart && x.Component == lab.ComponentProxy && x.Node == "lb1":
		add(0, change{node: "lb1", state: "BACKUP", prio: 103})
		f.preempt(now)
	case x.Kind == lab.FaultPartition:
		if !f.broken["split"] {
			add(3600*time.Millisecond, change{node: "lb2", state: "MASTER", prio: 102, reason: "master down timer expired after 3.60 s", holders: []string{"lb1", "lb2"}})
		}
	case x.Kind == lab.FaultHeal:
		w := f.worldAt(now)
		if len(w.holders) > 1 {
			add(Heal, change{node: "lb2", state: "BACKUP", prio: 102, reason: "higher priority advert from 192.168.10.101 (103 > 102)", holders: []string{"lb1"}})
		}
	default:
		return fmt.Errorf("fake: %s is not simulated", x)
	}
	slices.SortStableFunc(f.changes, func(a, b change) int { return a.at.Compare(b.at) })
	return nil
}

// preempt schedules lb1 taking the VIP back from lb2 (f.mu held).
func (f *Lab) preempt(now time.Time) {
	at := now.Add(Preempt)
	f.changes = append(f.changes,
		change{at: at, node: "lb1", state: "MASTER", prio: 103, reason: "preempting lb2 (priority 102 < 103)", holders: []string{"lb1"}},
		change{at: at, node: "lb2", state: "BACKUP", prio: 102, reason: "higher priority advert from 192.168.10.101 (103 > 102)"})
}

// Interfaces are the node's interfaces from the lab file, down while it
// is powered off, with the VIP on enp0s9 while it holds it.
func (f *Lab) Interfaces(ctx context.Context, node string) ([]lab.InterfaceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.st.Lab.Node(node)
	if err != nil {
		return nil, err
	}
	w := f.worldAt(f.Clock.Now())
	var out []lab.InterfaceInfo
	for _, i := range n.Interfaces {
		info := lab.InterfaceInfo{Name: i.Name, Up: !f.poweredOff(node), Addresses: []string{i.Address.String()}}
		if i.Network == f.st.Lab.VIP.Network && slices.Contains(w.holders, node) {
			info.Addresses = append(info.Addresses, f.st.Lab.VIP.Address.String()+"/32")
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b lab.InterfaceInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// roundTrip gives detail the JSON of v, as a control socket would.
func roundTrip(v, detail any) error {
	if detail == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, detail)
}
