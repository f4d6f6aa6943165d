package probe

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/halab/halab/nodes/control"
)

func TestBuckets(t *testing.T) {
	tests := []struct {
		name string
		reqs []sim
		want []control.ProbeBucket // Start as offsets from t0 in Width units
		msgs []string
	}{
		{
			name: "steady",
			reqs: stream(0, 200*ms, 10*ms, 1*ms, ok1),
			want: []control.ProbeBucket{
				{Start: at(0), OK: 10, P50: ms, P99: ms, Max: ms, ByLB: map[string]int{"lb1": 10}, ByWeb: map[string]int{"web1": 10}},
				{Start: at(100 * ms), OK: 10, P50: ms, P99: ms, Max: ms, ByLB: map[string]int{"lb1": 10}, ByWeb: map[string]int{"web1": 10}},
			},
			msgs: []string{"10 ok, 0 failed, p50 1.0 ms, via lb1", "10 ok, 0 failed, p50 1.0 ms, via lb1"},
		},
		{
			name: "keyed by start time, not answer time",
			reqs: []sim{{start: 95 * ms, lat: 20 * ms, res: ok1}, {start: 105 * ms, lat: ms, res: ok1}},
			want: []control.ProbeBucket{
				{Start: at(0), OK: 1, P50: 20 * ms, P99: 20 * ms, Max: 20 * ms, ByLB: map[string]int{"lb1": 1}, ByWeb: map[string]int{"web1": 1}},
				{Start: at(100 * ms), OK: 1, P50: ms, P99: ms, Max: ms, ByLB: map[string]int{"lb1": 1}, ByWeb: map[string]int{"web1": 1}},
			},
		},
		{
			name: "failures by kind, latency of successes only, two load balancers",
			reqs: []sim{
				{start: 0, lat: 2 * ms, res: okVia("lb1", "web1")},
				{start: 10 * ms, lat: 300 * ms, res: fail("timeout")},
				{start: 20 * ms, lat: ms, res: fail("refused")},
				{start: 30 * ms, lat: ms, res: fail("refused")},
				{start: 40 * ms, lat: 4 * ms, res: okVia("lb2", "web1")},
				{start: 50 * ms, lat: 3 * ms, res: fail("http 503")},
			},
			want: []control.ProbeBucket{{
				Start: at(0), OK: 2, Failed: 4, P50: 2 * ms, P99: 4 * ms, Max: 4 * ms,
				ByLB:   map[string]int{"lb1": 1, "lb2": 1},
				ByWeb:  map[string]int{"web1": 2},
				Errors: map[string]int{"timeout": 1, "refused": 2, "http 503": 1},
			}},
			msgs: []string{"2 ok, 4 failed, p50 2.0 ms, via lb1+lb2 (http 503 1, refused 2, timeout 1)"},
		},
		{
			name: "all failed",
			reqs: stream(0, 100*ms, 10*ms, 300*ms, fail("timeout")),
			want: []control.ProbeBucket{{Start: at(0), Failed: 10, Errors: map[string]int{"timeout": 10}}},
			msgs: []string{"0 ok, 10 failed (timeout 10)"},
		},
		{
			name: "paused: no empty buckets",
			reqs: concat(stream(0, 20*ms, 10*ms, ms, ok1), stream(500*ms, 510*ms, 10*ms, ms, ok1)),
			want: []control.ProbeBucket{
				{Start: at(0), OK: 2, P50: ms, P99: ms, Max: ms, ByLB: map[string]int{"lb1": 2}, ByWeb: map[string]int{"web1": 2}},
				{Start: at(500 * ms), OK: 1, P50: ms, P99: ms, Max: ms, ByLB: map[string]int{"lb1": 1}, ByWeb: map[string]int{"web1": 1}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, rec := newTestTracker(100, 100*ms)
			play(t, tr, tt.reqs, 0)
			var got []control.ProbeBucket
			var msgs []string
			for _, e := range rec.kind(control.KindProbe) {
				got = append(got, *e.Probe)
				msgs = append(msgs, e.Message)
				if !e.Time.Equal(e.Probe.Start.Add(e.Probe.Width)) {
					t.Errorf("event time %v, want the bucket's end", e.Time)
				}
			}
			for i := range tt.want {
				tt.want[i].Width = 100 * ms
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("buckets (-want +got):\n%s", d)
			}
			if tt.msgs != nil {
				if d := cmp.Diff(tt.msgs, msgs); d != "" {
					t.Errorf("messages (-want +got):\n%s", d)
				}
			}
		})
	}
}

// TestBucketPublishedWhenFinal checks that a bucket waits for its slowest
// request and that buckets come out in order.
func TestBucketPublishedWhenFinal(t *testing.T) {
	tr, rec := newTestTracker(100, 100*ms)
	slow := tr.start(at(50 * ms))
	fast := tr.start(at(150 * ms))
	tr.finish(fast, at(151*ms), ok1)
	tr.tick(at(250 * ms))
	if n := len(rec.kind(control.KindProbe)); n != 0 {
		t.Fatalf("%d buckets published while bucket 0 has a request in flight", n)
	}
	tr.finish(slow, at(349*ms), fail("timeout"))
	got := rec.kind(control.KindProbe)
	if len(got) != 2 || !got[0].Probe.Start.Equal(at(0)) || !got[1].Probe.Start.Equal(at(100*ms)) {
		t.Fatalf("buckets %v", got)
	}
	if got[0].Probe.Failed != 1 || got[1].Probe.OK != 1 {
		t.Fatalf("bucket counts %+v %+v", got[0].Probe, got[1].Probe)
	}
	// A bucket whose time is not over is not final even if all its requests are.
	r := tr.start(at(410 * ms))
	tr.finish(r, at(411*ms), ok1)
	tr.tick(at(499 * ms))
	if n := len(rec.kind(control.KindProbe)); n != 2 {
		t.Fatalf("bucket published before its end: %d", n)
	}
	tr.tick(at(500 * ms))
	if n := len(rec.kind(control.KindProbe)); n != 3 {
		t.Fatalf("bucket not published at its end: %d", n)
	}
}

func TestQuantile(t *testing.T) {
	seq := func(n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = time.Duration(i+1) * ms
		}
		return s
	}
	tests := []struct {
		lat           []time.Duration
		p50, p99, max time.Duration
	}{
		{[]time.Duration{7 * ms}, 7 * ms, 7 * ms, 7 * ms},
		{seq(2), 1 * ms, 2 * ms, 2 * ms},
		{seq(10), 5 * ms, 10 * ms, 10 * ms},
		{seq(100), 50 * ms, 99 * ms, 100 * ms},
		{seq(101), 51 * ms, 100 * ms, 101 * ms},
		{seq(1000), 500 * ms, 990 * ms, 1000 * ms},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(len(tt.lat)), func(t *testing.T) {
			p50, p99 := quantile(tt.lat, 0.5), quantile(tt.lat, 0.99)
			if p50 != tt.p50 || p99 != tt.p99 {
				t.Errorf("p50 %v p99 %v, want %v %v", p50, p99, tt.p50, tt.p99)
			}
			// Through a bucket, with the latencies in reverse order.
			tr, rec := newTestTracker(1000, time.Second)
			reqs := make([]*request, len(tt.lat))
			for i := range reqs {
				reqs[i] = tr.start(at(0))
			}
			for i := len(tt.lat) - 1; i >= 0; i-- {
				tr.finish(reqs[i], at(tt.lat[i]), ok1)
			}
			tr.tick(at(time.Second))
			b := rec.kind(control.KindProbe)[0].Probe
			if b.P50 != tt.p50 || b.P99 != tt.p99 || b.Max != tt.max {
				t.Errorf("bucket p50 %v p99 %v max %v", b.P50, b.P99, b.Max)
			}
		})
	}
}

