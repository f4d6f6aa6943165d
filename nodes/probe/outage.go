package probe

import (
	"fmt"
	"time"

	"github.com/halab/halab/nodes/control"
)

// maxHistory is how many closed outages the probe remembers.
const maxHistory = 100

// success is the latest successful answer (by completion time).
type success struct {
	id         uint64
	start, end time.Time
	lb, web    string
}

// pendingClose is an outage that ended (an answer came back) whose failed
// count is not final yet: requests started before the answer that ended it
// may still be in flight. It is published once every request with an id
// below id2 has finished.
type pendingClose struct {
	o                   control.Outage
	id1, id2            uint64 // the successes before and after
	base, end           uint64 // cumFailed snapshots at id1+1 and id2
	baseKnown, endKnown bool
	lbBefore, lbAfter   string
	opened              bool // an open event was published for it
}

// outages is the tracker's outage state. Outage is the longest interval
// between two consecutive successful answers, by completion time. A gap
// becomes an outage when it is longer than twice the request interval and at
// least one request sent in it failed (whenever that failure ended: a
// timed-out request ends after the gap it was sent in); before the first
// answer (and after a reset, before the next one) there is no interval and
// so no outage.
type outages struct {
	firstStart        time.Time // first request since start or reset
	hasOK             bool
	last              success
	lastBase          uint64 // cumFailed over the ids up to last.id …
	lastBaseKnown     bool   // … once they have all finished
	failSince         int    // failures completed after last.end
	lastKind          string // kind of the latest failure
	failedBeforeFirst int
	noAnswerWarned    bool
	open              *control.Outage
	pending           []*pendingClose
	history           []control.Outage // closed, oldest first
	lastOutage        *control.Outage
	longest           *control.Outage
}

func (o *outages) init() { *o = outages{} }

func (t *tracker) noteStart(now time.Time) {
	if t.firstStart.IsZero() {
		t.firstStart = now
	}
}

// threshold is the gap without answers after which a failure means outage.
func (t *tracker) threshold() time.Duration { return 2 * t.interval }

// success follows a successful answer completed at end.
func (t *tracker) success(r *request, end time.Time, res result) {
	if t.hasOK && !end.After(t.last.end) {
		return // completed before the latest success: no new interval
	}
	if t.hasOK {
		gap := end.Sub(t.last.end)
		// A gap longer than the threshold is a candidate; it is an outage
		// if a request sent in it failed. Requests that time out end after
		// the answer that closes a short gap, so the decision waits for
		// every request sent in the gap to finish (finalize).
		if t.open != nil || gap > t.threshold() {
			p := &pendingClose{
				o:        control.Outage{Start: t.last.end, End: end, Length: gap},
				id1:      t.last.id,
				id2:      r.id,
				lbBefore: t.last.lb,
				lbAfter:  res.lb,
				opened:   t.open != nil,
			}
			p.base, p.baseKnown = t.lastBase, t.lastBaseKnown
			if t.low == p.id2 {
				p.end, p.endKnown = t.cumFailed, true
			}
			t.pending = append(t.pending, p)
			t.open = nil
			t.finalize()
		}
	} else if t.noAnswerWarned {
		t.emit(control.Event{Time: end, Kind: control.KindLog, Message: fmt.Sprintf(
			"client: first answer%s, %s after the probe started; %d %s failed before it",
			via(res.lb, " via "), fmtDur(end.Sub(t.firstStart)), t.failedBeforeFirst, plural(t.failedBeforeFirst, "request"))})
	}
	t.hasOK = true
	t.last = success{id: r.id, start: r.start, end: end, lb: res.lb, web: res.web}
	t.lastBaseKnown = false
	t.failSince = 0
}

// failure follows a failed request completed at end.
func (t *tracker) failure(end time.Time, res result) {
	t.lastKind = res.kind
	if !t.hasOK {
		t.failedBeforeFirst++
		return
	}
	if end.After(t.last.end) {
		t.failSince++
	}
}

// watchLow takes the cumFailed snapshots the outage accounting waits for,
// each time the low-water mark moves up by one.
func (t *tracker) watchLow() {
	if t.hasOK && !t.lastBaseKnown && t.low == t.last.id+1 {
		t.lastBase, t.lastBaseKnown = t.cumFailed, true
	}
	changed := false
	for _, p := range t.pending {
		if !p.baseKnown && t.low == p.id1+1 {
			p.base, p.baseKnown = t.cumFailed, true
			changed = true
		}
		if !p.endKnown && t.low == p.id2 {
			p.end, p.endKnown = t.cumFailed, true
			changed = true
		}
	}
	if changed {
		t.finalize()
	}
}

