package lab

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// FaultKind names a way to break (or mend) a lab.
type FaultKind string

// The faults a lab takes, from the dashboard, `halab fault` and drills.
const (
	// FaultCrash powers a node off: every process in it is killed and its
	// links go down, as pulling a VM's plug.
	FaultCrash FaultKind = "crash"
	// FaultRestore powers a crashed node on again: links up, components
	// started as `up` started them.
	FaultRestore FaultKind = "restore"
	// FaultKill kills one component with SIGKILL (killall -9 haproxy).
	FaultKill FaultKind = "kill"
	// FaultStop stops one component gracefully with SIGTERM
	// (systemctl stop keepalived).
	FaultStop FaultKind = "stop"
	// FaultStart starts a killed or stopped component again.
	FaultStart FaultKind = "start"
	// FaultLinkDown sets one interface of a node down (a cable pulled).
	FaultLinkDown FaultKind = "link-down"
	// FaultLinkUp sets it up again.
	FaultLinkUp FaultKind = "link-up"
	// FaultPartition drops VRRP and all other traffic between two nodes
	// (nftables in both), the split-brain maker.
	FaultPartition FaultKind = "partition"
	// FaultLoss drops a share of the packets arriving on a node's interface.
	FaultLoss FaultKind = "loss"
	// FaultDelay delays packets on an interface; it needs netem, which
	// not every kernel has.
	FaultDelay FaultKind = "delay"
	// FaultHeal removes every partition, loss and delay fault.
	FaultHeal FaultKind = "heal"
)

// Fault is one fault to apply. Which fields matter depends on Kind.
type Fault struct {
	Kind      FaultKind `json:"kind"`
	Node      string    `json:"node,omitempty"`
	Component string    `json:"component,omitempty"`
	Interface string    `json:"interface,omitempty"`
	// Peer is the other node of a partition.
	Peer string `json:"peer,omitempty"`
	// Percent is the share of packets a loss fault drops, 0 to 100.
	Percent float64 `json:"percent,omitempty"`
	// DelayMS is the added delay of a delay fault, in milliseconds.
	DelayMS int `json:"delay_ms,omitempty"`
}

// String says the fault in words, for events and reports.
func (f Fault) String() string {
	switch f.Kind {
	case FaultCrash:
		return fmt.Sprintf("%s powered off (processes killed, links down)", f.Node)
	case FaultRestore:
		return fmt.Sprintf("%s powered on (links up, components started)", f.Node)
	case FaultKill:
		return fmt.Sprintf("%s on %s killed (SIGKILL)", f.Component, f.Node)
	case FaultStop:
		return fmt.Sprintf("%s on %s stopped (SIGTERM)", f.Component, f.Node)
	case FaultStart:
		return fmt.Sprintf("%s on %s started", f.Component, f.Node)
	case FaultLinkDown:
		return fmt.Sprintf("%s %s link down", f.Node, f.Interface)
	case FaultLinkUp:
		return fmt.Sprintf("%s %s link up", f.Node, f.Interface)
	case FaultPartition:
		return fmt.Sprintf("%s and %s partitioned (all traffic between them dropped)", f.Node, f.Peer)
	case FaultLoss:
		return fmt.Sprintf("%s %s drops %g%% of packets", f.Node, f.Interface, f.Percent)
	case FaultDelay:
		return fmt.Sprintf("%s %s delays packets by %d ms", f.Node, f.Interface, f.DelayMS)
	case FaultHeal:
		return "partitions, loss and delay removed"
	}
	return string(f.Kind)
}

// Target names what the fault hits, as fault events carry it: NODE,
// NODE/COMPONENT, NODE/INTERFACE or NODE,PEER.
func (f Fault) Target() string {
	switch {
	case f.Peer != "":
		return f.Node + "," + f.Peer
	case f.Component != "":
		return f.Node + "/" + f.Component
	case f.Interface != "":
		return f.Node + "/" + f.Interface
	}
	return f.Node
}

// Faulter applies faults to a running lab. Providers implement it.
type Faulter interface {
	Apply(ctx context.Context, st *State, f Fault) error
}

