package netns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/check"
)

// stopGrace is how long a stopped component gets to exit after SIGTERM.
const stopGrace = 10 * time.Second

// Apply applies a fault to a running lab, records it in the lab's state and
// announces it in the lab's event log (lab.ApplyRecorded).
func (p *Provider) Apply(ctx context.Context, st *lab.State, f lab.Fault) error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	return lab.ApplyRecorded(ctx, st, f, p.apply)
}

// apply does the fault; a crash returns the addresses it took away.
func (p *Provider) apply(ctx context.Context, st *lab.State, f lab.Fault) ([]lab.RemovedAddress, error) {
	if f.Kind == lab.FaultHeal {
		return nil, healAll(st)
	}
	node, ns, err := st.FaultTarget(f)
	if err != nil {
		return nil, err
	}
	h, err := netns.GetFromPath(NamespacePath(ns.Namespace))
	if err != nil {
		return nil, fmt.Errorf("%s: namespace %s is missing: %w", f.Node, ns.Namespace, err)
	}
	defer h.Close()
	if f.Kind == lab.FaultCrash {
		return crash(h, node, ns)
	}
	return nil, applyToNode(ctx, h, st, node, ns, f)
}

// applyToNode does every fault but heal and crash to one node.
func applyToNode(ctx context.Context, h netns.NsHandle, st *lab.State, node *lab.Node, ns *lab.NodeState, f lab.Fault) error {
	switch f.Kind {
	case lab.FaultRestore:
		return restore(ctx, h, st, node, ns)
	case lab.FaultKill, lab.FaultStop:
		c, err := ns.Component(f.Component)
		if err != nil {
			return err
		}
		if !check.ProcessAlive(c.PID) {
			return fmt.Errorf("%s on %s is not running", f.Component, f.Node)
		}
		if f.Kind == lab.FaultKill {
			killTree(c.PID)
			return nil
		}
		// A graceful stop asks the component, which stops what it runs
		// (a real program behind an adapter) its own way; what is left
		// below it after the grace time is killed with it.
		below := map[int]nsID{}
		for _, p := range descendants(c.PID) {
			below[p], _ = namespaceID(fmt.Sprintf("/proc/%d/ns/net", p))
		}
		_ = syscall.Kill(c.PID, syscall.SIGTERM)
		if !waitExit(c.PID, stopGrace) {
			killTree(c.PID)
		}
		for p, ns := range below {
			// Still the same process: alive, in the node's namespace.
			if now, ok := namespaceID(fmt.Sprintf("/proc/%d/ns/net", p)); ok && now == ns && check.ProcessAlive(p) {
				_ = syscall.Kill(p, syscall.SIGKILL)
				waitExit(p, 2*time.Second)
			}
		}
		return nil
	case lab.FaultStart:
		c, err := ns.Component(f.Component)
		if err != nil {
			return err
		}
		if check.ProcessAlive(c.PID) {
			return fmt.Errorf("%s on %s is already running (pid %d)", f.Component, f.Node, c.PID)
		}
		return startAgain(ctx, h, st, node, ns, f.Component)
	case lab.FaultLinkDown, lab.FaultLinkUp:
		return setLinks(h, []string{f.Interface}, f.Kind == lab.FaultLinkUp)
	case lab.FaultPartition:
		peer, _ := st.Lab.Node(f.Peer) // FaultTarget found it
		pns, err := st.Node(peer.Name)
		if err != nil {
			return err
		}
		ph, err := netns.GetFromPath(NamespacePath(pns.Namespace))
		if err != nil {
			return fmt.Errorf("%s: namespace missing: %w", peer.Name, err)
		}
		defer ph.Close()
		if err := dropAddresses(h, peer.Addresses()); err != nil {
			return fmt.Errorf("%s: %w", node.Name, err)
		}
		if err := dropAddresses(ph, node.Addresses()); err != nil {
			return fmt.Errorf("%s: %w", peer.Name, err)
		}
		return nil
	case lab.FaultLoss:
		return dropRandomly(h, f.Interface, f.Percent)
	case lab.FaultDelay:
		return addDelay(h, f.Interface, f.DelayMS)
	}
	return fmt.Errorf("unknown fault %q", f.Kind)
}

