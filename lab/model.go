// Package lab is halab's lab model and lifecycle: lab files (load, validate),
// the Provider interface and the lab's recorded state, the merged event
// stream of a running lab, and the component processes that run in it.
//
// A lab is a small network of nodes (a client, load balancers, web servers)
// on named networks. Providers make the nodes real: lab/netns as network
// namespaces on this machine, lab/ssh on existing machines.
package lab

import (
	"fmt"
	"net/netip"
)

// Role is what a node does in the lab; it decides which components run on it.
type Role string

// The node roles.
const (
	// RoleClient runs the traffic probe against the VIP.
	RoleClient Role = "client"
	// RoleLB runs the VRRP daemon and the proxy, like the tutorial's lb1/lb2.
	RoleLB Role = "lb"
	// RoleWeb runs the web server, like the tutorial's nginx on web.
	RoleWeb Role = "web"
	// RoleHost runs nothing: a bare machine on the lab's networks, for
	// programs of your own (`halab exec NODE -- …`) or a real peer.
	RoleHost Role = "host"
)

// Roles lists the roles in the order nodes are shown and started.
var Roles = []Role{RoleClient, RoleLB, RoleWeb, RoleHost}

// Component kinds: each is a `halab run KIND` process.
const (
	ComponentVRRP  = "vrrp"
	ComponentProxy = "proxy"
	ComponentWeb   = "web"
	ComponentProbe = "probe"
)

// StartOrder lists the component kinds in the order a lab starts them,
// at up and at restore: servers before their clients (web, then proxy
// and VRRP, then the probe).
var StartOrder = []string{ComponentWeb, ComponentProxy, ComponentVRRP, ComponentProbe}

// Lab is a validated lab: every address parsed, every reference resolved.
type Lab struct {
	// Name names the lab's namespaces (halab-NAME-NODE) and state.
	Name        string
	Title       string
	Description string
	// Source is where the lab file came from ("embedded:seed.yaml" or a path).
	Source string
	// Provider is where the nodes live: ProviderNetns (the default) or
	// ProviderSSH.
	Provider string
	Networks []Network
	VIP      VIP
	// Nodes in role order (client, lb, web), then by name.
	Nodes []Node
}

// Network is one L2 segment (a bridge in the netns provider).
type Network struct {
	Name   string
	Subnet netip.Prefix
}

// VIP is the service address the load balancers share and the client uses.
type VIP struct {
	Address netip.Addr
	Port    int
	Network string
}

// Node is one machine of the lab.
type Node struct {
	Name       string
	Role       Role
	Interfaces []Interface
	// Sysctls are written inside the node, in key order (net.ipv4.ip_nonlocal_bind …).
	Sysctls    []Sysctl
	Components []Component
	// SSH reaches the node's machine in an ssh lab; nil in a netns lab.
	SSH *SSHTarget `json:",omitempty"`
}

// Interface is a node's link to a network.
type Interface struct {
	// Name is the interface name inside the node (enp0s9).
	Name    string
	Network string
	Address netip.Prefix
}

// Sysctl is one kernel setting, by its dotted name.
type Sysctl struct {
	Key, Value string
}

// Component is a process to run on a node.
type Component struct {
	// Kind is vrrp, proxy, web or probe.
	Kind string
	// ConfigName is the configuration's file name on the node (keepalived.conf).
	ConfigName string
	// ConfigSource says where the configuration text came from, for messages.
	ConfigSource string
	// Config is the configuration text written to ConfigName (vrrp, proxy).
	Config []byte
	// Args are the component's flags besides --node, --control and -f.
	Args []string
	// Engine is the real program that does the component's work (see
	// Engines), run behind `halab run ENGINE`; empty for halab's own.
	Engine string `json:",omitempty"`
	// EngineAt is where the lab file names the engine.
	EngineAt *Place `json:",omitempty"`
}

// Node returns the node called name.
func (l *Lab) Node(name string) (*Node, error) {
	for i := range l.Nodes {
		if l.Nodes[i].Name == name {
			return &l.Nodes[i], nil
		}
	}
	names := make([]string, len(l.Nodes))
	for i, n := range l.Nodes {
		names[i] = n.Name
	}
	return nil, fmt.Errorf("lab %s has no node %q; its nodes are %v", l.Name, name, names)
}

// Network returns the network called name, or nil.
func (l *Lab) Network(name string) *Network {
	for i := range l.Networks {
		if l.Networks[i].Name == name {
			return &l.Networks[i]
		}
	}
	return nil
}

// Interface returns the node's interface on network, or nil.
func (n *Node) Interface(network string) *Interface {
	for i := range n.Interfaces {
		if n.Interfaces[i].Network == network {
			return &n.Interfaces[i]
		}
	}
	return nil
}

// Component returns the node's component of kind, or nil.
func (n *Node) Component(kind string) *Component {
	for i := range n.Components {
		if n.Components[i].Kind == kind {
			return &n.Components[i]
		}
	}
	return nil
}

// InterfaceNames lists the node's lab interfaces, in file order.
func (n *Node) InterfaceNames() []string {
	names := make([]string, 0, len(n.Interfaces))
	for _, i := range n.Interfaces {
		names = append(names, i.Name)
	}
	return names
}

// CheckInterface says whether the node has a lab interface called name,
// and which it has when not: faults act on lab interfaces only.
func (n *Node) CheckInterface(name string) error {
	for _, i := range n.Interfaces {
		if i.Name == name {
			return nil
		}
	}
	return fmt.Errorf("%s has no lab interface %q; it has %v", n.Name, name, n.InterfaceNames())
}

// Addresses lists the node's own addresses on its lab interfaces.
func (n *Node) Addresses() []netip.Addr {
	out := make([]netip.Addr, 0, len(n.Interfaces))
	for _, i := range n.Interfaces {
		out = append(out, i.Address.Addr())
	}
	return out
}
