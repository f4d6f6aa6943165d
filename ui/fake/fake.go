// Package fake is a dashboard backend without a lab: the seed lab's
// topology, events and a snapshot supplied by the test (or built by the
// scenario helpers in scenario.go), faults recorded instead of applied. The
// dashboard's tests, goldens and benchmarks run on it.
package fake

import (
	"context"
	"sync"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/labview"
)

// Backend is a fake lab. Its fields may be set before use; after, use the
// methods (they lock).
type Backend struct {
	mu sync.Mutex
	st *lab.State
	// Snap is what Snapshot returns, SnapErr its error.
	snap    labview.Snapshot
	snapErr error
	// faultErr is what Fault returns.
	faultErr error
	applied  []lab.Fault
	backlog  []control.Event
	ch       chan control.Event
}

// New returns a fake of the seed lab created at created, whose event
// stream first replays backlog.
func New(created time.Time, backlog ...control.Event) *Backend {
	return &Backend{st: SeedState(created), backlog: backlog, ch: make(chan control.Event, 1024)}
}

// SeedState is the recorded state of the seed lab (the tutorial's), built
// from the embedded lab file, as the netns provider records it.
func SeedState(created time.Time) *lab.State {
	l, err := lab.LoadBuiltin(lab.DefaultLab)
	if err != nil {
		panic("fake: the embedded seed lab does not load: " + err.Error())
	}
	st := &lab.State{Name: l.Name, Provider: "netns", Created: created, Phase: "up", Dir: "/run/halab/" + l.Name, Lab: l}
	for _, n := range l.Nodes {
		ns := lab.NodeState{Name: n.Name, Namespace: "halab-" + l.Name + "-" + n.Name}
		for i, c := range n.Components {
			ns.Components = append(ns.Components, lab.ComponentState{Kind: c.Kind, PID: 1000 + 10*len(st.Nodes) + i, Started: created})
		}
		st.Nodes = append(st.Nodes, ns)
	}
	return st
}

// State returns the lab's recorded state.
func (b *Backend) State() *lab.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st
}

// Events returns the stream: the backlog, then what Send sends, until ctx
// is done or Close.
func (b *Backend) Events(ctx context.Context) <-chan control.Event {
	out := make(chan control.Event, 256)
	b.mu.Lock()
	backlog := b.backlog
	in := b.ch
	b.mu.Unlock()
	go func() {
		defer close(out)
		for _, e := range backlog {
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
		for {
			select {
			case e, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// Send publishes an event on the stream.
func (b *Backend) Send(e control.Event) { b.ch <- e }

// Close ends the stream.
func (b *Backend) Close() { close(b.ch) }

// SetSnapshot sets what Snapshot returns.
func (b *Backend) SetSnapshot(s labview.Snapshot, err error) {
	b.mu.Lock()
	b.snap, b.snapErr = s, err
	b.mu.Unlock()
}

// Snapshot returns the snapshot set by SetSnapshot.
func (b *Backend) Snapshot(ctx context.Context) (labview.Snapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snap, b.snapErr
}

// FailFaults makes Fault return err (nil: succeed).
func (b *Backend) FailFaults(err error) {
	b.mu.Lock()
	b.faultErr = err
	b.mu.Unlock()
}

// Fault records f and returns the error set by FailFaults.
func (b *Backend) Fault(ctx context.Context, f lab.Fault) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.applied = append(b.applied, f)
	return b.faultErr
}

// Applied lists the faults asked for, in order.
func (b *Backend) Applied() []lab.Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]lab.Fault(nil), b.applied...)
}
