package labview

import (
	"slices"
	"time"

	"github.com/halab/halab/nodes/control"
)

// DefaultBucketWidth is the probe's bucket width when buckets do not say.
const DefaultBucketWidth = 100 * time.Millisecond

// Traffic is the client probe's view: a ring of the latest buckets and the
// outages it announced.
type Traffic struct {
	ring []control.ProbeBucket
	head int // index of the oldest bucket
	n    int
	// Open is the outage in progress, nil when the client gets answers.
	Open *control.Outage
	// Last and Longest are the latest and the longest closed outages.
	Last, Longest *control.Outage
	// Outages are the closed outages, oldest first (at most MarkCap).
	Outages []control.Outage
	// LastLB is the load balancer that served the latest successful answer.
	LastLB string
}

// NewTraffic returns a Traffic keeping up to capacity buckets.
func NewTraffic(capacity int) *Traffic {
	return &Traffic{ring: make([]control.ProbeBucket, capacity)}
}

// Len is the number of buckets kept.
func (t *Traffic) Len() int { return t.n }

// At returns the i-th bucket kept, 0 the oldest.
func (t *Traffic) At(i int) *control.ProbeBucket {
	return &t.ring[(t.head+i)%len(t.ring)]
}

// Latest returns the newest bucket, or nil.
func (t *Traffic) Latest() *control.ProbeBucket {
	if t.n == 0 {
		return nil
	}
	return t.At(t.n - 1)
}

// Add keeps a bucket. Buckets arrive in time order; one not newer than the
// latest kept (a replay) is ignored.
func (t *Traffic) Add(b control.ProbeBucket) {
	if last := t.Latest(); last != nil && !b.Start.After(last.Start) {
		return
	}
	if b.Width <= 0 {
		b.Width = DefaultBucketWidth
	}
	if t.n < len(t.ring) {
		t.ring[(t.head+t.n)%len(t.ring)] = b
		t.n++
	} else {
		t.ring[t.head] = b
		t.head = (t.head + 1) % len(t.ring)
	}
	if b.OK > 0 {
		best, most := "", 0
		for lb, c := range b.ByLB {
			if c > most || (c == most && lb < best) {
				best, most = lb, c
			}
		}
		if best != "" {
			t.LastLB = best
		}
	}
}

// Outage records an outage event: opened, or closed with its final length
// and failed count.
func (t *Traffic) Outage(o control.Outage) {
	if o.Open {
		t.Open = &o
		return
	}
	t.Open = nil
	t.Last = &o
	if t.Longest == nil || o.Length > t.Longest.Length {
		t.Longest = &o
	}
	if len(t.Outages) >= MarkCap {
		t.Outages = append(t.Outages[:0], t.Outages[1:]...)
	}
	t.Outages = append(t.Outages, o)
}

// OpenFailed counts the failed requests of the outage in progress so far:
// every failure in buckets since its start.
func (t *Traffic) OpenFailed() int {
	if t.Open == nil {
		return 0
	}
	failed := 0
	for i := t.n - 1; i >= 0; i-- {
		b := t.At(i)
		if b.Start.Add(b.Width).Before(t.Open.Start) {
			break
		}
		failed += b.Failed
	}
	return max(failed, t.Open.Failed)
}

// Summary sums the requests of a window of buckets.
type Summary struct {
	OK, Failed int
	// Ratio is OK/(OK+Failed), or -1 without requests.
	Ratio float64
	// Rate is requests per second over the window.
	Rate float64
	// P50 is the median of the buckets' medians, weighted by answers; P99
	// the largest bucket p99.
	P50, P99 time.Duration
}

// Window sums the buckets that started in the last d before now.
func (t *Traffic) Window(now time.Time, d time.Duration) Summary {
	from := now.Add(-d)
	var s Summary
	for i := t.n - 1; i >= 0; i-- {
		b := t.At(i)
		if b.Start.Before(from) {
			break
		}
		if b.Start.After(now) {
			continue
		}
		s.OK += b.OK
		s.Failed += b.Failed
	}
	s.Ratio = ratio(s.OK, s.Failed)
	s.Rate = float64(s.OK+s.Failed) / d.Seconds()
	return s
}

