// Package vrrp is the pane of the load balancers' VRRP detail: each one's
// state, effective and base priority and since when; while a backup waits,
// its master-down timer running out as a bar; the reason of its last
// transition; and its advert counters from the latest status read.
package vrrp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
)

// Model is the VRRP pane.
type Model struct {
	common.Common
	live          *labview.Live
	width, height int
}

// New returns the pane.
func New(c common.Common, live *labview.Live) *Model { return &Model{Common: c, live: live} }

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// MinHeight is the pane's smallest outer height: two lines per load
// balancer.
func MinHeight(live *labview.Live) int { return 2 + 2*max(len(live.LBs()), 1) }

// PreferredHeight is its height with three lines per load balancer.
func PreferredHeight(live *labview.Live) int { return 2 + 3*max(len(live.LBs()), 1) }

// View renders the pane.
func (m *Model) View() string {
	w, h := m.width-2, m.height-2
	lbs := m.live.LBs()
	per := 3
	if len(lbs) > 0 {
		per = min(max(h/len(lbs), 1), 3)
	}
	var lines []string
	instance := ""
	for _, n := range lbs {
		lines = append(lines, m.node(n, w, per)...)
		if n.VRRP != nil && n.VRRP.Instance != "" {
			instance = n.VRRP.Instance
		}
	}
	info := ""
	if instance != "" {
		info = "instance " + instance
	}
	return common.Frame(m.Styles, "VRRP", info, lines, m.width, m.height, false)
}

// node is one load balancer's lines.
func (m *Model) node(n *labview.Node, w, per int) []string {
	st := m.Styles
	now := m.Now()
	v := n.VRRP
	if v == nil {
		v = &labview.VRRP{}
	}
	var l1 common.Line
	l1.Add(st.Bold, fmt.Sprintf("%-5s", n.Name)).Space(1)
	vc := n.Component(lab.ComponentVRRP)
	var details []common.Line // lines after the first, most telling first
	add := func(l common.Line) { details = append(details, l) }
	switch {
	case n.PoweredOff:
		l1.Add(st.Down, "✕ POWERED OFF")
		if vc != nil && !vc.Since.IsZero() {
			l1.Add(st.Dim, " since "+common.Clock(vc.Since))
		}
	case vc != nil && vc.State == labview.Down:
		l1.Add(st.Down, "✕ vrrp not running")
		if !vc.Since.IsZero() {
			l1.Add(st.Dim, " since "+common.Clock(vc.Since))
		}
		if vc.Why != "" {
			var l common.Line
			l.Space(6).Add(st.Dim, vc.Why)
			add(l)
		}
	case v.State == "":
		l1.Add(st.Unknown, "state not known yet")
	default:
		l1.Add(st.State(v.State), fmt.Sprintf("%-6s", v.State)).Space(2).Text("prio " + strconv.Itoa(v.Priority))
		if v.BasePriority > 0 && v.BasePriority != v.Priority {
			l1.Add(st.Dim, fmt.Sprintf(" (base %d)", v.BasePriority))
		}
		if !v.Since.IsZero() {
			ago := max(now.Sub(v.Since), 0).Round(time.Second).String()
			for _, s := range []string{
				"  since " + common.Clock(v.Since) + " (" + ago + " ago)",
				"  since " + common.Clock(v.Since),
				"  for " + ago,
			} {
				if l1.Width()+common.Width(s) <= w {
					l1.Add(st.Dim, s)
					break
				}
			}
		}
		if v.Timer.Visible(now) {
			add(m.timer(v.Timer, now, w))
		}
	}
	if v.Reason != "" && v.State != "" {
		var l common.Line
		l.Space(6).Add(st.Dim, v.From+" → ").Add(st.State(v.State), v.State).Add(st.Dim, ": "+v.Reason)
		add(l)
	}
	if !v.CountersAt.IsZero() && !n.PoweredOff && (vc == nil || vc.State != labview.Down) {
		var l common.Line
		text := fmt.Sprintf("adverts sent %d · heard %d", v.Sent, v.Received)
		if v.Dropped > 0 {
			text += fmt.Sprintf(" · dropped %d", v.Dropped)
		}
		l.Space(6).Add(st.Dim, text+" (status of "+v.CountersAt.Format("15:04:05")+", r reads again)")
		add(l)
	}
	out := []string{l1.String()}
	for _, d := range details {
		if len(out) >= per {
			break
		}
		out = append(out, d.String())
	}
	for len(out) < per {
		out = append(out, "")
	}
	return out
}

// timer is the master-down timer: a bar running out, the time left.
func (m *Model) timer(t labview.Timer, now time.Time, w int) common.Line {
	st := m.Styles
	rem := t.Remaining(now)
	var l common.Line
	l.Space(6).Add(st.Warn, "master down in ")
	l.Add(st.Bold, fmt.Sprintf("%.2f s", rem.Seconds()))
	bar := min(16, w-l.Width()-13)
	if t.Interval > 0 && bar >= 6 {
		left := int(float64(bar)*rem.Seconds()/t.Interval.Seconds() + 0.5)
		left = min(max(left, 0), bar)
		l.Text(" ▕").Add(st.Warn, strings.Repeat("█", left)).Add(st.Dim, strings.Repeat("░", bar-left)).Text("▏")
		l.Add(st.Dim, fmt.Sprintf(" of %.2f s", t.Interval.Seconds()))
	}
	if rem == 0 {
		l = common.Line{}
		l.Space(6).Add(st.Warn, "master down timer expired; taking over")
	}
	return l
}
