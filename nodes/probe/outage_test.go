package probe

import (
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
)

func TestOutages(t *testing.T) {
	type closed struct {
		start, end time.Duration // completion times of the answers around it
		failed     int
		msg        string // substring of the close message
	}
	tests := []struct {
		name     string
		reqs     []sim
		opens    int      // outage-open events
		closed   []closed // outage-close events, in order
		longest  time.Duration
		logs     []string // substrings of log events, in order
		answered bool
	}{
		{
			name: "refused for 500 ms",
			reqs: concat(
				stream(0, 1000*ms, 10*ms, ms, ok1),
				stream(1000*ms, 1500*ms, 10*ms, ms/2, fail("refused")),
				stream(1500*ms, 2000*ms, 10*ms, ms, ok1),
			),
			opens:    1,
			closed:   []closed{{991 * ms, 1501 * ms, 50, "client: answers again via lb1 — outage 510 ms, 50 requests failed"}},
			longest:  510 * ms,
			answered: true,
		},
		{
			name: "timeouts: failures counted by start, including those still in flight when answers return",
			reqs: concat(
				stream(0, 1000*ms, 10*ms, ms, ok1),
				stream(1000*ms, 1500*ms, 10*ms, 300*ms, fail("timeout")),
				stream(1500*ms, 2000*ms, 10*ms, ms, okVia("lb2", "web1")),
			),
			opens:    1,
			closed:   []closed{{991 * ms, 1501 * ms, 50, "client: answers again, now via lb2 — outage 510 ms, 50 requests failed"}},
			longest:  510 * ms,
			answered: true,
		},
		{
			name: "a gap shorter than the timeout, every request in it timed out: still an outage",
			reqs: concat(
				stream(0, 1000*ms, 10*ms, ms, ok1),
				stream(1000*ms, 1150*ms, 10*ms, 300*ms, fail("timeout")),
				stream(1150*ms, 1500*ms, 10*ms, ms, ok1),
			),
			// The failures end after the answer at 1151 ms that closes the gap.
			opens:    0,
			closed:   []closed{{991 * ms, 1151 * ms, 15, "outage 160 ms, 15 requests failed"}},
			longest:  160 * ms,
			answered: true,
		},
		{
			name: "a slow answer in flight across the outage does not count as failed",
			reqs: concat(
				stream(0, 1000*ms, 10*ms, ms, ok1),
				[]sim{{start: 1000 * ms, lat: 250 * ms, res: ok1}},
				stream(1010*ms, 1200*ms, 10*ms, ms, fail("reset")),
				stream(1200*ms, 1400*ms, 10*ms, ms, ok1),
			),
			opens: 1,
			// Answers at 991 ms, then the slow one at 1250 ms, then 1201 ms
			// completes earlier: intervals 991→1201 and 1201→1211.
			closed:   []closed{{991 * ms, 1201 * ms, 19, "outage 210 ms, 19 requests failed"}},
			longest:  210 * ms,
			answered: true,
		},
		{
			name: "one failure within twice the interval is no outage",
			reqs: concat(
				stream(0, 50*ms, 10*ms, ms, ok1),
				[]sim{{start: 50 * ms, lat: ms, res: fail("reset")}},
				stream(60*ms, 100*ms, 10*ms, ms, ok1),
			),
			answered: true,
		},
		{
			name: "two failures: interval 30 ms > 2 × 10 ms",
			reqs: concat(
				stream(0, 50*ms, 10*ms, ms, ok1),
				stream(50*ms, 70*ms, 10*ms, ms, fail("reset")),
				stream(70*ms, 100*ms, 10*ms, ms, ok1),
			),
			opens:    1,
			closed:   []closed{{41 * ms, 71 * ms, 2, "outage 30 ms, 2 requests failed"}},
			longest:  30 * ms,
			answered: true,
		},
		{
			name: "a long gap without a failure (paused) is no outage",
			reqs: concat(
				stream(0, 100*ms, 10*ms, ms, ok1),
				stream(2000*ms, 2100*ms, 10*ms, ms, ok1),
			),
			answered: true,
		},
		{
			name:     "first answer only",
			reqs:     []sim{{start: 0, lat: ms, res: ok1}},
			answered: true,
		},
		{
			name: "no answer at all",
			reqs: stream(0, 1000*ms, 10*ms, ms, fail("refused")),
			logs: []string{"client: no successful answer yet since the probe started at 12:04:28.000 (3 requests failed, last: refused)"},
		},
		{
			name: "failures, then the first answer: no interval, no outage",
			reqs: concat(
				stream(0, 300*ms, 10*ms, ms, fail("refused")),
				stream(300*ms, 400*ms, 10*ms, ms, okVia("lb2", "web1")),
			),
			logs: []string{
				"client: no successful answer yet",
				"client: first answer via lb2, 301 ms after the probe started; 30 requests failed before it",
			},
			answered: true,
		},
		{
			name: "two outages: the longest is kept",
			reqs: concat(
				stream(0, 100*ms, 10*ms, ms, ok1),
				stream(100*ms, 300*ms, 10*ms, ms, fail("refused")),
				stream(300*ms, 400*ms, 10*ms, ms, ok1),
				stream(400*ms, 1000*ms, 10*ms, 300*ms, fail("timeout")),
				stream(1000*ms, 1100*ms, 10*ms, ms, okVia("lb2", "web1")),
				stream(1100*ms, 1200*ms, 10*ms, ms, fail("http 503")),
				stream(1200*ms, 1300*ms, 10*ms, ms, okVia("lb2", "web1")),
			),
			opens: 3,
			closed: []closed{
				{91 * ms, 301 * ms, 20, "answers again via lb1 — outage 210 ms"},
				{391 * ms, 1001 * ms, 60, "now via lb2 — outage 610 ms, 60 requests failed"},
				{1091 * ms, 1201 * ms, 10, "answers again via lb2 — outage 110 ms, 10 requests failed"},
			},
			longest:  610 * ms,
			answered: true,
		},
		{
			name: "unnamed load balancer",
			reqs: concat(
				stream(0, 100*ms, 10*ms, ms, okVia(unknown, unknown)),
				stream(100*ms, 200*ms, 10*ms, ms, fail("refused")),
				stream(200*ms, 300*ms, 10*ms, ms, okVia(unknown, unknown)),
			),
			opens:    1,
			closed:   []closed{{91 * ms, 201 * ms, 10, "client: answers again — outage 110 ms, 10 requests failed"}},
			longest:  110 * ms,
			answered: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, rec := newTestTracker(100, 100*ms)
			play(t, tr, tt.reqs, 0)

			if got := len(rec.outages(true)); got != tt.opens {
				t.Errorf("%d outage-open events, want %d", got, tt.opens)
			}
			var closes []control.Event
			for _, e := range rec.kind(control.KindOutage) {
				if !e.Outage.Open {
					closes = append(closes, e)
				}
			}
			if len(closes) != len(tt.closed) {
				t.Fatalf("%d outages closed, want %d: %v", len(closes), len(tt.closed), closes)
			}
			for i, want := range tt.closed {
				o := closes[i].Outage
				if !o.Start.Equal(at(want.start)) || !o.End.Equal(at(want.end)) || o.Length != want.end-want.start || o.Failed != want.failed {
					t.Errorf("outage %d = %+v (length %v), want %v → %v, %d failed", i, o, o.Length, want.start, want.end, want.failed)
				}
				if !strings.Contains(closes[i].Message, want.msg) {
					t.Errorf("outage %d message %q, want %q", i, closes[i].Message, want.msg)
				}
				if !closes[i].Time.Equal(o.End) {
					t.Errorf("outage %d event time %v, want its end", i, closes[i].Time)
				}
			}
			var logs []string
			for _, e := range rec.kind(control.KindLog) {
				logs = append(logs, e.Message)
			}
			if len(logs) != len(tt.logs) {
				t.Fatalf("log events %q, want %q", logs, tt.logs)
			}
			for i := range logs {
				if !strings.Contains(logs[i], tt.logs[i]) {
					t.Errorf("log %d = %q, want %q", i, logs[i], tt.logs[i])
				}
			}

			var st Status
			tr.snapshot(at(5*time.Second), &st)
			if st.Answered != tt.answered || st.Current != nil {
				t.Errorf("answered %v current %+v", st.Answered, st.Current)
			}
			if tt.longest == 0 {
				if st.Longest != nil || st.Last != nil || len(st.Outages) != 0 {
					t.Errorf("outage measured where none is: longest %+v", st.Longest)
				}
				return
			}
			if st.Longest == nil || st.Longest.Length != tt.longest {
				t.Errorf("longest %+v, want %v", st.Longest, tt.longest)
			}
			if len(st.Outages) != len(tt.closed) || *st.Last != st.Outages[len(st.Outages)-1] {
				t.Errorf("history %+v last %+v", st.Outages, st.Last)
			}
		})
	}
}

