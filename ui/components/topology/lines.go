package topology

import (
	"fmt"
	"strconv"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
)

// lbLines is a load balancer's box: VRRP state and effective priority;
// the VIP marker, or its master-down timer counting; its components'
// health; and (rows 4) its proxy's view of the web servers.
func (m *Model) lbLines(n *labview.Node, compact bool, rows int) [][]seg {
	st := m.Styles
	now := m.Now()
	v := n.VRRP
	var l1, l2 []seg
	vrrp := n.Component(lab.ComponentVRRP)
	switch {
	case n.PoweredOff:
		l1 = []seg{{"✕ POWERED OFF", st.Down}}
	case vrrp != nil && vrrp.State == labview.Down:
		l1 = []seg{{"✕ vrrp down", st.Down}}
	case v == nil || v.State == "":
		l1 = []seg{{"state unknown", st.Unknown}}
	default:
		sep := "  "
		if compact {
			sep = " "
		}
		l1 = []seg{{fmt.Sprintf("%-6s", v.State), st.State(v.State)}, {sep + "prio " + strconv.Itoa(v.Priority), st.Text}}
	}
	switch {
	case n.HoldsVIP():
		text, style := "◉ VIP "+m.live.VIP, st.VIP
		if compact {
			text = "◉ holds VIP"
		}
		if m.live.SplitBrain() {
			style = st.SplitBrain
		}
		l2 = []seg{{text, style}}
	case n.VIPOn != "":
		text := "◌ VIP on a down link"
		if compact {
			text = "◌ VIP, link down"
		}
		l2 = []seg{{text, st.Dim}}
	case v != nil && v.Timer.Visible(now) && !n.PoweredOff:
		rem := v.Timer.Remaining(now)
		text := fmt.Sprintf("◷ takeover in %.2f s", rem.Seconds())
		if compact {
			text = fmt.Sprintf("◷ takeover %.1fs", rem.Seconds())
		}
		if rem == 0 {
			text = "◷ timer expired"
		}
		l2 = []seg{{text, st.Warn}}
	}
	lines := [][]seg{l1, l2, m.components(n)}
	if rows >= 4 {
		lines = append(lines, m.servers(n))
	}
	return lines
}

// components is "vrrp ● proxy ●", or with real programs "keepalived ●
// haproxy ●".
func (m *Model) components(n *labview.Node) []seg {
	var out []seg
	for i, c := range n.Ordered() {
		if i > 0 {
			out = append(out, seg{s: " "})
		}
		sym, sst := common.Health(m.Styles, c.State)
		out = append(out, seg{c.Label() + " ", m.Styles.Text}, seg{sym, sst})
	}
	return out
}

// servers is the proxy's view of its backend servers: "backends 1/1 up".
func (m *Model) servers(n *labview.Node) []seg {
	st := m.Styles
	if n.PoweredOff || n.Component(lab.ComponentProxy) == nil {
		return nil
	}
	up, known := n.ServersUp()
	if known == 0 {
		return []seg{{"backends ?", st.Dim}}
	}
	style := st.Up
	switch {
	case up == 0:
		style = st.Down
	case up < known:
		style = st.Warn
	}
	return []seg{{"backends ", st.Text}, {fmt.Sprintf("%d/%d up", up, known), style}}
}

// hostLines is a client's or web server's box: components' health and
// the node's address.
func (m *Model) hostLines(n *labview.Node, compact bool) [][]seg {
	st := m.Styles
	var l1 []seg
	switch {
	case n.PoweredOff:
		l1 = []seg{{"✕ POWERED OFF", st.Down}}
	case len(n.Components) == 0:
		l1 = []seg{{string(n.Role), st.Dim}}
	default:
		for i, c := range n.Ordered() {
			if i > 0 {
				l1 = append(l1, seg{s: " "})
			}
			sym, sst := common.Health(st, c.State)
			l1 = append(l1, seg{sym, sst}, seg{" " + c.Label(), st.Text})
		}
	}
	addr := ""
	if i := n.Spec.Interface(m.live.Lab.VIP.Network); i != nil {
		addr = i.Address.Addr().String()
	} else if len(n.Spec.Interfaces) > 0 {
		addr = n.Spec.Interfaces[0].Address.Addr().String()
	}
	_ = compact
	return [][]seg{l1, {{addr, st.Text}}}
}
