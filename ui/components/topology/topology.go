// Package topology draws the lab: client(s) on the VIP's network, the load
// balancers between it and the private network, the web servers behind.
// Each load balancer's box says its VRRP state and effective priority, holds
// the VIP marker while it holds the VIP (the marker moves when the VIP
// does), counts down its master-down timer while it waits, and lists its
// components' health; links that are down are drawn broken, partitions
// between load balancers are marked, and a powered-off node says so.
package topology

import (
	"strconv"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// seg is a piece of a box line in one style.
type seg struct {
	s  string
	st styles.Style
}

func width(line []seg) int {
	w := 0
	for _, s := range line {
		w += common.Width(s.s)
	}
	return w
}

// placed is a node's box on the canvas.
type placed struct {
	n          *labview.Node
	x, y, w, h int
	lines      [][]seg
}

// linkY is the row where the box's links attach: its first content line.
func (p *placed) linkY() int { return p.y + 1 }

// Model is the topology pane.
type Model struct {
	common.Common
	live          *labview.Live
	width, height int
	selected      string
	cv            canvas
}

// New returns the pane for a lab.
func New(c common.Common, live *labview.Live) *Model { return &Model{Common: c, live: live} }

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetSelected marks the node the fault menu acts on.
func (m *Model) SetSelected(name string) { m.selected = name }

// MinHeight is the pane's smallest useful outer height for the lab.
func MinHeight(live *labview.Live) int {
	n := max(len(live.LBs()), 1)
	return 2 + 1 + n*5 + (n - 1) + 1
}

// View renders the pane.
func (m *Model) View() string {
	lines := m.draw(m.width-2, m.height-2)
	return common.Frame(m.Styles, "topology", "", lines, m.width, m.height, false)
}

// draw lays the lab out on a w×h canvas.
func (m *Model) draw(w, h int) []string {
	m.cv.reset(w, h)
	if w <= 0 || h <= 0 {
		return nil
	}
	var left, mid, right []*labview.Node
	for _, n := range m.live.Nodes() {
		switch n.Role {
		case lab.RoleLB:
			mid = append(mid, n)
		case lab.RoleWeb:
			right = append(right, n)
		default:
			left = append(left, n)
		}
	}
	leftNet := m.live.Lab.VIP.Network
	rightNet := ""
	for _, n := range right {
		if len(n.Spec.Interfaces) > 0 {
			rightNet = n.Spec.Interfaces[0].Network
			break
		}
	}
	// The richest variant that fits: full texts, then compact ones.
	lbRows := 4
	if 1+len(mid)*(lbRows+2)+(len(mid)-1)+1 > h {
		lbRows = 3
	}
	var boxes [3][]*placed
	var gaps [4]int
	var ok bool
	for _, compact := range []bool{false, true} {
		boxes = [3][]*placed{m.boxes(left, compact, 2), m.boxes(mid, compact, lbRows), m.boxes(right, compact, 2)}
		if gaps, ok = m.fit(w, boxes, compact); ok {
			break
		}
	}
	cols := [3]int{colWidth(boxes[0]), colWidth(boxes[1]), colWidth(boxes[2])}
	total := cols[0] + cols[1] + cols[2] + gaps[0] + gaps[1] + gaps[2] + gaps[3] + 2
	x := max((w-total)/2, 0)
	xs := [3]int{x, 0, 0}
	busL := x + cols[0] + gaps[0]
	xs[1] = busL + 1 + gaps[1]
	busR := xs[1] + cols[1] + gaps[2]
	xs[2] = busR + 1 + gaps[3]
	if len(left) == 0 {
		busL, xs[1] = -1, x
	}

	// Rows: network labels, the load balancers' stack, the faults line.
	stackH := 0
	for i, p := range boxes[1] {
		if i > 0 {
			stackH++
		}
		stackH += p.h
	}
	// The stack sits in the middle of the rows between the labels and the
	// faults line.
	top := 1 + max((h-2-stackH)/2, 0)
	y := top
	for _, p := range boxes[1] {
		p.x, p.y = xs[1], y
		y += p.h + 1
	}
	center := func(col []*placed, x int) {
		hh := -1
		for _, p := range col {
			hh += p.h + 1
		}
		y := top + max((stackH-hh)/2, 0)
		for _, p := range col {
			p.x, p.y = x, y
			y += p.h + 1
		}
	}
	center(boxes[0], xs[0])
	center(boxes[2], xs[2])

	st := m.Styles
	var atL, atR []attach
	for _, p := range boxes[0] {
		m.link(p, leftNet, p.x+p.w, busL-1)
		atL = append(atL, attach{p.linkY(), true})
	}
	for _, p := range boxes[1] {
		if busL >= 0 {
			m.link(p, leftNet, busL+1, p.x-1)
			atL = append(atL, attach{p.linkY(), false})
		}
		if len(right) > 0 {
			m.link(p, rightNet, p.x+p.w, busR-1)
			atR = append(atR, attach{p.linkY(), true})
		}
	}
	for _, p := range boxes[2] {
		m.link(p, rightNet, busR+1, p.x-1)
		atR = append(atR, attach{p.linkY(), false})
	}
	labelEnd := -1
	if busL >= 0 {
		m.bus(busL, 1, atL)
		labelEnd = m.netLabel(busL, leftNet, -1)
	}
	if len(right) > 0 {
		m.bus(busR, 1, atR)
		m.netLabel(busR, rightNet, labelEnd)
	}
	for _, col := range boxes {
		for _, p := range col {
			m.drawBox(p)
		}
	}
	// Partitions between load balancers, in the gap between their boxes.
	for i := 1; i < len(boxes[1]); i++ {
		a, b := boxes[1][i-1], boxes[1][i]
		if m.live.Partitioned(a.n.Name, b.n.Name) {
			txt := "✕ partitioned ✕"
			m.cv.text(a.x+max((a.w-len([]rune(txt)))/2, 0), a.y+a.h, txt, st.Down)
		}
	}
	m.faultsLine(h - 1)
	return m.cv.lines()
}

// fit chooses the link segments' lengths for the columns, or reports that
// they do not fit in w.
func (m *Model) fit(w int, boxes [3][]*placed, compact bool) ([4]int, bool) {
	const minGap = 2
	gaps := [4]int{minGap, minGap, minGap, minGap}
	want := [4]int{8, 14, 14, 8}
	if compact {
		want = [4]int{3, 6, 6, 3}
	}
	if len(boxes[0]) == 0 {
		gaps[0], gaps[1], want[0], want[1] = 0, 0, 0, 0
	}
	if len(boxes[2]) == 0 {
		gaps[2], gaps[3], want[2], want[3] = 0, 0, 0, 0
	}
	used := colWidth(boxes[0]) + colWidth(boxes[1]) + colWidth(boxes[2]) + gaps[0] + gaps[1] + gaps[2] + gaps[3] + 2
	extra := w - used
	if extra < 0 {
		return gaps, false
	}
	for _, i := range []int{1, 2, 0, 3, 1, 2, 0, 3} {
		add := min((want[i]-gaps[i]+1)/2, extra)
		if add > 0 {
			gaps[i] += add
			extra -= add
		}
	}
	return gaps, true
}

func colWidth(col []*placed) int {
	w := 0
	for _, p := range col {
		w = max(w, p.w)
	}
	return w
}

// boxes builds the boxes of a column, all as wide as the widest; rows is
// the content lines of a load balancer's box. Load balancers' boxes have a
// fixed width, so that they do not change size as their texts change.
func (m *Model) boxes(nodes []*labview.Node, compact bool, rows int) []*placed {
	var out []*placed
	inner := 0
	for _, n := range nodes {
		var lines [][]seg
		switch n.Role {
		case lab.RoleLB:
			lines = m.lbLines(n, compact, rows)
			if compact {
				inner = max(inner, lbInnerCompact)
			} else {
				inner = max(inner, lbInner)
			}
		default:
			lines = m.hostLines(n, compact)
		}
		inner = max(inner, len([]rune(n.Name))+4)
		for _, l := range lines {
			if compact {
				inner = max(inner, width(l))
			} else {
				inner = max(inner, width(l)+2)
			}
		}
		out = append(out, &placed{n: n, h: len(lines) + 2, lines: lines})
	}
	for _, p := range out {
		p.w = inner + 2
	}
	return out
}

// Inner widths of a load balancer's box: room for "◌ VIP on a down link"
// and "◷ takeover in 3.61 s", or their compact forms.
const (
	lbInner        = 22
	lbInnerCompact = 17
)

func (m *Model) drawBox(p *placed) {
	st := m.Styles
	border, title := st.Border, st.Bold
	name := p.n.Name
	if p.n.PoweredOff {
		border = st.Down
	}
	if p.n.Name == m.selected {
		border, title, name = st.BorderFocus, st.Selected, "▶ "+name
	}
	m.cv.box(p.x, p.y, p.w, p.h, name, title, border)
	for i, n := range m.live.Nodes() {
		if n == p.n && i < 9 && p.w >= len([]rune(name))+9 {
			num := strconv.Itoa(i + 1)
			m.cv.text(p.x+p.w-2-len(num)-1, p.y, " "+num, st.Dim)
		}
	}
	pad := 1
	if p.w-2-maxWidth(p.lines) < 1 {
		pad = 0
	}
	for i, line := range p.lines {
		x := p.x + 1 + pad
		for _, s := range line {
			x += m.cv.text(x, p.y+1+i, s.s, s.st)
		}
	}
	// Where links attach, the border turns into a junction.
	y := p.linkY()
	if r := m.cv.at(p.x-1, y); r == '─' || r == '╌' || r == '✕' {
		m.cv.put(p.x, y, '┤', border)
	}
	if r := m.cv.at(p.x+p.w, y); r == '─' || r == '╌' || r == '✕' {
		m.cv.put(p.x+p.w-1, y, '├', border)
	}
}

func maxWidth(lines [][]seg) int {
	w := 0
	for _, l := range lines {
		w = max(w, width(l))
	}
	return w
}

// link draws the segment from x1 to x2 on the box's link row, labelled
// with the interface; broken when the link is down.
func (m *Model) link(p *placed, network string, x1, x2 int) {
	if x2 < x1 {
		return
	}
	st := m.Styles
	y := p.linkY()
	iface := p.n.Spec.Interface(network)
	down := p.n.PoweredOff || (iface != nil && p.n.LinkDown[iface.Name])
	line, lst := '─', st.Border
	if down {
		line, lst = '╌', st.Down
	}
	m.cv.hline(x1, x2, y, line, lst)
	n := x2 - x1 + 1
	if down {
		m.cv.put(x1+(n-1)/2, y, '✕', st.Down)
		return
	}
	if iface == nil {
		return
	}
	host := iface.Address.Addr().String()
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		host = host[i:]
	}
	label := iface.Name
	if p.n.Role == lab.RoleLB {
		label += " " + host
	}
	for _, l := range []string{label, host} {
		if len(l)+2 <= n {
			m.cv.text(x1+(n-len(l))/2, y, l, st.Dim)
			return
		}
	}
}

