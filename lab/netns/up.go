package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/halab/halab/lab"
)

// ReadyTimeout bounds how long Up waits for every component to report ready.
const ReadyTimeout = 15 * time.Second

// Provider builds labs as network namespaces on this machine.
type Provider struct {
	// Binary is the halab executable the lab's components run from (a copy
	// is installed in the lab directory). Empty means the running program.
	Binary string
}

// Name is "netns".
func (p *Provider) Name() string { return "netns" }

// ErrLabUp says a lab of that name is already up.
var ErrLabUp = errors.New("lab is already up")

// builder holds the handles of a lab being built.
type builder struct {
	lab      *lab.Lab
	dir      string
	progress lab.Progress
	handles  map[string]netns.NsHandle // node name (and lab.SwitchNode) → namespace
	bridges  map[string]int            // network → bridge index in the switch namespace
}

func (b *builder) close() {
	for _, h := range b.handles {
		h.Close()
	}
}

// Up builds the lab: namespaces, bridges, veths, addresses and sysctls,
// then starts every component and waits until each reports ready. On any
// failure it removes everything it made, then returns the cause.
func (p *Provider) Up(ctx context.Context, l *lab.Lab, progress lab.Progress) (st *lab.State, err error) {
	if l.Provider == lab.ProviderSSH {
		return nil, fmt.Errorf("lab %s is written for machines reached over SSH (provider: ssh); build it with the ssh provider", l.Name)
	}
	if err := CheckPrivileges(); err != nil {
		return nil, err
	}
	// Real programs a node names must be on this machine: said before
	// anything is built, with the package to install.
	if err := l.CheckEngines(lab.FindProgram); err != nil {
		return nil, err
	}
	unlock, err := lockLab(l.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := checkNotUp(l.Name); err != nil {
		return nil, err
	}
	dir := lab.LabDir(l.Name)
	b := &builder{lab: l, dir: dir, progress: progress, handles: map[string]netns.NsHandle{}, bridges: map[string]int{}}
	defer b.close()
	defer func() {
		if err != nil {
			progress.Report("", "failed: %v; removing what was built", err)
			if terr := teardown(Prefix+l.Name+"-", []string{dir}, progress); terr != nil {
				err = errors.Join(err, fmt.Errorf("and the rollback failed too: %w", terr))
			}
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab %s: %w", l.Name, err)
	}
	if _, err := installBinary(dir, p.Binary); err != nil {
		return nil, fmt.Errorf("lab %s: %w", l.Name, err)
	}
	st = &lab.State{Name: l.Name, Provider: p.Name(), Created: time.Now(), Phase: lab.PhaseBuilding, Dir: dir, Lab: l}
	if err := st.Save(); err != nil {
		return nil, err
	}
	if err := b.buildNetwork(); err != nil {
		return nil, err
	}
	if err := b.startComponents(ctx, st); err != nil {
		return nil, err
	}
	st.Phase = lab.PhaseUp
	if err := st.Save(); err != nil {
		return nil, err
	}
	return st, nil
}

// checkNotUp refuses a lab whose name is taken by a running lab or by
// leftovers of one.
func checkNotUp(name string) error {
	if st, err := lab.LoadState(name); err == nil {
		// Up holds the lock: no halab is building or removing this lab now,
		// so a lab in either phase was left half-way by one that stopped
		// (killed, or the machine went down).
		switch st.Phase {
		case lab.PhaseBuilding:
			return fmt.Errorf("lab %s: %w, half-built: the `halab up` that built it stopped before every component was ready; remove what it left with `sudo halab down --lab %s`, then build it again", name, ErrLabUp, name)
		case lab.PhaseRemoving:
			return fmt.Errorf("lab %s: %w, half-removed: the `halab down` that removed it stopped before it finished; finish it with `sudo halab down --lab %s`, then build it again", name, ErrLabUp, name)
		}
		return fmt.Errorf("lab %s: %w; watch it with `halab status --lab %s` or remove it with `sudo halab down --lab %s`", name, ErrLabUp, name, name)
	}
	if left := listNamespaces(Prefix + name + "-"); len(left) > 0 {
		return fmt.Errorf("lab %s: %w (namespaces %v are left from an earlier run); remove them with `sudo halab down --lab %s`", name, ErrLabUp, left, name)
	}
	return nil
}

// buildNetwork makes the switch namespace with one bridge per network, one
// namespace per node, and a veth pair for every node interface.
func (b *builder) buildNetwork() error {
	l := b.lab
	names := []string{lab.SwitchNode}
	for _, n := range l.Nodes {
		names = append(names, n.Name)
	}
	for _, node := range names {
		h, err := createNamespace(NamespaceName(l.Name, node))
		if err != nil {
			return fmt.Errorf("%s: %w", node, err)
		}
		b.handles[node] = h
		// No IPv6 in a lab: it would only add router solicitations and
		// neighbour discovery to every capture.
		for _, key := range []string{"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"} {
			if err := writeSysctl(h, key, "1"); err != nil {
				return fmt.Errorf("%s: %w", node, err)
			}
		}
		if err := linkUp(h, "lo"); err != nil {
			return fmt.Errorf("%s: %w", node, err)
		}
	}
	b.progress.Report("", "created %d namespaces (halab-%s-*)", len(names), l.Name)

	sw, err := netlink.NewHandleAt(b.handles[lab.SwitchNode])
	if err != nil {
		return fmt.Errorf("switch: netlink: %w", err)
	}
	defer sw.Close()
	for _, net := range l.Networks {
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: net.Name}}
		if err := sw.LinkAdd(br); err != nil {
			return fmt.Errorf("switch: add bridge %s: %w", net.Name, err)
		}
		if err := sw.LinkSetUp(br); err != nil {
			return fmt.Errorf("switch: bridge %s up: %w", net.Name, err)
		}
		b.bridges[net.Name] = br.Attrs().Index
	}
	b.progress.Report(lab.SwitchNode, "bridges up: %d networks", len(l.Networks))

	for i, n := range l.Nodes {
		if err := b.wireNode(sw, i, n); err != nil {
			return err
		}
	}
	return nil
}