// TestOutageOpenAndCurrent follows an outage as the dashboard sees it: the
// open event once the gap exceeds twice the interval after a failure, the
// current outage in the status, then the close.
func TestOutageOpenAndCurrent(t *testing.T) {
	tr, rec := newTestTracker(100, 100*ms)
	play(t, tr, concat(
		stream(0, 1000*ms, 10*ms, ms, ok1),
		stream(1000*ms, 1300*ms, 10*ms, 300*ms, fail("timeout")),
	), 1300*ms)
	opens := rec.kind(control.KindOutage)
	if len(opens) != 1 || !opens[0].Outage.Open {
		t.Fatalf("events %v", opens)
	}
	// The first timeout completes at 1300 ms; the gap since 991 ms is over
	// 20 ms by then, so it opens at the first look after it.
	if e := opens[0]; !e.Time.Equal(at(1300*ms)) || !e.Outage.Start.Equal(at(991*ms)) || e.Level != "warn" ||
		e.Message != "client: no successful answer since 12:04:28.991 (timeout)" {
		t.Errorf("open event %+v %+v", e, e.Outage)
	}
	var st Status
	tr.snapshot(at(1600*ms), &st)
	if c := st.Current; c == nil || !c.Open || c.Length != 609*ms || c.Failed != 30 {
		t.Errorf("current outage %+v", c)
	}
	tr.flush(at(1600 * ms))
	logs := rec.kind(control.KindLog)
	if len(logs) != 1 || !strings.Contains(logs[0].Message, "that outage never closed") || !strings.Contains(logs[0].Message, "30 requests failed") {
		t.Errorf("stop with an open outage: %v", logs)
	}
}

