package health

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHealthCounterAsHAProxy walks the counter through HAProxy 2.6's rules
// (set_server_check_status): rise 2, fall 3.
func TestHealthCounterAsHAProxy(t *testing.T) {
	steps := []struct {
		passed  bool
		changed bool
		up      bool
		value   int
		status  string
	}{
		// starts UP at exactly rise: the first failure takes it DOWN
		{false, true, false, 0, "DOWN"},
		{false, false, false, 0, "DOWN"},
		{true, false, false, 1, "DOWN 1/2"},
		{true, true, true, 4, "UP"}, // rise reached: jumps to rise+fall-1
		{false, false, true, 3, "UP 2/3"},
		{false, false, true, 2, "UP 1/3"},
		{true, false, true, 4, "UP"}, // one success restores full health
		{false, false, true, 3, "UP 2/3"},
		{false, false, true, 2, "UP 1/3"},
		{false, true, false, 0, "DOWN"}, // third consecutive failure
	}
	h := NewHealth(2, 3)
	if !h.Up() || h.Value() != 2 || h.Status() != "UP 1/3" {
		t.Fatalf("initial = up %v value %d %s, want UP at rise", h.Up(), h.Value(), h.Status())
	}
	for i, s := range steps {
		changed := h.Observe(s.passed)
		if changed != s.changed || h.Up() != s.up || h.Value() != s.value || h.Status() != s.status {
			t.Fatalf("step %d (passed=%v): changed=%v up=%v value=%d %q, want %v %v %d %q",
				i, s.passed, changed, h.Up(), h.Value(), h.Status(), s.changed, s.up, s.value, s.status)
		}
	}
	// The first success of a fresh server makes it fully healthy at once.
	h = NewHealth(2, 3)
	if h.Observe(true) || !h.Full() {
		t.Fatalf("fresh server after one success: value %d", h.Value())
	}
	// rise 1 fall 1: every result flips the state.
	h = NewHealth(1, 1)
	for i, want := range []bool{false, true, false, true} {
		if !h.Observe(want) || h.Up() != want {
			t.Fatalf("rise 1 fall 1, step %d: up %v", i, h.Up())
		}
	}
}

// fakeClock is a manually advanced Clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	return t.ch, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// waitTimer blocks until a timer is pending and returns its deadline.
func (c *fakeClock) waitTimer(t *testing.T) time.Time {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		if len(c.timers) > 0 {
			at := c.timers[0].at
			c.mu.Unlock()
			return at
		}
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the checker never armed a timer")
	return time.Time{}
}

// advanceTo moves the clock and fires the timers that are due.
func (c *fakeClock) advanceTo(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(at) {
			tm.ch <- at
		} else {
			kept = append(kept, tm)
		}
	}
	c.timers = kept
}

