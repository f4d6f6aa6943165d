// Package labview is the dashboard's model of a running lab's live state,
// without a terminal: it is fed the lab's recorded state, one snapshot of
// what each component says of itself (Seed) and then the lab's merged event
// stream (Apply), and derives what the dashboard shows — which node holds
// the VIP and whether two do (split brain), each load balancer's VRRP state,
// priority and master-down timer, each component's health, the client's
// traffic in 100 ms buckets, outages, faults in force and the event log.
//
// A Live is not safe for concurrent use: the dashboard's Update owns it.
package labview

import (
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// Bounds of the kept history.
const (
	// LogSize is how many events the log keeps (every kind but probe buckets).
	LogSize = 2000
	// BucketCap is how many probe buckets the timeline keeps: 2 minutes at
	// 100 ms.
	BucketCap = 1200
	// MarkCap bounds the VIP and fault marks kept for the timeline export.
	MarkCap = 500
)

// ComponentState is what is known of a component process.
type ComponentState int

// The component states.
const (
	// Unknown: nothing heard yet.
	Unknown ComponentState = iota
	// Starting: running, not ready yet.
	Starting
	// Up: running and serving.
	Up
	// Down: not running (exited, killed, node powered off).
	Down
)

// String is the state in one word.
func (s ComponentState) String() string {
	return [...]string{"unknown", "starting", "up", "down"}[s]
}

// Component is one component process of a node.
type Component struct {
	Kind string
	// Engine is the real program that runs it (keepalived, haproxy,
	// nginx); empty for halab's own.
	Engine string
	State  ComponentState
	// Since is when State last changed; Why says why, when known.
	Since time.Time
	Why   string
}

// Label names the component as the topology shows it: the real program
// when one runs it ("keepalived"), else its kind ("vrrp").
func (c *Component) Label() string {
	if c.Engine != "" {
		return c.Engine
	}
	return c.Kind
}

// Timer is a backup's master-down timer while it counts.
type Timer struct {
	Running  bool
	Deadline time.Time
	// Interval is the timer's full length (for a progress bar); 0 if unknown.
	Interval time.Duration
	// Set is when the timer event arrived.
	Set time.Time
}

// Remaining is the time left at now (0 once expired).
func (t Timer) Remaining(now time.Time) time.Duration {
	return max(t.Deadline.Sub(now), 0)
}

// timerGrace is how long past its deadline a timer is still shown: a backup
// whose timer expired without becoming master was reset by an advert the
// daemon did not announce.
const timerGrace = 500 * time.Millisecond

// Visible reports whether the timer should be shown at now.
func (t Timer) Visible(now time.Time) bool {
	return t.Running && now.Before(t.Deadline.Add(timerGrace))
}

// VRRP is a load balancer's VRRP instance as last reported.
type VRRP struct {
	Instance string
	// State is MASTER, BACKUP, FAULT, INIT, or "" before anything is known.
	State                  string
	Priority, BasePriority int
	// Since is when State was entered; From and Reason say from where and why.
	Since        time.Time
	From, Reason string
	Timer        Timer
	// Master is the master this router hears (from the status snapshot).
	Master string
	// Adverts counted by the daemon, as of CountersAt (status snapshots only:
	// the event stream does not carry them).
	Received, Sent, Dropped, BecameMaster uint64
	CountersAt                            time.Time
}

// Server is a proxy's view of one backend server, after its health checks.
type Server struct {
	Backend, Name string
	Up            bool
	Reason        string
	Since         time.Time
}

// Node is one node of the lab as the dashboard shows it.
type Node struct {
	Name string
	Role lab.Role
	Spec *lab.Node
	// LB is the node's index among the load balancers (-1 for others).
	LB         int
	PoweredOff bool
	Components []*Component
	// LinkDown holds the interfaces that are down.
	LinkDown map[string]bool
	// VIPOn is the interface on which this node holds the VIP, or "".
	VIPOn string
	// VRRP is set on nodes that run the vrrp component.
	VRRP *VRRP
	// Servers is the proxy's view of its backend servers, sorted by name.
	Servers []*Server
}

// Component returns the node's component of kind, or nil.
func (n *Node) Component(kind string) *Component {
	for _, c := range n.Components {
		if c.Kind == kind {
			return c
		}
	}
	return nil
}

// kindOrder is the order components are listed in.
var kindOrder = []string{lab.ComponentVRRP, lab.ComponentProxy, lab.ComponentWeb, lab.ComponentProbe}

// Ordered lists the node's components vrrp, proxy, web, probe, then any
// others.
func (n *Node) Ordered() []*Component {
	out := make([]*Component, 0, len(n.Components))
	for _, k := range kindOrder {
		if c := n.Component(k); c != nil {
			out = append(out, c)
		}
	}
	for _, c := range n.Components {
		if !slices.Contains(kindOrder, c.Kind) {
			out = append(out, c)
		}
	}
	return out
}

// HoldsVIP reports whether the node holds the VIP on an interface that is
// up, on a node that is powered on: the holders that answer ARP for it.
func (n *Node) HoldsVIP() bool {
	return n.VIPOn != "" && !n.PoweredOff && !n.LinkDown[n.VIPOn]
}

// ServersUp counts the proxy's servers up, and the servers known.
func (n *Node) ServersUp() (up, known int) {
	for _, s := range n.Servers {
		if s.Up {
			up++
		}
	}
	return up, len(n.Servers)
}

// Mark is a moment worth marking on the timeline: the VIP added to or
// removed from a node, a fault applied or mended.
type Mark struct {
	Time time.Time `json:"time"`
	Node string    `json:"node,omitempty"`
	// Added is true for a VIP added (or a fault applied).
	Added bool   `json:"added"`
	Text  string `json:"text"`
}

// Live is the lab's live state.
type Live struct {
	Lab      *lab.Lab
	Name     string
	Provider string
	Created  time.Time
	// VIP is the lab's virtual address.
	VIP     string
	nodes   []*Node
	byName  map[string]*Node
	lbs     []*Node
	Traffic *Traffic
	Log     *Log
	faults  []ActiveFault
	// VIPMarks and FaultMarks are kept for the timeline export, oldest first.
	VIPMarks, FaultMarks []Mark
	// Events counts every event applied.
	Events int
	// LastEvent is the time of the latest event applied.
	LastEvent time.Time
}

// New starts a Live from a lab's recorded state (topology, powered-off
// nodes, faults in force).
func New(st *lab.State) *Live {
	l := &Live{
		Lab: st.Lab, Name: st.Name, Provider: st.Provider, Created: st.Created,
		byName: map[string]*Node{}, Traffic: NewTraffic(BucketCap), Log: NewLog(LogSize),
	}
	if st.Lab != nil {
		l.VIP = st.Lab.VIP.Address.String()
		for i := range st.Lab.Nodes {
			spec := &st.Lab.Nodes[i]
			n := &Node{Name: spec.Name, Role: spec.Role, Spec: spec, LB: -1, LinkDown: map[string]bool{}}
			for _, c := range spec.Components {
				n.Components = append(n.Components, &Component{Kind: c.Kind, Engine: c.Engine})
				if c.Kind == lab.ComponentVRRP {
					n.VRRP = &VRRP{}
				}
			}
			if spec.Role == lab.RoleLB {
				n.LB = len(l.lbs)
				l.lbs = append(l.lbs, n)
			}
			l.nodes = append(l.nodes, n)
			l.byName[n.Name] = n
		}
	}
	for _, ns := range st.Nodes {
		if n := l.byName[ns.Name]; n != nil && ns.PoweredOff {
			l.powerOff(n, st.Created, "powered off")
		}
	}
	for _, f := range st.Faults {
		l.faults = append(l.faults, ActiveFault{Kind: f.Kind, Node: f.Node, Target: f.Target(), Text: f.String()})
	}
	return l
}

// Nodes lists the nodes in lab order (client, load balancers, web servers).
func (l *Live) Nodes() []*Node { return l.nodes }

// Node returns the node called name, or nil.
func (l *Live) Node(name string) *Node { return l.byName[name] }

// LBs lists the load balancers in lab order.
func (l *Live) LBs() []*Node { return l.lbs }

// LBIndex maps a load balancer's name to its index, -1 if unknown.
func (l *Live) LBIndex(name string) int {
	if n := l.byName[name]; n != nil {
		return n.LB
	}
	return -1
}

// VIPHolders lists the nodes that hold the VIP on an interface that is up.
func (l *Live) VIPHolders() []string {
	var out []string
	for _, n := range l.nodes {
		if n.HoldsVIP() {
			out = append(out, n.Name)
		}
	}
	return out
}

// SplitBrain reports whether more than one node holds the VIP.
func (l *Live) SplitBrain() bool { return len(l.VIPHolders()) > 1 }

// Apply folds one event into the state.
func (l *Live) Apply(e control.Event) {
	l.Events++
	if e.Time.After(l.LastEvent) {
		l.LastEvent = e.Time
	}
	if e.Kind != control.KindProbe {
		l.Log.Add(e)
	}
	n := l.byName[e.Node]
	var c *Component
	if n != nil {
		c = n.Component(e.Component)
	}
	if c != nil && e.Kind != control.KindExit && c.State != Up {
		c.State, c.Since, c.Why = Up, e.Time, ""
	}
	switch e.Kind {
	case control.KindReady:
		if c != nil {
			c.Why = e.Message
		}
	case control.KindExit:
		if c != nil {
			if c.State != Down || !n.PoweredOff {
				c.State, c.Since, c.Why = Down, e.Time, e.Message
			}
			if c.Kind == lab.ComponentVRRP && n.VRRP != nil {
				n.VRRP.Timer = Timer{}
			}
		}
	case control.KindVRRPState:
		if n != nil && n.VRRP != nil && e.VRRP != nil {
			l.vrrpState(n, e)
		}
	case control.KindVRRPPriority:
		if n != nil && n.VRRP != nil && e.VRRP != nil {
			n.VRRP.Priority = e.VRRP.Priority
		}
	case control.KindVRRPTimer:
		if n != nil && n.VRRP != nil && e.Timer != nil {
			t := e.Timer
			if t.Running {
				n.VRRP.Timer = Timer{Running: true, Deadline: t.Deadline, Interval: t.Interval, Set: e.Time}
			} else {
				n.VRRP.Timer = Timer{}
			}
		}
	case control.KindVIP:
		if n != nil && e.VIP != nil {
			l.vipChange(n, e)
		}
	case control.KindBackend:
		if n != nil && e.Backend != nil {
			n.setServer(e.Backend.Backend, e.Backend.Server, e.Backend.Up, e.Backend.Reason, e.Time)
		}
	case control.KindProbe:
		if e.Probe != nil {
			l.Traffic.Add(*e.Probe)
		}
	case control.KindOutage:
		if e.Outage != nil {
			l.Traffic.Outage(*e.Outage)
		}
	case control.KindFault:
		if e.Fault != nil {
			l.fault(e)
		}
	}
}

func (l *Live) vrrpState(n *Node, e control.Event) {
	v := n.VRRP
	v.Instance, v.State, v.From, v.Reason, v.Since = e.VRRP.Instance, e.VRRP.To, e.VRRP.From, e.VRRP.Reason, e.Time
	if e.VRRP.Priority > 0 || e.VRRP.To == "MASTER" {
		v.Priority = e.VRRP.Priority
	}
	// A new state restarts the story; a backup's timer event follows its
	// transition when it waits.
	v.Timer = Timer{}
	if e.VRRP.To == "MASTER" {
		v.Master = ""
		// Backups that started counting before this master took over hear
		// its adverts now: their timers were reset, which the daemons do not
		// announce. A backup that starts counting later (a partition) keeps
		// its timer.
		for _, o := range l.lbs {
			if o != n && o.VRRP != nil && o.VRRP.Timer.Running && !o.VRRP.Timer.Set.After(e.Time) {
				o.VRRP.Timer = Timer{}
			}
		}
	}
}

func (l *Live) vipChange(n *Node, e control.Event) {
	if e.VIP.Address != l.VIP {
		return
	}
	before := n.VIPOn
	if e.VIP.Added {
		n.VIPOn = e.VIP.Interface
	} else if n.VIPOn == e.VIP.Interface || n.VIPOn == "" {
		n.VIPOn = ""
	}
	if (before == "") == (n.VIPOn == "") {
		return
	}
	text := "VIP on " + n.Name
	if n.VIPOn == "" {
		text = "VIP off " + n.Name
	}
	l.VIPMarks = appendMark(l.VIPMarks, Mark{Time: e.Time, Node: n.Name, Added: n.VIPOn != "", Text: text})
}

func (n *Node) setServer(backend, name string, up bool, reason string, at time.Time) {
	for _, s := range n.Servers {
		if s.Backend == backend && s.Name == name {
			if s.Up != up {
				s.Since = at
			}
			s.Up, s.Reason = up, reason
			return
		}
	}
	n.Servers = append(n.Servers, &Server{Backend: backend, Name: name, Up: up, Reason: reason, Since: at})
	slices.SortFunc(n.Servers, func(a, b *Server) int {
		return strings.Compare(a.Backend+"/"+a.Name, b.Backend+"/"+b.Name)
	})
}

func (l *Live) powerOff(n *Node, at time.Time, why string) {
	n.PoweredOff = true
	for _, c := range n.Components {
		c.State, c.Since, c.Why = Down, at, why
	}
	if n.Spec != nil {
		for _, i := range n.Spec.Interfaces {
			n.LinkDown[i.Name] = true
		}
	}
	if n.VRRP != nil {
		n.VRRP.Timer = Timer{}
	}
}

func appendMark(marks []Mark, m Mark) []Mark {
	if len(marks) >= MarkCap {
		marks = append(marks[:0], marks[len(marks)-MarkCap+1:]...)
	}
	return append(marks, m)
}
