package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/components/drills"
)

// demoStep is one step of a demo drill: say, fault, vip_on or outage.
type demoStep struct {
	kind   string
	say    string
	fault  lab.Fault
	words  string
	nodes  []string
	within time.Duration
}

func (s demoStep) String() string {
	switch s.kind {
	case "say":
		return "say: " + s.say
	case "fault":
		return "fault: " + s.words
	case "vip_on":
		return fmt.Sprintf("expect the VIP on %s within %s", words(s.nodes), short(s.within))
	case "success":
		return "expect at least 99% of requests to succeed over " + short(s.within)
	}
	return "expect the longest outage so far to be at most " + short(s.within)
}

// demoDrill is a demo drill: what the menu says, and its script.
type demoDrill struct {
	info  drills.Info
	steps []demoStep
}

// short formats a step's time as drill files do: "4.5 s", "10 s".
func short(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s" }

func say(text string) demoStep { return demoStep{kind: "say", say: text} }
func vipOn(node string, within time.Duration) demoStep {
	return demoStep{kind: "vip_on", nodes: []string{node}, within: within}
}
func fault(words string, f lab.Fault) demoStep {
	return demoStep{kind: "fault", fault: f, words: words}
}
func outageAtMost(d time.Duration) demoStep { return demoStep{kind: "outage", within: d} }

// success99 expects 99 % of the requests over the next d answered.
func success99(d time.Duration) demoStep { return demoStep{kind: "success", within: d} }

// demoDrills are two of the built-in drills (assets/drills) written out
// for the simulation.
var demoDrills = []demoDrill{
	{drills.Info{Name: "master-poweroff", Title: "Power off the master (demo: on the simulated lab)",
		Teaches: "When the master dies without a word, the backup only learns it from the silence: it takes the VIP " +
			"when its master-down timer (3 adverts + skew, 3.61 s for lb2 here) runs out, and the client sees about that " +
			"long without an answer. This demo plays the drill on the simulation, on its clock: its figures are the " +
			"simulation's, `halab drill run` measures a real lab."}, []demoStep{
		say("lb1 is MASTER with the VIP; the client sends 100 requests a second to it."),
		vipOn("lb1", 10*time.Second),
		success99(time.Second),
		fault("crash lb1", lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}),
		say("lb1 is off: no more adverts. lb2 hears nothing and counts down its master-down timer, 3 × 1 s + (256−102)/256 s = 3.61 s."),
		vipOn("lb2", 4500*time.Millisecond),
		success99(time.Second),
		outageAtMost(4200 * time.Millisecond),
		say("lb2 answers now. Power lb1 on again; it comes back as BACKUP and takes the VIP back (preemption)."),
		fault("restore lb1", lab.Fault{Kind: lab.FaultRestore, Node: "lb1"}),
		vipOn("lb1", 8*time.Second),
	}},
	{drills.Info{Name: "graceful-stop", Title: "Stop the master's VRRP daemon gracefully (demo: simulated)",
		Teaches: "A master that stops gracefully says so: it sends an advert with priority 0, and the backup takes over " +
			"after its skew time alone ((256−102)/256 s = 0.6 s), not a whole master-down interval, so maintenance done " +
			"this way costs the client well under a second. Played on the simulation, on its clock."}, []demoStep{
		vipOn("lb1", 10*time.Second),
		fault("stop lb1 vrrp", lab.Fault{Kind: lab.FaultStop, Node: "lb1", Component: lab.ComponentVRRP}),
		say("lb1's daemon sent priority 0 and released the VIP as it stopped."),
		vipOn("lb2", 1500*time.Millisecond),
		success99(time.Second),
		outageAtMost(1200 * time.Millisecond),
		say("Start it again; lb1 comes back as BACKUP and preempts after its master-down interval."),
		fault("start lb1 vrrp", lab.Fault{Kind: lab.FaultStart, Node: "lb1", Component: lab.ComponentVRRP}),
		vipOn("lb1", 8*time.Second),
		success99(time.Second),
	}},
}