func TestOutageHistoryBounded(t *testing.T) {
	tr, rec := newTestTracker(100, 100*ms)
	var reqs []sim
	for i := range maxHistory + 5 {
		base := time.Duration(i) * 100 * ms
		reqs = concat(reqs,
			stream(base, base+50*ms, 10*ms, ms, ok1),
			stream(base+50*ms, base+80*ms, 10*ms, ms, fail("refused")),
		)
	}
	reqs = concat(reqs, stream(200*time.Duration(maxHistory)*ms, 200*time.Duration(maxHistory)*ms+10*ms, 10*ms, ms, ok1))
	play(t, tr, reqs, 0)
	var st Status
	tr.snapshot(at(time.Minute), &st)
	if n := len(rec.outages(false)); n != maxHistory+5 {
		t.Fatalf("%d outages closed", n)
	}
	if len(st.Outages) != maxHistory || !st.Outages[0].Start.Equal(at(5*100*ms+41*ms)) {
		t.Errorf("history has %d, first %v", len(st.Outages), st.Outages[0].Start)
	}
	if st.Longest == nil || st.Longest.Length <= st.Outages[0].Length {
		t.Errorf("longest %+v", st.Longest)
	}
}

// TestOutageThresholdFollowsRate checks that the gap threshold is twice the
// current request interval, and that pausing keeps the previous one.
func TestOutageThresholdFollowsRate(t *testing.T) {
	tr, rec := newTestTracker(100, 100*ms)
	tr.setInterval(interval(10)) // 100 ms between requests: threshold 200 ms
	play(t, tr, concat(
		stream(0, 300*ms, 100*ms, ms, ok1),
		[]sim{{start: 300 * ms, lat: ms, res: fail("refused")}},
		stream(400*ms, 500*ms, 100*ms, ms, ok1), // interval 200 ms: not an outage
	), 0)
	if n := len(rec.kind(control.KindOutage)); n != 0 {
		t.Fatalf("outage at 10 req/s with a 200 ms gap: %v", rec.events)
	}
	tr.setInterval(0) // paused: the threshold stays 200 ms
	if tr.threshold() != 200*ms {
		t.Fatalf("threshold %v after pausing", tr.threshold())
	}
}
