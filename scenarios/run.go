package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/probe"
)

// runner is one run of a drill.
type runner struct {
	l      Lab
	d      *Drill
	o      Options
	st     *lab.State
	w      *world
	timers *labTimers

	t0        time.Time
	bucket    time.Duration
	timeout   time.Duration
	origRate  int
	rateSet   bool
	inForce   []lab.Fault   // faults this run applied and did not mend
	records   []faultRecord // every fault step, for the measurements
	lastFault *faultRecord
	report    *Report
}

// faultRecord is one fault step as it happened.
type faultRecord struct {
	step   int
	f      lab.Fault
	words  string
	at     time.Time // applied
	done   time.Time // Fault returned
	before []string
	vrrp   map[string]VRRPStatus
}

// ref is the time the fault's figures count from.
func (fr *faultRecord) ref() time.Time {
	if fr.f.Mends() {
		return fr.done
	}
	return fr.at
}

// Run plays drill d against lab l and reports what happened. It returns an
// error, and no report, when the drill cannot start (it is not written
// for this lab, the lab has faults in force, or never becomes steady).
// Once measurement started it always returns a report, after undoing the
// faults it applied; the error is then ctx's when the run was interrupted.
// A drill whose expectations fail returns a report with Passed false and a
// nil error.
func Run(ctx context.Context, l Lab, d *Drill, opts Options) (*Report, error) {
	o := opts.withDefaults()
	st := l.State()
	if st == nil || st.Lab == nil {
		return nil, errors.New("drill: the lab has no recorded state")
	}
	if !o.AnyLab && !d.AppliesTo(st.Lab) {
		return nil, fmt.Errorf("drill %s is written for lab %s, not %s (built from %s); run it anyway with --any-lab",
			d.Name, strings.Join(d.Labs, " or "), st.Lab.Name, st.Lab.Source)
	}
	if err := d.CheckLab(st.Lab); err != nil {
		return nil, fmt.Errorf("drill %s does not fit lab %s: %w", d.Name, st.Lab.Name, err)
	}
	if len(st.Faults) > 0 {
		var fs []string
		for _, f := range st.Faults {
			fs = append(fs, f.String())
		}
		return nil, fmt.Errorf("lab %s has faults in force (%s); mend them first (halab fault restore|start|heal …) so the drill starts from a healthy lab",
			st.Lab.Name, strings.Join(fs, "; "))
	}
	r := &runner{l: l, d: d, o: o, st: st, w: newWorld(), timers: timersOf(st.Lab)}

	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.w.follow(l.Events(watchCtx)) }()
	go func() { defer wg.Done(); r.w.poll(watchCtx, l, o.Poll) }()
	defer func() { stopWatch(); wg.Wait() }()

	if err := r.settle(ctx); err != nil {
		return nil, err
	}
	var ps probe.Status
	r.t0 = time.Now()
	if err := l.Probe(ctx, "reset", nil, &ps); err != nil {
		return nil, fmt.Errorf("drill %s: reset the client probe: %w", d.Name, err)
	}
	r.w.start(r.t0)
	r.firstAnswer(ctx)
	r.report = &Report{Drill: d.Name, Title: d.Title, Teaches: d.Teaches, Source: d.Source,
		Lab: st.Lab.Name, LabSource: st.Lab.Source, Started: r.t0}
	// Whatever happens below, the faults applied are undone.
	undone := false
	defer func() {
		if !undone {
			r.undo()
		}
	}()

	r.steps(ctx)
	interrupted := ctx.Err() != nil
	if !interrupted {
		r.wholeDrill()
		r.tail(ctx)
	}
	end := time.Now()
	final := r.finalStats()
	snap := r.w.snapshot()
	r.undo()
	undone = true

	rep := r.report
	rep.Interrupted = interrupted
	rep.Duration = end.Sub(r.t0)
	rep.Measurements = r.measure(final, snap, end)
	rep.Timeline = r.timeline(snap, end)
	rep.Passed = !interrupted && len(rep.UndoErrors) == 0
	for _, s := range rep.Steps {
		if s.Failed() || s.Status == StatusSkipped || s.Status == StatusInterrupted {
			rep.Passed = false
		}
	}
	if interrupted {
		return rep, ctx.Err()
	}
	return rep, nil
}

