// Package probe is halab's client traffic probe: it requests a URL at a fixed
// rate, each request on a new TCP connection with a short deadline, and
// measures what a client sees of a failover.
//
// Requests are aggregated into buckets by start time (KindProbe events, one
// per bucket once all its requests finished). Outage is the longest interval
// between two consecutive successful answers (DESIGN.md, "Drills and
// measurement"): a gap opens as a KindOutage event once it is longer than
// twice the request interval and a request failed in it, and closes with its
// length and failed count when an answer comes back.
//
// Control actions: "rate" {"rate": N} changes the rate live (0 pauses),
// "reset" clears counters and outage history, "stats" returns the Status.
package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/halab/halab/nodes/control"
)

// Defaults and limits of Options.
const (
	// DefaultRate is the request rate when Options.Rate is 0.
	DefaultRate = 100
	// MaxRate is the highest rate the probe accepts, in requests per second.
	MaxRate = 1000
	// DefaultTimeout is the per-request deadline when Options.Timeout is 0.
	DefaultTimeout = 300 * time.Millisecond
	// DefaultBucket is the aggregation width when Options.Bucket is 0.
	DefaultBucket = 100 * time.Millisecond
)

// housekeeping is the longest pause between two looks at the buckets and the
// outage state, also while paused.
const housekeeping = 25 * time.Millisecond

// Options configures Run.
type Options struct {
	// Target is the URL requested, e.g. "http://172.16.0.200/".
	Target string
	// Rate is requests per second: 0 means DefaultRate, at most MaxRate.
	Rate int
	// Timeout bounds each request (connect and whole answer); 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Bucket is the aggregation width of probe events; 0 means DefaultBucket.
	Bucket time.Duration
	// Duration stops the probe after this long; 0 means until ctx ends.
	Duration time.Duration
	// MaxRequests stops the probe after this many requests; 0 means no bound
	// besides Duration.
	MaxRequests int64
	// PeerNames maps the load balancer's address as the web server sees it
	// (X-Halab-Peer) to its node name: "192.168.10.101" → "lb1". It is used
	// when an answer has no X-Halab-LB header.
	PeerNames map[string]string
	// Control receives events and status and serves the actions; when nil
	// Run uses a private server nobody reads.
	Control *control.Server
	// Logger receives outage and rate changes (buckets at debug level); when
	// nil nothing is logged.
	Logger *slog.Logger
}

// withDefaults validates o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	if err := checkTarget(o.Target); err != nil {
		return o, err
	}
	if err := checkRate(o.Rate); err != nil {
		return o, err
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	switch {
	case o.Timeout < 0:
		return o, fmt.Errorf("probe: timeout %s is negative", o.Timeout)
	case o.Timeout == 0:
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Bucket == 0:
		o.Bucket = DefaultBucket
	case o.Bucket < time.Millisecond:
		return o, fmt.Errorf("probe: bucket width %s is below 1ms", o.Bucket)
	}
	if o.Duration < 0 {
		return o, fmt.Errorf("probe: duration %s is negative", o.Duration)
	}
	if o.MaxRequests < 0 {
		return o, fmt.Errorf("probe: max requests %d is negative", o.MaxRequests)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Control == nil {
		o.Control = control.NewServer("", "probe")
	}
	return o, nil
}

func checkRate(n int) error {
	if n < 0 || n > MaxRate {
		return fmt.Errorf("probe: rate %d req/s is out of range 0…%d", n, MaxRate)
	}
	return nil
}

// Run probes opts.Target until ctx is cancelled, Duration has passed or
// MaxRequests were sent. It then waits for the requests in flight (at most
// Timeout), publishes the last buckets and returns nil; it returns an error
// only for invalid options.
func Run(ctx context.Context, opts Options) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	do, err := newHTTPDo(o.Target)
	if err != nil {
		return err
	}
	return run(ctx, o, config{now: time.Now, newTicker: newRealTicker, do: do})
}

// config holds what tests replace: the clock, the ticker and the request.
type config struct {
	now       func() time.Time
	newTicker func(d time.Duration) ticker
	do        doFunc
}

