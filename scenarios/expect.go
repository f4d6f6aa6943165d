package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/nodes/probe"
)

// liveEvery is how often a waiting expectation reports what it sees.
const liveEvery = 500 * time.Millisecond

// expect evaluates one expectation, live: it sets res to pass or fail as
// soon as the answer is known.
func (r *runner) expect(ctx context.Context, s Step, res *StepResult) {
	start := time.Now()
	var pass bool
	var seen string
	switch s.Kind {
	case ExpectVIPOn:
		pass, seen = r.expectVIP(ctx, s, start)
	case ExpectState:
		pass, seen = r.expectState(ctx, s, start)
	case ExpectSuccess, ExpectFailed:
		pass, seen = r.expectWindow(ctx, s, start, res)
	case ExpectOutage:
		pass, seen = r.expectOutage(ctx, s)
	case ExpectNoSplitBrain:
		pass, seen = r.expectNoSplit(ctx, start, start.Add(s.Over), true)
	case ExpectBackend:
		pass, seen = r.expectBackend(ctx, s, start)
	}
	if ctx.Err() != nil {
		res.Seen = "interrupted"
		return
	}
	res.Seen = seen
	res.Status = StatusFail
	if pass {
		res.Status = StatusPass
	}
}

// afterFault says how long after the latest fault t is: ", 3.61 s after
// crash lb1".
func (r *runner) afterFault(t time.Time) string {
	if r.lastFault == nil {
		return ""
	}
	return fmt.Sprintf(", %s after %s", fmtDur(t.Sub(r.lastFault.ref())), r.lastFault.words)
}

// waitUntil calls check on every change of the world and every tick until
// it returns true, the deadline passes, or ctx is done. It reports whether
// check returned true.
func (r *runner) waitUntil(ctx context.Context, deadline time.Time, tick time.Duration, check func(now time.Time) bool) bool {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		wake := r.w.wake()
		now := time.Now()
		if check(now) {
			return true
		}
		if now.After(deadline) || ctx.Err() != nil {
			return false
		}
		timer := time.NewTimer(time.Until(deadline) + time.Millisecond)
		select {
		case <-wake:
		case <-t.C:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
	}
}

func (r *runner) expectVIP(ctx context.Context, s Step, start time.Time) (bool, string) {
	want := slices.Clone(s.Nodes)
	slices.Sort(want)
	var got []string
	var pollErr error
	var seenAt time.Time
	// A poll or two past within: the answer must come from a poll taken
	// after the step began.
	ok := r.waitUntil(ctx, start.Add(s.Within+2*r.o.Poll), r.o.Poll, func(time.Time) bool {
		h, at, err := r.w.current()
		if at.Before(start) {
			return false // only a poll taken after the step began counts
		}
		got, pollErr, seenAt = h, err, at
		return err == nil && slices.Equal(h, want)
	})
	if ok {
		return true, fmt.Sprintf("VIP on %s at %s%s", holderWords(got), fmtOffset(r.since(seenAt)), r.afterFault(seenAt))
	}
	if pollErr != nil {
		return false, "cannot read the VIP holders: " + pollErr.Error()
	}
	if seenAt.IsZero() {
		return false, "the VIP holders could not be read in time"
	}
	return false, fmt.Sprintf("after %s the VIP is on %s, not %s", fmtDur(time.Since(start).Round(10*time.Millisecond)), holderWords(got), holderWords(want))
}

func (r *runner) expectState(ctx context.Context, s Step, start time.Time) (bool, string) {
	node := s.Nodes[0]
	var got VRRPStatus
	var lastErr error
	var seenAt time.Time
	next := time.Time{}
	ok := r.waitUntil(ctx, start.Add(s.Within), 100*time.Millisecond, func(now time.Time) bool {
		if now.Before(next) {
			return false
		}
		next = now.Add(100 * time.Millisecond)
		all, err := r.l.VRRP(ctx)
		if err != nil {
			lastErr = err
			return false
		}
		got, seenAt = all[node], time.Now()
		if got.State == "" {
			got.State = StateDown
		}
		return got.State == s.State
	})
	if ok {
		return true, fmt.Sprintf("%s %s at %s%s", node, stateWords(got), fmtOffset(r.since(seenAt)), r.afterFault(seenAt))
	}
	if got.State == "" && lastErr != nil {
		return false, "cannot read VRRP states: " + lastErr.Error()
	}
	return false, fmt.Sprintf("after %s %s is %s, not %s", fmtDur(time.Since(start).Round(10*time.Millisecond)), node, stateWords(got), s.State)
}

// stateWords says a VRRP state with its priority: "MASTER (priority 102)",
// "DOWN (not running)".
func stateWords(s VRRPStatus) string {
	if s.State == StateDown {
		return "DOWN (VRRP not running)"
	}
	return fmt.Sprintf("%s (priority %d)", s.State, s.Priority)
}

