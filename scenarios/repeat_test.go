package scenarios

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunRepeated(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	d := mustDrill(t, poweroff...)
	rr, err := RunRepeated(context.Background(), f, d, fastOpts, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Runs) != 3 || !rr.Passed {
		t.Fatalf("%d runs, passed %v", len(rr.Runs), rr.Passed)
	}
	byName := map[string]Stat{}
	for _, s := range rr.Stats {
		byName[s.Name] = s
		if s.N != 3 || s.Min > s.Median || s.Median > s.Max {
			t.Errorf("stat %+v", s)
		}
	}
	take, ok := byName["VIP moved after step 3 (crash lb1)"]
	if !ok || take.Unit != "s" || take.Min < 0.1 || take.Max > 0.3 || take.Bound == nil {
		t.Errorf("takeover stat = %+v (stats %v)", take, rr.Stats)
	}
	if o := byName["longest outage"]; o.Min < 0.08 {
		t.Errorf("outage stat = %+v", o)
	}
	var md bytes.Buffer
	if err := rr.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| VIP moved after step 3 (crash lb1) | 3 |") || strings.Count(md.String(), "# Drill fake: ") != 3 {
		t.Errorf("Markdown:\n%s", md.String())
	}
}

func TestStats(t *testing.T) {
	rep := func(outage time.Duration, failed int64, takeover time.Duration) *Report {
		return &Report{Measurements: Measurements{Outage: outage, Failed: failed,
			Faults: []FaultFigures{{Step: 2, Fault: "crash lb1", Takeover: &takeover, TakeoverBound: &Bound{Value: 3601562 * time.Microsecond}}}}}
	}
	stats := Stats([]*Report{
		rep(3*time.Second, 300, 3600*time.Millisecond),
		rep(4*time.Second, 400, 3500*time.Millisecond),
		rep(2*time.Second, 100, 3700*time.Millisecond),
		rep(5*time.Second, 200, 3550*time.Millisecond),
	})
	want := []Stat{
		{Name: "longest outage", Unit: "s", N: 4, Min: 2, Median: 3.5, Max: 5},
		{Name: "failed requests", Unit: "requests", N: 4, Min: 100, Median: 250, Max: 400},
		{Name: "VIP moved after step 2 (crash lb1)", Unit: "s", N: 4, Min: 3.5, Median: 3.575, Max: 3.7},
	}
	if len(stats) != len(want) {
		t.Fatalf("stats = %+v", stats)
	}
	for i, w := range want {
		g := stats[i]
		if g.Name != w.Name || g.Unit != w.Unit || g.N != w.N || !near(g.Min, w.Min) || !near(g.Median, w.Median) || !near(g.Max, w.Max) {
			t.Errorf("stat %d = %+v, want %+v", i, g, w)
		}
	}
	if b := stats[2].Bound; b == nil || !near(*b, 3.601562) {
		t.Errorf("bound = %v", b)
	}
	if got := median([]float64{1, 2, 9}); got != 2 {
		t.Errorf("median of 3 = %g", got)
	}
	if len(Stats(nil)) != 0 {
		t.Error("stats of no run")
	}
}