// ticker is the part of *time.Ticker the probe uses.
type ticker interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

type realTicker struct{ *time.Ticker }

func (t realTicker) C() <-chan time.Time { return t.Ticker.C }

func newRealTicker(d time.Duration) ticker { return realTicker{time.NewTicker(d)} }

type rateChange struct {
	rate int
	done chan struct{}
}

// prober runs one probe; o is validated.
type prober struct {
	o        Options
	cfg      config
	tr       *tracker
	rate     atomic.Int64
	running  atomic.Bool
	skipped  atomic.Int64
	inflight atomic.Int64
	wg       sync.WaitGroup
	rateCh   chan rateChange
	done     chan struct{} // closed when the probe stopped sending
}

func run(ctx context.Context, o Options, cfg config) error {
	p := &prober{o: o, cfg: cfg, rateCh: make(chan rateChange), done: make(chan struct{})}
	start := cfg.now()
	p.tr = newTracker(start, o.Bucket, interval(o.Rate), p.emit)
	p.rate.Store(int64(o.Rate))
	p.running.Store(true)
	o.Control.SetStatus(func() any { return p.status() })
	o.Control.Handle("rate", p.actionRate)
	o.Control.Handle("reset", p.actionReset)
	o.Control.Handle("stats", func(context.Context, []byte) (any, error) { return p.status(), nil })
	msg := fmt.Sprintf("client: probing %s at %d req/s, one connection per request, timeout %s", o.Target, o.Rate, o.Timeout)
	o.Logger.Info(msg)
	o.Control.SetReady(msg)

	why := p.loop(ctx, start)
	p.running.Store(false)
	close(p.done)
	p.wg.Wait() // every request ends within Timeout
	now := cfg.now()
	p.tr.flush(now)
	st := p.status()
	summary := fmt.Sprintf("client: stopped (%s) after %d requests: %d ok, %d failed", why, st.Sent, st.OK, st.Failed)
	if st.Longest != nil {
		summary += fmt.Sprintf("; longest outage %s (%d failed)", fmtDur(st.Longest.Length), st.Longest.Failed)
	}
	p.emit(control.Event{Time: now, Kind: control.KindLog, Message: summary})
	return nil
}

// loop sends requests on schedule until a bound is reached or ctx ends, and
// says why it stopped.
func (p *prober) loop(ctx context.Context, start time.Time) string {
	var pc pacer
	pc.set(p.o.Rate, start)
	tk := p.cfg.newTicker(tickPeriod(p.o.Rate, p.o.Bucket))
	defer tk.Stop()
	reqCtx := context.WithoutCancel(ctx) // stopping lets requests in flight finish
	var sent int64
	for {
		now := p.cfg.now()
		if p.o.Duration > 0 && now.Sub(start) >= p.o.Duration {
			return fmt.Sprintf("ran %s", p.o.Duration)
		}
		for n := pc.due(now); n > 0; n-- {
			if p.launch(reqCtx, now) {
				sent++
			}
			if p.o.MaxRequests > 0 && sent >= p.o.MaxRequests {
				return fmt.Sprintf("sent %d requests", sent)
			}
		}
		p.tr.tick(now)
		select {
		case <-ctx.Done():
			return "asked to stop"
		case <-tk.C():
		case rc := <-p.rateCh:
			now := p.cfg.now()
			old := p.rate.Swap(int64(rc.rate))
			pc.set(rc.rate, now)
			tk.Reset(tickPeriod(rc.rate, p.o.Bucket))
			p.tr.setInterval(interval(rc.rate))
			p.emit(control.Event{Time: now, Kind: control.KindLog, Message: fmt.Sprintf("client: rate %d → %d req/s", old, rc.rate)})
			close(rc.done)
		}
	}
}