// ParseFault reads a fault from `halab fault` words: crash lb1, restore lb1,
// kill lb1 proxy, stop lb1 vrrp, start lb1 proxy, link lb1 enp0s9 down,
// partition lb1 lb2, loss lb1 enp0s9 30, delay lb1 enp0s9 100, heal.
func ParseFault(words []string) (Fault, error) {
	usage := "faults: crash NODE | restore NODE | kill NODE COMPONENT | stop NODE COMPONENT | start NODE COMPONENT | link NODE IFACE down|up | partition NODE NODE | loss NODE IFACE PERCENT | delay NODE IFACE MS | heal"
	if len(words) == 0 {
		return Fault{}, fmt.Errorf("no fault given; %s", usage)
	}
	want := func(n int) error {
		if len(words) != n {
			return fmt.Errorf("%q takes %d words, got %d (%s); %s", words[0], n-1, len(words)-1, strings.Join(words[1:], " "), usage)
		}
		return nil
	}
	var f Fault
	var err error
	switch words[0] {
	case "crash", "restore":
		if err = want(2); err == nil {
			f = Fault{Kind: FaultKind(words[0]), Node: words[1]}
		}
	case "kill", "stop", "start":
		if err = want(3); err == nil {
			f = Fault{Kind: FaultKind(words[0]), Node: words[1], Component: words[2]}
		}
	case "link":
		if err = want(4); err == nil {
			switch words[3] {
			case "down":
				f = Fault{Kind: FaultLinkDown, Node: words[1], Interface: words[2]}
			case "up":
				f = Fault{Kind: FaultLinkUp, Node: words[1], Interface: words[2]}
			default:
				err = fmt.Errorf("link %s %s: say down or up, not %q", words[1], words[2], words[3])
			}
		}
	case "partition":
		if err = want(3); err == nil {
			f = Fault{Kind: FaultPartition, Node: words[1], Peer: words[2]}
		}
	case "loss":
		if err = want(4); err == nil {
			f = Fault{Kind: FaultLoss, Node: words[1], Interface: words[2]}
			if _, serr := fmt.Sscanf(words[3], "%g", &f.Percent); serr != nil || f.Percent < 0 || f.Percent > 100 {
				err = fmt.Errorf("loss: %q is not a percentage from 0 to 100", words[3])
			}
		}
	case "delay":
		if err = want(4); err == nil {
			f = Fault{Kind: FaultDelay, Node: words[1], Interface: words[2]}
			if _, serr := fmt.Sscanf(words[3], "%d", &f.DelayMS); serr != nil || f.DelayMS <= 0 {
				err = fmt.Errorf("delay: %q is not a number of milliseconds", words[3])
			}
		}
	case "heal":
		if err = want(1); err == nil {
			f = Fault{Kind: FaultHeal}
		}
	default:
		err = fmt.Errorf("unknown fault %q; %s", words[0], usage)
	}
	return f, err
}

// Mends reports whether the fault repairs rather than breaks: restore,
// start, link up, heal.
func (f Fault) Mends() bool {
	switch f.Kind {
	case FaultRestore, FaultStart, FaultLinkUp, FaultHeal:
		return true
	}
	return false
}

// Inverse is the fault that mends f: crash → restore, kill and stop →
// start, link down → link up, partition, loss and delay → heal. It
// returns false for a fault that mends already.
func (f Fault) Inverse() (Fault, bool) {
	switch f.Kind {
	case FaultCrash:
		return Fault{Kind: FaultRestore, Node: f.Node}, true
	case FaultKill, FaultStop:
		return Fault{Kind: FaultStart, Node: f.Node, Component: f.Component}, true
	case FaultLinkDown:
		return Fault{Kind: FaultLinkUp, Node: f.Node, Interface: f.Interface}, true
	case FaultPartition, FaultLoss, FaultDelay:
		return Fault{Kind: FaultHeal}, true
	}
	return Fault{}, false
}

// RecordFault returns the faults in force after f was applied to a lab
// with faults in force: a breaking fault is added, a mending one removes
// what it mends. faults is not modified.
func RecordFault(faults []Fault, f Fault) []Fault {
	drop := func(pred func(Fault) bool) []Fault {
		return slices.DeleteFunc(slices.Clone(faults), pred)
	}
	switch f.Kind {
	case FaultRestore:
		return drop(func(o Fault) bool {
			return o.Node == f.Node && (o.Kind == FaultCrash || o.Kind == FaultKill || o.Kind == FaultStop || o.Kind == FaultLinkDown)
		})
	case FaultStart:
		return drop(func(o Fault) bool {
			return o.Node == f.Node && o.Component == f.Component && (o.Kind == FaultKill || o.Kind == FaultStop)
		})
	case FaultLinkUp:
		return drop(func(o Fault) bool {
			return o.Node == f.Node && o.Interface == f.Interface && o.Kind == FaultLinkDown
		})
	case FaultHeal:
		return drop(func(o Fault) bool {
			return o.Kind == FaultPartition || o.Kind == FaultLoss || o.Kind == FaultDelay
		})
	}
	return append(slices.Clone(faults), f)
}