// expectWindow evaluates success and failed over the window starting now.
func (r *runner) expectWindow(ctx context.Context, s Step, start time.Time, res *StepResult) (bool, string) {
	end := start.Add(s.Over)
	// Buckets are published once their requests finished.
	deadline := end.Add(r.timeout + 2*r.bucket + time.Second)
	var ok, failed int
	lastLive := start
	failedEarly := false
	r.waitUntil(ctx, deadline, 100*time.Millisecond, func(now time.Time) bool {
		var complete bool
		ok, failed, complete = r.w.window(start, end)
		if s.Kind == ExpectFailed && failed > s.MaxFailed {
			failedEarly = true
			return true
		}
		if now.Sub(lastLive) >= liveEvery && now.Before(end) {
			lastLive = now
			live := *res
			live.Seen = windowWords(s, ok, failed) + " so far"
			r.progress(live)
		}
		return complete && !now.Before(end)
	})
	seen := windowWords(s, ok, failed)
	if s.Kind == ExpectFailed {
		if failedEarly {
			seen += fmt.Sprintf(" within %s of the window", fmtDur(time.Since(start).Round(10*time.Millisecond)))
		}
		return failed <= s.MaxFailed, seen
	}
	if ok+failed == 0 {
		return false, "no request was answered in the window (is the client probe paused?)"
	}
	ratio := float64(ok) / float64(ok+failed)
	pass := (s.AtLeast == nil || ratio >= *s.AtLeast-1e-9) && (s.AtMost == nil || ratio <= *s.AtMost+1e-9)
	return pass, seen
}

func windowWords(s Step, ok, failed int) string {
	if s.Kind == ExpectFailed {
		return fmt.Sprintf("%d failed of %d", failed, ok+failed)
	}
	if ok+failed == 0 {
		return "no requests"
	}
	return fmt.Sprintf("%s succeeded (%d of %d)", fmtPercent(float64(ok)/float64(ok+failed)), ok, ok+failed)
}

// expectOutage checks the longest outage since the start of measurement,
// first waiting for an outage in progress to end (or to exceed the bound).
func (r *runner) expectOutage(ctx context.Context, s Step) (bool, string) {
	var ps probe.Status
	var err error
	deadline := time.Now().Add(s.MaxOutage + 5*time.Second)
	closedAt := time.Time{}
	r.waitUntil(ctx, deadline, 50*time.Millisecond, func(now time.Time) bool {
		if err = r.l.Probe(ctx, "stats", nil, &ps); err != nil {
			return false
		}
		if ps.Current != nil {
			closedAt = time.Time{}
			return ps.Current.Length > s.MaxOutage
		}
		// An outage that just ended is published once its requests
		// finished: give it the probe's timeout.
		if closedAt.IsZero() {
			closedAt = now
		}
		return now.Sub(closedAt) > r.timeout+r.bucket
	})
	if err != nil {
		return false, "cannot read the client probe: " + err.Error()
	}
	if ps.Current != nil && ps.Current.Length > s.MaxOutage {
		return false, fmt.Sprintf("an outage has lasted %s and goes on (%d failed so far)", fmtDur(ps.Current.Length), ps.Current.Failed)
	}
	if ps.Current != nil {
		return false, fmt.Sprintf("an outage still lasts after %s", fmtDur(ps.Current.Length))
	}
	if ps.Longest == nil {
		return true, "no outage"
	}
	seen := fmt.Sprintf("longest outage %s (%d failed)", fmtDur(ps.Longest.Length), ps.Longest.Failed)
	return ps.Longest.Length <= s.MaxOutage, seen
}

// expectNoSplit checks that no two nodes held the VIP for longer than the
// grace between from and to; with wait it watches until to (failing as
// soon as a split brain lasts too long), else it judges what was seen.
func (r *runner) expectNoSplit(ctx context.Context, from, to time.Time, wait bool) (bool, string) {
	grace := r.o.SplitBrainGrace
	var worst span
	var longest time.Duration
	check := func(now time.Time) bool {
		worst, longest = r.w.splitIn(from, to, now)
		return longest > grace || !now.Before(to)
	}
	if wait {
		r.waitUntil(ctx, to, r.o.Poll, check)
	} else {
		check(time.Now())
	}
	if longest > grace {
		return false, fmt.Sprintf("split brain: two nodes held the VIP for %s from %s", fmtDur(longest), fmtOffset(r.since(worst.Start)))
	}
	if longest > 0 {
		return true, fmt.Sprintf("no split brain (two holders for %s only, a handover)", fmtDur(longest))
	}
	return true, "no split brain: never more than one holder"
}

// wholeDrill evaluates the expectations over the whole drill.
func (r *runner) wholeDrill() {
	if !r.d.NoSplitBrain {
		return
	}
	now := time.Now()
	res := StepResult{Index: len(r.d.Steps) + 1, Kind: ExpectNoSplitBrain, Whole: true,
		Text: "expect no split brain during the whole drill", End: r.since(now)}
	pass, seen := r.expectNoSplit(context.Background(), r.t0, now, false)
	res.Status, res.Seen = StatusFail, seen
	if pass {
		res.Status = StatusPass
	}
	r.record(res)
}

func (r *runner) expectBackend(ctx context.Context, s Step, start time.Time) (bool, string) {
	nodes := s.Nodes
	if len(nodes) == 0 {
		for _, n := range r.st.Lab.Nodes {
			if n.Component("proxy") != nil {
				nodes = append(nodes, n.Name)
			}
		}
	}
	want := s.State == "UP"
	var wrong []string
	ok := r.waitUntil(ctx, start.Add(s.Within), 100*time.Millisecond, func(time.Time) bool {
		wrong = wrong[:0]
		for _, n := range nodes {
			if r.w.backendUp(n, s.Server) != want {
				wrong = append(wrong, n)
			}
		}
		return len(wrong) == 0
	})
	now := time.Now()
	if ok {
		return true, fmt.Sprintf("%s sees %s %s at %s%s", strings.Join(nodes, ", "), s.Server, s.State, fmtOffset(r.since(now)), r.afterFault(now))
	}
	other := "UP"
	if want {
		other = "DOWN"
	}
	return false, fmt.Sprintf("after %s %s still sees %s %s", fmtDur(time.Since(start).Round(10*time.Millisecond)), strings.Join(wrong, ", "), s.Server, other)
}