// finalize publishes, in order, the pending outages whose count is final.
func (t *tracker) finalize() {
	for len(t.pending) > 0 && t.pending[0].baseKnown && t.pending[0].endKnown {
		p := t.pending[0]
		t.pending = t.pending[1:]
		p.o.Failed = int(p.end - p.base)
		if p.o.Failed == 0 {
			// A pause in the answers in which no request sent failed (the
			// failures seen were of requests sent before it): no outage.
			// An outage announced as open is still closed for watchers.
			if p.opened {
				ev := p.o
				t.emit(control.Event{Time: p.o.End, Kind: control.KindOutage, Outage: &ev,
					Message: fmt.Sprintf("client: answers again after %s; no request sent in that time failed, so it was no outage", fmtDur(p.o.Length))})
			}
			continue
		}
		o := p.o
		t.history = append(t.history, o)
		if len(t.history) > maxHistory {
			t.history = append(t.history[:0], t.history[len(t.history)-maxHistory:]...)
		}
		t.lastOutage = &o
		if t.longest == nil || o.Length > t.longest.Length {
			t.longest = &o
		}
		ev := o
		t.emit(control.Event{Time: o.End, Kind: control.KindOutage, Message: closeMessage(p), Outage: &ev})
	}
}

func closeMessage(p *pendingClose) string {
	how := "answers again" + via(p.lbAfter, " via ")
	if p.lbBefore != p.lbAfter && p.lbAfter != unknown && p.lbAfter != "" {
		how = "answers again, now via " + p.lbAfter
	}
	return fmt.Sprintf("client: %s — outage %s, %d %s failed",
		how, fmtDur(p.o.Length), p.o.Failed, plural(p.o.Failed, "request"))
}

// via renders " via lb1", or nothing for an unnamed load balancer.
func via(lb, prefix string) string {
	if lb == "" || lb == unknown {
		return ""
	}
	return prefix + lb
}

// checkOpen opens an outage once the gap since the latest answer is longer
// than the threshold and a request failed in it, and warns once when the
// probe has never had an answer.
func (t *tracker) checkOpen(now time.Time) {
	if t.hasOK && t.open == nil && t.failSince > 0 && now.Sub(t.last.end) > t.threshold() {
		t.open = &control.Outage{Start: t.last.end, Open: true}
		ev := *t.open
		ev.Length, ev.Failed = now.Sub(ev.Start), t.failSince
		t.emit(control.Event{Time: now, Kind: control.KindOutage, Level: "warn", Outage: &ev, Message: fmt.Sprintf(
			"client: no successful answer since %s (%s)", ev.Start.Format(clock), t.lastKind)})
	}
	if !t.hasOK && !t.noAnswerWarned && t.failedBeforeFirst > 0 && now.Sub(t.firstStart) > t.threshold() {
		t.noAnswerWarned = true
		t.emit(control.Event{Time: now, Kind: control.KindLog, Level: "warn", Message: fmt.Sprintf(
			"client: no successful answer yet since the probe started at %s (%d %s failed, last: %s)",
			t.firstStart.Format(clock), t.failedBeforeFirst, plural(t.failedBeforeFirst, "request"), t.lastKind)})
	}
}

// stopped says, when the probe stops, that an outage is still open.
func (t *tracker) stopped(now time.Time) {
	if t.open != nil {
		t.emit(control.Event{Time: now, Kind: control.KindLog, Level: "warn", Message: fmt.Sprintf(
			"client: stopped with no successful answer since %s (%s without an answer, %d %s failed); that outage never closed",
			t.open.Start.Format(clock), fmtDur(now.Sub(t.open.Start)), t.failSince, plural(t.failSince, "request"))})
	}
}

// clock is the layout of times in messages.
const clock = "15:04:05.000"

func (t *tracker) outageSnapshot(now time.Time, st *Status) {
	st.Answered = t.hasOK
	if t.hasOK {
		st.LastAnswer = t.last.end
	}
	if t.open != nil {
		cur := *t.open
		cur.Length, cur.Failed = now.Sub(cur.Start), t.failSince
		st.Current = &cur
	}
	st.Last, st.Longest = t.lastOutage, t.longest
	if len(t.history) > 0 {
		st.Outages = append([]control.Outage(nil), t.history...)
	}
}
