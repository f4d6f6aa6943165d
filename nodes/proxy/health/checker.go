package health

import (
	"context"
	"sync"
	"time"
)

// Clock is the time source of a Checker; tests replace it with a fake one.
type Clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// function that stops the timer.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (SystemClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Probe runs one check and returns its result (Duration and At are filled
// in by the Checker).
type Probe func(ctx context.Context) Result

// Intervals are a server's check periods: "inter" while fully UP or DOWN,
// "fastinter" while in transition and "downinter" while fully DOWN, each
// defaulting to inter, as HAProxy's srv_getinter.
type Intervals struct {
	Inter, FastInter, DownInter time.Duration
}

// Checker runs the health checks of one server.
type Checker struct {
	probe     Probe
	clock     Clock
	intervals Intervals
	// onChange is called (from the checker goroutine, without locks held)
	// when the server goes UP or DOWN because of a check.
	onChange func(up bool, r Result)

	mu          sync.Mutex
	health      *Health
	last        Result
	failed      int
	maintenance bool
	wake        chan struct{}
}

// NewChecker returns a checker of a server that starts UP.
func NewChecker(probe Probe, clock Clock, iv Intervals, rise, fall int, onChange func(up bool, r Result)) *Checker {
	if clock == nil {
		clock = SystemClock{}
	}
	if iv.Inter <= 0 {
		iv.Inter = 2 * time.Second
	}
	return &Checker{
		probe: probe, clock: clock, intervals: iv, onChange: onChange,
		health: NewHealth(rise, fall),
		last:   Result{Status: StatusInit},
		wake:   make(chan struct{}, 1),
	}
}

// Snapshot is a checker's state for status pages.
type Snapshot struct {
	Up     bool
	Status string // "UP", "DOWN", "UP 1/3", "MAINT"
	Health int
	Last   Result
	// Failed counts failed checks, as HAProxy's "chkfail".
	Failed int
}

// Snapshot returns the current state.
func (c *Checker) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.health.Status()
	if c.maintenance {
		st = "MAINT"
	}
	return Snapshot{Up: c.health.Up() && !c.maintenance, Status: st, Health: c.health.Value(), Last: c.last, Failed: c.failed}
}

// SetMaintenance pauses checks and forces the server DOWN (on), or restarts
// them with the server UP and checks it at once (off), as HAProxy's
// "disable server" / "enable server".
func (c *Checker) SetMaintenance(on bool) {
	c.mu.Lock()
	c.maintenance = on
	if on {
		c.health.forceDown()
	} else {
		c.health.reset()
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// interval is srv_getinter: the delay before the next check.
func (c *Checker) interval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	iv := c.intervals
	switch {
	case c.health.Full():
		return iv.Inter
	case !c.health.Up() && c.health.Value() == 0:
		if iv.DownInter > 0 {
			return iv.DownInter
		}
		return iv.Inter
	default:
		if iv.FastInter > 0 {
			return iv.FastInter
		}
		return iv.Inter
	}
}

// Run checks the server until ctx is done. The first check runs after
// firstDelay (HAProxy spreads first checks over inter: inter×position/count);
// each next one runs an interval after the previous one ended.
func (c *Checker) Run(ctx context.Context, firstDelay time.Duration) {
	delay := firstDelay
	for {
		if !c.sleep(ctx, delay) {
			return
		}
		c.mu.Lock()
		paused := c.maintenance
		c.mu.Unlock()
		if paused {
			delay = c.intervals.Inter
			continue
		}
		start := c.clock.Now()
		r := c.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		r.At = c.clock.Now()
		r.Duration = r.At.Sub(start)
		c.mu.Lock()
		if c.maintenance { // entered maintenance while checking
			c.mu.Unlock()
			continue
		}
		c.last = r
		if !r.Passed() {
			c.failed++
		}
		changed := c.health.Observe(r.Passed())
		up := c.health.Up()
		c.mu.Unlock()
		if changed && c.onChange != nil {
			c.onChange(up, r)
		}
		delay = c.interval()
	}
}

// sleep waits d, or less when woken by SetMaintenance; false when ctx ends.
func (c *Checker) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	ch, stop := c.clock.NewTimer(d)
	defer stop()
	select {
	case <-ctx.Done():
		return false
	case <-ch:
		return true
	case <-c.wake:
		return true
	}
}
