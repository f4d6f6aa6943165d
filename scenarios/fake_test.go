package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
)

// fakeTimes are the fake lab's protocol timers, scaled down so that a drill
// takes a fraction of a second.
type fakeTimes struct {
	tick, bucket, timeout           time.Duration
	masterDown, skew, track, advert time.Duration
	healthDown, healthUp            time.Duration
}

var fastTimes = fakeTimes{
	tick: 2 * time.Millisecond, bucket: 20 * time.Millisecond, timeout: 10 * time.Millisecond,
	masterDown: 120 * time.Millisecond, skew: 20 * time.Millisecond, track: 40 * time.Millisecond, advert: 30 * time.Millisecond,
	healthDown: 60 * time.Millisecond, healthUp: 40 * time.Millisecond,
}

// fakeLab simulates the seed lab: two load balancers electing a VRRP
// master with delays like the real timers (scaled), a web server behind
// them with health checks, and a client probe sending one request per
// tick. It publishes the events a real lab would (VIP changes, VRRP
// states and priorities, backend health, probe buckets and outages,
// faults).
type fakeLab struct {
	t  *testing.T
	tm fakeTimes
	st *lab.State

	mu        sync.Mutex
	base      map[string]int
	nopreempt bool
	powered   map[string]bool
	vrrpUp    map[string]bool
	proxyUp   map[string]bool
	scriptOK  map[string]bool
	linkDown  map[string]bool
	webUp     bool
	backendUp bool
	split     bool
	holders   map[string]bool
	state     map[string]string
	faults    []lab.Fault
	applied   []lab.Fault
	failNext  error

	rate             int
	sent, ok, failed int64
	hasOK            bool
	lastOK           time.Time
	failSince        int
	current, longest *control.Outage
	bkt              control.ProbeBucket
	history          []control.Event
	subs             []chan control.Event
	stop             chan struct{}
	done             sync.WaitGroup
}

func newFakeLab(t *testing.T, tm fakeTimes) *fakeLab {
	l, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	st := &lab.State{Name: "seed", Provider: "fake", Phase: "up", Lab: l}
	for _, n := range l.Nodes {
		st.Nodes = append(st.Nodes, lab.NodeState{Name: n.Name})
	}
	f := &fakeLab{t: t, tm: tm, st: st, rate: 100, webUp: true, backendUp: true,
		base:    map[string]int{"lb1": 101, "lb2": 100},
		powered: map[string]bool{"lb1": true, "lb2": true}, vrrpUp: map[string]bool{"lb1": true, "lb2": true},
		proxyUp: map[string]bool{"lb1": true, "lb2": true}, scriptOK: map[string]bool{"lb1": true, "lb2": true}, linkDown: map[string]bool{},
		holders: map[string]bool{"lb1": true, "lb2": false}, state: map[string]string{"lb1": StateMaster, "lb2": StateBackup},
		stop: make(chan struct{})}
	f.done.Add(1)
	go f.loop()
	t.Cleanup(f.close)
	return f
}

func (f *fakeLab) close() {
	close(f.stop)
	f.done.Wait()
}

func (f *fakeLab) prio(n string) int {
	p := f.base[n]
	if f.scriptOK[n] {
		p += 2
	}
	return p
}

// publish records an event and sends it to every subscriber; the caller
// holds mu.
func (f *fakeLab) publish(e control.Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	f.history = append(f.history, e)
	for _, c := range f.subs {
		select {
		case c <- e:
		default:
		}
	}
}

// loop sends the probe's requests and publishes buckets.
func (f *fakeLab) loop() {
	defer f.done.Done()
	tick := time.NewTicker(f.tm.tick)
	defer tick.Stop()
	for {
		select {
		case <-f.stop:
			return
		case now := <-tick.C:
			f.mu.Lock()
			f.request(now)
			f.mu.Unlock()
		}
	}
}

func (f *fakeLab) serving() bool {
	if !f.webUp || !f.backendUp {
		return false
	}
	for n, h := range f.holders {
		if h && f.powered[n] && f.proxyUp[n] && !f.linkDown[n] {
			return true
		}
	}
	return false
}

