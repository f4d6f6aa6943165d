package vrrp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
	"github.com/halab/halab/nodes/vrrp/wire"
)

// notifyTimeout bounds a notify script; keepalived lets them run detached,
// halab does too but never forever.
const notifyTimeout = 30 * time.Second

// startTracking runs every vrrp_script an instance tracks, each on its own
// interval, follows the vrrp_track_process blocks instances track, and
// watches the links instances track. Results reach each tracking instance
// as track changes (after rise/fall, fork_delay/terminate_delay).
func (d *daemon) startTracking(ctx context.Context, cfg *kaconf.Config, wg *sync.WaitGroup) {
	watchers := map[string][]*instance{}
	for _, in := range d.instances {
		for _, ts := range in.cfg.TrackScripts {
			watchers[ts.Name] = append(watchers[ts.Name], in)
		}
	}
	for _, s := range cfg.Scripts {
		if len(watchers[s.Name]) == 0 {
			continue
		}
		wg.Add(1)
		go func(s *kaconf.Script, ins []*instance) {
			defer wg.Done()
			d.runScriptLoop(ctx, s, ins)
		}(s, watchers[s.Name])
	}
	d.runProcessTrackers(ctx, wg)
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.watchLinks(ctx)
	}()
}

// runScriptLoop runs one vrrp_script every interval, as keepalived does,
// and reports changes of its rise/fall state.
func (d *daemon) runScriptLoop(ctx context.Context, s *kaconf.Script, ins []*instance) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = s.Interval
	}
	counter := scriptCounter{Rise: s.Rise, Fall: s.Fall}
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	for {
		r := runScript(ctx, s.Args, timeout)
		if ctx.Err() != nil {
			return
		}
		if changed, ok := counter.Add(r.OK); changed {
			why := "succeeded"
			if !ok {
				why = "failed (" + describeScriptResult(r) + ")"
			}
			msg := fmt.Sprintf("VRRP_Script(%s) %s", s.Name, why)
			if ok {
				d.log.Info(msg)
			} else {
				d.log.Warn(msg)
			}
			level := "info"
			if !ok {
				level = "warn"
			}
			d.ctl.Publish(control.Event{Kind: control.KindLog, Level: level, Message: msg})
			for _, in := range ins {
				select {
				case in.tracks <- trackResult{name: "script " + s.Name, ok: ok, why: why}:
				case <-ctx.Done():
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func describeScriptResult(r scriptResult) string {
	switch {
	case r.TimedOut:
		return "timed out"
	case r.ExitCode != 0:
		return "exited with status " + strconv.Itoa(r.ExitCode)
	case r.Err != nil:
		return r.Err.Error()
	}
	return "failed"
}

// linkState is a tracked interface's state now.
func linkState(name string) fsm.TrackState {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return fsm.TrackFailed
	}
	if linkUp(link) {
		return fsm.TrackOK
	}
	return fsm.TrackFailed
}

func linkUp(link netlink.Link) bool {
	a := link.Attrs()
	return a.Flags&1 != 0 && (a.OperState == netlink.OperUp || a.OperState == netlink.OperUnknown)
}

// watchLinks reports tracked interfaces going down and up (keepalived
// tracks each instance's own interface with weight 0: down means FAULT).
func (d *daemon) watchLinks(ctx context.Context) {
	updates := make(chan netlink.LinkUpdate, 16)
	done := make(chan struct{})
	defer close(done)
	if err := netlink.LinkSubscribe(updates, done); err != nil {
		d.log.Error("cannot watch interfaces; link tracking is off", "error", err)
		return
	}
	last := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			name, up := u.Link.Attrs().Name, linkUp(u.Link)
			if prev, seen := last[name]; seen && prev == up {
				continue
			}
			last[name] = up
			for _, in := range d.instances {
				if !in.tracksInterface(name) {
					continue
				}
				state := "down"
				if up {
					state = "up"
				}
				select {
				case in.tracks <- trackResult{name: "interface " + name, ok: up, why: "link " + state}:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

func (in *instance) tracksInterface(name string) bool {
	if name == in.cfg.Interface {
		return true
	}
	for _, ti := range in.cfg.TrackInterfaces {
		if ti.Name == name {
			return true
		}
	}
	return false
}

// notify runs the instance's notify scripts for a new state: notify_master
// (or _backup, _fault, _stop) and notify with keepalived's arguments
// INSTANCE NAME STATE PRIORITY.
func (in *instance) notify(to fsm.State) {
	var specific *kaconf.Notify
	switch to {
	case fsm.Master:
		specific = in.cfg.NotifyMaster
	case fsm.Backup:
		specific = in.cfg.NotifyBackup
	case fsm.Fault:
		specific = in.cfg.NotifyFault
	case fsm.Initialize:
		specific = in.cfg.NotifyStop
	}
	state := to.String()
	if to == fsm.Initialize {
		state = "STOP"
	}
	run := func(argv []string) {
		go func() {
			r := runScript(context.Background(), argv, notifyTimeout)
			if !r.OK {
				in.log.Warn("notify script failed", "script", strings.Join(argv, " "), "result", describeScriptResult(r))
			}
		}()
	}
	if specific != nil && len(specific.Args) > 0 {
		run(specific.Args)
	}
	if in.cfg.Notify != nil && len(in.cfg.Notify.Args) > 0 {
		run(append(append([]string{}, in.cfg.Notify.Args...), "INSTANCE", in.name, state, strconv.Itoa(int(in.machine.Priority()))))
	}
}

// InstanceStatus is one instance in the daemon's status.
type InstanceStatus struct {
	Name           string        `json:"name"`
	State          string        `json:"state"`
	Priority       int           `json:"priority"`
	BasePriority   int           `json:"base_priority"`
	VRID           int           `json:"vrid"`
	Version        int           `json:"version"`
	Interface      string        `json:"interface"`
	Source         string        `json:"source"`
	Destinations   []string      `json:"destinations"`
	Auth           string        `json:"auth"`
	AdvertInterval time.Duration `json:"advert_interval"`
	VIPs           []VIPStatus   `json:"vips"`
	Master         string        `json:"master,omitempty"`
	MasterPriority int           `json:"master_priority,omitempty"`
	// MasterDown is the master-down timer's deadline while a backup waits.
	MasterDown     time.Time     `json:"master_down,omitempty"`
	LastTransition *TransitionAt `json:"last_transition,omitempty"`
	Tracks         []TrackAt     `json:"tracks"`
	Counters       Counters      `json:"counters"`
	AHSequence     uint32        `json:"ah_sequence,omitempty"`
}

// VIPStatus is a virtual address and whether this node holds it now.
type VIPStatus struct {
	Address   string `json:"address"`
	Interface string `json:"interface"`
	Held      bool   `json:"held"`
}

// TransitionAt is the last state change.
type TransitionAt struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// TrackAt is a tracked item and its state.
type TrackAt struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	State  string `json:"state"`
}

// HeldVIPs lists the addresses this node holds.
func (s InstanceStatus) HeldVIPs() []string {
	var out []string
	for _, v := range s.VIPs {
		if v.Held {
			out = append(out, v.Address)
		}
	}
	return out
}

// refreshView copies what status shows of the state machine, from the run
// goroutine that owns it.
func (in *instance) refreshView() {
	m := in.machine
	v := InstanceStatus{State: m.State().String(), Priority: int(m.Priority())}
	if addr, prio, ok := m.MasterAddress(); ok {
		v.Master, v.MasterPriority = addr.String(), int(prio)
	}
	if dl, ok := m.MasterDownDeadline(); ok {
		v.MasterDown = dl
	}
	if t, ok := m.LastTransition(); ok {
		v.LastTransition = &TransitionAt{From: t.From.String(), To: t.To.String(), Reason: t.Reason, At: t.At}
	}
	for _, t := range m.Tracks() {
		v.Tracks = append(v.Tracks, TrackAt{Name: t.Name, Weight: t.Weight, State: t.State.String()})
	}
	if in.filter.Auth == wire.AuthAH {
		v.AHSequence = in.seq.Last()
	}
	in.mu.Lock()
	in.view = v
	in.mu.Unlock()
}

// snapshot is the instance's status for a status request, from any
// goroutine.
func (in *instance) snapshot() InstanceStatus {
	in.mu.Lock()
	st := in.view
	st.Counters = in.counters
	st.Counters.Dropped = make(map[string]uint64, len(in.counters.Dropped))
	for k, v := range in.counters.Dropped {
		st.Counters.Dropped[k] = v
	}
	in.mu.Unlock()
	st.Name, st.BasePriority, st.VRID, st.Version = in.name, in.cfg.Priority, in.cfg.VRID, in.cfg.Version
	st.Interface, st.Source, st.Auth, st.AdvertInterval = in.cfg.Interface, in.src.String(), in.cfg.AuthType.String(), in.cfg.AdvertInterval
	for _, d := range in.dsts {
		st.Destinations = append(st.Destinations, d.String())
	}
	for _, v := range in.vips {
		st.VIPs = append(st.VIPs, VIPStatus{Address: v.Prefix.Addr().String(), Interface: v.Interface, Held: hasVIP(v)})
	}
	return st
}