// wireNode links each of the node's interfaces to its network's bridge and
// gives it its address, then writes the node's sysctls.
func (b *builder) wireNode(sw *netlink.Handle, index int, n lab.Node) error {
	h := b.handles[n.Name]
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return fmt.Errorf("%s: netlink: %w", n.Name, err)
	}
	defer nh.Close()
	for j, iface := range n.Interfaces {
		port := switchPortName(n.Name, iface.Name, index, j)
		veth := &netlink.Veth{
			LinkAttrs:     netlink.LinkAttrs{Name: port, MasterIndex: b.bridges[iface.Network]},
			PeerName:      iface.Name,
			PeerNamespace: netlink.NsFd(int(h)),
		}
		if err := sw.LinkAdd(veth); err != nil {
			return fmt.Errorf("%s: add veth %s<->%s: %w", n.Name, iface.Name, port, err)
		}
		if err := sw.LinkSetUp(veth); err != nil {
			return fmt.Errorf("%s: switch port %s up: %w", n.Name, port, err)
		}
		link, err := nh.LinkByName(iface.Name)
		if err != nil {
			return fmt.Errorf("%s: find %s: %w", n.Name, iface.Name, err)
		}
		addr := &netlink.Addr{IPNet: prefixToIPNet(iface.Address)}
		if err := nh.AddrAdd(link, addr); err != nil {
			return fmt.Errorf("%s: add address %s on %s: %w", n.Name, iface.Address, iface.Name, err)
		}
		if err := nh.LinkSetUp(link); err != nil {
			return fmt.Errorf("%s: %s up: %w", n.Name, iface.Name, err)
		}
		b.progress.Report(n.Name, "%s %s on %s", iface.Name, iface.Address, iface.Network)
	}
	for _, s := range n.Sysctls {
		if err := writeSysctl(h, s.Key, s.Value); err != nil {
			return fmt.Errorf("%s: %w", n.Name, err)
		}
	}
	return nil
}

// startComponents starts every node's components, servers before their
// clients (web, then proxy and VRRP, then the probe), and waits until all
// report ready.
func (b *builder) startComponents(ctx context.Context, st *lab.State) error {
	byNode := map[string]*lab.NodeState{}
	for _, n := range b.lab.Nodes {
		st.Nodes = append(st.Nodes, lab.NodeState{Name: n.Name, Namespace: NamespaceName(b.lab.Name, n.Name)})
	}
	for i := range st.Nodes {
		byNode[st.Nodes[i].Name] = &st.Nodes[i]
	}
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	for _, kind := range lab.StartOrder {
		var started []*running
		for _, n := range b.lab.Nodes {
			c := n.Component(kind)
			if c == nil {
				continue
			}
			r, err := startComponent(b.handles[n.Name], b.lab.Name, b.dir, n.Name, *c)
			if err != nil {
				return err
			}
			ns := byNode[n.Name]
			ns.Components = append(ns.Components, r.state)
			started = append(started, r)
		}
		if err := st.Save(); err != nil {
			return err
		}
		for _, r := range started {
			if err := waitReady(ctx, r); err != nil {
				return err
			}
			b.progress.Report(r.node, "%s ready (pid %d)", r.state.Kind, r.state.PID)
		}
	}
	return nil
}

// switchPortName names a veth's switch end: NODE-IFNAME when it fits the
// kernel's 15 characters, else a short positional name.
func switchPortName(node, iface string, nodeIndex, ifIndex int) string {
	if name := node + "-" + iface; len(name) <= 15 {
		return name
	}
	return fmt.Sprintf("n%d-i%d", nodeIndex, ifIndex)
}

func linkUp(h netns.NsHandle, name string) error {
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer nh.Close()
	link, err := nh.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find %s: %w", name, err)
	}
	if err := nh.LinkSetUp(link); err != nil {
		return fmt.Errorf("%s up: %w", name, err)
	}
	return nil
}
