package probe

import (
	"slices"
	"sync"
	"time"

	"github.com/halab/halab/nodes/control"
)

// result is a finished request as the tracker counts it.
type result struct {
	ok   bool
	kind string // failure kind ("timeout", "http 503"); empty on success
	lb   string // load balancer that served a success
	web  string // web server that produced a success
}

// request is one started request; the runner hands it back to finish.
type request struct {
	id    uint64
	start time.Time
	b     *bucket
}

// bucket aggregates the requests started in [start, start+width).
type bucket struct {
	idx                 int64
	start               time.Time
	started, finished   int
	ok, failed          int
	lat                 []time.Duration
	byLB, byWeb, errors map[string]int
}

// Request outcomes in the in-flight window.
const (
	inFlight uint8 = iota
	doneOK
	doneFailed
)

// secSlot counts the answers completed in one second of the timeline.
type secSlot struct {
	sec        int64
	ok, failed int64
}

// windowSlots is how many seconds of answers the ratio windows can look back.
const windowSlots = 64

// tracker is the probe's bookkeeping: it numbers requests, aggregates them
// into buckets by start time, keeps totals and ratio windows, and follows
// outages (outage.go). It never reads a clock: every method gets the time.
// Its methods are safe for concurrent use; emit is called with the lock
// held, so events come out in order.
type tracker struct {
	mu       sync.Mutex
	emit     func(control.Event)
	width    time.Duration
	base     time.Time     // bucket 0 and second 0 start here
	interval time.Duration // request interval; the last non-zero one when paused

	// Requests are numbered in start order. win holds the outcome of the
	// ids low … nextID-1 at win[head:]; cumFailed counts the failures among
	// the ids below low (all finished).
	nextID    uint64
	low       uint64
	win       []uint8
	head      int
	cumFailed uint64
	inFlight  int

	buckets    []*bucket // unpublished, by ascending idx
	lastBucket *control.ProbeBucket

	// Counters since the start or the last reset; requests with an id below
	// epoch were started before the reset and are left out of them.
	epoch   uint64
	sent    int64
	ok      int64
	failed  int64
	errors  map[string]int64
	secs    [windowSlots]secSlot
	lb, web string // who served the latest success

	outages
}

// newTracker returns a tracker whose timeline starts at now, with buckets of
// width and requests every interval.
func newTracker(now time.Time, width, interval time.Duration, emit func(control.Event)) *tracker {
	// Align buckets with the wall clock, keeping now's monotonic reading.
	base := now.Add(-now.Sub(now.Truncate(width)))
	t := &tracker{emit: emit, width: width, base: base, interval: interval, errors: make(map[string]int64)}
	t.outages.init()
	return t
}

// setInterval records the request interval (0 = paused, which keeps the
// previous one for the outage threshold).
func (t *tracker) setInterval(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d > 0 {
		t.interval = d
	}
}

// start registers a request started at now.
func (t *tracker) start(now time.Time) *request {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &request{id: t.nextID, start: now, b: t.bucketFor(now)}
	t.nextID++
	t.win = append(t.win, inFlight)
	t.inFlight++
	r.b.started++
	t.sent++
	t.noteStart(now)
	return r
}

func (t *tracker) bucketFor(now time.Time) *bucket {
	idx := int64(now.Sub(t.base) / t.width)
	if n := len(t.buckets); n > 0 && t.buckets[n-1].idx >= idx {
		return t.buckets[n-1] // same bucket (or a clock that went back)
	}
	b := &bucket{idx: idx, start: t.base.Add(time.Duration(idx) * t.width)}
	t.buckets = append(t.buckets, b)
	return b
}

// finish records the result of r, completed at end, and publishes what
// became final.
func (t *tracker) finish(r *request, end time.Time, res result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := r.b
	b.finished++
	if res.ok {
		b.ok++
		b.lat = append(b.lat, end.Sub(r.start))
		b.byLB = inc(b.byLB, res.lb)
		b.byWeb = inc(b.byWeb, res.web)
	} else {
		b.failed++
		b.errors = inc(b.errors, res.kind)
	}
	if r.id >= t.epoch {
		t.count(end, res)
		if res.ok {
			t.success(r, end, res)
		} else {
			t.failure(end, res)
		}
	}
	t.markDone(r.id, res.ok)
	t.advance(end)
}

func inc(m map[string]int, k string) map[string]int {
	if m == nil {
		m = make(map[string]int)
	}
	m[k]++
	return m
}

func (t *tracker) count(end time.Time, res result) {
	s := &t.secs[floorMod(t.second(end), windowSlots)]
	if sec := t.second(end); s.sec != sec {
		*s = secSlot{sec: sec}
	}
	if res.ok {
		t.ok++
		s.ok++
		t.lb, t.web = res.lb, res.web
	} else {
		t.failed++
		s.failed++
		t.errors[res.kind]++
	}
}