// settle waits for a steady lab: one node holds the VIP and the client
// gets answers, all of them in the latest bucket.
func (r *runner) settle(ctx context.Context) error {
	deadline := time.Now().Add(r.o.Settle)
	why := "nothing read yet"
	for {
		holders, at, err := r.w.current()
		var ps probe.Status
		perr := r.l.Probe(ctx, "stats", nil, &ps)
		switch {
		case err != nil:
			why = "cannot read the VIP holders: " + err.Error()
		case at.IsZero():
			why = "the VIP holders were not read yet"
		case len(holders) != 1:
			why = "the VIP is held by " + holderWords(holders)
		case time.Since(r.w.holdersSince()) < r.o.Steady:
			why = "the VIP just moved to " + holders[0]
		case r.preemptPending(ctx, holders[0]) != "":
			why = r.preemptPending(ctx, holders[0])
		case perr != nil:
			why = "cannot read the client probe: " + perr.Error()
		case !ps.Answered || ps.Current != nil || time.Since(ps.LastAnswer) > time.Second:
			why = "the client gets no answers"
			if ps.Current != nil {
				why += fmt.Sprintf(" (an outage has lasted %s)", fmtDur(ps.Current.Length))
			}
		case ps.Rate == 0:
			why = "the client probe is paused (rate 0)"
		case ps.LastBucket != nil && ps.LastBucket.Failed > 0:
			// Answers come, but not all: a stale ARP entry after a split
			// brain, a flapping link. Measuring from here would blame the
			// drill for the lab's state.
			why = fmt.Sprintf("requests are failing (%d of %d in the latest %s)", ps.LastBucket.Failed,
				ps.LastBucket.OK+ps.LastBucket.Failed, fmtDur(ps.LastBucket.Width))
		default:
			r.origRate, r.timeout, r.bucket = ps.Rate, ps.Timeout, ps.Bucket
			if r.bucket <= 0 {
				r.bucket = probe.DefaultBucket
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("drill %s: lab %s is not steady after %s: %s", r.d.Name, r.st.Lab.Name, fmtDur(r.o.Settle), why)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("drill %s: interrupted while waiting for a steady lab: %w", r.d.Name, err)
		}
	}
}

// preemptPending says which node is about to take the VIP back from
// master: a BACKUP of higher priority that preempts. "" when none.
func (r *runner) preemptPending(ctx context.Context, master string) string {
	vr, err := r.l.VRRP(ctx)
	if err != nil {
		return ""
	}
	mp := vr[master].Priority
	for n, s := range vr {
		if lt := r.timers.lbs[n]; n != master && s.State == StateBackup && s.Priority > mp && lt != nil && !lt.nopreempt {
			return fmt.Sprintf("%s (priority %d) is about to take the VIP back from %s (%d)", n, s.Priority, master, mp)
		}
	}
	return ""
}

// firstAnswer waits (briefly) for the probe's first answer after the
// reset: until then the probe has no interval to measure, and a fault in
// that instant would cause no outage at all.
func (r *runner) firstAnswer(ctx context.Context) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ps probe.Status
		if err := r.l.Probe(ctx, "stats", nil, &ps); err != nil || ps.Answered {
			return
		}
		if sleep(ctx, 5*time.Millisecond) != nil {
			return
		}
	}
}

