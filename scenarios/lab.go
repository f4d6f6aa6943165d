package scenarios

import (
	"context"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// Lab is what the runner needs of a running lab. scenarios/livelab
// implements it over a netns lab; tests use a fake.
type Lab interface {
	// State is the lab's recorded state: its model (nodes, configurations)
	// and the faults in force.
	State() *lab.State
	// Events is the lab's merged event stream (lab.Watch) until ctx is
	// done; it may replay history first.
	Events(ctx context.Context) <-chan control.Event
	// Fault applies a fault, as `halab fault` does.
	Fault(ctx context.Context, f lab.Fault) error
	// Probe runs one of the client probe's control actions ("rate",
	// "reset", "stats"), with in as its JSON body and its result decoded
	// into out (a *probe.Status for reset and stats).
	Probe(ctx context.Context, action string, in, out any) error
	// Holders says which nodes hold the VIP now, as the kernel has it.
	Holders(ctx context.Context) (map[string]bool, error)
	// VRRP reads each load balancer's VRRP instance now; a node whose
	// daemon does not answer is reported with State StateDown.
	VRRP(ctx context.Context) (map[string]VRRPStatus, error)
}

// VRRPStatus is one load balancer's VRRP instance as its daemon reports it.
type VRRPStatus struct {
	// State is MASTER, BACKUP, FAULT, INIT, or DOWN when the daemon does
	// not answer.
	State string `json:"state"`
	// Priority is the effective priority (base + track weights).
	Priority int `json:"priority"`
}

// Options tunes Run. The zero value is the usual choice.
type Options struct {
	// Progress receives each step's result as it starts (StatusRunning),
	// while an expectation waits (StatusRunning with what is seen so far)
	// and when it ends: the live view of a drill. It is called from the
	// goroutine that called Run.
	Progress func(StepResult)
	// KeepGoing runs every step even after an expectation failed; by
	// default the remaining steps are skipped (the faults applied are
	// undone either way).
	KeepGoing bool
	// AnyLab runs the drill on a lab it does not name; the nodes and
	// interfaces it uses must still exist.
	AnyLab bool
	// Settle bounds the wait for a steady lab before measurement starts:
	// one VIP holder for Steady, no preemption pending, the client
	// answered; 0 means 30 s.
	Settle time.Duration
	// Steady is how long the VIP must have stayed with one holder for the
	// lab to count as steady; 0 means 500 ms.
	Steady time.Duration
	// UndoTimeout bounds undoing the faults at the end; 0 means 90 s.
	UndoTimeout time.Duration
	// SplitBrainGrace is how long two nodes may hold the VIP at once before
	// it counts as a split brain (a handover has both for an instant);
	// 0 means 500 ms.
	SplitBrainGrace time.Duration
	// Poll is how often the VIP holders are read; 0 means 50 ms.
	Poll time.Duration
}

func (o Options) withDefaults() Options {
	if o.Settle <= 0 {
		o.Settle = 30 * time.Second
	}
	if o.Steady <= 0 {
		o.Steady = 500 * time.Millisecond
	}
	if o.UndoTimeout <= 0 {
		o.UndoTimeout = 90 * time.Second
	}
	if o.SplitBrainGrace <= 0 {
		o.SplitBrainGrace = 500 * time.Millisecond
	}
	if o.Poll <= 0 {
		o.Poll = 50 * time.Millisecond
	}
	return o
}
