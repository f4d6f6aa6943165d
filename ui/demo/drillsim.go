package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// What the demo drills read of the simulation: its clock, who holds the
// VIP, the outages the client saw (from the events it published).

// settleFor bounds the wait for a steady simulated lab, on its clock.
const settleFor = 30 * time.Second

// simNow is the simulation's clock.
func (d *Drills) simNow() time.Time {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	return d.b.sim.now
}

// holders are the nodes holding the VIP, in lab order: on a powered node
// with its link up (a node powered off keeps the address on a dead link).
func (d *Drills) holders() []string {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	var out []string
	for _, r := range d.b.sim.routers {
		if r.vip && r.n.powered && r.n.linkUp[r.pubIf] {
			out = append(out, r.n.spec.Name)
		}
	}
	return out
}

// steadyNow reports why the simulated lab is not steady ("" when it is):
// one master holding the VIP, every priority settled (track scripts run),
// no backup about to preempt, the client answered.
func (d *Drills) steadyNow() string {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	s := d.b.sim
	var master *router
	for _, r := range s.routers {
		if r.vip && master != nil {
			return "two nodes hold the VIP"
		}
		if r.vip {
			master = r
		}
	}
	switch {
	case master == nil || master.state != "MASTER":
		return "no master holds the VIP"
	case s.open || !s.hasOK:
		return "the client gets no answers"
	}
	for _, r := range s.routers {
		if r.alive() && r.scriptOK != r.n.running[lab.ComponentProxy] {
			return "a track script has not run yet on " + r.n.spec.Name
		}
		if r != master && r.alive() && r.state == "BACKUP" && r.prio > master.prio {
			return r.n.spec.Name + " is about to take the VIP back"
		}
	}
	return ""
}

// settle waits for a steady simulated lab, steady for half a second.
func (d *Drills) settle(ctx context.Context) error {
	start := d.simNow()
	var since time.Time
	why := ""
	ok := d.wait(ctx, start.Add(settleFor), func(now time.Time) bool {
		if why = d.steadyNow(); why != "" {
			since = time.Time{}
			return false
		}
		if since.IsZero() {
			since = now
		}
		return now.Sub(since) >= 500*time.Millisecond
	})
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted while waiting for a steady lab: %w", ctx.Err())
	case !ok:
		return errors.New("the demo lab is not steady after 30 s: " + why)
	}
	return nil
}

// wait calls check every poll until it returns true, the simulation's
// clock passes deadline, or ctx is done; it reports whether check did.
func (d *Drills) wait(ctx context.Context, deadline time.Time, check func(now time.Time) bool) bool {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	for {
		now := d.simNow()
		if check(now) {
			return true
		}
		if now.After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

// outageOpen reports whether the client has had no answer for a while.
func (d *Drills) outageOpen() bool {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	return d.b.sim.open
}

// outageSince is the longest outage that ended (or still lasts) since
// t0, and the requests failed since t0, from the events published.
func (d *Drills) outageSince(t0 time.Time) (longest time.Duration, failed int) {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	for _, e := range d.b.history {
		switch {
		case e.Kind == control.KindProbe && e.Probe != nil && !e.Probe.Start.Before(t0):
			failed += e.Probe.Failed
		case e.Kind == control.KindOutage && e.Outage != nil && !e.Outage.Open && e.Outage.End.After(t0):
			longest = max(longest, e.Outage.Length)
		}
	}
	if s := d.b.sim; s.open {
		longest = max(longest, s.now.Sub(s.lastOK))
	}
	return longest, failed
}

// answered counts the client's requests in buckets that started from
// start to end.
func (d *Drills) answered(start, end time.Time) (ok, failed int) {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	for _, e := range d.b.history {
		if e.Kind == control.KindProbe && e.Probe != nil && !e.Probe.Start.Before(start) && e.Probe.Start.Before(end) {
			ok, failed = ok+e.Probe.OK, failed+e.Probe.Failed
		}
	}
	return ok, failed
}

// vipAddedSince is when node took the VIP, at since or after (since when
// it held it already).
func (d *Drills) vipAddedSince(node string, since time.Time) time.Time {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	for _, e := range d.b.history {
		if e.Kind == control.KindVIP && e.VIP != nil && e.VIP.Added && e.Node == node && !e.Time.Before(since) {
			return e.Time
		}
	}
	return since
}

// vipMoved is how long after a fault the VIP was added on a node that did
// not hold it before.
func (d *Drills) vipMoved(fa *faultAt) (time.Duration, bool) {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	for _, e := range d.b.history {
		if e.Kind == control.KindVIP && e.VIP != nil && e.VIP.Added && !e.Time.Before(fa.at) && !slices.Contains(fa.before, e.Node) {
			return e.Time.Sub(fa.at), true
		}
	}
	return 0, false
}

// bound is the protocol's bound on the takeover a fault causes: the
// backup's master-down interval when the master goes silent, its skew
// time when the master says it leaves (priority 0); 0 for other faults.
func (d *Drills) bound(f lab.Fault) time.Duration {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	for _, r := range d.b.sim.routers {
		if r.n.spec.Name == f.Node || !r.alive() || r.state != "BACKUP" {
			continue
		}
		switch {
		case f.Kind == lab.FaultCrash:
			return masterDown(r.prio)
		case f.Kind == lab.FaultStop && f.Component == lab.ComponentVRRP:
			return skew(r.prio)
		}
	}
	return 0
}
