package lab

import (
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	labNameRE  = regexp.MustCompile(`^[a-z][a-z0-9]{0,15}$`)
	nodeNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)
	netNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,14}$`)
	ifNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]{0,14}$`)
	sysctlRE   = regexp.MustCompile(`^net\.(ipv4|ipv6|core)\.[a-z0-9_.\-]+$`)
)

// CheckName says whether name can name a lab: it becomes part of namespace
// names (halab-NAME-NODE) and of the lab's directory.
func CheckName(name string) error {
	if !labNameRE.MatchString(name) {
		return fmt.Errorf("lab name %q: use 1 to 16 lowercase letters and digits, starting with a letter (it names namespaces halab-NAME-NODE)", name)
	}
	return nil
}

// build turns the decoded file into a Lab, adding a problem for every rule
// it breaks.
func build(raw *fileLab, at positions, ps *problems, fsys fs.FS) *Lab {
	l := &Lab{Name: raw.Name, Title: raw.Title, Description: raw.Description}
	switch {
	case raw.Name == "":
		ps.at(at.get(""), "the lab has no name: add `name: mylab` (lowercase letters and digits)")
	default:
		if err := CheckName(raw.Name); err != nil {
			ps.at(at.get("name"), "%v", err)
		}
	}
	l.Provider = raw.Provider
	switch raw.Provider {
	case "":
		l.Provider = ProviderNetns
	case ProviderNetns, ProviderSSH:
	default:
		ps.at(at.get("provider"), "provider %q is not supported; supported: netns, ssh", raw.Provider)
	}
	if raw.SSH != nil && l.Provider != ProviderSSH {
		ps.at(at.get("ssh"), "ssh: is for labs on machines reached over SSH: add `provider: ssh`, or remove the ssh block")
	}

	// Networks, by name.
	for _, name := range sortedKeys(raw.Networks) {
		p := "networks." + name
		if !netNameRE.MatchString(name) {
			ps.at(at.get(p+"#key"), "network name %q: use lowercase letters, digits and _, up to 15, starting with a letter (it names a bridge)", name)
		}
		subnet, err := netip.ParsePrefix(raw.Networks[name].Subnet)
		switch {
		case raw.Networks[name].Subnet == "":
			ps.at(at.get(p), "network %s has no subnet: add `subnet: 10.0.0.0/24`", name)
			continue
		case err != nil || !subnet.Addr().Is4():
			ps.at(at.get(p+".subnet"), "network %s: subnet %q is not an IPv4 prefix like 172.16.0.0/24", name, raw.Networks[name].Subnet)
			continue
		case subnet.Masked() != subnet:
			ps.at(at.get(p+".subnet"), "network %s: subnet %s has host bits set; did you mean %s?", name, subnet, subnet.Masked())
			continue
		}
		for _, other := range l.Networks {
			if other.Subnet.Overlaps(subnet) {
				ps.at(at.get(p+".subnet"), "network %s: subnet %s overlaps network %s (%s)", name, subnet, other.Name, other.Subnet)
			}
		}
		l.Networks = append(l.Networks, Network{Name: name, Subnet: subnet})
	}
	if len(raw.Networks) == 0 {
		ps.at(at.get(""), "the lab has no networks: add `networks: {public: {subnet: 172.16.0.0/24}}`")
	}

	l.VIP = buildVIP(raw, l, at, ps)

	// Nodes, in role order then by name.
	if len(raw.Nodes) == 0 {
		ps.at(at.get(""), "the lab has no nodes: add at least a client, a load balancer and a web server")
	}
	used := map[netip.Addr]string{}
	if l.VIP.Address.IsValid() {
		used[l.VIP.Address] = "the VIP"
	}
	for _, role := range Roles {
		for _, name := range sortedKeys(raw.Nodes) {
			if Role(raw.Nodes[name].Role) == role {
				l.Nodes = append(l.Nodes, buildNode(name, raw.Nodes[name], raw.SSH, l, used, at, ps, fsys))
			}
		}
	}
	nameProbePeers(l)
	checkSSHTargets(l, at, ps)
	for _, name := range sortedKeys(raw.Nodes) {
		r := raw.Nodes[name].Role
		if !isRole(r) {
			where := at.get("nodes." + name + ".role")
			if r == "" {
				ps.at(at.get("nodes."+name), "node %s has no role: add `role: client`, `role: lb`, `role: web` or `role: host`", name)
			} else {
				ps.at(where, "node %s: role %q is not supported; supported: client, lb, web, host", name, r)
			}
		}
	}
	return l
}

