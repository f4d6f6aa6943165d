package labview

import (
	"slices"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// ActiveFault is a fault in force.
type ActiveFault struct {
	Kind lab.FaultKind
	Node string
	// Target is as in control.Fault: "lb1", "lb1/proxy", "lb1/enp0s9",
	// "lb1,lb2".
	Target string
	// Text says it in words ("lb1 powered off (processes killed, links down)").
	Text string
}

// Faults lists the faults in force, in the order applied.
func (l *Live) Faults() []ActiveFault { return l.faults }

// SplitTarget reads a fault target: node, the part after "/" (component or
// interface) and the peer after ",".
func SplitTarget(target string) (node, part, peer string) {
	node, peer, _ = strings.Cut(target, ",")
	node, part, _ = strings.Cut(node, "/")
	return node, part, peer
}

// fault applies a KindFault event: the list of faults in force follows the
// providers' rules (a mending fault removes what it mends), and the nodes
// show the effect at once (a crashed node is powered off before its
// components' exits arrive).
func (l *Live) fault(e control.Event) {
	f := e.Fault
	kind := lab.FaultKind(f.Name)
	node, part, _ := SplitTarget(f.Target)
	if node == "" {
		node = e.Node
	}
	text := strings.TrimPrefix(e.Message, "fault: ")
	if text == "" {
		text = f.Name + " " + f.Target
	}
	l.FaultMarks = appendMark(l.FaultMarks, Mark{Time: e.Time, Node: node, Added: f.Active, Text: text})
	drop := func(pred func(ActiveFault) bool) { l.faults = slices.DeleteFunc(l.faults, pred) }
	n := l.byName[node]
	switch kind {
	case lab.FaultRestore:
		drop(func(o ActiveFault) bool {
			return o.Node == node && (o.Kind == lab.FaultCrash || o.Kind == lab.FaultKill || o.Kind == lab.FaultStop || o.Kind == lab.FaultLinkDown)
		})
		if n != nil {
			n.PoweredOff = false
			clear(n.LinkDown)
			for _, c := range n.Components {
				if c.State == Down {
					c.State, c.Since, c.Why = Starting, e.Time, "powered on"
				}
			}
		}
		return
	case lab.FaultStart:
		drop(func(o ActiveFault) bool {
			return o.Target == f.Target && (o.Kind == lab.FaultKill || o.Kind == lab.FaultStop)
		})
		if c := l.component(n, part); c != nil && c.State == Down {
			c.State, c.Since, c.Why = Starting, e.Time, "started"
		}
		return
	case lab.FaultLinkUp:
		drop(func(o ActiveFault) bool { return o.Target == f.Target && o.Kind == lab.FaultLinkDown })
		if n != nil {
			delete(n.LinkDown, part)
		}
		return
	case lab.FaultHeal:
		drop(func(o ActiveFault) bool {
			return o.Kind == lab.FaultPartition || o.Kind == lab.FaultLoss || o.Kind == lab.FaultDelay
		})
		return
	}
	if !f.Active {
		drop(func(o ActiveFault) bool { return o.Kind == kind && o.Target == f.Target })
		return
	}
	// A fault the recorded state already had in force (the event log
	// replays it) is not in force twice.
	if i := slices.IndexFunc(l.faults, func(o ActiveFault) bool { return o.Kind == kind && o.Target == f.Target }); i >= 0 {
		l.faults[i].Text = text
	} else {
		l.faults = append(l.faults, ActiveFault{Kind: kind, Node: node, Target: f.Target, Text: text})
	}
	switch kind {
	case lab.FaultCrash:
		if n != nil {
			l.powerOff(n, e.Time, "powered off")
		}
	case lab.FaultKill, lab.FaultStop:
		if c := l.component(n, part); c != nil {
			c.State, c.Since, c.Why = Down, e.Time, text
			if c.Kind == lab.ComponentVRRP && n.VRRP != nil {
				n.VRRP.Timer = Timer{}
			}
		}
	case lab.FaultLinkDown:
		if n != nil && part != "" {
			n.LinkDown[part] = true
		}
	}
}

func (l *Live) component(n *Node, kind string) *Component {
	if n == nil {
		return nil
	}
	return n.Component(kind)
}

// Partitioned reports whether a partition between a and b is in force.
func (l *Live) Partitioned(a, b string) bool {
	for _, f := range l.faults {
		if f.Kind != lab.FaultPartition {
			continue
		}
		x, _, y := SplitTarget(f.Target)
		if (x == a && y == b) || (x == b && y == a) {
			return true
		}
	}
	return false
}

// FaultsOn lists the faults in force that concern a node.
func (l *Live) FaultsOn(node string) []ActiveFault {
	var out []ActiveFault
	for _, f := range l.faults {
		x, _, y := SplitTarget(f.Target)
		if f.Node == node || x == node || y == node {
			out = append(out, f)
		}
	}
	return out
}
