package labview_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/labview"
)

func feed(evs []control.Event) *labview.Live {
	l := labview.New(fake.SeedState(fake.Now.Add(-fake.Uptime)))
	for _, e := range evs {
		l.Apply(e)
	}
	return l
}

func TestScenarios(t *testing.T) {
	now := fake.Now
	tests := []struct {
		name        string
		events      []control.Event
		holders     []string
		split       bool
		lb1, lb2    string // VRRP states
		lb2Timer    bool   // lb2's master-down timer visible at now
		open        bool   // outage in progress
		ratioBelow1 bool
		faults      int
		lb1Off      bool
		lastOutage  time.Duration
	}{
		{name: "steady", events: fake.Steady(now), holders: []string{"lb1"}, lb1: "MASTER", lb2: "BACKUP"},
		{name: "failover", events: fake.Failover(now), holders: nil, lb1: "MASTER", lb2: "BACKUP", lb2Timer: true,
			open: true, ratioBelow1: true, faults: 1, lb1Off: true},
		{name: "split brain", events: fake.SplitBrain(now), holders: []string{"lb1", "lb2"}, split: true,
			lb1: "MASTER", lb2: "MASTER", ratioBelow1: true, faults: 1},
		{name: "node down", events: fake.NodeDown(now), holders: []string{"lb2"}, lb1: "MASTER", lb2: "MASTER",
			ratioBelow1: true, faults: 1, lb1Off: true, lastOutage: 3210 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := feed(tt.events)
			if got := l.VIPHolders(); !slices.Equal(got, tt.holders) {
				t.Errorf("VIP holders = %v, want %v", got, tt.holders)
			}
			if l.SplitBrain() != tt.split {
				t.Errorf("split brain = %v, want %v", l.SplitBrain(), tt.split)
			}
			lb1, lb2 := l.Node("lb1"), l.Node("lb2")
			if lb1.VRRP.State != tt.lb1 || lb2.VRRP.State != tt.lb2 {
				t.Errorf("states lb1 %s lb2 %s, want %s %s", lb1.VRRP.State, lb2.VRRP.State, tt.lb1, tt.lb2)
			}
			if got := lb2.VRRP.Timer.Visible(now); got != tt.lb2Timer {
				t.Errorf("lb2 timer visible = %v, want %v (%+v)", got, tt.lb2Timer, lb2.VRRP.Timer)
			}
			if got := l.Traffic.Open != nil; got != tt.open {
				t.Errorf("outage open = %v, want %v", got, tt.open)
			}
			s := l.Traffic.Window(now, time.Minute)
			if got := s.Ratio < 1; got != tt.ratioBelow1 {
				t.Errorf("ratio %.3f below 1 = %v, want %v", s.Ratio, got, tt.ratioBelow1)
			}
			if got := len(l.Faults()); got != tt.faults {
				t.Errorf("%d faults in force, want %d", got, tt.faults)
			}
			if lb1.PoweredOff != tt.lb1Off {
				t.Errorf("lb1 powered off = %v, want %v", lb1.PoweredOff, tt.lb1Off)
			}
			if tt.lastOutage > 0 && (l.Traffic.Last == nil || l.Traffic.Last.Length != tt.lastOutage) {
				t.Errorf("last outage = %+v, want %v", l.Traffic.Last, tt.lastOutage)
			}
		})
	}
}

