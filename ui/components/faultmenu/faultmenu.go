// Package faultmenu is the menu of what can be done to one node: power it
// off or on, kill, stop or start one of its components, set a link down or
// up, partition it from another node, drop a share of its packets, heal.
// Each item says what it does in the tutorial's terms (killall -9 haproxy,
// systemctl stop keepalived, pulling a cable).
package faultmenu

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
)

// Item is one thing the menu can do.
type Item struct {
	Label string
	// Hint says it in the tutorial's terms.
	Hint  string
	Fault lab.Fault
	// Adjust is set on loss items: ←/→ change the percentage.
	Adjust bool
}

// DefaultLoss is a loss item's first percentage.
const DefaultLoss = 30

var programOf = map[string]string{"vrrp": "keepalived", "proxy": "haproxy", "web": "nginx", "probe": "the probe"}

// Items lists what can be done to node now, given the lab's state.
func Items(live *labview.Live, node string, loss float64) []Item {
	n := live.Node(node)
	if n == nil {
		return nil
	}
	var out []Item
	add := func(label, hint string, f lab.Fault) { out = append(out, Item{Label: label, Hint: hint, Fault: f}) }
	if n.PoweredOff {
		add("power on "+node, "restore: links up, components started", lab.Fault{Kind: lab.FaultRestore, Node: node})
	} else {
		add("power off "+node, "crash: every process killed, links down", lab.Fault{Kind: lab.FaultCrash, Node: node})
		for _, c := range n.Ordered() {
			prog := programOf[c.Kind]
			if f := strings.Fields(prog); len(f) > 0 {
				prog = f[len(f)-1]
			}
			if c.State == labview.Down {
				add("start "+c.Kind, "start "+prog+" again", lab.Fault{Kind: lab.FaultStart, Node: node, Component: c.Kind})
				continue
			}
			add("kill -9 "+c.Kind, "as killall -9 "+prog, lab.Fault{Kind: lab.FaultKill, Node: node, Component: c.Kind})
			add("stop "+c.Kind, "SIGTERM, as systemctl stop "+prog, lab.Fault{Kind: lab.FaultStop, Node: node, Component: c.Kind})
		}
		for _, i := range n.Spec.Interfaces {
			if n.LinkDown[i.Name] {
				add("link "+i.Name+" up", "plug the cable back ("+i.Network+")", lab.Fault{Kind: lab.FaultLinkUp, Node: node, Interface: i.Name})
			} else {
				add("link "+i.Name+" down", "pull the cable ("+i.Network+")", lab.Fault{Kind: lab.FaultLinkDown, Node: node, Interface: i.Name})
			}
		}
		// Load balancers first: their partition is the split-brain maker.
		peers := slices.Clone(live.Nodes())
		slices.SortStableFunc(peers, func(a, b *labview.Node) int { return boolInt(a.LB < 0) - boolInt(b.LB < 0) })
		for _, p := range peers {
			if p.Name == node || live.Partitioned(node, p.Name) || (n.Role != lab.RoleLB && p.Role != lab.RoleLB) {
				continue
			}
			hint := "drop all traffic between them"
			if n.Role == lab.RoleLB && p.Role == lab.RoleLB {
				hint = "no adverts: split brain"
			}
			add("partition "+node+" ↔ "+p.Name, hint, lab.Fault{Kind: lab.FaultPartition, Node: node, Peer: p.Name})
		}
		for _, i := range n.Spec.Interfaces {
			out = append(out, Item{Label: fmt.Sprintf("loss %g%% on %s", loss, i.Name), Hint: "←/→ to change",
				Fault: lab.Fault{Kind: lab.FaultLoss, Node: node, Interface: i.Name, Percent: loss}, Adjust: true})
		}
	}
	for _, f := range live.Faults() {
		if f.Kind == lab.FaultPartition || f.Kind == lab.FaultLoss || f.Kind == lab.FaultDelay {
			add("heal", "remove every partition and loss", lab.Fault{Kind: lab.FaultHeal})
			break
		}
	}
	return out
}

// Model is the fault menu.
type Model struct {
	common.Common
	live   *labview.Live
	node   string
	items  []Item
	cursor int
	loss   float64
	open   bool
}

// New returns a closed menu.
func New(c common.Common, live *labview.Live) *Model {
	return &Model{Common: c, live: live, loss: DefaultLoss}
}

// Open opens the menu for node.
func (m *Model) Open(node string) {
	m.node, m.open, m.cursor = node, true, 0
	m.items = Items(m.live, node, m.loss)
}

// Close closes it.
func (m *Model) Close() { m.open = false }

// IsOpen reports whether it is open.
func (m *Model) IsOpen() bool { return m.open }

// Node is the node it acts on.
func (m *Model) Node() string { return m.node }

// Items is what it lists now.
func (m *Model) Items() []Item { return m.items }

// Cursor is the index of the item under the cursor.
func (m *Model) Cursor() int { return m.cursor }

// Update handles a key; it returns the fault chosen (the menu then
// closes), or nil.
func (m *Model) Update(msg tea.KeyPressMsg) *lab.Fault {
	km := m.KeyMap
	switch {
	case key.Matches(msg, km.Up):
		m.cursor = (m.cursor - 1 + len(m.items)) % max(len(m.items), 1)
	case key.Matches(msg, km.Down):
		m.cursor = (m.cursor + 1) % max(len(m.items), 1)
	case key.Matches(msg, km.Less), key.Matches(msg, km.More):
		if m.cursor < len(m.items) && m.items[m.cursor].Adjust {
			step := 10.0
			if key.Matches(msg, km.Less) {
				step = -10
			}
			m.loss = min(max(m.loss+step, 10), 100)
			cur := m.cursor
			m.items = Items(m.live, m.node, m.loss)
			m.cursor = min(cur, len(m.items)-1)
		}
	case key.Matches(msg, km.Select):
		if m.cursor < len(m.items) {
			f := m.items[m.cursor].Fault
			m.open = false
			return &f
		}
	case key.Matches(msg, km.Cancel):
		m.open = false
	}
	return nil
}

// View renders the menu as a box to lay over the dashboard.
func (m *Model) View() string {
	st := m.Styles
	labelW, hintW := 0, 0
	for _, it := range m.items {
		labelW = max(labelW, common.Width(it.Label))
		hintW = max(hintW, common.Width(it.Hint))
	}
	var lines []string
	for i, it := range m.items {
		var l common.Line
		mark := "  "
		if i == m.cursor {
			mark = "▶ "
		}
		label := fmt.Sprintf("%-*s", labelW, it.Label)
		if i == m.cursor {
			l.Add(st.Selected, mark).Add(st.Cursor, label)
		} else {
			l.Text(mark + label)
		}
		l.Space(3).Add(st.Dim, it.Hint)
		lines = append(lines, l.String())
	}
	if len(m.items) == 0 {
		lines = append(lines, "nothing to do here")
	}
	lines = append(lines, "", st.Dim.Render("↑/↓ choose · enter apply · ←/→ loss % · esc close"))
	w := max(2+labelW+3+hintW, 50) + 4
	return common.Frame(st, "faults · "+m.node, "", pad(lines), w, len(lines)+2, true)
}

func pad(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = " " + l
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