func TestRatioWindows(t *testing.T) {
	tr, _ := newTestTracker(10, 100*ms)
	// 50 s of answers, 10/s: the first 40 s all ok, then 5 s failing, then ok.
	reqs := concat(
		stream(0, 40*time.Second, 100*ms, ms, ok1),
		stream(40*time.Second, 45*time.Second, 100*ms, ms, fail("refused")),
		stream(45*time.Second, 50*time.Second, 100*ms, ms, ok1),
	)
	play(t, tr, reqs, 0)
	var st Status
	tr.snapshot(at(50*time.Second-ms), &st)
	want10 := Window{Seconds: 10, OK: 50, Failed: 50, Ratio: 0.5}
	want60 := Window{Seconds: 60, OK: 450, Failed: 50, Ratio: 0.9}
	if st.Last10s != want10 || st.Last60s != want60 {
		t.Errorf("windows %+v %+v, want %+v %+v", st.Last10s, st.Last60s, want10, want60)
	}
	tr.snapshot(at(200*time.Second), &st)
	if st.Last60s != (Window{Seconds: 60}) {
		t.Errorf("old answers still counted: %+v", st.Last60s)
	}
	if st.Sent != 500 || st.OK != 450 || st.Failed != 50 || st.Errors["refused"] != 50 || st.LB != "lb1" || st.Web != "web1" {
		t.Errorf("totals %+v", st)
	}
}

func TestReset(t *testing.T) {
	tr, rec := newTestTracker(100, 100*ms)
	play(t, tr, concat(
		stream(0, 500*ms, 10*ms, ms, ok1),
		stream(500*ms, 800*ms, 10*ms, ms, fail("refused")),
		stream(800*ms, 900*ms, 10*ms, ms, ok1),
	), 0)
	if len(rec.outages(false)) != 1 {
		t.Fatalf("setup: outages %v", rec.outages(false))
	}
	inflight := tr.start(at(1000 * ms)) // started before the reset, ends after it
	tr.reset(at(1001 * ms))
	tr.finish(inflight, at(1300*ms), fail("timeout"))
	var st Status
	tr.snapshot(at(1300*ms), &st)
	if st.Sent != 0 || st.Failed != 0 || st.Answered || st.Longest != nil || st.Last != nil || len(st.Outages) != 0 || len(st.Errors) != 0 {
		t.Fatalf("after reset: %+v", st)
	}
	// The first answer after a reset opens no interval, however long ago
	// the one before the reset was; the next outage is measured afresh.
	play(t, tr, concat(
		stream(2000*ms, 2100*ms, 10*ms, ms, ok1),
		stream(2100*ms, 2200*ms, 10*ms, ms, fail("refused")),
		stream(2200*ms, 2300*ms, 10*ms, ms, ok1),
	), 0)
	tr.snapshot(at(2400*ms), &st)
	if st.Sent != 30 || st.Failed != 10 || st.Longest == nil || st.Longest.Length != 110*ms || st.Longest.Failed != 10 || len(st.Outages) != 1 {
		t.Fatalf("after reset and an outage: %+v longest %+v", st, st.Longest)
	}
	if got := rec.kind(control.KindLog); len(got) == 0 || !strings.Contains(got[0].Message, "reset") {
		t.Errorf("no reset log event: %v", got)
	}
}