// request is one probe request at now; the caller holds mu.
func (f *fakeLab) request(now time.Time) {
	if f.bkt.Start.IsZero() {
		f.bkt = control.ProbeBucket{Start: now, Width: f.tm.bucket}
	}
	if now.Sub(f.bkt.Start) >= f.tm.bucket {
		b := f.bkt
		f.publish(control.Event{Time: now, Node: "client", Component: "probe", Kind: control.KindProbe, Probe: &b})
		f.bkt = control.ProbeBucket{Start: f.bkt.Start.Add(f.tm.bucket), Width: f.tm.bucket}
	}
	if f.rate == 0 {
		return
	}
	f.sent++
	if !f.serving() {
		f.failed++
		f.bkt.Failed++
		f.failSince++
		if f.hasOK && f.current == nil && now.Sub(f.lastOK) > 2*f.tm.tick {
			f.current = &control.Outage{Start: f.lastOK, Open: true}
		}
		return
	}
	f.ok++
	f.bkt.OK++
	if f.hasOK && f.failSince > 0 {
		o := control.Outage{Start: f.lastOK, End: now, Length: now.Sub(f.lastOK), Failed: f.failSince}
		if f.longest == nil || o.Length > f.longest.Length {
			f.longest = &o
		}
		f.publish(control.Event{Time: now, Node: "client", Component: "probe", Kind: control.KindOutage, Outage: &o})
	}
	f.hasOK, f.lastOK, f.failSince, f.current = true, now, 0, nil
}

// later runs fn after d, under mu.
func (f *fakeLab) later(d time.Duration, fn func()) {
	f.done.Add(1)
	go func() {
		defer f.done.Done()
		select {
		case <-f.stop:
		case <-time.After(d):
			f.mu.Lock()
			fn()
			f.mu.Unlock()
		}
	}()
}

// setHolder gives or takes the VIP; the caller holds mu.
func (f *fakeLab) setHolder(n string, held bool, state string) {
	if f.holders[n] != held {
		f.holders[n] = held
		f.publish(control.Event{Node: n, Component: "vrrp", Kind: control.KindVIP, VIP: &control.VIPChange{Address: "172.16.0.200", Added: held}})
	}
	if f.state[n] != state {
		f.publish(control.Event{Node: n, Component: "vrrp", Kind: control.KindVRRPState, VRRP: &control.VRRPState{From: f.state[n], To: state, Priority: f.prio(n)}})
		f.state[n] = state
	}
}

// elect settles the VRRP election as the timers would have by now.
func (f *fakeLab) elect() {
	var cands []string
	for _, n := range []string{"lb1", "lb2"} {
		if f.powered[n] && f.vrrpUp[n] && !f.linkDown[n] {
			cands = append(cands, n)
		}
	}
	if f.split {
		for _, n := range cands {
			f.setHolder(n, true, StateMaster)
		}
		return
	}
	master := ""
	for _, n := range cands {
		if f.holders[n] && (master == "" || f.prio(n) > f.prio(master)) {
			master = n
		}
	}
	best := ""
	for _, n := range cands {
		if best == "" || f.prio(n) > f.prio(best) {
			best = n
		}
	}
	if master != "" && (f.nopreempt || f.prio(master) >= f.prio(best)) {
		best = master
	}
	for _, n := range cands {
		if n == best {
			f.setHolder(n, true, StateMaster)
		} else {
			f.setHolder(n, false, StateBackup)
		}
	}
}

func (f *fakeLab) State() *lab.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := *f.st
	st.Faults = slices.Clone(f.faults)
	return &st
}

func (f *fakeLab) Events(ctx context.Context) <-chan control.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan control.Event, 1<<16)
	for _, e := range f.history {
		c <- e
	}
	f.subs = append(f.subs, c)
	f.done.Add(1)
	go func() {
		defer f.done.Done()
		select {
		case <-ctx.Done():
		case <-f.stop:
		}
		f.mu.Lock()
		f.subs = slices.DeleteFunc(f.subs, func(o chan control.Event) bool { return o == c })
		close(c)
		f.mu.Unlock()
	}()
	return c
}

func (f *fakeLab) Fault(ctx context.Context, flt lab.Fault) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	if err := f.apply(flt); err != nil {
		return err
	}
	f.applied = append(f.applied, flt)
	f.faults = lab.RecordFault(f.faults, flt)
	f.publish(control.Event{Node: flt.Node, Component: "lab", Kind: control.KindFault, Message: "fault: " + flt.String(),
		Fault: &control.Fault{Name: string(flt.Kind), Active: !flt.Mends()}})
	return nil
}