// Recent sums the newest k buckets kept, if the newest started less than
// stale before now: requests per second and latency "now", which do not
// wait for the window to fill.
func (t *Traffic) Recent(now time.Time, k int, stale time.Duration) Summary {
	s := Summary{Ratio: -1}
	last := t.Latest()
	if last == nil || now.Sub(last.Start) > stale {
		return s
	}
	type p struct {
		d time.Duration
		w int
	}
	var meds []p
	var span time.Duration
	for i := t.n - 1; i >= 0 && i >= t.n-k; i-- {
		b := t.At(i)
		s.OK += b.OK
		s.Failed += b.Failed
		span += b.Width
		if b.OK > 0 {
			meds = append(meds, p{b.P50, b.OK})
			s.P99 = max(s.P99, b.P99)
		}
	}
	s.Ratio = ratio(s.OK, s.Failed)
	if span > 0 {
		s.Rate = float64(s.OK+s.Failed) / span.Seconds()
	}
	slices.SortFunc(meds, func(a, b p) int { return int(a.d - b.d) })
	half, acc := (s.OK+1)/2, 0
	for _, m := range meds {
		acc += m.w
		if acc >= half {
			s.P50 = m.d
			break
		}
	}
	return s
}

func ratio(ok, failed int) float64 {
	if ok+failed == 0 {
		return -1
	}
	return float64(ok) / float64(ok+failed)
}

// Column is a run of buckets drawn as one column of the timeline.
type Column struct {
	OK, Failed int
	// LB is the index of the load balancer that answered most, -1 if none.
	LB int
	// Start is the column's start time.
	Start time.Time
}

// Columns groups the buckets of the last cols×per bucket widths before now
// into cols columns of per buckets each, aligned to multiples of per so
// that columns do not shift as time passes; the last column is the one now
// falls in. lbIndex maps a load balancer's name to its index (-1 unknown).
// Columns reuses out when it is large enough.
func (t *Traffic) Columns(now time.Time, cols, per int, lbIndex func(string) int, out []Column) []Column {
	if cap(out) < cols {
		out = make([]Column, cols)
	}
	out = out[:cols]
	width := DefaultBucketWidth
	if last := t.Latest(); last != nil {
		width = last.Width
	}
	nowIdx := now.UnixNano() / int64(width)
	end := (nowIdx/int64(per) + 1) * int64(per) // exclusive
	first := end - int64(cols*per)
	for j := range out {
		out[j] = Column{LB: -1, Start: time.Unix(0, (first+int64(j*per))*int64(width))}
	}
	var counts [8]int
	var countsFor = -1
	flush := func() {
		if countsFor < 0 {
			return
		}
		best, most := -1, 0
		for i, c := range counts {
			if c > most {
				best, most = i, c
			}
		}
		out[countsFor].LB = best
		counts = [8]int{}
	}
	for i := t.n - 1; i >= 0; i-- {
		b := t.At(i)
		idx := b.Start.UnixNano() / int64(width)
		if idx < first {
			break
		}
		if idx >= end {
			continue
		}
		j := int(idx-first) / per
		if j != countsFor {
			flush()
			countsFor = j
		}
		out[j].OK += b.OK
		out[j].Failed += b.Failed
		for lb, c := range b.ByLB {
			if k := lbIndex(lb); k >= 0 && k < len(counts) {
				counts[k] += c
			}
		}
	}
	flush()
	return out
}

// Buckets returns the buckets that started at or after since, oldest first.
func (t *Traffic) Buckets(since time.Time) []control.ProbeBucket {
	var out []control.ProbeBucket
	for i := 0; i < t.n; i++ {
		if b := t.At(i); !b.Start.Before(since) {
			out = append(out, *b)
		}
	}
	return out
}
