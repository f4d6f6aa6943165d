package scenarios

import (
	"context"
	"fmt"
	"slices"

	"github.com/halab/halab/lab"
)

// mends reports whether a fault kind repairs rather than breaks.
func mends(k lab.FaultKind) bool {
	return k == lab.FaultRestore || k == lab.FaultStart || k == lab.FaultLinkUp || k == lab.FaultHeal
}

// hasFault reports whether faults holds f.
func hasFault(faults []lab.Fault, f lab.Fault) bool {
	return slices.Contains(faults, f)
}

// recordFault keeps the list of faults in force after f, as the lab does
// (lab/netns): a mending fault removes what it mends.
func recordFault(faults []lab.Fault, f lab.Fault) []lab.Fault {
	drop := func(pred func(lab.Fault) bool) []lab.Fault {
		return slices.DeleteFunc(slices.Clone(faults), pred)
	}
	switch f.Kind {
	case lab.FaultRestore:
		return drop(func(o lab.Fault) bool {
			return o.Node == f.Node && (o.Kind == lab.FaultCrash || o.Kind == lab.FaultKill || o.Kind == lab.FaultStop || o.Kind == lab.FaultLinkDown)
		})
	case lab.FaultStart:
		return drop(func(o lab.Fault) bool {
			return o.Node == f.Node && o.Component == f.Component && (o.Kind == lab.FaultKill || o.Kind == lab.FaultStop)
		})
	case lab.FaultLinkUp:
		return drop(func(o lab.Fault) bool {
			return o.Node == f.Node && o.Interface == f.Interface && o.Kind == lab.FaultLinkDown
		})
	case lab.FaultHeal:
		return drop(func(o lab.Fault) bool {
			return o.Kind == lab.FaultPartition || o.Kind == lab.FaultLoss || o.Kind == lab.FaultDelay
		})
	}
	return append(slices.Clone(faults), f)
}

// Inverse is the fault that mends f: crash → restore, kill and stop →
// start, link down → link up, partition, loss and delay → heal. It
// returns false for a fault that mends already.
func Inverse(f lab.Fault) (lab.Fault, bool) {
	switch f.Kind {
	case lab.FaultCrash:
		return lab.Fault{Kind: lab.FaultRestore, Node: f.Node}, true
	case lab.FaultKill, lab.FaultStop:
		return lab.Fault{Kind: lab.FaultStart, Node: f.Node, Component: f.Component}, true
	case lab.FaultLinkDown:
		return lab.Fault{Kind: lab.FaultLinkUp, Node: f.Node, Interface: f.Interface}, true
	case lab.FaultPartition, lab.FaultLoss, lab.FaultDelay:
		return lab.Fault{Kind: lab.FaultHeal}, true
	}
	return lab.Fault{}, false
}

// undo mends every fault this run left in force, newest first, and puts
// the probe's rate back. It runs on its own deadline: a cancelled run
// must still leave the lab as it found it.
func (r *runner) undo() {
	ctx, cancel := context.WithTimeout(context.Background(), r.o.UndoTimeout)
	defer cancel()
	// Each round mends at least one fault (or gives it up), so the loop
	// ends after at most len(inForce) rounds.
	for rounds := len(r.inForce); rounds > 0 && len(r.inForce) > 0; rounds-- {
		last := r.inForce[len(r.inForce)-1]
		inv, ok := Inverse(last)
		if !ok {
			r.inForce = r.inForce[:len(r.inForce)-1]
			continue
		}
		if err := r.l.Fault(ctx, inv); err != nil {
			r.report.UndoErrors = append(r.report.UndoErrors, fmt.Sprintf("%s (to mend: %s): %v", inv, last, err))
			r.inForce = r.inForce[:len(r.inForce)-1]
			continue
		}
		r.report.Undone = append(r.report.Undone, inv.String())
		r.inForce = recordFault(r.inForce, inv)
	}
	if r.rateSet {
		if err := r.l.Probe(ctx, "rate", map[string]int{"rate": r.origRate}, nil); err != nil {
			r.report.UndoErrors = append(r.report.UndoErrors, fmt.Sprintf("client probe rate back to %d: %v", r.origRate, err))
		} else {
			r.rateSet = false
		}
	}
}