func buildVIP(raw *fileLab, l *Lab, at positions, ps *problems) VIP {
	v := VIP{Port: raw.VIP.Port, Network: raw.VIP.Network}
	if v.Port == 0 {
		v.Port = 80
	}
	if v.Port < 1 || v.Port > 65535 {
		ps.at(at.get("vip.port"), "vip port %d is not a TCP port (1-65535)", v.Port)
	}
	if raw.VIP.Address == "" {
		ps.at(at.get("vip"), "the lab has no VIP: add `vip: {address: 172.16.0.200, port: 80, network: public}`")
		return v
	}
	addr, err := netip.ParseAddr(raw.VIP.Address)
	if err != nil || !addr.Is4() {
		ps.at(at.get("vip.address"), "vip address %q is not an IPv4 address", raw.VIP.Address)
		return v
	}
	v.Address = addr
	n := l.Network(v.Network)
	switch {
	case v.Network == "":
		ps.at(at.get("vip"), "the VIP names no network: add `network: public` (the network the client reaches it on)")
	case n == nil:
		ps.at(at.get("vip.network"), "the VIP's network %q is not defined under networks", v.Network)
	case !n.Subnet.Contains(addr):
		ps.at(at.get("vip.address"), "the VIP %s is outside its network %s (%s)", addr, n.Name, n.Subnet)
	}
	return v
}

func buildNode(name string, raw fileNode, sshDefaults *fileSSH, l *Lab, used map[netip.Addr]string, at positions, ps *problems, fsys fs.FS) Node {
	p := "nodes." + name
	n := Node{Name: name, Role: Role(raw.Role)}
	if !nodeNameRE.MatchString(name) {
		ps.at(at.get(p+"#key"), "node name %q: use lowercase letters, digits and _, up to 16, starting with a letter", name)
	} else if name == SwitchNode {
		ps.at(at.get(p+"#key"), "node name %q is reserved for the lab's switch; pick another", name)
	}
	if len(raw.Interfaces) == 0 {
		ps.at(at.get(p), "node %s has no interfaces: add `interfaces: {eth0: {network: NAME, address: A.B.C.D/NN}}`", name)
	}
	for _, ifname := range sortedKeys(raw.Interfaces) {
		ip := p + ".interfaces." + ifname
		ri := raw.Interfaces[ifname]
		if !ifNameRE.MatchString(ifname) || ifname == "lo" {
			ps.at(at.get(ip+"#key"), "node %s: interface name %q is not a usable Linux interface name (up to 15 letters, digits, _ and .)", name, ifname)
		}
		iface := Interface{Name: ifname, Network: ri.Network}
		net := l.Network(ri.Network)
		if ri.Network == "" {
			ps.at(at.get(ip), "node %s interface %s names no network: add `network: NAME`", name, ifname)
		} else if net == nil {
			ps.at(at.get(ip+".network"), "node %s interface %s: network %q is not defined under networks", name, ifname, ri.Network)
		} else if other := n.Interface(ri.Network); other != nil {
			ps.at(at.get(ip+".network"), "node %s has two interfaces on network %s (%s and %s)", name, ri.Network, other.Name, ifname)
		}
		addr, err := netip.ParsePrefix(ri.Address)
		switch {
		case ri.Address == "":
			ps.at(at.get(ip), "node %s interface %s has no address: add `address: A.B.C.D/NN`", name, ifname)
		case err != nil || !addr.Addr().Is4():
			ps.at(at.get(ip+".address"), "node %s interface %s: address %q is not IPv4 with a prefix length, like 172.16.0.10/24", name, ifname, ri.Address)
		case net != nil && (!net.Subnet.Contains(addr.Addr()) || addr.Bits() != net.Subnet.Bits()):
			ps.at(at.get(ip+".address"), "node %s interface %s: address %s is not in network %s (%s)", name, ifname, addr, net.Name, net.Subnet)
		case addr.Addr() == addr.Masked().Addr():
			ps.at(at.get(ip+".address"), "node %s interface %s: %s is the network's own address; pick a host address", name, ifname, addr.Addr())
		case used[addr.Addr()] != "":
			ps.at(at.get(ip+".address"), "node %s interface %s: address %s is already used by %s", name, ifname, addr.Addr(), used[addr.Addr()])
		default:
			used[addr.Addr()] = name + " " + ifname
			iface.Address = addr
		}
		n.Interfaces = append(n.Interfaces, iface)
	}
	for _, key := range sortedKeys(raw.Sysctl) {
		if !sysctlRE.MatchString(key) {
			ps.at(at.get(p+".sysctl."+key+"#key"), "node %s: sysctl %q is not a per-namespace network setting (net.ipv4.*, net.ipv6.*, net.core.*)", name, key)
			continue
		}
		n.Sysctls = append(n.Sysctls, Sysctl{Key: key, Value: raw.Sysctl[key]})
	}

	switch {
	case l.Provider == ProviderSSH:
		n.SSH = buildSSH(name, raw.SSH, sshDefaults, at, ps)
	case raw.SSH != nil:
		ps.at(at.get(p+".ssh"), "node %s: ssh: is for labs with `provider: ssh`", name)
	}

	roleOnly := func(key string, set bool, role Role) {
		if set && n.Role != role {
			ps.at(at.get(p+"."+key), "node %s: %s is for nodes with role %s, not %s", name, key, role, n.Role)
		}
	}
	roleOnly("keepalived", raw.Keepalived != "", RoleLB)
	roleOnly("haproxy", raw.HAProxy != "", RoleLB)
	roleOnly("probe", raw.Probe != nil, RoleClient)
	roleOnly("web", raw.Web != nil, RoleWeb)

	switch n.Role {
	case RoleLB:
		for _, c := range []struct{ kind, key, value, file string }{
			{ComponentProxy, "haproxy", raw.HAProxy, "haproxy.cfg"},
			{ComponentVRRP, "keepalived", raw.Keepalived, "keepalived.conf"},
		} {
			if c.value == "" {
				ps.at(at.get(p), "load balancer %s has no %s: add `%s: FILE` (relative to the lab file)", name, c.key, c.key)
				continue
			}
			text, source, err := configText(c.value, fsys)
			if err != nil {
				ps.at(at.get(p+"."+c.key), "node %s: %s: %v", name, c.key, err)
				continue
			}
			n.Components = append(n.Components, Component{Kind: c.kind, ConfigName: c.file, ConfigSource: source, Config: text})
		}
	case RoleWeb:
		listen := []string{}
		if raw.Web != nil {
			listen = raw.Web.Listen
		}
		for i, a := range listen {
			if _, err := netip.ParseAddrPort(a); err != nil {
				ps.at(at.get(p+".web.listen."+strconv.Itoa(i)), "node %s: web listen %q is not ADDRESS:PORT", name, a)
			}
		}
		if len(listen) == 0 {
			for _, iface := range n.Interfaces {
				if iface.Address.IsValid() {
					listen = append(listen, netip.AddrPortFrom(iface.Address.Addr(), 80).String())
				}
			}
		}
		n.Components = append(n.Components, Component{Kind: ComponentWeb, Args: []string{"--listen", strings.Join(listen, ",")}})
	case RoleClient:
		n.Components = append(n.Components, buildProbe(name, raw.Probe, l, at, ps))
	}
	if len(raw.Engine) > 0 && isRole(raw.Role) {
		buildEngines(&n, raw.Engine, l.Provider, at, ps)
	}
	return n
}

