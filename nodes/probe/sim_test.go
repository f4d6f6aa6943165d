package probe

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
)

// t0 is the fake clock's origin, aligned to the 100 ms buckets.
var t0 = time.Date(2026, 3, 14, 12, 4, 28, 0, time.UTC)

// at is t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

const ms = time.Millisecond

// sim is one request of a scripted run: started at start (after t0),
// answered lat later with res.
type sim struct {
	start, lat time.Duration
	res        result
}

func okVia(lb, web string) result { return result{ok: true, lb: lb, web: web} }
func fail(kind string) result     { return result{kind: kind} }

var ok1 = okVia("lb1", "web1")

// stream is one request every `every` in [from, to), each answered lat later
// with res.
func stream(from, to, every, lat time.Duration, res result) []sim {
	var s []sim
	for d := from; d < to; d += every {
		s = append(s, sim{start: d, lat: lat, res: res})
	}
	return s
}

func concat(parts ...[]sim) []sim { return slices.Concat(parts...) }

// recorder collects what a tracker emits.
type recorder struct{ events []control.Event }

func (r *recorder) emit(e control.Event) { r.events = append(r.events, e) }

func (r *recorder) kind(k control.Kind) []control.Event {
	var out []control.Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) outages(open bool) []control.Outage {
	var out []control.Outage
	for _, e := range r.kind(control.KindOutage) {
		if e.Outage.Open == open {
			out = append(out, *e.Outage)
		}
	}
	return out
}

func newTestTracker(rate int, width time.Duration) (*tracker, *recorder) {
	rec := &recorder{}
	return newTracker(t0, width, interval(rate), rec.emit), rec
}

// play plays reqs on tr in time order, with a tick every 5 ms until `until`
// (and 200 ms past the last answer), the way the runner's loop and the request
// goroutines would call it. At equal times answers come first, then starts,
// then the tick.
func play(t *testing.T, tr *tracker, reqs []sim, until time.Duration) {
	t.Helper()
	type ev struct {
		at    time.Duration
		order int // 0 finish, 1 start, 2 tick
		i     int
	}
	var evs []ev
	for i, r := range reqs {
		evs = append(evs, ev{r.start, 1, i}, ev{r.start + r.lat, 0, i})
		until = max(until, r.start+r.lat+200*ms) // past the last bucket's end
	}
	for d := time.Duration(0); d <= until; d += 5 * ms {
		evs = append(evs, ev{d, 2, -1})
	}
	slices.SortStableFunc(evs, func(a, b ev) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.order, b.order), cmp.Compare(a.i, b.i))
	})
	started := make([]*request, len(reqs))
	for _, e := range evs {
		switch e.order {
		case 0:
			tr.finish(started[e.i], at(e.at), reqs[e.i].res)
		case 1:
			started[e.i] = tr.start(at(e.at))
		case 2:
			tr.tick(at(e.at))
		}
	}
}