// attach is a link meeting a bus: at row y, from the left or the right.
type attach struct {
	y        int
	fromLeft bool
}

// bus draws a network's vertical line from below its label to its lowest
// link, with a junction at each link.
func (m *Model) bus(x, top int, at []attach) {
	if len(at) == 0 {
		return
	}
	bottom := top
	for _, a := range at {
		bottom = max(bottom, a.y)
	}
	st := m.Styles.Border
	for y := top; y <= bottom; y++ {
		m.cv.put(x, y, '│', st)
	}
	for _, a := range at {
		l, r := false, false
		for _, b := range at {
			if b.y == a.y {
				l, r = l || b.fromLeft, r || !b.fromLeft
			}
		}
		var g rune
		switch {
		case a.y == bottom && l && r:
			g = '┴'
		case a.y == bottom && l:
			g = '┘'
		case a.y == bottom:
			g = '└'
		case l && r:
			g = '┼'
		case l:
			g = '┤'
		default:
			g = '├'
		}
		m.cv.put(x, a.y, g, st)
	}
}

// netLabel writes a network's name and subnet centred above its bus, to
// the right of column after (the end of the other label, -1 for none); it
// returns the column where the label ends. The subnet is left out when the
// whole does not fit.
func (m *Model) netLabel(x int, network string, after int) int {
	text := network
	if nw := m.live.Lab.Network(network); nw != nil {
		text += " " + nw.Subnet.String()
	}
	for _, t := range []string{text, network} {
		n := len([]rune(t))
		start := min(max(x-n/2, after+2, 0), max(m.cv.w-n, 0))
		if (after < 0 || start >= after+2) && start+n <= m.cv.w || t == network {
			m.cv.text(start, 0, t, m.Styles.Dim)
			return start + n
		}
	}
	return after
}

// faultsLine lists the faults in force on the pane's last row.
func (m *Model) faultsLine(y int) {
	st := m.Styles
	faults := m.live.Faults()
	if len(faults) == 0 {
		m.cv.text(1, y, "no faults injected · f opens the fault menu", st.Dim)
		return
	}
	texts := make([]string, len(faults))
	for i, f := range faults {
		texts[i] = f.Text
	}
	x := 1 + m.cv.text(1, y, "faults: ", st.Warn)
	line := strings.Join(texts, " · ")
	if r := []rune(line); len(r) > m.cv.w-x-1 && m.cv.w-x-2 > 0 {
		line = string(r[:m.cv.w-x-2]) + "…"
	}
	m.cv.text(x, y, line, st.Warn)
}
