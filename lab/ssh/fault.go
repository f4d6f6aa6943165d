package ssh

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/halab/halab/lab"
)

// faultTable is the nftables table (family ip) that holds partition and
// loss rules on a machine, the same name as in a netns lab.
const faultTable = "halab_fault"

// Apply applies a fault on the machines over SSH, with the same names and
// meanings as in a netns lab, and records it (lab.ApplyRecorded).
func (a *Access) Apply(ctx context.Context, st *lab.State, f lab.Fault) error {
	return lab.ApplyRecorded(ctx, st, f, a.apply)
}

func (a *Access) apply(ctx context.Context, st *lab.State, f lab.Fault) ([]lab.RemovedAddress, error) {
	if f.Kind == lab.FaultHeal {
		return nil, a.healAll(ctx, st)
	}
	node, ns, err := st.FaultTarget(f)
	if err != nil {
		return nil, err
	}
	m, err := a.machine(ctx, f.Node)
	if err != nil {
		return nil, err
	}
	switch f.Kind {
	case lab.FaultCrash:
		return a.crash(ctx, m, st, node, ns)
	case lab.FaultRestore:
		if _, err := m.run(ctx, "links up", linksScript(node.InterfaceNames(), true), nil); err != nil {
			return nil, err
		}
		ns.PoweredOff = false
		for _, kind := range lab.StartOrder {
			if node.Component(kind) != nil {
				if err := a.startAgain(ctx, m, st, node, ns, kind); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	case lab.FaultKill, lab.FaultStop:
		c, err := ns.Component(f.Component)
		if err != nil {
			return nil, err
		}
		if !a.Alive(ctx, f.Node, c.PID) {
			return nil, fmt.Errorf("%s on %s is not running", f.Component, f.Node)
		}
		sig, grace := "KILL", "40"
		if f.Kind == lab.FaultStop {
			sig, grace = "TERM", "200"
		}
		_, err = m.run(ctx, "signal "+f.Component, signalScript(binPath(m.target, st.Name), []int{c.PID}, sig, grace), nil)
		return nil, err
	case lab.FaultStart:
		c, err := ns.Component(f.Component)
		if err != nil {
			return nil, err
		}
		if a.Alive(ctx, f.Node, c.PID) {
			return nil, fmt.Errorf("%s on %s is already running (pid %d)", f.Component, f.Node, c.PID)
		}
		return nil, a.startAgain(ctx, m, st, node, ns, f.Component)
	case lab.FaultLinkDown, lab.FaultLinkUp:
		_, err := m.run(ctx, "set "+f.Interface+" "+map[bool]string{true: "up", false: "down"}[f.Kind == lab.FaultLinkUp],
			linksScript([]string{f.Interface}, f.Kind == lab.FaultLinkUp), nil)
		return nil, err
	case lab.FaultPartition:
		peer, _ := st.Lab.Node(f.Peer) // FaultTarget found it
		pm, err := a.machine(ctx, peer.Name)
		if err != nil {
			return nil, err
		}
		if _, err := m.run(ctx, "partition (nftables)", nftScript(dropAddressRules(peer.Addresses())), nil); err != nil {
			return nil, err
		}
		_, err = pm.run(ctx, "partition (nftables)", nftScript(dropAddressRules(node.Addresses())), nil)
		return nil, err
	case lab.FaultLoss:
		_, err := m.run(ctx, "loss (nftables)", nftScript(lossRules(f.Interface, f.Percent)), nil)
		return nil, err
	case lab.FaultDelay:
		_, err := m.run(ctx, "delay (netem)", "tc qdisc replace dev "+shellQuote(f.Interface)+" root handle 4a4c: netem delay "+strconv.Itoa(f.DelayMS)+"ms || { echo 'the machine cannot make the delay (no netem, the sch_netem module?); loss faults work without it' >&2; exit 1; }", nil)
		return nil, err
	}
	return nil, fmt.Errorf("unknown fault %q", f.Kind)
}

// crash is a power-off, as in a netns lab: the node's components are
// frozen, its lab links go down, the frozen processes are killed, and the
// VIPs go with the power. The interface of the SSH session stays up (halab
// refused at up a lab that would take it down).
func (a *Access) crash(ctx context.Context, m *machine, st *lab.State, node *lab.Node, ns *lab.NodeState) ([]lab.RemovedAddress, error) {
	var pids []int
	for _, c := range ns.Components {
		pids = append(pids, c.PID)
	}
	bin := binPath(m.target, st.Name)
	script := signalScript(bin, pids, "STOP", "0") + "\n" + linksScript(node.InterfaceNames(), false) + "\n" +
		signalScript(bin, pids, "KILL", "40") + "\n" + dropVIPsScript(node.InterfaceNames(), vipsOf(st.Lab, node))
	out, err := m.run(ctx, "power off", script, nil)
	if err != nil {
		return nil, err
	}
	ns.PoweredOff = true
	var removed []lab.RemovedAddress
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			if addr, err := netip.ParseAddr(f[0]); err == nil {
				removed = append(removed, lab.RemovedAddress{Address: addr, Interface: f[1]})
			}
		}
	}
	return removed, nil
}

// startAgain starts one component again and records its new pid.
func (a *Access) startAgain(ctx context.Context, m *machine, st *lab.State, node *lab.Node, ns *lab.NodeState, kind string) error {
	c := node.Component(kind)
	if c == nil {
		return fmt.Errorf("%s runs no %s", node.Name, kind)
	}
	cs, err := startComponent(ctx, m, st.Name, node.Name, *c)
	if err != nil {
		return err
	}
	for i := range ns.Components {
		if ns.Components[i].Kind == kind {
			ns.Components[i] = cs
		}
	}
	if err := st.Save(); err != nil {
		return err
	}
	return waitReady(ctx, a, node.Name, cs)
}

// healAll removes every partition, loss and delay from every machine.
func (a *Access) healAll(ctx context.Context, st *lab.State) error {
	var errs []error
	for _, n := range st.Lab.Nodes {
		m, err := a.machine(ctx, n.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := m.run(ctx, "heal", healScript(n.InterfaceNames()), nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// signalScript sends sig to those pids that still run the lab's binary and
// waits up to waitTicks×50 ms for them to exit, then kills what is left.
func signalScript(bin string, pids []int, sig, waitTicks string) string {
	var ps []string
	for _, p := range pids {
		if p > 0 {
			ps = append(ps, strconv.Itoa(p))
		}
	}
	if len(ps) == 0 {
		return ":"
	}
	mine := `case "$(readlink /proc/$p/exe 2>/dev/null)" in ` + shellQuote(bin) + `|` + shellQuote(bin+" (deleted)") + `) true;; *) false;; esac`
	s := `for p in ` + strings.Join(ps, " ") + `; do if ` + mine + `; then kill -` + sig + ` $p 2>/dev/null; fi; done`
	if waitTicks == "0" {
		return s
	}
	return s + `; n=0; while [ $n -lt ` + waitTicks + ` ]; do alive=; for p in ` + strings.Join(ps, " ") + `; do if [ -e /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null; then alive=1; fi; done; [ -z "$alive" ] && break; sleep 0.05; n=$((n+1)); done; for p in ` + strings.Join(ps, " ") + `; do if ` + mine + `; then kill -KILL $p 2>/dev/null; fi; done; true`
}

// linksScript sets lab interfaces up or down.
func linksScript(ifaces []string, up bool) string {
	state := "down"
	if up {
		state = "up"
	}
	var b strings.Builder
	b.WriteString("set -e")
	for _, i := range ifaces {
		b.WriteString("; ip link set dev " + shellQuote(i) + " " + state)
	}
	return b.String()
}

// nftScript adds rules to halab's fault table, making the table and its
// input and output chains (priority -10, before anything else) when
// missing.
func nftScript(rules []string) string {
	var b strings.Builder
	b.WriteString("command -v nft >/dev/null || { echo 'nft is not installed (Debian package nftables); partitions and loss need it' >&2; exit 1; }\nnft -f - <<'EOF'\n")
	fmt.Fprintf(&b, "add table ip %s\n", faultTable)
	fmt.Fprintf(&b, "add chain ip %s input { type filter hook input priority -10; policy accept; }\n", faultTable)
	fmt.Fprintf(&b, "add chain ip %s output { type filter hook output priority -10; policy accept; }\n", faultTable)
	for _, r := range rules {
		fmt.Fprintf(&b, "add rule ip %s %s\n", faultTable, r)
	}
	b.WriteString("EOF")
	return b.String()
}

// dropAddressRules drop everything from and to the addresses.
func dropAddressRules(addrs []netip.Addr) []string {
	var out []string
	for _, a := range addrs {
		out = append(out, "input ip saddr "+a.String()+" drop", "output ip daddr "+a.String()+" drop")
	}
	return out
}

// lossRules drop percent of the packets in and out of an interface.
func lossRules(iface string, percent float64) []string {
	threshold := strconv.Itoa(int(percent * 100))
	return []string{
		`input iifname "` + iface + `" numgen random mod 10000 < ` + threshold + ` drop`,
		`output oifname "` + iface + `" numgen random mod 10000 < ` + threshold + ` drop`,
	}
}

// healScript removes the fault table and halab's netem qdiscs.
func healScript(ifaces []string) string {
	s := "nft delete table ip " + faultTable + " 2>/dev/null; "
	for _, i := range ifaces {
		s += "tc qdisc show dev " + shellQuote(i) + " 2>/dev/null | grep -q netem && tc qdisc del dev " + shellQuote(i) + " root 2>/dev/null; "
	}
	return s + "true"
}
