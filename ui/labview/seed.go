package labview

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/vrrp"
)

// Snapshot is a running lab as the kernel and its components describe it
// at one moment: what the dashboard starts from (and re-reads on demand),
// before the event stream keeps it current. It has the shape of
// `halab status --json`.
type Snapshot struct {
	Time  time.Time      `json:"time"`
	Nodes []NodeSnapshot `json:"nodes"`
}

// NodeSnapshot is one node: its interfaces as the kernel has them (the
// ground truth for who holds the VIP) and its components.
type NodeSnapshot struct {
	Name       string              `json:"name"`
	Interfaces []InterfaceSnapshot `json:"interfaces,omitempty"`
	Components []ComponentSnapshot `json:"components,omitempty"`
}

// InterfaceSnapshot is one interface of a node, as netlink reports it.
type InterfaceSnapshot struct {
	Name string `json:"name"`
	Up   bool   `json:"up"`
	// Addresses are "ADDR/LEN" or "ADDR".
	Addresses []string `json:"addresses"`
}

// ComponentSnapshot is one component: whether its process runs, and what
// its control socket said (GET /status), or why it said nothing.
type ComponentSnapshot struct {
	Kind    string         `json:"kind"`
	Running bool           `json:"running"`
	Error   string         `json:"error,omitempty"`
	Status  control.Status `json:"status"`
}

// proxyStatus is the part of the proxy's status detail the dashboard
// reads (nodes/proxy.Status).
type proxyStatus struct {
	Backends []struct {
		Name    string `json:"name"`
		Servers []struct {
			Name  string `json:"name"`
			Up    bool   `json:"up"`
			State string `json:"state"`
		} `json:"servers"`
	} `json:"backends"`
}

// Seed folds a snapshot into the state. What the snapshot says replaces
// what the events said before it; events after it keep it current.
func (l *Live) Seed(s Snapshot) {
	for _, ns := range s.Nodes {
		n := l.byName[ns.Name]
		if n == nil {
			continue
		}
		if len(ns.Interfaces) > 0 {
			n.VIPOn = ""
			for _, i := range ns.Interfaces {
				if !i.Up && !n.PoweredOff {
					n.LinkDown[i.Name] = true
				} else if i.Up {
					delete(n.LinkDown, i.Name)
				}
				for _, a := range i.Addresses {
					addr, _, _ := strings.Cut(a, "/")
					if addr == l.VIP {
						n.VIPOn = i.Name
					}
				}
			}
		}
		for _, cs := range ns.Components {
			l.seedComponent(n, cs, s.Time)
		}
	}
}

func (l *Live) seedComponent(n *Node, cs ComponentSnapshot, at time.Time) {
	c := n.Component(cs.Kind)
	if c == nil {
		return
	}
	switch {
	case !cs.Running:
		if c.State != Down {
			c.State, c.Since = Down, at
		}
		if c.Why == "" {
			c.Why = "not running"
		}
		return
	case cs.Error != "":
		c.State, c.Why = Unknown, "control socket not answering: "+cs.Error
		return
	case !cs.Status.Ready:
		c.State, c.Why = Starting, "starting"
	default:
		if c.State != Up {
			c.State, c.Since, c.Why = Up, cs.Status.Started, ""
		}
	}
	if len(cs.Status.Detail) == 0 {
		return
	}
	switch cs.Kind {
	case lab.ComponentVRRP:
		var d vrrp.Status
		if json.Unmarshal(cs.Status.Detail, &d) == nil {
			l.seedVRRP(n, d, at)
		}
	case lab.ComponentProbe:
		var d probe.Status
		if json.Unmarshal(cs.Status.Detail, &d) == nil {
			l.seedProbe(d)
		}
	case lab.ComponentProxy:
		var d proxyStatus
		if json.Unmarshal(cs.Status.Detail, &d) == nil {
			for _, b := range d.Backends {
				for _, s := range b.Servers {
					n.setServer(b.Name, s.Name, s.Up, s.State, at)
				}
			}
		}
	}
}

// seedVRRP reads the instance that carries the lab's VIP (or the first).
func (l *Live) seedVRRP(n *Node, d vrrp.Status, at time.Time) {
	if n.VRRP == nil || len(d.Instances) == 0 {
		return
	}
	is := d.Instances[0]
	for _, cand := range d.Instances {
		for _, v := range cand.VIPs {
			if v.Address == l.VIP {
				is = cand
			}
		}
	}
	v := n.VRRP
	v.Instance, v.State, v.Priority, v.BasePriority, v.Master = is.Name, is.State, is.Priority, is.BasePriority, is.Master
	if t := is.LastTransition; t != nil {
		v.From, v.Reason, v.Since = t.From, t.Reason, t.At
	}
	c := is.Counters
	v.Received, v.Sent, v.BecameMaster, v.CountersAt = c.Received, c.Sent, c.BecameMaster, at
	v.Dropped = 0
	for _, k := range c.Dropped {
		v.Dropped += k
	}
	// A backup's master-down deadline moves with every advert it hears; it
	// only says when the backup takes over while no master is heard.
	if is.State == "BACKUP" && is.Master == "" && !is.MasterDown.IsZero() {
		v.Timer = Timer{Running: true, Deadline: is.MasterDown, Set: at,
			Interval: masterDown(is.Version, is.Priority, is.AdvertInterval)}
	} else {
		v.Timer = Timer{}
	}
	for _, vs := range is.VIPs {
		if vs.Address == l.VIP && vs.Held && n.VIPOn == "" {
			n.VIPOn = vs.Interface
		}
	}
}

// masterDown is RFC 3768/5798's Master_Down_Interval: 3 × advert + skew.
func masterDown(version, priority int, advert time.Duration) time.Duration {
	if advert <= 0 {
		advert = time.Second
	}
	skew := time.Duration(256-priority) * advert / 256
	if version == 2 {
		skew = time.Duration(256-priority) * time.Second / 256
	}
	return 3*advert + skew
}

func (l *Live) seedProbe(d probe.Status) {
	t := l.Traffic
	t.Open, t.Last, t.Longest = d.Current, d.Last, d.Longest
	if len(d.Outages) > 0 {
		t.Outages = append(t.Outages[:0], d.Outages...)
	}
	if d.LB != "" {
		t.LastLB = d.LB
	}
}
