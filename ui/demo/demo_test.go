package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/labview"
)

var t0 = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// drill runs the demo lab for a minute, applies f, runs it for d more and
// returns the live state and the outage the client saw (0 if none).
func drill(t *testing.T, f *lab.Fault, d time.Duration) (*labview.Live, time.Duration) {
	t.Helper()
	b := New(t0, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := labview.New(b.State())
	ch := b.Events(ctx)
	// drain applies the events published so far: they pass through the
	// subscriber's goroutine, so wait until none comes for a while.
	drain := func() {
		for {
			select {
			case e := <-ch:
				live.Apply(e)
			case <-time.After(20 * time.Millisecond):
				return
			}
		}
	}
	drain()
	if f != nil {
		if err := b.Fault(ctx, *f); err != nil {
			t.Fatal(err)
		}
	}
	for at := t0.Add(time.Minute); at.Before(t0.Add(time.Minute + d)); at = at.Add(step) {
		b.Step(at)
	}
	drain()
	live.Seed(mustSnap(t, b))
	var outage time.Duration
	if live.Traffic.Last != nil && live.Traffic.Last.End.After(t0.Add(time.Minute)) {
		outage = live.Traffic.Last.Length
	}
	return live, outage
}

func mustSnap(t *testing.T, b *Backend) labview.Snapshot {
	s, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStartUp(t *testing.T) {
	live, _ := drill(t, nil, time.Second)
	if got := live.VIPHolders(); !slices.Equal(got, []string{"lb1"}) {
		t.Fatalf("holders %v, want [lb1]", got)
	}
	lb1, lb2 := live.Node("lb1").VRRP, live.Node("lb2").VRRP
	if lb1.State != "MASTER" || lb1.Priority != 103 || lb2.State != "BACKUP" || lb2.Priority != 102 {
		t.Errorf("lb1 %s %d, lb2 %s %d", lb1.State, lb1.Priority, lb2.State, lb2.Priority)
	}
	if r := live.Traffic.Window(t0.Add(time.Minute), 50*time.Second).Ratio; r != 1 {
		t.Errorf("success ratio %.3f over the last 50 s, want 1", r)
	}
	if lb1.Sent == 0 || lb2.Received == 0 {
		t.Errorf("advert counters: lb1 sent %d, lb2 received %d", lb1.Sent, lb2.Received)
	}
}

func TestFailovers(t *testing.T) {
	tests := []struct {
		name     string
		f        lab.Fault
		holders  []string
		min, max time.Duration
	}{
		// The tutorial's test: power lb1 off, lb2 takes over after the
		// master-down timer (3 s + skew, from the last advert heard).
		{"crash", lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}, []string{"lb2"}, 2500 * time.Millisecond, 3800 * time.Millisecond},
		// haproxy killed: the track script notices within 2 s, lb1 drops to
		// 101 < 102, lb2 preempts when its timer runs out (≈ 6 s in all).
		{"kill proxy", lab.Fault{Kind: lab.FaultKill, Node: "lb1", Component: "proxy"}, []string{"lb2"}, 3 * time.Second, 7 * time.Second},
		// keepalived stopped: priority 0, takeover after the skew time.
		{"stop vrrp", lab.Fault{Kind: lab.FaultStop, Node: "lb1", Component: "vrrp"}, []string{"lb2"}, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live, outage := drill(t, &tt.f, 12*time.Second)
			if got := live.VIPHolders(); !slices.Equal(got, tt.holders) {
				t.Errorf("holders %v, want %v", got, tt.holders)
			}
			t.Logf("%s: outage %v", tt.name, outage)
			if outage < tt.min || outage > tt.max {
				t.Errorf("outage %v, want %v to %v", outage, tt.min, tt.max)
			}
			if live.Traffic.Open != nil {
				t.Error("an outage is still open")
			}
		})
	}
}

func TestSplitBrain(t *testing.T) {
	live, _ := drill(t, &lab.Fault{Kind: lab.FaultPartition, Node: "lb1", Peer: "lb2"}, 8*time.Second)
	if !live.SplitBrain() {
		t.Errorf("no split brain after a partition: holders %v", live.VIPHolders())
	}
}

func TestKillVRRPLeavesTheVIP(t *testing.T) {
	live, _ := drill(t, &lab.Fault{Kind: lab.FaultKill, Node: "lb1", Component: "vrrp"}, 8*time.Second)
	if got := live.VIPHolders(); !slices.Equal(got, []string{"lb1", "lb2"}) {
		t.Errorf("holders %v: a SIGKILLed keepalived leaves its VIP, as in the real lab", got)
	}
}

func TestFaultErrors(t *testing.T) {
	b := New(t0, time.Second)
	ctx := context.Background()
	for _, f := range []lab.Fault{
		{Kind: lab.FaultCrash, Node: "lb9"},
		{Kind: lab.FaultDelay, Node: "lb1", Interface: "enp0s9", DelayMS: 100},
		{Kind: lab.FaultStart, Node: "lb1", Component: "proxy"},
		{Kind: lab.FaultLinkDown, Node: "lb1", Interface: "eth7"},
		{Kind: lab.FaultRestore, Node: "lb1"},
	} {
		if err := b.Fault(ctx, f); err == nil {
			t.Errorf("%s: no error", f)
		}
	}
	if err := b.Fault(ctx, lab.Fault{Kind: lab.FaultCrash, Node: "lb2"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Fault(ctx, lab.Fault{Kind: lab.FaultKill, Node: "lb2", Component: "proxy"}); err == nil {
		t.Error("kill on a powered-off node: no error")
	}
	if got := b.State().Faults; len(got) != 1 || got[0].Kind != lab.FaultCrash {
		t.Errorf("faults in force %+v", got)
	}
	if err := b.Fault(ctx, lab.Fault{Kind: lab.FaultRestore, Node: "lb2"}); err != nil || len(b.State().Faults) != 0 {
		t.Errorf("restore: %v, faults %+v", err, b.State().Faults)
	}
}

func TestEventsReplayThenLive(t *testing.T) {
	b := New(t0, 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	ch := b.Events(ctx)
	n := len(ch)
	if n == 0 {
		t.Fatal("no history replayed")
	}
	b.Step(t0.Add(6 * time.Second))
	deadline := time.After(time.Second)
	for got := 0; got < n+1; {
		select {
		case e := <-ch:
			got++
			if got == n+1 && e.Kind != control.KindProbe {
				t.Errorf("live event %s, want a probe bucket", e.Kind)
			}
		case <-deadline:
			t.Fatal("no live event after the replay")
		}
	}
	cancel()
	for range ch {
	}
}
