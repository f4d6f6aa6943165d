package demo

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/components/drills"
)

// fastDrills is the demo lab after a minute, its simulation stepped at 20×
// real time (100 ms every 5 ms) until the test ends, and its drills
// looking at it every 2 ms.
func fastDrills(t *testing.T) (*Backend, *Drills) {
	t.Helper()
	b := New(t0, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		at := t0.Add(time.Minute)
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				at = at.Add(step)
				b.Step(at)
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	d := b.Drills()
	d.poll = 2 * time.Millisecond
	return b, d
}

// record collects the step reports of a run.
type record struct {
	mu    sync.Mutex
	steps []drills.Step
}

func (r *record) add(s drills.Step) { r.mu.Lock(); r.steps = append(r.steps, s); r.mu.Unlock() }

// final is each step's last report, by index.
func (r *record) final() map[int]drills.Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int]drills.Step{}
	for _, s := range r.steps {
		out[s.Index] = s
	}
	return out
}

func TestDemoDrillsPass(t *testing.T) {
	for _, info := range (&Drills{}).List() {
		t.Run(info.Name, func(t *testing.T) {
			if !strings.Contains(info.Title, "demo") && !strings.Contains(info.Title, "simulated") {
				t.Errorf("title %q does not say it is a demo", info.Title)
			}
			b, d := fastDrills(t)
			var rec record
			res, err := d.Run(context.Background(), info.Name, rec.add)
			if err != nil {
				t.Fatal(err)
			}
			final := rec.final()
			for i := range info.Steps {
				s := final[i+1]
				t.Logf("%6.2fs %-7s %s — %s", s.Start.Seconds(), s.Status, s.Text, s.Seen)
				if s.Status != drills.StatusPass && s.Status != drills.StatusDone {
					t.Errorf("step %d %q: %s (%s)", i+1, s.Text, s.Status, s.Seen)
				}
			}
			t.Log(res.Summary)
			if !res.Passed || !strings.Contains(res.Summary, "passed") || !strings.Contains(res.Summary, "VIP moved") ||
				!strings.Contains(res.Summary, "simulated") {
				t.Errorf("result %+v", res)
			}
			if fs := b.State().Faults; len(fs) != 0 {
				t.Errorf("faults left in force: %v", fs)
			}
		})
	}
}

func TestDemoDrillStopUndoes(t *testing.T) {
	b, d := fastDrills(t)
	ctx, cancel := context.WithCancel(context.Background())
	var rec record
	crashed := make(chan struct{})
	var once sync.Once
	res, err := d.Run(ctx, "master-poweroff", func(s drills.Step) {
		rec.add(s)
		if s.Kind == "fault" && s.Status == drills.StatusDone {
			once.Do(func() { close(crashed); cancel() })
		}
	})
	<-crashed
	if !errors.Is(err, context.Canceled) || !res.Interrupted || res.Passed {
		t.Fatalf("stopped run: %+v, %v", res, err)
	}
	if len(res.Undone) != 1 || res.Undone[0] != (lab.Fault{Kind: lab.FaultRestore, Node: "lb1"}).String() {
		t.Errorf("undone %v, want lb1 restored", res.Undone)
	}
	if fs := b.State().Faults; len(fs) != 0 {
		t.Errorf("faults left in force: %v", fs)
	}
	if s := rec.final()[len(rec.final())]; s.Status != drills.StatusInterrupted {
		t.Errorf("last step %+v, want interrupted", s)
	}
}

func TestDemoDrillRefusesAFaultyLab(t *testing.T) {
	b, d := fastDrills(t)
	if err := b.Fault(context.Background(), lab.Fault{Kind: lab.FaultCrash, Node: "lb2"}); err != nil {
		t.Fatal(err)
	}
	_, err := d.Run(context.Background(), "graceful-stop", func(drills.Step) { t.Error("a step reported") })
	if err == nil || !strings.Contains(err.Error(), "faults in force") {
		t.Errorf("err %v", err)
	}
	if _, err := d.Run(context.Background(), "nope", nil); err == nil {
		t.Error("an unknown drill runs")
	}
}
