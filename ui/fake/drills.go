package fake

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/ui/components/drills"
)

// Drills is a fake drill runner (ui.Drills): Run reports a script of step
// reports, one each time the test calls Next, then returns the result set
// by SetResult at the Next after the last. Cancelled, it reports the step in progress interrupted and
// returns an interrupted result whose Undone are the script's faults.
type Drills struct {
	mu     sync.Mutex
	infos  []drills.Info
	script []drills.Step
	result drills.Result
	err    error
	runs   []string
	next   chan struct{}
}

// NewDrills returns a fake runner of the drills infos, each of which plays
// script.
func NewDrills(infos []drills.Info, script []drills.Step) *Drills {
	return &Drills{infos: infos, script: script, next: make(chan struct{}),
		result: drills.Result{Passed: true, Summary: "fake drill: passed"}}
}

// SetResult sets what Run returns once the script has played.
func (d *Drills) SetResult(res drills.Result, err error) {
	d.mu.Lock()
	d.result, d.err = res, err
	d.mu.Unlock()
}

// List lists the drills.
func (d *Drills) List() []drills.Info {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.infos
}

// Runs lists the drills Run was asked to run, in order.
func (d *Drills) Runs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.runs...)
}

// Next lets Run report the next step of its script, or return after the
// last (it blocks until Run takes it).
func (d *Drills) Next() { d.next <- struct{}{} }

// Run plays the script, a step report per Next.
func (d *Drills) Run(ctx context.Context, name string, progress func(drills.Step)) (drills.Result, error) {
	d.mu.Lock()
	d.runs = append(d.runs, name)
	script, res, err := d.script, d.result, d.err
	d.mu.Unlock()
	var cur *drills.Step
	// One Next per report, and a last one for Run to return.
	for i := 0; i <= len(script); i++ {
		select {
		case <-d.next:
		case <-ctx.Done():
			var undone []string
			if cur != nil && cur.Status == drills.StatusRunning {
				s := *cur
				s.Status, s.Seen = drills.StatusInterrupted, "interrupted"
				progress(s)
			}
			for _, s := range script[:i] {
				if s.Kind == "fault" && s.Status == drills.StatusDone {
					undone = append(undone, "mend "+strings.TrimPrefix(s.Text, "fault: "))
				}
			}
			return drills.Result{Interrupted: true, Summary: name + ": interrupted, outage 0.000 s, 0 failed", Undone: undone}, ctx.Err()
		}
		if i < len(script) {
			cur = &script[i]
			progress(script[i])
		}
	}
	return res, err
}

// DrillInfos are two drills as the seed lab's menu lists them.
func DrillInfos() []drills.Info {
	return []drills.Info{
		{Name: "master-poweroff", Title: "Power off the master", Teaches: "When the master dies without a word, the backup " +
			"only learns it from the silence: it takes the VIP when its master-down timer (3 adverts + skew, 3.61 s for lb2 " +
			"here) runs out, and the client sees about that long without an answer.", Steps: []string{
			"say: lb1 is MASTER with the VIP; the client sends 100 requests a second to it.",
			"expect the VIP on lb1 within 10 s",
			"expect at least 99% of requests to succeed over 1 s",
			"fault: crash lb1",
			"say: lb1 is off: no more adverts. lb2 hears nothing and counts down its master-down timer, 3 × 1 s + (256−102)/256 s = 3.61 s.",
			"expect the VIP on lb2 within 4.5 s",
			"expect lb2 in MASTER",
			"expect the longest outage so far to be at most 4.2 s",
			"restore lb1",
			"expect the VIP on lb1 within 8 s",
			"expect no split brain during the whole drill",
		}},
		{Name: "graceful-stop", Title: "Stop the master's VRRP daemon gracefully", Teaches: "A master that stops gracefully " +
			"says so: it sends an advert with priority 0, and the backup takes over after its skew time alone.",
			Steps: []string{"expect the VIP on lb1 within 10 s", "fault: stop lb1 vrrp", "expect the VIP on lb2 within 1.5 s"}},
	}
}

// DrillScript is master-poweroff as the runner reports it, up to lb2
// waiting for its master-down timer 2.5 s after the crash (Failover's
// moment when the crash is at Now − 2.5 s): start of measurement at
// Now − 4.0 s.
func DrillScript() []drills.Step {
	const (
		say   = "say"
		r     = drills.StatusRunning
		done  = drills.StatusDone
		pass  = drills.StatusPass
		intro = "lb1 is MASTER with the VIP; the client sends 100 requests a second to it."
		off   = "lb1 is off: no more adverts. lb2 hears nothing and counts down its master-down timer, 3 × 1 s + (256−102)/256 s = 3.61 s."
	)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return []drills.Step{
		{Index: 1, Kind: say, Text: "say: " + intro, Start: 0, Status: r},
		{Index: 1, Kind: say, Text: "say: " + intro, Start: 0, Status: done, Seen: intro},
		{Index: 2, Kind: "vip_on", Text: "expect the VIP on lb1 within 10 s", Start: ms(1), Status: r},
		{Index: 2, Kind: "vip_on", Text: "expect the VIP on lb1 within 10 s", Start: ms(1), Status: pass, Seen: "VIP on lb1 at +0.05 s"},
		{Index: 3, Kind: "success", Text: "expect at least 99% of requests to succeed over 1 s", Start: ms(52), Status: r},
		{Index: 3, Kind: "success", Text: "expect at least 99% of requests to succeed over 1 s", Start: ms(52), Status: r, Seen: "100% succeeded (50 of 50) so far"},
		{Index: 3, Kind: "success", Text: "expect at least 99% of requests to succeed over 1 s", Start: ms(52), Status: pass, Seen: "100% succeeded (100 of 100)"},
		{Index: 4, Kind: "fault", Text: "fault: crash lb1", Start: ms(1500), Status: r},
		{Index: 4, Kind: "fault", Text: "fault: crash lb1", Start: ms(1500), Status: done, Seen: "lb1 powered off (processes killed, links down)"},
		{Index: 5, Kind: say, Text: "say: " + off, Start: ms(1770), Status: r},
		{Index: 5, Kind: say, Text: "say: " + off, Start: ms(1770), Status: done, Seen: off},
		{Index: 6, Kind: "vip_on", Text: "expect the VIP on lb2 within 4.5 s", Start: ms(1771), Status: r},
	}
}

// ErrNotSteady is a drill that cannot start.
var ErrNotSteady = errors.New("drill master-poweroff: lab seed is not steady after 30 s: the VIP is held by no node")
