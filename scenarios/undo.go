package scenarios

import (
	"context"
	"fmt"
	"slices"

	"github.com/halab/halab/lab"
)

// hasFault reports whether faults holds f.
func hasFault(faults []lab.Fault, f lab.Fault) bool {
	return slices.Contains(faults, f)
}

// Inverse is the fault that mends f; see lab.Fault.Inverse.
func Inverse(f lab.Fault) (lab.Fault, bool) { return f.Inverse() }

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
		r.inForce = lab.RecordFault(r.inForce, inv)
	}
	if r.rateSet {
		if err := r.l.Probe(ctx, "rate", map[string]int{"rate": r.origRate}, nil); err != nil {
			r.report.UndoErrors = append(r.report.UndoErrors, fmt.Sprintf("client probe rate back to %d: %v", r.origRate, err))
		} else {
			r.rateSet = false
		}
	}
}
