package scenarios

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/halab/halab/nodes/control"
)

// world is what the runner has seen of the lab: the VIP holders polled
// from the kernel, and the lab's events (probe buckets and outages, VIP
// changes, VRRP priorities, backend health). Expectations read it while
// it fills.
type world struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	t0      time.Time     // start of measurement; zero before

	holders  map[string]bool
	polledAt time.Time
	pollErr  error
	holderLg []holderSample // change points, oldest first
	splits   []span         // times two or more nodes held the VIP

	buckets  []control.ProbeBucket // started at or after t0
	outages  []control.Outage      // closed, ended after t0
	vipAdds  []nodeEvent           // a node added the VIP
	prios    []nodeEvent           // effective priority changes (N = priority)
	backends map[string]bool       // "node/server" → up, latest known
	backLog  []nodeEvent           // backend changes (Server, Up)
}

// holderSample is the set of VIP holders from At on.
type holderSample struct {
	At    time.Time
	Nodes []string
	// Prev is the time of the poll before the one that saw the change.
	Prev time.Time
}

// span is a time interval; a zero End means it still lasts.
type span struct{ Start, End time.Time }

// nodeEvent is a timed fact about one node.
type nodeEvent struct {
	Node   string
	At     time.Time
	N      int
	Server string
	Up     bool
}

func newWorld() *world {
	return &world{changed: make(chan struct{}), backends: map[string]bool{}}
}

// notify wakes every waiter; the caller holds mu.
func (w *world) notify() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// wake returns a channel closed at the next change.
func (w *world) wake() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

// start marks the start of measurement: older buckets and outages are
// forgotten.
func (w *world) start(t0 time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t0 = t0
	w.buckets, w.outages = nil, nil
	w.notify()
}

// setHolders records one poll of the VIP holders.
func (w *world) setHolders(at time.Time, h map[string]bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	prev := w.polledAt
	w.polledAt, w.pollErr = at, err
	if err != nil {
		w.notify()
		return
	}
	nodes := sortedHolders(h)
	if len(w.holderLg) == 0 || !slices.Equal(w.holderLg[len(w.holderLg)-1].Nodes, nodes) {
		w.holderLg = append(w.holderLg, holderSample{At: at, Nodes: nodes, Prev: prev})
	}
	w.holders = h
	open := len(w.splits) > 0 && w.splits[len(w.splits)-1].End.IsZero()
	switch {
	case len(nodes) >= 2 && !open:
		w.splits = append(w.splits, span{Start: at})
	case len(nodes) < 2 && open:
		w.splits[len(w.splits)-1].End = at
	}
	w.notify()
}

func sortedHolders(h map[string]bool) []string {
	var out []string
	for n, held := range h {
		if held {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// holdersSince is when the VIP holders last changed (the zero time when
// never read).
func (w *world) holdersSince() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.holderLg) == 0 {
		return time.Time{}
	}
	return w.holderLg[len(w.holderLg)-1].At
}

// current returns the holders of the latest poll and when it was taken.
func (w *world) current() ([]string, time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return sortedHolders(w.holders), w.polledAt, w.pollErr
}

// add takes one event from the lab's stream.
func (w *world) add(e control.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	measuring := !w.t0.IsZero()
	switch {
	case e.Kind == control.KindProbe && e.Probe != nil:
		if measuring && !e.Probe.Start.Before(w.t0) {
			w.buckets = append(w.buckets, *e.Probe)
		}
	case e.Kind == control.KindOutage && e.Outage != nil:
		if measuring && !e.Outage.Open && e.Outage.End.After(w.t0) {
			w.outages = append(w.outages, *e.Outage)
		}
	case e.Kind == control.KindVIP && e.VIP != nil:
		if e.VIP.Added {
			w.vipAdds = append(w.vipAdds, nodeEvent{Node: e.Node, At: e.Time})
		}
	case e.Kind == control.KindVRRPPriority && e.VRRP != nil:
		w.prios = append(w.prios, nodeEvent{Node: e.Node, At: e.Time, N: e.VRRP.Priority})
	case e.Kind == control.KindBackend && e.Backend != nil:
		w.backends[e.Node+"/"+e.Backend.Server] = e.Backend.Up
		w.backLog = append(w.backLog, nodeEvent{Node: e.Node, At: e.Time, Server: e.Backend.Server, Up: e.Backend.Up})
	case (e.Kind == control.KindExit || e.Kind == control.KindReady) && e.Component == "proxy":
		// A new proxy process checks its servers from scratch.
		for k := range w.backends {
			if len(k) > len(e.Node) && k[:len(e.Node)+1] == e.Node+"/" {
				delete(w.backends, k)
			}
		}
	default:
		return
	}
	w.notify()
}

// backendUp says whether node's proxy sees server up; a proxy that said
// nothing yet counts its servers up, as HAProxy starts them.
func (w *world) backendUp(node, server string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	up, known := w.backends[node+"/"+server]
	return !known || up
}

// window sums the buckets that start in [from, to) (the window begins at
// the first bucket boundary after from), and reports whether a bucket
// starting at or after to was seen (the window is complete).
func (w *world) window(from, to time.Time) (ok, failed int, complete bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.buckets {
		if !b.Start.Before(from) && b.Start.Before(to) {
			ok += b.OK
			failed += b.Failed
		}
		if !b.Start.Before(to) {
			complete = true
		}
	}
	return ok, failed, complete
}

// splitIn returns the longest split brain overlapping [from, to], its
// length measured up to now when it still lasts.
func (w *world) splitIn(from, to, now time.Time) (span, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var worst span
	var longest time.Duration
	for _, s := range w.splits {
		end := s.End
		if end.IsZero() {
			end = now
		}
		if end.Before(from) || s.Start.After(to) {
			continue
		}
		if d := end.Sub(s.Start); d > longest {
			worst, longest = s, d
		}
	}
	return worst, longest
}

// snapshot is a copy of what the world saw, for the report.
type snapshot struct {
	holderLg []holderSample
	buckets  []control.ProbeBucket
	outages  []control.Outage
	vipAdds  []nodeEvent
	prios    []nodeEvent
	backLog  []nodeEvent
}

func (w *world) snapshot() snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return snapshot{
		holderLg: slices.Clone(w.holderLg),
		buckets:  slices.Clone(w.buckets),
		outages:  slices.Clone(w.outages),
		vipAdds:  slices.Clone(w.vipAdds),
		prios:    slices.Clone(w.prios),
		backLog:  slices.Clone(w.backLog),
	}
}

// follow feeds the lab's events into the world until the stream ends.
func (w *world) follow(events <-chan control.Event) {
	for e := range events {
		w.add(e)
	}
}

// poll reads the VIP holders every interval until ctx is done.
func (w *world) poll(ctx context.Context, l Lab, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		h, err := l.Holders(ctx)
		if ctx.Err() != nil {
			return
		}
		w.setHolders(time.Now(), maps.Clone(h), err)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