// crash is a power-off: every process in the node is killed, the addresses
// the lab did not give it (VIPs) vanish as they would with the machine, and
// its links go down.
//
// A power-off is one instant: the processes are frozen first (SIGSTOP), so
// that none of them sees the links go down or a sibling die and gets a last
// word out (a VRRP daemon tracking its proxy would send priority 0); then the
// links go down, and only then are the frozen processes killed.
func crash(h netns.NsHandle, node *lab.Node, ns *lab.NodeState) ([]lab.RemovedAddress, error) {
	pids := processesOf([]string{ns.Namespace}, nil)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGSTOP)
	}
	if err := setLinks(h, node.InterfaceNames(), false); err != nil {
		return nil, err
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range pids {
		waitExit(pid, 2*time.Second)
	}
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return nil, err
	}
	defer nh.Close()
	var removed []lab.RemovedAddress
	for _, iface := range node.Interfaces {
		link, err := nh.LinkByName(iface.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", iface.Name, err)
		}
		addrs, _ := nh.AddrList(link, netlink.FAMILY_V4)
		for _, a := range addrs {
			ip, _ := netip.AddrFromSlice(a.IP.To4())
			if ip != iface.Address.Addr() {
				a := a
				if nh.AddrDel(link, &a) == nil {
					removed = append(removed, lab.RemovedAddress{Address: ip, Interface: iface.Name})
				}
			}
		}
	}
	ns.PoweredOff = true
	return removed, nil
}

// restore powers a crashed node on: links up, then its components started
// as `up` started them, each waited for until ready.
func restore(ctx context.Context, h netns.NsHandle, st *lab.State, node *lab.Node, ns *lab.NodeState) error {
	if err := setLinks(h, node.InterfaceNames(), true); err != nil {
		return err
	}
	ns.PoweredOff = false
	for _, kind := range lab.StartOrder {
		if node.Component(kind) == nil {
			continue
		}
		if err := startAgain(ctx, h, st, node, ns, kind); err != nil {
			return err
		}
	}
	return nil
}

// startAgain starts one component of a node again and records its new pid.
func startAgain(ctx context.Context, h netns.NsHandle, st *lab.State, node *lab.Node, ns *lab.NodeState, kind string) error {
	c := node.Component(kind)
	if c == nil {
		return fmt.Errorf("%s runs no %s", node.Name, kind)
	}
	r, err := startComponent(h, st.Name, st.Dir, node.Name, *c)
	if err != nil {
		return err
	}
	for i := range ns.Components {
		if ns.Components[i].Kind == kind {
			ns.Components[i] = r.state
		}
	}
	if err := st.Save(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	return waitReady(ctx, r)
}

// healAll removes every partition, loss and delay fault from every node.
func healAll(st *lab.State) error {
	var errs []error
	for _, ns := range st.Nodes {
		h, err := netns.GetFromPath(NamespacePath(ns.Namespace))
		if err != nil {
			continue
		}
		if err := removeFaultTable(h); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ns.Name, err))
		}
		if node, err := st.Lab.Node(ns.Name); err == nil {
			if err := removeDelays(h, node.InterfaceNames()); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ns.Name, err))
			}
		}
		h.Close()
	}
	return errors.Join(errs...)
}

// addDelay adds a netem qdisc delaying every packet leaving ifname.
func addDelay(h netns.NsHandle, ifname string, ms int) error {
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return err
	}
	defer nh.Close()
	link, err := nh.LinkByName(ifname)
	if err != nil {
		return err
	}
	q := netlink.NewNetem(netlink.QdiscAttrs{LinkIndex: link.Attrs().Index, Handle: netlink.MakeHandle(0x4a4c, 0), Parent: netlink.HANDLE_ROOT},
		netlink.NetemQdiscAttrs{Latency: uint32(ms) * 1000})
	if err := nh.QdiscReplace(q); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("this kernel has no netem (the sch_netem module), so delay faults cannot be made here; loss faults work without it (%w)", err)
		}
		return err
	}
	return nil
}

// removeDelays removes halab's netem qdiscs from the interfaces.
func removeDelays(h netns.NsHandle, ifnames []string) error {
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return err
	}
	defer nh.Close()
	for _, name := range ifnames {
		link, err := nh.LinkByName(name)
		if err != nil {
			continue
		}
		qdiscs, _ := nh.QdiscList(link)
		for _, q := range qdiscs {
			if q.Type() == "netem" {
				_ = nh.QdiscDel(q)
			}
		}
	}
	return nil
}

func setLinks(h netns.NsHandle, names []string, up bool) error {
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return err
	}
	defer nh.Close()
	for _, name := range names {
		link, err := nh.LinkByName(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if up {
			err = nh.LinkSetUp(link)
		} else {
			err = nh.LinkSetDown(link)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func waitExit(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !check.ProcessAlive(pid) {
			return true
		}
	}
	return !check.ProcessAlive(pid)
}