func init() {
	for i := range demoDrills {
		for _, s := range demoDrills[i].steps {
			demoDrills[i].info.Steps = append(demoDrills[i].info.Steps, s.String())
		}
	}
}

// Drills runs demo drills on a simulated lab (ui.Drills): two of the
// built-in drills written out as scripts, played on the simulation and on
// its clock. Their titles say so: what they measure is the simulation's.
type Drills struct {
	b *Backend
	// poll is how often a waiting step looks at the simulation.
	poll time.Duration
}

// Drills returns the demo's drill runner.
func (b *Backend) Drills() *Drills { return &Drills{b: b, poll: 20 * time.Millisecond} }

// List lists the demo drills.
func (d *Drills) List() []drills.Info {
	out := make([]drills.Info, len(demoDrills))
	for i, dd := range demoDrills {
		out[i] = dd.info
	}
	return out
}

// demoRun is one run of a demo drill.
type demoRun struct {
	d        *Drills
	progress func(drills.Step)
	t0       time.Time
	inForce  []lab.Fault
	// first is the drill's first breaking fault, for "VIP moved".
	first            *faultAt
	undone, undoErrs []string
}

// faultAt is a fault step as it happened.
type faultAt struct {
	words  string
	at     time.Time
	before []string
	bound  time.Duration
}

// Run plays the demo drill called name.
func (d *Drills) Run(ctx context.Context, name string, progress func(drills.Step)) (drills.Result, error) {
	i := slices.IndexFunc(demoDrills, func(dd demoDrill) bool { return dd.info.Name == name })
	if i < 0 {
		return drills.Result{}, fmt.Errorf("no demo drill %q", name)
	}
	if fs := d.b.State().Faults; len(fs) > 0 {
		words := make([]string, len(fs))
		for i, f := range fs {
			words[i] = f.String()
		}
		return drills.Result{}, fmt.Errorf("the demo lab has faults in force (%s); mend them first (f on the node) so the drill starts from a healthy lab",
			strings.Join(words, "; "))
	}
	if err := d.settle(ctx); err != nil {
		return drills.Result{}, err
	}
	r := &demoRun{d: d, progress: progress, t0: d.simNow()}
	passed := true
	for j, s := range demoDrills[i].steps {
		res := drills.Step{Index: j + 1, Kind: s.kind, Text: s.String(), Start: d.simNow().Sub(r.t0)}
		switch {
		case ctx.Err() != nil:
			res.Status = drills.StatusInterrupted
		case !passed:
			res.Status = drills.StatusSkipped
		default:
			res.Status = drills.StatusRunning
			progress(res)
			r.step(ctx, s, &res)
			if ctx.Err() != nil && res.Status == drills.StatusRunning {
				res.Status, res.Seen = drills.StatusInterrupted, "interrupted"
			}
		}
		passed = passed && res.Status != drills.StatusFail && res.Status != drills.StatusError
		progress(res)
	}
	r.undo()
	outage, failed := d.outageSince(r.t0)
	res := drills.Result{Interrupted: ctx.Err() != nil, Undone: r.undone, UndoErrors: r.undoErrs}
	res.Passed = passed && !res.Interrupted && len(r.undoErrs) == 0
	verdict := map[bool]string{true: "passed", false: "FAILED"}[res.Passed]
	if res.Interrupted {
		verdict = "interrupted"
	}
	res.Summary = fmt.Sprintf("%s: %s, outage %s, %d failed", name, verdict, secs(outage), failed)
	if fa := r.first; fa != nil {
		if moved, ok := d.vipMoved(fa); ok {
			res.Summary += fmt.Sprintf(", VIP moved %s after %s (bound %s)", secs(moved), fa.words, secs(fa.bound))
		}
	}
	res.Summary += " — simulated"
	return res, ctx.Err()
}

