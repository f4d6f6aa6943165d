// Package demo is a dashboard backend that simulates the seed lab instead
// of running it: two load balancers electing a VRRP master as keepalived
// does with the tutorial's configuration (one-second adverts, master-down
// timer 3 × 1 s + skew, a track script worth 2 of priority), their proxies
// checking the web server, and the client's 100 requests per second. Every
// fault of the fault menu acts on the simulation, so `halab ui --demo`
// shows a failover without root, namespaces or processes.
//
// The simulation is deterministic for a given start and sequence of Step
// calls; Run steps it in real time.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/labview"
)

// step is the simulation's resolution, the probe's bucket width.
const step = 100 * time.Millisecond

// historySize is how many events a late subscriber is replayed.
const historySize = 4096

// Backend is the simulated lab.
type Backend struct {
	mu      sync.Mutex
	st      *lab.State
	sim     *sim
	history []control.Event
	subs    map[chan control.Event]struct{}
	seq     uint64
}

// New returns the seed lab built at start and simulated up to
// start+warmup, so that the dashboard opens on a minute of history.
func New(start time.Time, warmup time.Duration) *Backend {
	b := &Backend{st: fake.SeedState(start), subs: map[chan control.Event]struct{}{}}
	b.sim = newSim(b.st.Lab, start, b.publish)
	for t := start.Add(step); !t.After(start.Add(warmup)); t = t.Add(step) {
		b.Step(t)
	}
	return b
}

// Run steps the simulation in real time until ctx is done.
func (b *Backend) Run(ctx context.Context) {
	t := time.NewTicker(step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			b.Step(now)
		}
	}
}

// Step advances the simulation to now.
func (b *Backend) Step(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sim.step(now)
}

// publish records an event and hands it to the subscribers (the lock is
// held).
func (b *Backend) publish(e control.Event) {
	b.seq++
	e.Seq = b.seq
	if len(b.history) >= historySize {
		b.history = append(b.history[:0], b.history[1:]...)
	}
	b.history = append(b.history, e)
	for ch := range b.subs {
		select {
		case ch <- e:
		default: // a subscriber this slow loses events
		}
	}
}

// State returns the lab's recorded state (faults in force included).
func (b *Backend) State() *lab.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := *b.st
	st.Faults = append([]lab.Fault(nil), b.sim.faults...)
	return &st
}

// Events replays the history, then streams live events until ctx is done.
func (b *Backend) Events(ctx context.Context) <-chan control.Event {
	out := make(chan control.Event, historySize+1024)
	b.mu.Lock()
	for _, e := range b.history {
		out <- e
	}
	ch := make(chan control.Event, 1024)
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			b.mu.Lock()
			delete(b.subs, ch)
			b.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-ch:
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// Snapshot describes the simulated lab as `halab status` would.
func (b *Backend) Snapshot(ctx context.Context) (labview.Snapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sim.snapshot(), nil
}

// Fault applies a fault to the simulation.
func (b *Backend) Fault(ctx context.Context, f lab.Fault) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sim.fault(f)
}

// rng is the simulation's random source (loss, latency), seeded.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
