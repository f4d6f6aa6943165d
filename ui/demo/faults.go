package demo

import (
	"encoding/json"
	"slices"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/ui/labview"
)

// fault applies a fault to the simulation, records it as the netns
// provider does and announces it.
func (s *sim) fault(f lab.Fault) error {
	var n *node
	if f.Kind != lab.FaultHeal {
		if n = s.nodes[f.Node]; n == nil {
			return errorf("%s: lab %s has no node %q", f.Kind, s.l.Name, f.Node)
		}
		if !n.powered && f.Kind != lab.FaultRestore {
			return errorf("%s: %s is powered off; restore it first", f.Kind, f.Node)
		}
	}
	if f.Interface != "" && ifNetwork(n, f.Interface) == "" {
		return errorf("%s: %s has no interface %q", f.Kind, f.Node, f.Interface)
	}
	switch f.Kind {
	case lab.FaultCrash:
		s.announce(f)
		for _, c := range n.spec.Components {
			if n.running[c.Kind] {
				s.kill(n, c.Kind, false)
			}
		}
		n.powered = false
		for k := range n.linkUp {
			n.linkUp[k] = false
		}
		return nil
	case lab.FaultRestore:
		if n.powered {
			return errorf("restore: %s is not powered off", f.Node)
		}
		n.powered = true
		for k := range n.linkUp {
			n.linkUp[k] = true
		}
		s.announce(f)
		for _, c := range n.spec.Components {
			s.start(n, c.Kind)
		}
		return nil
	case lab.FaultKill, lab.FaultStop, lab.FaultStart:
		if n.spec.Component(f.Component) == nil {
			return errorf("%s: %s runs no %q", f.Kind, f.Node, f.Component)
		}
		running := n.running[f.Component]
		if running == (f.Kind == lab.FaultStart) {
			return errorf("%s: %s on %s is %s", f.Kind, f.Component, f.Node, map[bool]string{true: "running already", false: "not running"}[running])
		}
		s.announce(f)
		if f.Kind == lab.FaultStart {
			s.start(n, f.Component)
		} else {
			s.kill(n, f.Component, f.Kind == lab.FaultStop)
		}
		return nil
	case lab.FaultLinkDown, lab.FaultLinkUp:
		n.linkUp[f.Interface] = f.Kind == lab.FaultLinkUp
	case lab.FaultPartition:
		if s.nodes[f.Peer] == nil || f.Peer == f.Node {
			return errorf("partition: %q is not another node of lab %s", f.Peer, s.l.Name)
		}
		s.partitions[[2]string{f.Node, f.Peer}] = true
	case lab.FaultLoss:
		s.loss[f.Node+"/"+f.Interface] = f.Percent
	case lab.FaultDelay:
		return errorf("delay: netem is not available on this kernel (the lab machine has none either)")
	case lab.FaultHeal:
		clear(s.partitions)
		clear(s.loss)
	default:
		return errorf("unknown fault %q", f.Kind)
	}
	s.announce(f)
	return nil
}

func ifNetwork(n *node, iface string) string {
	for _, i := range n.spec.Interfaces {
		if i.Name == iface {
			return i.Network
		}
	}
	return ""
}

// kill ends a component: a SIGKILLed VRRP daemon leaves its VIP behind, a
// stopped one sends priority 0 and releases it.
func (s *sim) kill(n *node, kind string, graceful bool) {
	name := n.spec.Name
	if r := s.router(name); r != nil {
		switch kind {
		case lab.ComponentVRRP:
			if graceful && r.state == "MASTER" {
				s.sendZero(r)
				s.setVIP(r, false, "VIP %s removed from %s")
			}
			if graceful {
				s.transition(r, "INIT", "shutdown")
			}
			r.state, r.timerShown = "", false
		case lab.ComponentProxy:
			r.proxyChange = s.now
		}
	}
	n.running[kind] = false
	e := s.emit(name, kind, control.KindExit, "error", kind+" on "+name+" is not running")
	e.Exit = &control.Exit{Status: "stream ended"}
	s.publish(e)
}