func buildProbe(name string, raw *fileProbe, l *Lab, at positions, ps *problems) Component {
	p := "nodes." + name + ".probe"
	if raw == nil {
		raw = &fileProbe{}
	}
	target := raw.Target
	if target == "" && l.VIP.Address.IsValid() {
		target = "http://" + netip.AddrPortFrom(l.VIP.Address, uint16(l.VIP.Port)).String() + "/"
	}
	rate := raw.Rate
	if rate == 0 {
		rate = 100
	}
	if rate < 0 || rate > 1000 {
		ps.at(at.get(p+".rate"), "node %s: probe rate %d is out of range: use 1 to 1000 requests per second", name, rate)
	}
	timeout := 300 * time.Millisecond
	if raw.Timeout != "" {
		d, err := time.ParseDuration(raw.Timeout)
		if err != nil || d <= 0 || d > 10*time.Second {
			ps.at(at.get(p+".timeout"), "node %s: probe timeout %q: use a duration between 1ms and 10s, like 300ms", name, raw.Timeout)
		} else {
			timeout = d
		}
	}
	return Component{Kind: ComponentProbe, Args: []string{
		"--target", target, "--rate", strconv.Itoa(rate), "--timeout", timeout.String(),
	}}
}

// nameProbePeers tells each probe the load balancers' addresses, so that it
// can say which one served an answer from the address the web server saw.
func nameProbePeers(l *Lab) {
	var pairs []string
	for _, n := range l.Nodes {
		if n.Role != RoleLB {
			continue
		}
		for _, i := range n.Interfaces {
			if i.Address.IsValid() {
				pairs = append(pairs, i.Address.Addr().String()+"="+n.Name)
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	for i := range l.Nodes {
		if c := l.Nodes[i].Component(ComponentProbe); c != nil {
			c.Args = append(c.Args, "--peer-names", strings.Join(pairs, ","))
		}
	}
}

// configText returns a component configuration: inline text (a value with a
// line break) or the file the value names, relative to the lab file.
func configText(value string, fsys fs.FS) ([]byte, string, error) {
	if strings.Contains(value, "\n") {
		return []byte(value), "inline", nil
	}
	name := path.Clean(strings.TrimPrefix(value, "./"))
	if fsys == nil {
		return nil, "", fmt.Errorf("cannot read %s: no directory to read it from", value)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s (paths are relative to the lab file's directory)", value)
	}
	return data, value, nil
}

func isRole(r string) bool {
	for _, known := range Roles {
		if Role(r) == known {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