func (t *tracker) second(at time.Time) int64 {
	d := at.Sub(t.base)
	if d < 0 {
		return int64(d/time.Second) - 1
	}
	return int64(d / time.Second)
}

func floorMod(a, n int64) int64 { return ((a % n) + n) % n }

// markDone records id's outcome and moves the low-water mark over every
// finished id, updating cumFailed and the outage watches on the way.
func (t *tracker) markDone(id uint64, ok bool) {
	out := doneFailed
	if ok {
		out = doneOK
	}
	t.win[t.head+int(id-t.low)] = out
	t.inFlight--
	for t.head < len(t.win) && t.win[t.head] != inFlight {
		if t.win[t.head] == doneFailed {
			t.cumFailed++
		}
		t.head++
		t.low++
		t.watchLow()
	}
	if t.head > 1024 && t.head*2 > len(t.win) {
		t.win = append(t.win[:0], t.win[t.head:]...)
		t.head = 0
	}
}

// tick publishes what became final by now: complete buckets, outage
// transitions.
func (t *tracker) tick(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.advance(now)
}

func (t *tracker) advance(now time.Time) {
	for len(t.buckets) > 0 {
		b := t.buckets[0]
		if b.finished < b.started || now.Before(b.start.Add(t.width)) {
			break
		}
		t.publishBucket(b)
		t.buckets[0] = nil
		t.buckets = t.buckets[1:]
	}
	t.checkOpen(now)
}

// flush publishes every remaining bucket and pending outage; the caller has
// waited for all requests to finish.
func (t *tracker) flush(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.buckets) > 0 && t.buckets[0].finished == t.buckets[0].started {
		t.publishBucket(t.buckets[0])
		t.buckets = t.buckets[1:]
	}
	t.checkOpen(now)
	t.stopped(now)
}

func (t *tracker) publishBucket(b *bucket) {
	pb := &control.ProbeBucket{
		Start:  b.start,
		Width:  t.width,
		OK:     b.ok,
		Failed: b.failed,
		ByLB:   b.byLB,
		ByWeb:  b.byWeb,
		Errors: b.errors,
	}
	if n := len(b.lat); n > 0 {
		slices.Sort(b.lat)
		pb.P50 = quantile(b.lat, 0.50)
		pb.P99 = quantile(b.lat, 0.99)
		pb.Max = b.lat[n-1]
	}
	t.lastBucket = pb // never changed again: it is shared with the event history
	t.emit(control.Event{
		Time:    b.start.Add(t.width),
		Kind:    control.KindProbe,
		Message: bucketMessage(pb),
		Probe:   pb,
	})
}

// quantile is the nearest-rank q-quantile of sorted, which is not empty.
func quantile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	i := int(q*float64(n)+0.999999999) - 1 // ceil(q·n) − 1
	return sorted[max(0, min(i, n-1))]
}

// reset clears the counters, the ratio windows and the outage history, so a
// drill measures from here. Requests still in flight finish into their
// buckets but no longer count.
func (t *tracker) reset(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epoch = t.nextID
	t.sent, t.ok, t.failed = 0, 0, 0
	t.errors = make(map[string]int64)
	t.secs = [windowSlots]secSlot{}
	t.lb, t.web = "", ""
	t.outages.init()
	t.emit(control.Event{Time: now, Kind: control.KindLog, Message: "client: counters and outage history reset"})
}

// window sums the answers of the last n seconds (the current one included).
func (t *tracker) window(now time.Time, n int64) Window {
	w := Window{Seconds: int(n)}
	cur := t.second(now)
	for _, s := range t.secs {
		if s.sec > cur-n && s.sec <= cur {
			w.OK += s.ok
			w.Failed += s.failed
		}
	}
	if total := w.OK + w.Failed; total > 0 {
		w.Ratio = float64(w.OK) / float64(total)
	}
	return w
}

// snapshot fills the tracker's part of the status.
func (t *tracker) snapshot(now time.Time, st *Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st.Sent, st.OK, st.Failed = t.sent, t.ok, t.failed
	st.InFlight = t.inFlight
	if len(t.errors) > 0 {
		st.Errors = make(map[string]int64, len(t.errors))
		for k, v := range t.errors {
			st.Errors[k] = v
		}
	}
	st.Last10s = t.window(now, 10)
	st.Last60s = t.window(now, 60)
	st.LB, st.Web = t.lb, t.web
	st.LastBucket = t.lastBucket
	t.outageSnapshot(now, st)
}