// announce records a fault in force and publishes it as the lab does.
func (s *sim) announce(f lab.Fault) {
	mends := f.Kind == lab.FaultRestore || f.Kind == lab.FaultStart || f.Kind == lab.FaultLinkUp || f.Kind == lab.FaultHeal
	drop := func(pred func(lab.Fault) bool) { s.faults = slices.DeleteFunc(s.faults, pred) }
	switch f.Kind {
	case lab.FaultRestore:
		drop(func(o lab.Fault) bool {
			return o.Node == f.Node && o.Kind != lab.FaultPartition && o.Kind != lab.FaultLoss
		})
	case lab.FaultStart:
		drop(func(o lab.Fault) bool { return o.Node == f.Node && o.Component == f.Component })
	case lab.FaultLinkUp:
		drop(func(o lab.Fault) bool {
			return o.Node == f.Node && o.Interface == f.Interface && o.Kind == lab.FaultLinkDown
		})
	case lab.FaultHeal:
		drop(func(o lab.Fault) bool {
			return o.Kind == lab.FaultPartition || o.Kind == lab.FaultLoss || o.Kind == lab.FaultDelay
		})
	default:
		s.faults = append(s.faults, f)
	}
	target := f.Node
	switch {
	case f.Peer != "":
		target += "," + f.Peer
	case f.Component != "":
		target += "/" + f.Component
	case f.Interface != "":
		target += "/" + f.Interface
	}
	e := s.emit(f.Node, "lab", control.KindFault, "info", "fault: "+f.String())
	e.Fault = &control.Fault{Name: string(f.Kind), Target: target, Active: !mends}
	s.publish(e)
}

// snapshot is the simulated `halab status`.
func (s *sim) snapshot() labview.Snapshot {
	snap := labview.Snapshot{Time: s.now}
	for _, n := range s.sortedNodes() {
		ns := labview.NodeSnapshot{Name: n.spec.Name}
		r := s.router(n.spec.Name)
		for _, i := range n.spec.Interfaces {
			is := labview.InterfaceSnapshot{Name: i.Name, Up: n.powered && n.linkUp[i.Name], Addresses: []string{i.Address.String()}}
			if r != nil && r.vip && i.Name == r.pubIf {
				is.Addresses = append(is.Addresses, s.l.VIP.Address.String()+"/32")
			}
			ns.Interfaces = append(ns.Interfaces, is)
		}
		for _, c := range n.spec.Components {
			run := n.powered && n.running[c.Kind]
			cs := labview.ComponentSnapshot{Kind: c.Kind, Running: run,
				Status: control.Status{Node: n.spec.Name, Component: c.Kind, Ready: run, Started: n.started[c.Kind]}}
			switch {
			case run && c.Kind == lab.ComponentVRRP && r != nil:
				cs.Status.Detail, _ = json.Marshal(s.vrrpStatus(r))
			case run && c.Kind == lab.ComponentProxy && r != nil:
				cs.Status.Detail = proxyStatus(r.serverUp)
			}
			ns.Components = append(ns.Components, cs)
		}
		snap.Nodes = append(snap.Nodes, ns)
	}
	return snap
}

func (s *sim) vrrpStatus(r *router) vrrp.Status {
	is := vrrp.InstanceStatus{Name: "LB_VIP", State: r.state, Priority: r.prio, BasePriority: r.base, VRID: 51, Version: 2,
		Interface: r.pubIf, Auth: "AH", AdvertInterval: advert,
		VIPs:     []vrrp.VIPStatus{{Address: s.l.VIP.Address.String(), Interface: r.pubIf, Held: r.vip}},
		Counters: vrrp.Counters{Sent: r.sent, Received: r.received, BecameMaster: r.became, Dropped: map[string]uint64{}},
	}
	if r.from != "" {
		is.LastTransition = &vrrp.TransitionAt{From: r.from, To: r.state, Reason: r.reason, At: r.since}
	}
	for _, o := range s.routers {
		if o != r && o.state == "MASTER" && s.hears(r, o) {
			is.Master = o.n.spec.Interface(ifNetwork(o.n, o.privIf)).Address.Addr().String()
		}
	}
	return vrrp.Status{Summary: "LB_VIP " + r.state, Instances: []vrrp.InstanceStatus{is}}
}

// proxyStatus is the proxy's status detail, as nodes/proxy reports it.
func proxyStatus(up bool) json.RawMessage {
	state := map[bool]string{true: "UP", false: "DOWN"}[up]
	d, _ := json.Marshal(map[string]any{"backends": []any{map[string]any{
		"name": "webserverapp", "servers": []any{map[string]any{"name": "webserver1", "up": up, "state": state}},
	}}})
	return d
}