// launch starts one request at now in its own goroutine, unless too many
// are in flight.
func (p *prober) launch(ctx context.Context, now time.Time) bool {
	if p.inflight.Load() >= maxInFlight(int(p.rate.Load()), p.o.Timeout) {
		p.skipped.Add(1)
		return false
	}
	r := p.tr.start(now)
	p.inflight.Add(1)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		rctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
		resp := p.cfg.do(rctx)
		cancel()
		p.tr.finish(r, p.cfg.now(), resp.judge(p.o.PeerNames))
		p.inflight.Add(-1)
	}()
	return true
}

// maxInFlight bounds the requests in flight: each ends within timeout, so
// rate×timeout are in flight at most; twice that (plus a little) leaves room
// for a late scheduler without letting a stuck transport pile up goroutines.
func maxInFlight(rate int, timeout time.Duration) int64 {
	return 2*int64(math.Ceil(float64(rate)*timeout.Seconds())) + 8
}

// interval is the time between requests at rate (0 when paused).
func interval(rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Second / time.Duration(rate)
}

// tickPeriod is how often the loop wakes up: at every request, and at least
// every housekeeping period (or half a bucket) to publish buckets.
func tickPeriod(rate int, bucket time.Duration) time.Duration {
	d := min(housekeeping, bucket/2)
	if iv := interval(rate); iv > 0 && iv < d {
		d = iv
	}
	return max(d, time.Millisecond)
}

// pacer says how many requests are due, so the rate holds even when ticks
// come late or are dropped.
type pacer struct {
	rate int
	base time.Time
	sent int64
}

func (p *pacer) set(rate int, now time.Time) { *p = pacer{rate: rate, base: now} }

// due returns the number of requests to send now: one at base, then one per
// interval. After a stall it sends at most 50 ms worth at once and drops the
// rest of the backlog.
func (p *pacer) due(now time.Time) int {
	if p.rate <= 0 {
		return 0
	}
	el := max(now.Sub(p.base), 0)
	r := int64(p.rate)
	want := int64(el/time.Second)*r + int64(el%time.Second)*r/int64(time.Second) + 1
	n := want - p.sent
	if burst := r/20 + 1; n > burst {
		n = burst
	}
	p.sent = want
	return int(max(n, 0))
}

// emit publishes e on the control socket and logs it.
func (p *prober) emit(e control.Event) {
	e = p.o.Control.Publish(e)
	level := slog.LevelInfo
	switch {
	case e.Kind == control.KindProbe:
		level = slog.LevelDebug
	case e.Level == "warn":
		level = slog.LevelWarn
	case e.Level == "error":
		level = slog.LevelError
	}
	p.o.Logger.Log(context.Background(), level, e.Message, "kind", string(e.Kind))
}

func (p *prober) status() Status {
	st := Status{
		Target:  p.o.Target,
		Rate:    int(p.rate.Load()),
		Timeout: p.o.Timeout,
		Bucket:  p.o.Bucket,
		Running: p.running.Load(),
		Skipped: p.skipped.Load(),
	}
	p.tr.snapshot(p.cfg.now(), &st)
	return st
}

// actionRate serves "rate" {"rate": N}.
func (p *prober) actionRate(ctx context.Context, body []byte) (any, error) {
	var in struct {
		Rate *int `json:"rate"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("rate: want {\"rate\": N}: %w", err)
	}
	if in.Rate == nil {
		return nil, errors.New(`rate: want {"rate": N} (requests per second, 0 pauses)`)
	}
	if err := checkRate(*in.Rate); err != nil {
		return nil, err
	}
	rc := rateChange{rate: *in.Rate, done: make(chan struct{})}
	select {
	case p.rateCh <- rc:
	case <-p.done:
		return nil, errors.New("rate: the probe has stopped")
	case <-ctx.Done():
		return nil, fmt.Errorf("rate: %w", ctx.Err())
	}
	<-rc.done // the loop always answers a change it took
	return map[string]int{"rate": *in.Rate}, nil
}

// actionReset serves "reset": counters and outage history start over.
func (p *prober) actionReset(context.Context, []byte) (any, error) {
	p.tr.reset(p.cfg.now())
	p.skipped.Store(0)
	return p.status(), nil
}