func near(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

func TestRunScenarios(t *testing.T) {
	tests := []struct {
		name  string
		steps []string
		check func(t *testing.T, r *Report)
	}{
		{"split brain expected", []string{
			`fault: partition lb1 lb2`,
			`vip_on: {nodes: [lb1, lb2], within: 400ms}`,
			`state: {node: lb2, state: MASTER}`,
			`heal: true`,
			`vip_on: {node: lb1, within: 200ms}`,
			`no_split_brain: {for: 100ms}`,
		}, func(t *testing.T, r *Report) {
			split := r.Measurements.Faults[0]
			if split.Takeover == nil || strings.Join(split.HoldersAfter, ",") != "lb1,lb2" {
				t.Errorf("partition figures = %+v", split)
			}
			heal := r.Measurements.Faults[1]
			if heal.TakeoverBound == nil || heal.TakeoverBound.Value != time.Second || strings.Join(heal.HoldersAfter, ",") != "lb1" {
				t.Errorf("heal figures = %+v, want the VIP on lb1 alone, bound lb1's advert 1 s", heal)
			}
		}},
		{"web server down", []string{
			`fault: kill web1 web`,
			`success: {at_most: 1%, over: 40ms}`,
			`backend: {server: webserver1, state: DOWN, within: 200ms}`,
			`vip_on: {node: lb1}`,
			`fault: start web1 web`,
			`backend: {server: webserver1, state: UP, within: 200ms}`,
			`success: {at_least: 99%, over: 60ms}`,
		}, func(t *testing.T, r *Report) {
			kill, start := r.Measurements.Faults[0], r.Measurements.Faults[1]
			if kill.Detected == nil || !strings.Contains(kill.DetectedWhat, "webserver1 marked DOWN") || kill.DetectedBound == nil ||
				kill.DetectedBound.Value != 6*time.Second || kill.Takeover != nil {
				t.Errorf("kill figures = %+v", kill)
			}
			if start.Recovered == nil || start.RecoveryBound == nil || start.RecoveryBound.Value != 4*time.Second {
				t.Errorf("start figures = %+v", start)
			}
		}},
		{"proxy killed", []string{
			`fault: kill lb1 proxy`,
			`vip_on: {node: lb2, within: 400ms}`,
			`fault: start lb1 proxy`,
			`vip_on: {node: lb1, within: 400ms}`,
		}, func(t *testing.T, r *Report) {
			kill := r.Measurements.Faults[0]
			if kill.Detected == nil || kill.DetectedWhat != "priority lowered by the track script" {
				t.Errorf("kill detected = %+v", kill)
			}
			if b := kill.TakeoverBound; b == nil || b.Value != 2*time.Second+3601562*time.Microsecond || !strings.Contains(b.Why, "103 → 101 < 102") {
				t.Errorf("kill bound = %+v, want 2 s + lb2's master-down", b)
			}
		}},
		{"graceful stop and link down", []string{
			`fault: stop lb1 vrrp`,
			`vip_on: {node: lb2, within: 200ms}`,
			`state: {node: lb1, state: DOWN}`,
			`fault: start lb1 vrrp`,
			`vip_on: {node: lb1, within: 400ms}`,
			`fault: link lb1 enp0s9 down`,
			`state: {node: lb1, state: FAULT, within: 100ms}`,
			`vip_on: {node: lb2, within: 200ms}`,
			`fault: link lb1 enp0s9 up`,
			`vip_on: {node: lb1, within: 400ms}`,
		}, func(t *testing.T, r *Report) {
			stop, link := r.Measurements.Faults[0], r.Measurements.Faults[2]
			if stop.TakeoverBound == nil || stop.TakeoverBound.Value != 601562*time.Microsecond {
				t.Errorf("stop bound = %+v, want lb2's skew", stop.TakeoverBound)
			}
			// The priority-0 advert of FAULT would leave through the link
			// that is down: lb2 waits out its master-down interval.
			if link.TakeoverBound == nil || link.TakeoverBound.Value != 3601562*time.Microsecond || !strings.Contains(link.TakeoverBound.Why, "which is down") {
				t.Errorf("link bound = %+v, want lb2's master-down interval after FAULT", link.TakeoverBound)
			}
		}},
		{"traffic paused", []string{
			`traffic: {rate: 0}`,
			`wait: 20ms`,
			`success: {at_least: 1%, over: 40ms}`,
		}, func(t *testing.T, r *Report) {
			if s := r.Steps[2]; s.Status != StatusFail || !strings.Contains(s.Seen, "no request was answered") {
				t.Errorf("success over a paused probe = %+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLab(t, fastTimes)
			d := mustDrill(t, tt.steps...)
			d.NoSplitBrain = false
			rep, err := Run(context.Background(), f, d, fastOpts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name != "traffic paused" && !rep.Passed {
				t.Fatalf("drill failed:\n%s", markdown(t, rep))
			}
			tt.check(t, rep)
			checkRenders(t, rep)
			if faults := f.State().Faults; len(faults) != 0 {
				t.Errorf("faults left: %v", faults)
			}
		})
	}
}

func TestNoSplitBrainFails(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	d := mustDrill(t, `fault: partition lb1 lb2`, `no_split_brain: {for: 300ms}`, `heal: true`)
	rep, err := Run(context.Background(), f, d, fastOpts)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Steps[1]
	if s.Status != StatusFail || !strings.Contains(s.Seen, "split brain: two nodes held the VIP") {
		t.Errorf("no_split_brain = %+v", s)
	}
	if s.End > 290*time.Millisecond {
		t.Errorf("no_split_brain failed at %v, want as soon as the split outlasted the grace", s.End)
	}
	if len(rep.Undone) != 1 || len(f.State().Faults) != 0 {
		t.Errorf("undone %v, left %v", rep.Undone, f.State().Faults)
	}
}
