package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
)

func TestPacer(t *testing.T) {
	type step struct {
		at   time.Duration
		want int
	}
	tests := []struct {
		name  string
		rate  int
		steps []step
	}{
		{"one at start, then one per interval", 100, []step{{0, 1}, {5 * ms, 0}, {10 * ms, 1}, {19 * ms, 0}, {20 * ms, 1}}},
		{"late tick catches up", 100, []step{{0, 1}, {30 * ms, 3}, {40 * ms, 1}}},
		{"several per tick at high rate", 1000, []step{{0, 1}, {25 * ms, 25}, {50 * ms, 25}}},
		{"a stall sends 50 ms worth and drops the rest", 1000, []step{{0, 1}, {2 * time.Second, 51}, {2*time.Second + ms, 1}}},
		{"paused", 0, []step{{0, 0}, {time.Second, 0}}},
		{"long run without drift", 300, []step{{0, 1}, {10 * time.Second, 16}, {10*time.Second + 40*ms, 12}, {10*time.Second + 50*ms, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p pacer
			p.set(tt.rate, t0)
			for _, s := range tt.steps {
				if got := p.due(at(s.at)); got != s.want {
					t.Errorf("due at %v = %d, want %d", s.at, got, s.want)
				}
			}
		})
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr string
	}{
		{"defaults", Options{Target: "http://172.16.0.200/"}, ""},
		{"no target", Options{}, "no target URL"},
		{"not http", Options{Target: "ftp://172.16.0.200/"}, "want an http:// or https:// URL"},
		{"no host", Options{Target: "http:///x"}, "no host"},
		{"negative rate", Options{Target: "http://a/", Rate: -1}, "out of range"},
		{"rate above the cap", Options{Target: "http://a/", Rate: 1001}, "rate 1001 req/s is out of range 0…1000"},
		{"negative timeout", Options{Target: "http://a/", Timeout: -1}, "timeout"},
		{"tiny bucket", Options{Target: "http://a/", Bucket: time.Microsecond}, "bucket width"},
		{"negative duration", Options{Target: "http://a/", Duration: -1}, "duration"},
		{"negative max", Options{Target: "http://a/", MaxRequests: -1}, "max requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.o.withDefaults()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if err := Run(context.Background(), tt.o); err == nil {
					t.Fatal("Run accepted invalid options")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Rate != DefaultRate || o.Timeout != DefaultTimeout || o.Bucket != DefaultBucket || o.Control == nil || o.Logger == nil {
				t.Errorf("defaults not applied: %+v", o)
			}
		})
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// fakeTicker ticks when the test says so.
type fakeTicker struct {
	c      chan time.Time
	period atomic.Int64
}

func (f *fakeTicker) C() <-chan time.Time   { return f.c }
func (f *fakeTicker) Reset(d time.Duration) { f.period.Store(int64(d)) }
func (f *fakeTicker) Stop()                 {}

// harness runs the probe loop on a fake clock, ticker and transport.
type harness struct {
	t      *testing.T
	clock  *fakeClock
	ticker *fakeTicker
	ctl    *control.Server
	calls  atomic.Int64
	cancel context.CancelFunc
	done   chan error
}

func startHarness(t *testing.T, o Options, do doFunc) *harness {
	t.Helper()
	h := &harness{t: t, clock: &fakeClock{now: t0}, ticker: &fakeTicker{c: make(chan time.Time)}, ctl: control.NewServer("client", "probe")}
	o.Target = "http://172.16.0.200/"
	o.Control = h.ctl
	o, err := o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if do == nil {
		do = func(context.Context) response { return response{status: 200, lb: "lb1", node: "web1"} }
	}
	cfg := config{
		now: h.clock.Now,
		newTicker: func(d time.Duration) ticker {
			h.ticker.period.Store(int64(d))
			return h.ticker
		},
		do: func(ctx context.Context) response { h.calls.Add(1); return do(ctx) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- run(ctx, o, cfg) }()
	t.Cleanup(func() {
		cancel()
		h.wait()
	})
	// Wait until the probe took its start time from the clock.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		rec := httptest.NewRecorder()
		h.ctl.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
		if strings.Contains(rec.Body.String(), `"ready":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("probe not ready")
		}
	}
	return h
}

// tick moves the clock by d and ticks, then ticks again without moving it,
// so that the loop handled the first tick before the clock moves on; it
// reports false once the probe stopped.
func (h *harness) tick(d time.Duration) bool {
	return h.send(h.clock.add(d)) && h.send(h.clock.Now())
}

func (h *harness) send(now time.Time) bool {
	select {
	case h.ticker.c <- now:
		return true
	case err := <-h.done:
		h.done <- err
		return false
	case <-time.After(5 * time.Second):
		h.t.Fatal("probe loop stuck")
		return false
	}
}

// settle waits until the loop handled the last tick and every request it
// started has finished.
func (h *harness) settle() {
	h.tick(0)
	for deadline := time.Now().Add(5 * time.Second); h.status().InFlight > 0; {
		if time.Now().After(deadline) {
			h.t.Fatal("requests still in flight")
		}
		time.Sleep(time.Millisecond)
	}
}

func (h *harness) wait() {
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("run: %v", err)
		}
		h.done <- err
	case <-time.After(5 * time.Second):
		h.t.Fatal("probe did not stop")
	}
}

// action POSTs a control action through the control handler (no socket).
func (h *harness) action(name, body string) (int, string) {
	rec := httptest.NewRecorder()
	h.ctl.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/action/"+name, strings.NewReader(body)))
	return rec.Code, rec.Body.String()
}

func (h *harness) status() Status {
	_, body := h.action("stats", "")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		h.t.Fatalf("stats %q: %v", body, err)
	}
	return st
}

// events returns the events published so far (the retained history).
func events(t *testing.T, ctl *control.Server) []control.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the handler writes the history, then sees the stream is over
	rec := httptest.NewRecorder()
	ctl.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/events", nil))
	var out []control.Event
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e control.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestRunBounds(t *testing.T) {
	tests := []struct {
		name     string
		o        Options
		wantSent int64
		wantWhy  string
	}{
		{"duration", Options{Rate: 100, Duration: 100 * ms}, 10, "ran 100ms"},
		{"max requests", Options{Rate: 100, MaxRequests: 25}, 25, "sent 25 requests"},
		{"max requests within one tick", Options{Rate: 1000, MaxRequests: 7}, 7, "sent 7 requests"},
		{"both: the first reached wins", Options{Rate: 100, Duration: time.Second, MaxRequests: 5}, 5, "sent 5 requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, tt.o, nil)
			for i := 0; i < 1000 && h.tick(10*ms); i++ {
			}
			h.wait()
			st := h.status()
			if h.calls.Load() != tt.wantSent || st.Sent != tt.wantSent || st.OK != tt.wantSent || st.Running || st.InFlight != 0 {
				t.Errorf("calls %d, status %+v; want %d sent", h.calls.Load(), st, tt.wantSent)
			}
			var ok int
			var last string
			for _, e := range events(t, h.ctl) {
				if e.Kind == control.KindProbe {
					ok += e.Probe.OK
				}
				last = e.Message
			}
			if int64(ok) != tt.wantSent {
				t.Errorf("buckets count %d ok, want all %d (flushed at stop)", ok, tt.wantSent)
			}
			if !strings.Contains(last, tt.wantWhy) {
				t.Errorf("last event %q, want it to say %q", last, tt.wantWhy)
			}
		})
	}
}

func TestRateAction(t *testing.T) {
	h := startHarness(t, Options{Rate: 100}, nil)
	for range 5 {
		h.tick(10 * ms)
	}
	tests := []struct {
		body     string
		wantCode int
		wantErr  string
		ticks    int
		step     time.Duration
		wantSent int64 // total after the ticks
		period   time.Duration
	}{
		// One request at once at the new rate, then 2 per 10 ms.
		{`{"rate": 200}`, 200, "", 5, 10 * ms, 6 + 1 + 10, 5 * ms},
		{`{"rate": 0}`, 200, "", 5, 10 * ms, 17, housekeeping},
		{`{"rate": 1001}`, 422, "out of range", 0, 0, 17, housekeeping},
		{`{"rate": -5}`, 422, "out of range", 0, 0, 17, housekeeping},
		{`{}`, 422, `want {\"rate\": N}`, 0, 0, 17, housekeeping},
		{`nonsense`, 422, `want {\"rate\": N}`, 0, 0, 17, housekeeping},
		{`{"rate": 1000}`, 200, "", 2, 25 * ms, 17 + 1 + 50, time.Millisecond},
	}
	for _, tt := range tests {
		code, body := h.action("rate", tt.body)
		if code != tt.wantCode || !strings.Contains(body, tt.wantErr) {
			t.Fatalf("rate %s: %d %s", tt.body, code, body)
		}
		for range tt.ticks {
			h.tick(tt.step)
		}
		h.tick(0) // the loop handled the ticks before it takes this one
		if st := h.status(); st.Sent != tt.wantSent || h.ticker.period.Load() != int64(tt.period) {
			t.Errorf("after rate %s: sent %d (want %d), tick period %v (want %v)", tt.body, st.Sent, tt.wantSent, time.Duration(h.ticker.period.Load()), tt.period)
		}
	}
	if st := h.status(); st.Rate != 1000 {
		t.Errorf("status rate %d", st.Rate)
	}
	h.cancel()
	h.wait()
	if code, body := h.action("rate", `{"rate": 10}`); code != 422 || !strings.Contains(body, "stopped") {
		t.Errorf("rate after stop: %d %s", code, body)
	}
	var changes []string
	for _, e := range events(t, h.ctl) {
		if strings.Contains(e.Message, "req/s") && strings.Contains(e.Message, "→") {
			changes = append(changes, e.Message)
		}
	}
	want := "client: rate 100 → 200 req/s|client: rate 200 → 0 req/s|client: rate 0 → 1000 req/s"
	if strings.Join(changes, "|") != want {
		t.Errorf("rate events %q", changes)
	}
}

// TestResetAction measures an outage through the loop, resets, and checks
// that counting starts over.
func TestResetAction(t *testing.T) {
	var fail atomic.Bool
	h := startHarness(t, Options{Rate: 100}, func(context.Context) response {
		if fail.Load() {
			return response{status: 503}
		}
		return response{status: 200, lb: "lb1", node: "web1"}
	})
	h.settle()
	fail.Store(true)
	for range 10 {
		h.tick(10 * ms)
		h.settle()
	}
	fail.Store(false)
	for range 30 {
		h.tick(10 * ms)
		h.settle()
	}
	st := h.status()
	if st.Longest == nil || st.Failed != 10 || st.Longest.Failed != 10 || st.Errors["http 503"] != 10 {
		t.Fatalf("before reset: %+v longest %+v", st, st.Longest)
	}
	code, body := h.action("reset", "")
	var after Status
	if err := json.Unmarshal([]byte(body), &after); code != 200 || err != nil {
		t.Fatalf("reset: %d %s", code, body)
	}
	if after.Sent != 0 || after.Failed != 0 || after.Longest != nil || len(after.Outages) != 0 || after.Answered {
		t.Errorf("after reset: %+v", after)
	}
	h.tick(10 * ms)
	h.tick(0)
	if st := h.status(); st.Sent != 1 || st.Target != "http://172.16.0.200/" || st.Rate != 100 || !st.Running || st.Timeout != DefaultTimeout {
		t.Errorf("after reset and one tick: %+v", st)
	}
}

// TestInFlightBounded: a transport that never returns cannot pile up more
// than 2×rate×timeout+8 goroutines.
func TestInFlightBounded(t *testing.T) {
	release := make(chan struct{})
	h := startHarness(t, Options{Rate: 100, Timeout: 300 * ms}, func(context.Context) response {
		<-release
		return response{err: context.DeadlineExceeded}
	})
	for range 100 {
		h.tick(10 * ms)
	}
	h.tick(0)
	st := h.status()
	close(release)
	if st.Sent != 68 || st.InFlight != 68 || st.Skipped != 101-68 {
		t.Errorf("sent %d in flight %d skipped %d, want 68, 68, 33", st.Sent, st.InFlight, st.Skipped)
	}
}