// step runs one step, setting res to its outcome.
func (r *demoRun) step(ctx context.Context, s demoStep, res *drills.Step) {
	d := r.d
	switch s.kind {
	case "say":
		res.Status, res.Seen = drills.StatusDone, s.say
	case "fault":
		fa := &faultAt{words: s.words, at: d.simNow(), before: d.holders(), bound: d.bound(s.fault)}
		if err := d.b.Fault(ctx, s.fault); err != nil {
			res.Status, res.Seen = drills.StatusError, err.Error()
			return
		}
		if _, breaks := s.fault.Inverse(); breaks {
			r.inForce = append(r.inForce, s.fault)
			if r.first == nil && fa.bound > 0 {
				r.first = fa
			}
		} else {
			r.inForce = slices.DeleteFunc(r.inForce, func(f lab.Fault) bool { m, _ := f.Inverse(); return m == s.fault })
		}
		res.Status, res.Seen = drills.StatusDone, s.fault.String()
	case "vip_on":
		start := d.simNow()
		var got, shown []string
		var shownAt time.Time
		ok := d.wait(ctx, start.Add(s.within), func(now time.Time) bool {
			got = d.holders()
			if slices.Equal(got, s.nodes) {
				return true
			}
			if !slices.Equal(got, shown) || now.Sub(shownAt) >= 500*time.Millisecond {
				shown, shownAt = got, now
				live := *res
				live.Seen = "VIP on " + words(got) + " so far"
				r.progress(live)
			}
			return false
		})
		if !ok {
			res.Status, res.Seen = drills.StatusFail, fmt.Sprintf("after %s the VIP is on %s, not %s", secs(s.within), words(got), words(s.nodes))
			return
		}
		at := d.vipAddedSince(s.nodes[0], start)
		res.Status, res.Seen = drills.StatusPass, fmt.Sprintf("VIP on %s at +%.2f s", words(got), at.Sub(r.t0).Seconds())
	case "success":
		start := d.simNow()
		end := start.Add(s.within)
		var shownAt time.Time
		d.wait(ctx, end.Add(2*step), func(now time.Time) bool {
			if now.Sub(shownAt) >= 500*time.Millisecond && now.Before(end) {
				shownAt = now
				live := *res
				live.Seen = successWords(d.answered(start, end)) + " so far"
				r.progress(live)
			}
			return false
		})
		ok, failed := d.answered(start, end)
		res.Status, res.Seen = drills.StatusPass, successWords(ok, failed)
		if ok+failed == 0 || float64(ok) < 0.99*float64(ok+failed) {
			res.Status = drills.StatusFail
		}
	case "outage":
		d.wait(ctx, d.simNow().Add(s.within+2*time.Second), func(time.Time) bool { return !d.outageOpen() })
		outage, failed := d.outageSince(r.t0)
		res.Status = drills.StatusPass
		if outage > s.within || d.outageOpen() {
			res.Status = drills.StatusFail
		}
		res.Seen = fmt.Sprintf("longest outage %s, %d requests failed", secs(outage), failed)
	}
}

// undo mends the faults the drill left in force, newest first, as the
// real runner does, whether it passed, failed or was stopped.
func (r *demoRun) undo() {
	for i := len(r.inForce) - 1; i >= 0; i-- {
		inv, _ := r.inForce[i].Inverse()
		if err := r.d.b.Fault(context.Background(), inv); err != nil {
			r.undoErrs = append(r.undoErrs, fmt.Sprintf("%s: %v", inv, err))
			continue
		}
		r.undone = append(r.undone, inv.String())
	}
	r.inForce = nil
}

// successWords says a window's answers: "100% succeeded (100 of 100)".
func successWords(ok, failed int) string {
	if ok+failed == 0 {
		return "no requests"
	}
	return fmt.Sprintf("%d%% succeeded (%d of %d)", 100*ok/(ok+failed), ok, ok+failed)
}

// words names VIP holders: "lb1", "lb1 and lb2", "no node".
func words(nodes []string) string {
	if len(nodes) == 0 {
		return "no node"
	}
	return strings.Join(nodes, " and ")
}

// secs formats a duration as the drill reports do: "3.610 s".
func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }
