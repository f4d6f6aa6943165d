package ssh

import (
	"net/netip"
	"path"
	"sort"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// Where halab keeps a lab's files on a machine: remote_dir/LAB, with
//
//	bin/halab        the components' binary (SHA-256 checked)
//	NODE/            configurations, control sockets, logs
//	sysctl.orig      the machine's own values of the sysctls the lab sets
//
// and remote_dir/.halab-made when halab created remote_dir itself.
const madeMarker = ".halab-made"

func labDir(t lab.SSHTarget, labName string) string { return path.Join(t.RemoteDir, labName) }
func binPath(t lab.SSHTarget, labName string) string {
	return path.Join(labDir(t, labName), "bin", "halab")
}
func nodeDir(t lab.SSHTarget, labName, node string) string {
	return path.Join(labDir(t, labName), node)
}

// vipsOf lists the addresses VRRP may add to a node: the lab's VIP and
// every virtual_ipaddress of its keepalived.conf. A power-off takes them
// away with the machine, and down removes any a killed daemon left.
func vipsOf(l *lab.Lab, n *lab.Node) []string {
	set := map[string]bool{}
	if l.VIP.Address.IsValid() {
		set[l.VIP.Address.String()] = true
	}
	if c := n.Component(lab.ComponentVRRP); c != nil {
		if cfg, err := kaconf.Parse(c.ConfigName, c.Config); err == nil {
			for _, in := range cfg.Instances {
				for _, v := range in.VirtualIPs {
					set[v.Address.Addr().String()] = true
				}
			}
		}
	}
	var out []string
	for a := range set {
		if addr, err := netip.ParseAddr(a); err == nil && addr.Is4() {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// dropVIPsScript removes the VIPs from the lab interfaces and prints each
// removed "ADDRESS IFACE".
func dropVIPsScript(ifaces, vips []string) string {
	if len(vips) == 0 || len(ifaces) == 0 {
		return ":"
	}
	return `for i in ` + shellJoin(ifaces) + `; do for a in $(ip -o -4 addr show dev "$i" 2>/dev/null | awk '{print $4}'); do case " ` + strings.Join(vips, " ") + ` " in *" ${a%/*} "*) ip addr del "$a" dev "$i" && echo "${a%/*} $i";; esac; done; done`
}

// componentPIDsScript prints the pids of processes running the lab's halab
// binary: found by looking, so that down works without state.
func componentPIDsScript(bin string) string {
	return `for p in /proc/[0-9]*; do case "$(readlink "$p/exe" 2>/dev/null)" in ` + shellQuote(bin) + `|` + shellQuote(bin+" (deleted)") + `) echo "${p#/proc/}";; esac; done`
}
