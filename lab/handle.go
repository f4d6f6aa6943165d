package lab

import (
	"context"
	"sync"

	"github.com/halab/halab/nodes/control"
)

// Handle is a running lab held open by code that works on it over time
// (a drill, the walkthrough): its name, its provider's Access, and its
// state read afresh when asked (faults change it). It is safe for
// concurrent use.
type Handle struct {
	name   string
	access Access

	mu   sync.Mutex
	last *State
}

// OpenHandle finds the running lab called name (or the only one up, when
// name is empty) and opens access to it; Close releases it.
func OpenHandle(name string) (*Handle, error) {
	st, acc, err := OpenRunning(name)
	if err != nil {
		return nil, err
	}
	return &Handle{name: st.Name, access: acc, last: st}, nil
}

// Name is the lab's name.
func (h *Handle) Name() string { return h.name }

// Access is the lab's provider access.
func (h *Handle) Access() Access { return h.access }

// Close releases the access to the lab.
func (h *Handle) Close() error { return h.access.Close() }

// State reads the lab's recorded state afresh, falling back on the last
// one read.
func (h *Handle) State() *State {
	st, err := LoadState(h.name)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.last = st
	}
	return h.last
}

// Cached is the last state read: node names and sockets do not change
// while a lab runs, so polling needs no fresh read.
func (h *Handle) Cached() *State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Events is Watch on a copy of the state of its own.
func (h *Handle) Events(ctx context.Context) <-chan control.Event {
	st, err := LoadState(h.name)
	if err != nil {
		st = h.State()
	}
	return Watch(ctx, st, h.access)
}

// Fault applies f through the lab's provider, which records it in the
// lab's state and event log.
func (h *Handle) Fault(ctx context.Context, f Fault) error {
	st, err := LoadState(h.name)
	if err != nil {
		return err
	}
	return h.access.Apply(ctx, st, f)
}