func TestSteadyDetails(t *testing.T) {
	l := feed(fake.Steady(fake.Now))
	lb1, lb2 := l.Node("lb1"), l.Node("lb2")
	if lb1.VRRP.Priority != 103 || lb2.VRRP.Priority != 102 {
		t.Errorf("priorities %d %d, want 103 102", lb1.VRRP.Priority, lb2.VRRP.Priority)
	}
	// lb2's start-up timer was reset by lb1's adverts once lb1 took over.
	if lb2.VRRP.Timer.Running {
		t.Errorf("lb2 timer still running after lb1 became master: %+v", lb2.VRRP.Timer)
	}
	for _, n := range l.Nodes() {
		for _, c := range n.Components {
			if c.State != labview.Up {
				t.Errorf("%s/%s is %s, want up", n.Name, c.Kind, c.State)
			}
		}
	}
	if up, known := lb1.ServersUp(); up != 1 || known != 1 {
		t.Errorf("lb1 servers up %d/%d, want 1/1", up, known)
	}
	s := l.Traffic.Recent(fake.Now, 10, 2*time.Second)
	if s.Rate != 100 || s.P50 != 1100*time.Microsecond || s.P99 != 3800*time.Microsecond {
		t.Errorf("recent = %+v, want 100 req/s, p50 1.1 ms, p99 3.8 ms", s)
	}
	if w := l.Traffic.Window(fake.Now, time.Minute); w.Ratio != 1 {
		t.Errorf("60 s ratio = %v, want 1", w.Ratio)
	}
	if l.Traffic.LastLB != "lb1" {
		t.Errorf("last LB %q", l.Traffic.LastLB)
	}
	if len(l.VIPMarks) != 1 || l.VIPMarks[0].Node != "lb1" || !l.VIPMarks[0].Added {
		t.Errorf("VIP marks %+v", l.VIPMarks)
	}
	// Probe buckets stay out of the log.
	for i := 0; i < l.Log.Len(); i++ {
		if l.Log.At(i).Kind == control.KindProbe {
			t.Fatal("a probe bucket is in the log")
		}
	}
}

func TestTimerCounts(t *testing.T) {
	l := feed(fake.Failover(fake.Now))
	tm := l.Node("lb2").VRRP.Timer
	r0 := tm.Remaining(fake.Now)
	r1 := tm.Remaining(fake.Now.Add(500 * time.Millisecond))
	if r0 <= 0 || r0-r1 != 500*time.Millisecond {
		t.Errorf("remaining %v then %v: the timer does not count down", r0, r1)
	}
	if tm.Visible(tm.Deadline.Add(time.Second)) {
		t.Error("a timer long expired is still shown")
	}
	// lb2 takes over: the timer is gone, the VIP moved.
	l.Apply(fake.State(tm.Deadline, "lb2", "BACKUP", "MASTER", 102, "master down timer expired after 3.60 s"))
	l.Apply(fake.VIP(tm.Deadline, "lb2", true))
	if l.Node("lb2").VRRP.Timer.Running {
		t.Error("timer runs after the transition to MASTER")
	}
	if got := l.VIPHolders(); !slices.Equal(got, []string{"lb2"}) {
		t.Errorf("holders %v, want [lb2]", got)
	}
	// lb1's VIP stays on its down interface: stranded, not split brain.
	if l.Node("lb1").VIPOn != "enp0s9" || l.SplitBrain() {
		t.Errorf("lb1 VIPOn %q, split %v", l.Node("lb1").VIPOn, l.SplitBrain())
	}
	if n := l.Traffic.OpenFailed(); n < 200 {
		t.Errorf("open outage counts %d failed requests, want ≥ 200", n)
	}
}

func TestTimerStopped(t *testing.T) {
	l := feed(fake.Failover(fake.Now))
	l.Apply(fake.Timer(fake.Now, "lb2", time.Time{}, 0, false))
	if l.Node("lb2").VRRP.Timer.Running {
		t.Error("timer still running after adverts resumed")
	}
}

