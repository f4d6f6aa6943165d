package lab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/halab/halab/nodes/control"
)

// RemovedAddress is an address a power-off took off an interface (a VIP
// gone with the machine).
type RemovedAddress struct {
	Address   netip.Addr
	Interface string
}

// FaultFunc does one fault to a lab whose state is fresh; a crash returns
// the addresses it took away. It may change st (pids, PoweredOff).
type FaultFunc func(ctx context.Context, st *State, f Fault) ([]RemovedAddress, error)

// ApplyRecorded is every provider's Apply around its own FaultFunc: it
// locks the lab, reads its state afresh (another process may have changed
// it), does the fault, records it in the state and announces it, and any
// VIP it took away, in the lab's event log.
func ApplyRecorded(ctx context.Context, st *State, f Fault, do FaultFunc) error {
	unlock, err := Lock(st.Name)
	if err != nil {
		return err
	}
	defer unlock()
	fresh, err := LoadState(st.Name)
	if err != nil {
		return err
	}
	*st = *fresh
	removed, err := do(ctx, st, f)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Kind, err)
	}
	st.Faults = RecordFault(st.Faults, f)
	if err := st.Save(); err != nil {
		return err
	}
	if err := AppendEvent(st, control.Event{Node: f.Node, Kind: control.KindFault,
		Message: "fault: " + f.String(),
		Fault:   &control.Fault{Name: string(f.Kind), Target: f.Target(), Active: !f.Mends()}}); err != nil {
		return err
	}
	for _, a := range removed {
		if err := AppendEvent(st, control.Event{Node: f.Node, Kind: control.KindVIP,
			Message: fmt.Sprintf("VIP %s gone from %s with the power", a.Address, a.Interface),
			VIP:     &control.VIPChange{Address: a.Address.String(), Interface: a.Interface}}); err != nil {
			return err
		}
	}
	return nil
}

// FaultTarget finds the node a fault acts on, in the lab and in its state,
// and refuses every fault but restore on a powered-off node, as a machine
// without power takes no other fault. It also refuses, for every provider
// alike, what no machine could do: restoring a node with power, an
// interface the node lacks, a loss outside (0, 100], a partition from an
// unknown node or from itself.
func (st *State) FaultTarget(f Fault) (*Node, *NodeState, error) {
	if f.Node == "" {
		return nil, nil, errors.New("which node? name one")
	}
	node, err := st.Lab.Node(f.Node)
	if err != nil {
		return nil, nil, err
	}
	ns, err := st.Node(f.Node)
	if err != nil {
		return nil, nil, err
	}
	if ns.PoweredOff && f.Kind != FaultRestore {
		return nil, nil, fmt.Errorf("%s is powered off; restore it first (halab fault restore %s)", f.Node, f.Node)
	}
	if err := st.checkFault(node, ns, f); err != nil {
		return nil, nil, err
	}
	return node, ns, nil
}

// checkFault is FaultTarget's check of the fault's own fields against
// node.
func (st *State) checkFault(node *Node, ns *NodeState, f Fault) error {
	switch f.Kind {
	case FaultRestore:
		if !ns.PoweredOff {
			return fmt.Errorf("%s is not powered off", f.Node)
		}
	case FaultLinkDown, FaultLinkUp, FaultDelay:
		return node.CheckInterface(f.Interface)
	case FaultLoss:
		if err := node.CheckInterface(f.Interface); err != nil {
			return err
		}
		if f.Percent <= 0 || f.Percent > 100 {
			return fmt.Errorf("loss must be more than 0%% and at most 100%%, not %g%%", f.Percent)
		}
	case FaultPartition:
		peer, err := st.Lab.Node(f.Peer)
		if err != nil {
			return err
		}
		if peer.Name == node.Name {
			return errors.New("a node cannot be partitioned from itself")
		}
	}
	return nil
}
