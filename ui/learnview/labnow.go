package learnview

import (
	"fmt"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
)

// successWindow is the span of the success rate in the essentials.
const successWindow = 10 * time.Second

// labNow is the lab's essentials in the course's language, in w cells:
// who holds the VIP (or that two do), each load balancer's VRRP state,
// priority and master-down timer, the client's success rate and outages,
// the faults in force.
func (m *Model) labNow(w int) []string {
	st, l, t := m.c.Styles, m.live, m.env.Texts
	now := m.c.Now()
	var out []string
	line := func(parts ...func(*common.Line)) {
		var ln common.Line
		for _, p := range parts {
			p(&ln)
		}
		out = append(out, common.Fit(ln.String(), w))
	}
	holders := l.VIPHolders()
	line(func(ln *common.Line) { ln.Add(st.Bold, "VIP "+l.VIP) })
	switch {
	case len(holders) > 1:
		line(func(ln *common.Line) {
			ln.Add(st.SplitBrain, "⚠ "+t.T("ui.split_brain", "nodes", strings.Join(holders, ", ")))
		})
	case len(holders) == 1:
		line(func(ln *common.Line) { ln.Add(st.VIP, "◉ ").Add(st.Bold, t.T("ui.vip_on", "nodes", holders[0])) })
	default:
		line(func(ln *common.Line) { ln.Add(st.Down, "✕ "+t.T("ui.no_holder")) })
	}
	out = append(out, "")
	for _, n := range l.LBs() {
		line(func(ln *common.Line) { m.lbLine(ln, n) })
		if n.VRRP != nil && n.VRRP.Timer.Visible(now) && !n.PoweredOff {
			rem := n.VRRP.Timer.Remaining(now)
			line(func(ln *common.Line) {
				ln.Space(2).Add(st.Warn, t.T("ui.timer", "left", t.Num(rem.Seconds(), 2)+" s"))
				if iv := n.VRRP.Timer.Interval; iv > 0 {
					bar := min(12, w-ln.Width()-3)
					if bar >= 4 {
						left := min(max(int(float64(bar)*rem.Seconds()/iv.Seconds()+0.5), 0), bar)
						ln.Text(" ▕").Add(st.Warn, strings.Repeat("█", left)).Add(st.Dim, strings.Repeat("░", bar-left)).Text("▏")
					}
				}
			})
		}
	}
	out = append(out, "")
	tr := l.Traffic
	line(func(ln *common.Line) { ln.Add(st.Bold, t.T("ui.client")) })
	win := tr.Window(now, successWindow)
	line(func(ln *common.Line) {
		ln.Space(2)
		if win.Ratio < 0 {
			ln.Add(st.Dim, t.T("ui.no_traffic"))
			return
		}
		style := st.Up
		if win.Ratio < 0.99 {
			style = st.Down
		}
		ln.Add(style, t.T("ui.success", "ratio", t.Pct(win.Ratio)))
	})
	line(func(ln *common.Line) {
		ln.Space(2)
		if o := tr.Open; o != nil {
			ln.Add(st.Down, t.T("ui.outage_now", "length", t.Dur(now.Sub(o.Start).Round(10*time.Millisecond)), "failed", fmt.Sprint(tr.OpenFailed())))
			return
		}
		ln.Add(st.Up, t.T("ui.no_outage"))
	})
	if o := tr.Last; o != nil {
		line(func(ln *common.Line) {
			ln.Space(2).Add(st.Dim, t.T("ui.last_outage", "length", t.Dur(o.Length), "failed", fmt.Sprint(o.Failed)))
		})
	}
	if fs := l.Faults(); len(fs) > 0 {
		var texts []string
		for _, f := range fs {
			texts = append(texts, m.faultText(f))
		}
		for _, s := range wrap(t.T("ui.faults", "faults", strings.Join(texts, "; ")), w) {
			out = append(out, st.Warn.Render(s))
		}
	}
	return out
}

// lbLine is one load balancer: its name, VRRP state and priority, or why
// it has none.
func (m *Model) lbLine(ln *common.Line, n *labview.Node) {
	st, t := m.c.Styles, m.env.Texts
	ln.Add(st.Bold, fmt.Sprintf("%-5s", n.Name)).Space(1)
	v := n.VRRP
	vc := n.Component(lab.ComponentVRRP)
	switch {
	case n.PoweredOff:
		ln.Add(st.Down, t.T("ui.powered_off"))
	case vc != nil && vc.State == labview.Down:
		ln.Add(st.Down, t.T("ui.vrrp_down"))
	case v == nil || v.State == "":
		ln.Add(st.Unknown, t.T("ui.not_known"))
	default:
		ln.Add(st.State(v.State), fmt.Sprintf("%-6s", v.State)).Space(2).Text(fmt.Sprintf("prio %d", v.Priority))
		if n.HoldsVIP() {
			ln.Space(1).Add(st.VIP, "◉")
		}
	}
}

// faultText says a fault in force in the course's language.
func (m *Model) faultText(f labview.ActiveFault) string {
	node, part, peer := labview.SplitTarget(f.Target)
	t := m.env.Texts
	switch f.Kind {
	case lab.FaultCrash:
		return t.T("fault.crash", "node", node)
	case lab.FaultKill:
		return t.T("fault.kill", "node", node, "component", part)
	case lab.FaultStop:
		return t.T("fault.stop", "node", node, "component", part)
	case lab.FaultLinkDown:
		return t.T("fault.link", "node", node, "iface", part)
	case lab.FaultPartition:
		return t.T("fault.partition", "node", node, "peer", peer)
	case lab.FaultLoss:
		return t.T("fault.loss", "node", node, "iface", part)
	case lab.FaultDelay:
		return t.T("fault.delay", "node", node, "iface", part)
	}
	return f.Text
}