func TestFaultLifecycle(t *testing.T) {
	l := feed(fake.Steady(fake.Now))
	at := fake.Now
	steps := []struct {
		f      lab.Fault
		faults int
		check  func() bool
	}{
		{lab.Fault{Kind: lab.FaultKill, Node: "lb1", Component: "proxy"}, 1,
			func() bool { return l.Node("lb1").Component("proxy").State == labview.Down }},
		{lab.Fault{Kind: lab.FaultStart, Node: "lb1", Component: "proxy"}, 0,
			func() bool { return l.Node("lb1").Component("proxy").State == labview.Starting }},
		{lab.Fault{Kind: lab.FaultLinkDown, Node: "lb2", Interface: "enp0s8"}, 1,
			func() bool { return l.Node("lb2").LinkDown["enp0s8"] }},
		{lab.Fault{Kind: lab.FaultPartition, Node: "lb1", Peer: "lb2"}, 2,
			func() bool { return l.Partitioned("lb2", "lb1") }},
		{lab.Fault{Kind: lab.FaultLoss, Node: "client", Interface: "eth0", Percent: 30}, 3,
			func() bool { return len(l.FaultsOn("client")) == 1 }},
		{lab.Fault{Kind: lab.FaultHeal}, 1, func() bool { return !l.Partitioned("lb1", "lb2") }},
		{lab.Fault{Kind: lab.FaultLinkUp, Node: "lb2", Interface: "enp0s8"}, 0,
			func() bool { return !l.Node("lb2").LinkDown["enp0s8"] }},
		{lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}, 1,
			func() bool {
				n := l.Node("lb1")
				return n.PoweredOff && n.Component("vrrp").State == labview.Down && n.LinkDown["enp0s9"] && len(l.VIPHolders()) == 0
			}},
		{lab.Fault{Kind: lab.FaultRestore, Node: "lb1"}, 0,
			func() bool {
				n := l.Node("lb1")
				return !n.PoweredOff && !n.LinkDown["enp0s9"] && n.Component("vrrp").State == labview.Starting
			}},
	}
	for _, s := range steps {
		at = at.Add(time.Second)
		l.Apply(fake.Fault(at, s.f))
		if got := len(l.Faults()); got != s.faults {
			t.Errorf("after %s: %d faults in force, want %d: %+v", s.f, got, s.faults, l.Faults())
		}
		if !s.check() {
			t.Errorf("after %s: the nodes do not show it", s.f)
		}
	}
	if len(l.FaultMarks) != len(steps) {
		t.Errorf("%d fault marks, want %d", len(l.FaultMarks), len(steps))
	}
}

func TestComponentExitAndBack(t *testing.T) {
	l := feed(fake.Steady(fake.Now))
	l.Apply(fake.Exit(fake.Now, "lb2", "vrrp", 1020))
	c := l.Node("lb2").Component("vrrp")
	if c.State != labview.Down {
		t.Fatalf("after exit: %s", c.State)
	}
	l.Apply(fake.Ready(fake.Now.Add(time.Second), "lb2", "vrrp", "vrrp running LB_VIP"))
	if c.State != labview.Up {
		t.Errorf("after ready: %s", c.State)
	}
}

func TestBackendHealth(t *testing.T) {
	l := feed(fake.Steady(fake.Now))
	l.Apply(fake.Server(fake.Now, "lb2", false, "Layer4 connection problem"))
	if up, known := l.Node("lb2").ServersUp(); up != 0 || known != 1 {
		t.Errorf("lb2 servers %d/%d up, want 0/1", up, known)
	}
}

func TestLogFilterAndPage(t *testing.T) {
	l := feed(fake.Steady(fake.Now))
	all, lb2 := l.Log.Count(""), l.Log.Count("lb2")
	if all == 0 || lb2 == 0 || lb2 >= all {
		t.Fatalf("counts all %d lb2 %d", all, lb2)
	}
	page := l.Log.Page("lb2", 0, 3, nil)
	if len(page) != 3 {
		t.Fatalf("page %v", page)
	}
	for _, e := range page {
		if e.Node != "lb2" {
			t.Errorf("filtered page has %s", e.Node)
		}
	}
	if !page[0].Time.Before(page[2].Time) && !page[0].Time.Equal(page[2].Time) {
		t.Error("page is not oldest first")
	}
	older := l.Log.Page("lb2", 1, 3, nil)
	if older[2] != page[1] {
		t.Error("skip 1 does not scroll back by one event")
	}
	small := labview.NewLog(3)
	for i := range 5 {
		small.Add(control.Event{Seq: uint64(i)})
	}
	if small.Len() != 3 || small.At(0).Seq != 2 || small.At(2).Seq != 4 {
		t.Errorf("ring keeps %d, oldest %d", small.Len(), small.At(0).Seq)
	}
}