// TestCheckerSchedulesAndTransitions drives a checker with a fake clock and
// scripted results: first check after the spread delay, then every inter
// while healthy, fastinter while in transition and downinter while DOWN.
func TestCheckerSchedulesAndTransitions(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	script := []bool{true, false, false, false, false, true, true, true}
	calls := make(chan time.Time, 1)
	next := 0
	probe := func(context.Context) Result {
		calls <- clock.Now()
		ok := script[next]
		next++
		if ok {
			return Result{Status: StatusL4OK}
		}
		return Result{Status: StatusL4Con, Info: "Connection refused"}
	}
	type change struct {
		up bool
		at time.Time
	}
	changes := make(chan change, 10)
	c := NewChecker(probe, clock, Intervals{Inter: 2 * time.Second, FastInter: 500 * time.Millisecond, DownInter: 5 * time.Second}, 2, 3,
		func(up bool, r Result) { changes <- change{up, r.At} })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { c.Run(ctx, 700*time.Millisecond); close(done) }()

	// offsets (from start) at which each scripted check must run
	want := []time.Duration{700, 2700, 3200, 3700, 8700, 13700, 14200, 16200}
	for i, off := range want {
		at := clock.waitTimer(t)
		if got := at.Sub(start); got != off*time.Millisecond {
			t.Fatalf("check %d scheduled at +%v, want +%v", i, got, off*time.Millisecond)
		}
		clock.advanceTo(at)
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatalf("check %d did not run", i)
		}
	}
	// DOWN after the third failure (check 3, +3700ms), UP after two
	// successes (check 6, +14200ms).
	for _, w := range []change{{false, start.Add(3700 * time.Millisecond)}, {true, start.Add(14200 * time.Millisecond)}} {
		select {
		case got := <-changes:
			if got != w {
				t.Fatalf("transition %+v, want %+v", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("missing transition %+v", w)
		}
	}
	clock.waitTimer(t)
	if s := c.Snapshot(); !s.Up || s.Status != "UP" || s.Last.Status != StatusL4OK {
		t.Fatalf("snapshot = %+v", s)
	}
	cancel()
	<-done
}

func TestMaintenancePausesChecks(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	var mu sync.Mutex
	count := 0
	probe := func(context.Context) Result {
		mu.Lock()
		count++
		mu.Unlock()
		return Result{Status: StatusL4OK}
	}
	c := NewChecker(probe, clock, Intervals{Inter: time.Second}, 2, 3, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx, time.Second); close(done) }()
	c.SetMaintenance(true)
	if s := c.Snapshot(); s.Up || s.Status != "MAINT" {
		t.Fatalf("in maintenance: %+v", s)
	}
	for i := 0; i < 3; i++ {
		clock.advanceTo(clock.waitTimer(t))
	}
	mu.Lock()
	n := count
	mu.Unlock()
	if n != 0 {
		t.Fatalf("%d checks ran during maintenance", n)
	}
	c.SetMaintenance(false)
	if s := c.Snapshot(); !s.Up {
		t.Fatalf("leaving maintenance must set the server UP at once: %+v", s)
	}
	cancel()
	<-done
}

func TestProbesOnLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	status := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 1024)
				n, _ := c.Read(buf)
				if n == 0 {
					return
				}
				select {
				case s := <-status:
					fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", s)
				default:
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\n\r\n")
				}
			}(c)
		}
	}()
	// a closed port for refusals
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	to := Timeouts{Inter: 2 * time.Second}
	ctx := context.Background()
	if r := TCPProbe(ln.Addr().String(), to)(ctx); r.Status != StatusL4OK {
		t.Fatalf("tcp probe: %+v", r)
	}
	r := TCPProbe(deadAddr, to)(ctx)
	if r.Status != StatusL4Con || r.Info != "Connection refused" {
		t.Fatalf("tcp probe of a closed port: %+v", r)
	}
	r.Duration = 0
	if got, want := r.Reason(), `reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms`; got != want {
		t.Fatalf("reason = %s\nwant %s", got, want)
	}
	req := HTTPRequest{Method: "GET", URI: "/health", Version: "HTTP/1.1", Host: "lab"}
	if r := HTTPProbe(ln.Addr().String(), req, to)(ctx); r.Status != StatusL7OK || r.Code != 200 {
		t.Fatalf("http probe: %+v", r)
	}
	status <- "404 Not Found"
	r = HTTPProbe(ln.Addr().String(), req, to)(ctx)
	if r.Status != StatusL7Sts || r.Code != 404 || r.Info != "Not Found" {
		t.Fatalf("http probe 404: %+v", r)
	}
	if !strings.Contains(r.Reason(), `reason: Layer7 wrong status, code: 404, info: "Not Found"`) {
		t.Fatalf("reason = %s", r.Reason())
	}
	status <- "503 Service Unavailable"
	req.Expect, req.ExpectNot = []int{503}, false
	if r := HTTPProbe(ln.Addr().String(), req, to)(ctx); r.Status != StatusL7OK {
		t.Fatalf("expect status 503: %+v", r)
	}
	if r := HTTPProbe(deadAddr, req, to)(ctx); r.Status != StatusL4Con {
		t.Fatalf("http probe of a closed port: %+v", r)
	}
}