// apply changes the simulated lab; the caller holds mu.
func (f *fakeLab) apply(flt lab.Fault) error {
	tm := f.tm
	n := flt.Node
	switch {
	case flt.Kind == lab.FaultCrash:
		if !f.powered[n] {
			return fmt.Errorf("%s is powered off", n)
		}
		f.powered[n], f.vrrpUp[n], f.proxyUp[n], f.scriptOK[n] = false, false, false, false
		f.setHolder(n, false, StateDown)
		f.later(tm.masterDown, f.elect)
	case flt.Kind == lab.FaultRestore:
		if f.powered[n] {
			return fmt.Errorf("%s is not powered off", n)
		}
		f.powered[n], f.vrrpUp[n], f.proxyUp[n], f.scriptOK[n] = true, true, true, true
		f.setHolder(n, false, StateBackup)
		f.later(tm.masterDown, f.elect)
	case flt.Component == "proxy" && (flt.Kind == lab.FaultKill || flt.Kind == lab.FaultStart):
		up := flt.Kind == lab.FaultStart
		if f.proxyUp[n] == up {
			return fmt.Errorf("proxy on %s: nothing to do", n)
		}
		f.proxyUp[n] = up // at once; the track script notices later
		f.later(tm.track, func() {
			f.scriptOK[n] = up
			f.publish(control.Event{Node: n, Component: "vrrp", Kind: control.KindVRRPPriority, VRRP: &control.VRRPState{Priority: f.prio(n)}})
			f.later(tm.masterDown, f.elect)
		})
	case flt.Component == "vrrp" && (flt.Kind == lab.FaultStop || flt.Kind == lab.FaultStart):
		f.vrrpUp[n] = flt.Kind == lab.FaultStart
		if f.vrrpUp[n] {
			f.setHolder(n, false, StateBackup)
			f.later(tm.masterDown, f.elect)
		} else {
			f.setHolder(n, false, StateDown)
			f.later(tm.skew, f.elect)
		}
	case flt.Component == "web" && (flt.Kind == lab.FaultKill || flt.Kind == lab.FaultStart):
		f.webUp = flt.Kind == lab.FaultStart
		delay := tm.healthDown
		if f.webUp {
			delay = tm.healthUp
		}
		f.later(delay, func() {
			f.backendUp = f.webUp
			for _, lb := range []string{"lb1", "lb2"} {
				f.publish(control.Event{Node: lb, Component: "proxy", Kind: control.KindBackend, Backend: &control.Backend{Server: "webserver1", Up: f.webUp}})
			}
		})
	case flt.Kind == lab.FaultLinkDown || flt.Kind == lab.FaultLinkUp:
		f.linkDown[n] = flt.Kind == lab.FaultLinkDown
		if f.linkDown[n] {
			f.setHolder(n, false, StateFault)
			f.later(tm.skew, f.elect)
		} else {
			f.setHolder(n, false, StateBackup)
			f.later(tm.masterDown, f.elect)
		}
	case flt.Kind == lab.FaultPartition:
		f.split = true
		f.later(tm.masterDown, f.elect)
	case flt.Kind == lab.FaultHeal:
		f.split = false
		f.later(tm.advert, f.elect)
	default:
		return fmt.Errorf("the fake lab cannot %s", flt)
	}
	return nil
}

func (f *fakeLab) Probe(ctx context.Context, action string, in, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch action {
	case "rate":
		b, _ := json.Marshal(in)
		var r struct{ Rate int }
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		f.rate = r.Rate
		return nil
	case "reset":
		f.sent, f.ok, f.failed, f.hasOK, f.failSince, f.current, f.longest = 0, 0, 0, false, 0, nil, nil
	case "stats":
	default:
		return fmt.Errorf("no action %q", action)
	}
	if out != nil {
		ps := out.(*probe.Status)
		*ps = probe.Status{Rate: f.rate, Timeout: f.tm.timeout, Bucket: f.tm.bucket, Running: true,
			Sent: f.sent, OK: f.ok, Failed: f.failed, Answered: f.hasOK, LastAnswer: f.lastOK, Longest: f.longest}
		if f.current != nil {
			c := *f.current
			c.Length, c.Failed = time.Since(c.Start), f.failSince
			ps.Current = &c
		}
	}
	return nil
}

func (f *fakeLab) Holders(ctx context.Context) (map[string]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]bool{}
	for n, h := range f.holders {
		out[n] = h && f.powered[n]
	}
	return out, nil
}

func (f *fakeLab) VRRP(ctx context.Context) (map[string]VRRPStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]VRRPStatus{}
	for _, n := range []string{"lb1", "lb2"} {
		s := VRRPStatus{State: f.state[n], Priority: f.prio(n)}
		if !f.powered[n] || !f.vrrpUp[n] {
			s = VRRPStatus{State: StateDown}
		}
		out[n] = s
	}
	return out, nil
}

// appliedFaults is the log of faults applied, in words.
func (f *fakeLab) appliedFaults() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.applied {
		out = append(out, string(a.Kind)+" "+a.Node+" "+a.Component+a.Interface)
	}
	return out
}