// steps runs the drill's steps in order.
func (r *runner) steps(ctx context.Context) {
	stop := false
	for i, s := range r.d.Steps {
		res := StepResult{Index: i + 1, Kind: s.Kind, Text: s.String(), Line: s.Line, Start: r.since(time.Now())}
		switch {
		case ctx.Err() != nil:
			res.Status, res.End = StatusInterrupted, res.Start
			r.record(res)
			continue
		case stop:
			res.Status, res.End = StatusSkipped, res.Start
			r.record(res)
			continue
		}
		res.Status = StatusRunning
		r.progress(res)
		if s.IsExpectation() {
			r.expect(ctx, s, &res)
		} else {
			r.act(ctx, i+1, s, &res)
		}
		res.End = r.since(time.Now())
		if ctx.Err() != nil && res.Status == StatusRunning {
			res.Status = StatusInterrupted
		}
		r.record(res)
		if res.Failed() && !r.o.KeepGoing {
			stop = true
		}
	}
}

// record adds a finished step to the report and tells the caller.
func (r *runner) record(res StepResult) {
	r.report.Steps = append(r.report.Steps, res)
	r.progress(res)
}

func (r *runner) progress(res StepResult) {
	if r.o.Progress != nil {
		r.o.Progress(res)
	}
}

// since is t as an offset from the start of measurement.
func (r *runner) since(t time.Time) time.Duration { return t.Sub(r.t0) }

// act runs one acting step.
func (r *runner) act(ctx context.Context, num int, s Step, res *StepResult) {
	switch s.Kind {
	case StepFault, StepRestore, StepHeal:
		r.applyFault(ctx, num, s, res)
	case StepWait:
		if err := sleep(ctx, s.Wait); err != nil {
			return
		}
		res.Status, res.Seen = StatusDone, "waited "+fmtDur(s.Wait)
	case StepTraffic:
		if err := r.l.Probe(ctx, "rate", map[string]int{"rate": s.Rate}, nil); err != nil {
			res.Status, res.Seen = StatusError, err.Error()
			return
		}
		r.rateSet = true
		res.Status, res.Seen = StatusDone, fmt.Sprintf("client probe at %d requests/s", s.Rate)
	case StepSay:
		res.Status, res.Seen = StatusDone, s.Text
	}
}

// applyFault applies a fault step, noting the VIP holders and VRRP
// priorities just before it for the measurements and bounds.
func (r *runner) applyFault(ctx context.Context, num int, s Step, res *StepResult) {
	f := *s.Fault
	fr := faultRecord{step: num, f: f, words: s.Words}
	if h, err := r.l.Holders(ctx); err == nil {
		fr.before = sortedHolders(h)
	} else {
		fr.before, _, _ = r.w.current()
	}
	fr.vrrp, _ = r.l.VRRP(ctx)
	fr.at = time.Now()
	err := r.l.Fault(ctx, f)
	fr.done = time.Now()
	if err != nil {
		// A fault cut short may still have landed: trust the lab's record.
		if st := r.l.State(); st != nil && hasFault(st.Faults, f) && !f.Mends() {
			r.inForce = append(r.inForce, f)
		}
		res.Status, res.Seen = StatusError, fmt.Sprintf("%s: %v", s.Words, err)
		return
	}
	r.inForce = lab.RecordFault(r.inForce, f)
	r.records = append(r.records, fr)
	r.lastFault = &r.records[len(r.records)-1]
	res.Status, res.Seen = StatusDone, f.String()
}

// tail waits for the probe to publish the end of an outage that closed
// just before the drill ended.
func (r *runner) tail(ctx context.Context) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ps probe.Status
		if err := r.l.Probe(ctx, "stats", nil, &ps); err != nil || ps.Current == nil {
			break
		}
		if sleep(ctx, 50*time.Millisecond) != nil {
			return
		}
	}
	_ = sleep(ctx, r.timeout+2*r.bucket)
}

// finalStats reads the probe's figures since the start of measurement.
func (r *runner) finalStats() *probe.Status {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ps probe.Status
	if err := r.l.Probe(ctx, "stats", nil, &ps); err != nil {
		return nil
	}
	return &ps
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
