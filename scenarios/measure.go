package scenarios

import (
	"slices"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/probe"
)

// measure computes the drill's figures from the probe's final status and
// what the world saw.
func (r *runner) measure(final *probe.Status, snap snapshot, end time.Time) Measurements {
	var m Measurements
	if final != nil {
		m.Sent, m.OK, m.Failed = final.Sent, final.OK, final.Failed
		if final.Longest != nil {
			m.Outage, m.OutageFailed = final.Longest.Length, final.Longest.Failed
		}
		if c := final.Current; c != nil && c.Length > m.Outage {
			m.Outage, m.OutageFailed, m.OutageOpen = c.Length, c.Failed, true
		}
	}
	for i := range r.records {
		// A fault's effects are looked for until the next fault (the
		// next one that breaks something, for the VIP's move: a node
		// restored before the backup took over does not stop the
		// takeover).
		next, nextBreak := end, end
		if i+1 < len(r.records) {
			next = r.records[i+1].at
		}
		for _, later := range r.records[i+1:] {
			if !later.f.Mends() {
				nextBreak = later.at
				break
			}
		}
		m.Faults = append(m.Faults, r.faultFigures(&r.records[i], snap, next, nextBreak))
	}
	r.attributeOutages(m.Faults, snap)
	return m
}

// causeSlack is how long before a fault the last successful answer of the
// outage it caused may come (a request interval, and the fault's own
// time to land).
const causeSlack = 200 * time.Millisecond

// attributeOutages gives each closed outage to the fault that caused it:
// the latest fault at or before its start (a fault that breaks may come a
// little after the last successful answer before the gap). A fault
// that breaks gets the time from it until answers came back; a fault that
// mends gets the time from it until the end of the outage it found going
// on.
func (r *runner) attributeOutages(figs []FaultFigures, snap snapshot) {
	for _, o := range snap.outages {
		cause := -1
		for i := range r.records {
			latest := o.Start
			if !r.records[i].f.Mends() {
				latest = latest.Add(causeSlack)
			}
			if !r.records[i].ref().After(latest) {
				cause = i
			}
		}
		if cause >= 0 {
			ff := &figs[cause]
			if ff.Outage == nil || o.Length > *ff.Outage {
				length := o.Length
				ff.Outage, ff.OutageFailed = &length, o.Failed
				if !r.records[cause].f.Mends() {
					rec := o.End.Sub(r.records[cause].ref())
					ff.Recovered = &rec
				}
			}
		}
		for i := range r.records {
			ref := r.records[i].ref()
			if r.records[i].f.Mends() && i != cause && o.Start.Before(ref) && o.End.After(ref) && figs[i].Recovered == nil {
				rec := o.End.Sub(ref)
				figs[i].Recovered = &rec
			}
		}
	}
}

// faultFigures measures what followed one fault: the VIP's move (until
// nextBreak) and the lab noticing (until next).
func (r *runner) faultFigures(fr *faultRecord, snap snapshot, next, nextBreak time.Time) FaultFigures {
	ref := fr.ref()
	ff := FaultFigures{Step: fr.step, Fault: fr.words, At: r.since(fr.at), HoldersBefore: fr.before}
	if ff.HoldersBefore == nil {
		ff.HoldersBefore = []string{}
	}
	ff.TakeoverBound, ff.DetectedBound, ff.RecoveryBound = r.timers.bounds(fr)

	// The VIP moved when the holders first differ from those before the
	// fault, someone holding it (for a node mended, that node). The VIP
	// event of the new holder, when it falls between the two polls around
	// the change, is more precise than the poll.
	mended := ""
	if fr.f.Mends() && fr.f.Kind != lab.FaultHeal {
		mended = fr.f.Node
	}
	for _, h := range snap.holderLg {
		if !h.At.After(ref) || !h.At.Before(nextBreak) || len(h.Nodes) == 0 || slices.Equal(h.Nodes, fr.before) ||
			(mended != "" && !contains(h.Nodes, mended)) {
			continue
		}
		at := h.At
		for _, e := range snap.vipAdds {
			if contains(h.Nodes, e.Node) && !contains(fr.before, e.Node) && e.At.After(ref) && e.At.After(h.Prev) && !e.At.After(h.At) && e.At.Before(at) {
				at = e.At
			}
		}
		d := at.Sub(ref)
		ff.Takeover, ff.HoldersAfter = &d, h.Nodes
		break
	}

	// Noticing: the master's priority falls (track script), or the
	// proxies mark a server DOWN (health checks).
	switch {
	case fr.f.Component == lab.ComponentProxy && (fr.f.Kind == lab.FaultKill || fr.f.Kind == lab.FaultStop):
		before := r.timers.priority(fr.f.Node, fr.vrrp)
		for _, e := range snap.prios {
			if e.Node == fr.f.Node && e.At.After(ref) && e.At.Before(next) && e.N < before {
				d := e.At.Sub(ref)
				ff.Detected, ff.DetectedWhat = &d, "priority lowered by the track script"
				break
			}
		}
	case fr.f.Component == lab.ComponentWeb && (fr.f.Kind == lab.FaultKill || fr.f.Kind == lab.FaultStop):
		for _, e := range snap.backLog {
			if !e.Up && e.At.After(ref) && e.At.Before(next) {
				d := e.At.Sub(ref)
				ff.Detected, ff.DetectedWhat = &d, "server "+e.Server+" marked DOWN by "+e.Node
				break
			}
		}
	}
	return ff
}

// timeline turns what the world saw into the report's time series.
func (r *runner) timeline(snap snapshot, end time.Time) Timeline {
	tl := Timeline{Bucket: r.bucket, Buckets: []TimelineBucket{}, Holders: []HolderSpan{}, Marks: []Mark{}}
	for _, b := range snap.buckets {
		tl.Buckets = append(tl.Buckets, TimelineBucket{At: r.since(b.Start), OK: b.OK, Failed: b.Failed})
	}
	for i, h := range snap.holderLg {
		to := end
		if i+1 < len(snap.holderLg) {
			to = snap.holderLg[i+1].At
		}
		if !to.After(r.t0) {
			continue
		}
		from := max(r.since(h.At), 0)
		nodes := h.Nodes
		if nodes == nil {
			nodes = []string{}
		}
		tl.Holders = append(tl.Holders, HolderSpan{From: from, To: r.since(to), Nodes: nodes})
	}
	for _, fr := range r.records {
		tl.Marks = append(tl.Marks, Mark{At: r.since(fr.at), Step: fr.step, Label: fr.words})
	}
	return tl
}