func TestColumns(t *testing.T) {
	l := feed(fake.Failover(fake.Now))
	idx := l.LBIndex
	cols := l.Traffic.Columns(fake.Now, 60, 10, idx, nil)
	last := cols[len(cols)-2] // the column before now: all failed
	if last.OK != 0 || last.Failed == 0 || last.LB != -1 {
		t.Errorf("column before now %+v, want failures only", last)
	}
	early := cols[10]
	if early.Failed != 0 || early.OK != 100 || early.LB != 0 {
		t.Errorf("early column %+v, want 100 ok via lb1", early)
	}
	again := l.Traffic.Columns(fake.Now.Add(50*time.Millisecond), 60, 10, idx, cols)
	if again[10].Start != early.Start {
		t.Error("columns shift within a column's width")
	}
}

func TestSeed(t *testing.T) {
	l := labview.New(fake.SeedState(fake.Now.Add(-fake.Uptime)))
	detail, _ := json.Marshal(vrrp.Status{Instances: []vrrp.InstanceStatus{{
		Name: "LB_VIP", State: "MASTER", Priority: 103, BasePriority: 101,
		VIPs:           []vrrp.VIPStatus{{Address: "172.16.0.200", Interface: "enp0s9", Held: true}},
		Counters:       vrrp.Counters{Sent: 160, Received: 2, Dropped: map[string]uint64{"vrid": 4}},
		LastTransition: &vrrp.TransitionAt{From: "BACKUP", To: "MASTER", Reason: "master down timer expired after 3.61 s", At: fake.Now.Add(-time.Minute)},
	}}})
	l.Seed(labview.Snapshot{Time: fake.Now, Nodes: []labview.NodeSnapshot{
		{Name: "lb1", Interfaces: []labview.InterfaceSnapshot{{Name: "enp0s9", Up: true, Addresses: []string{"172.16.0.101/24", "172.16.0.200/32"}}},
			Components: []labview.ComponentSnapshot{
				{Kind: "vrrp", Running: true, Status: control.Status{Ready: true, Detail: detail}},
				{Kind: "proxy", Running: false},
			}},
		{Name: "lb2", Interfaces: []labview.InterfaceSnapshot{{Name: "enp0s9", Up: false, Addresses: []string{"172.16.0.102/24"}}}},
	}})
	lb1 := l.Node("lb1")
	if lb1.VRRP.State != "MASTER" || lb1.VRRP.Priority != 103 || lb1.VRRP.Sent != 160 || lb1.VRRP.Dropped != 4 {
		t.Errorf("lb1 VRRP %+v", lb1.VRRP)
	}
	if lb1.Component("vrrp").State != labview.Up || lb1.Component("proxy").State != labview.Down {
		t.Errorf("components %s %s", lb1.Component("vrrp").State, lb1.Component("proxy").State)
	}
	if got := l.VIPHolders(); !slices.Equal(got, []string{"lb1"}) {
		t.Errorf("holders %v", got)
	}
	if !l.Node("lb2").LinkDown["enp0s9"] {
		t.Error("lb2 enp0s9 down in the kernel, not in the view")
	}
}

// TestFaultInStateAndReplayed: a fault the recorded state has in force,
// which the lab's event log then replays, is in force once.
func TestFaultInStateAndReplayed(t *testing.T) {
	st := fake.SeedState(fake.Now.Add(-fake.Uptime))
	crash := lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}
	st.Faults = []lab.Fault{crash}
	l := labview.New(st)
	l.Apply(fake.Fault(fake.Now, crash))
	if got := l.Faults(); len(got) != 1 || got[0].Kind != lab.FaultCrash {
		t.Errorf("faults in force: %+v", got)
	}
}
