package export

import (
	"bytes"
	"fmt"
	"net"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/proxy/hacfg"
)

// haproxy exports load balancer n's haproxy.cfg. The lab's file is
// HAProxy's own language (halab's parser refuses what HAProxy 2.6 does not
// know), so it goes out as the lab has it, under a header. Load balancers
// whose files are the same share one haproxy.cfg, as the tutorial's do.
func (x *exporter) haproxy(n *lab.Node) error {
	c := n.Component(lab.ComponentProxy)
	if c == nil {
		return fmt.Errorf("load balancer %s has no haproxy configuration in lab %s", n.Name, x.lab.Name)
	}
	src := configName(x.lab, n, c)
	cfg, diags, err := hacfg.Parse(src, c.Config)
	if err != nil {
		return fmt.Errorf("node %s: halab does not run this haproxy configuration, so there is nothing to export; fix %s first:\n%w", n.Name, src, err)
	}
	sharers := x.sameHAProxy(c.Config)
	name := n.Name + ".haproxy.cfg"
	node := n.Name
	if len(sharers) > 1 {
		name, node = "haproxy.cfg", ""
	}
	x.note(x.nonlocalBind(n, name, cfg)...)
	if _, done := x.res.Files[name]; done {
		return x.add(name, x.res.Files[name], n.Name, Placement{})
	}
	var notes []Note
	for _, d := range diags {
		text := "halab reads: " + d.Message + "; HAProxy uses the line as written."
		if !strings.Contains(d.Message, "halab") {
			text = "HAProxy warns as halab does: " + d.Message + "."
		}
		notes = append(notes, Note{Kind: Info, Node: node, File: name, Source: fmt.Sprintf("%s:%d", d.File, d.Line), Text: text})
	}
	x.note(notes...)

	var w writer
	w.comment(
		HAProxyPath+" on "+strings.Join(sharers, " and ")+".",
		"",
		fmt.Sprintf("Exported by `halab config export` from the lab %s (%s): the configuration halab's proxy runs, for HAProxy. It is HAProxy's own language, so it is the lab's file as it stands, after this header. Check it with `haproxy -c -f %s`, then: systemctl restart haproxy.", x.lab.Name, src, HAProxyPath),
		"",
	)
	if len(notes) > 0 {
		w.comment("What to know about it:")
		for _, note := range notes {
			for _, l := range hangingWrap("  - ", fmt.Sprintf("line %d: %s", sourceLine(note.Source), note.Text), commentWidth-2) {
				w.comment(l)
			}
		}
		w.comment("")
	}
	w.comment("The lab's file:")
	text := w.String() + "\n" + string(c.Config)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return x.add(name, []byte(text), n.Name, Placement{
		Path:  HAProxyPath,
		Check: "haproxy -c -f " + HAProxyPath,
		Apply: "systemctl restart haproxy",
	})
}

// sameHAProxy lists the lab's load balancers whose haproxy.cfg is config.
func (x *exporter) sameHAProxy(config []byte) []string {
	var names []string
	for i := range x.lab.Nodes {
		if c := x.lab.Nodes[i].Component(lab.ComponentProxy); c != nil && bytes.Equal(c.Config, config) {
			names = append(names, x.lab.Nodes[i].Name)
		}
	}
	return names
}

// nonlocalBind notes a frontend that binds the VIP on a load balancer
// without net.ipv4.ip_nonlocal_bind=1: HAProxy cannot bind an address the
// machine does not hold, and the backup does not hold the VIP, so HAProxy
// fails to start there ("cannot bind socket").
func (x *exporter) nonlocalBind(n *lab.Node, file string, cfg *hacfg.Config) []Note {
	for _, s := range n.Sysctls {
		if s.Key == "net.ipv4.ip_nonlocal_bind" && s.Value == "1" {
			return nil
		}
	}
	vip := x.lab.VIP.Address.String()
	for _, fe := range cfg.Frontends() {
		for _, b := range fe.Binds {
			if host, _, err := net.SplitHostPort(b.Addr); err == nil && host == vip {
				return []Note{{Kind: Info, Node: n.Name, File: file, Source: fmt.Sprintf("%s:%d", cfg.File, b.Line), Text: fmt.Sprintf(
					"frontend %s binds the VIP %s, but the lab gives %s no net.ipv4.ip_nonlocal_bind=1: HAProxy cannot bind an address the machine does not hold, so it will not start on %s while it is the backup. Add the sysctl to the lab.",
					fe.Name, b.Addr, n.Name, n.Name)}}
			}
		}
	}
	return nil
}
