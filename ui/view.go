package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/components/drills"
	"github.com/halab/halab/ui/components/topology"
	"github.com/halab/halab/ui/components/traffic"
	vrrppane "github.com/halab/halab/ui/components/vrrp"
	"github.com/halab/halab/ui/styles"
)

// View renders the dashboard in the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "halab · " + m.live.Name
	return v
}

// render is the screen as a string of exactly height lines of width cells.
func (m *Model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < MinWidth || h < MinHeight {
		return m.tooSmall()
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.header(w))
	if b := m.banner(w); b != "" {
		lines = append(lines, b)
	}
	topH, leftW, rightW := m.layout()
	left := strings.Split(m.topo.View(), "\n")
	right := append(strings.Split(m.traffic.View(), "\n"), strings.Split(m.vrrp.View(), "\n")...)
	for i := 0; i < topH; i++ {
		lines = append(lines, at(left, i, leftW)+at(right, i, rightW))
	}
	if m.drillPane.Visible() {
		lines = append(lines, strings.Split(m.drillPane.View(), "\n")...)
	}
	lines = append(lines, strings.Split(m.log.View(), "\n")...)
	m.status.SetKeys(m.drillHelp())
	lines = append(lines, m.status.View())

	switch {
	case m.quitAsk:
		common.Overlay(lines, w, m.quitBox())
	case m.menu.IsOpen():
		common.Overlay(lines, w, m.menu.View())
	case m.drillMenu.IsOpen():
		common.Overlay(lines, w, m.drillMenu.View(w-4))
	case m.showHelp:
		common.Overlay(lines, w, m.helpBox(w))
	}
	return strings.Join(lines, "\n")
}

// layout sizes the panes for the terminal: the upper row (topology left,
// traffic and VRRP right) of height topH, the event log below it. While
// the drill pane shows, it takes a band the full width of the screen
// between the two, out of the log's height: the topology, the traffic
// and the VRRP detail stay as they are, so the failover is seen while the
// drill narrates it.
func (m *Model) layout() (topH, leftW, rightW int) {
	w, h := m.width, m.height
	rest := h - 2 // header and status bar
	if m.live.SplitBrain() {
		rest-- // the banner
	}
	topH = m.topHeight(rest)
	// The topology's full drawing needs about 88 columns; the traffic pane
	// takes the rest, from 40 to 76.
	rightW = min(max(w-88, 40), 76)
	leftW = w - rightW
	vrrpH := vrrppane.PreferredHeight(m.live)
	if topH-vrrpH < traffic.MinHeight+3 {
		vrrpH = vrrppane.MinHeight(m.live)
	}
	m.topo.SetSize(leftW, topH)
	m.traffic.SetSize(rightW, topH-vrrpH)
	m.vrrp.SetSize(rightW, vrrpH)
	logH := rest - topH
	if m.drillPane.Visible() {
		drillH := min(max(logH*55/100, 7), 15, logH-5)
		m.drillPane.SetSize(w, drillH)
		logH -= drillH
	}
	m.log.SetSize(w, logH)
	m.status.SetSize(w, 1)
	return topH, leftW, rightW
}

// topHeight shares the height between the upper panes and the event log.
func (m *Model) topHeight(rest int) int {
	want := max(topology.MinHeight(m.live), traffic.MinHeight+vrrppane.MinHeight(m.live))
	return min(max(rest*47/100, want), rest-6)
}

func at(lines []string, i, w int) string {
	if i < len(lines) {
		return lines[i]
	}
	return strings.Repeat(" ", w)
}

// header is the first line: the lab, its provider and age, who holds the
// VIP, the clock.
func (m *Model) header(w int) string {
	st := m.c.Styles
	now := m.c.Now()
	var l common.Line
	l.Space(1).Add(st.Header, "halab").Add(st.HeaderDim, " · ").Text(m.live.Name).
		Add(st.HeaderDim, " · "+m.live.Provider+" · up ").Text(common.Uptime(now.Sub(m.live.Created)))
	l.Add(st.HeaderDim, "   │   ")
	holders := m.live.VIPHolders()
	switch len(holders) {
	case 0:
		l.Text("VIP "+m.live.VIP+" ").Add(st.Down, "held by no node")
	case 1:
		l.Text("VIP "+m.live.VIP+" on ").Add(st.VIP, "◉ "+holders[0])
	default:
		l.Text("VIP "+m.live.VIP+" on").Add(st.SplitBrain, " "+strings.Join(holders, " AND ")+" ")
	}
	right := now.Format("15:04:05") + "  ? help "
	if l.Width()+len(right)+2 <= w {
		l.PadTo(w-common.Width(right)).Add(st.HeaderDim, right)
	}
	return common.Fit(l.String(), w)
}

// banner is the split-brain alarm, or nothing.
func (m *Model) banner(w int) string {
	holders := m.live.VIPHolders()
	if len(holders) < 2 {
		return ""
	}
	who := strings.Join(holders, " and ")
	var text string
	for _, t := range []string{
		fmt.Sprintf("!! SPLIT BRAIN !!  VIP %s is held by %s at once: both answer ARP for it, the client reaches whichever answered last", m.live.VIP, who),
		fmt.Sprintf("!! SPLIT BRAIN !!  VIP %s is held by %s at once: both answer ARP for it", m.live.VIP, who),
		fmt.Sprintf("!! SPLIT BRAIN !!  VIP %s held by %s", m.live.VIP, who),
	} {
		if text = t; common.Width(t)+2 <= w {
			break
		}
	}
	text = common.Fit(" "+text, w)
	return m.c.Styles.SplitBrain.Render(text)
}

// tooSmall is the whole screen when the terminal is too small.
func (m *Model) tooSmall() string {
	lines := strings.Split(common.TooSmall("dashboard", m.width, m.height), "\n")
	if m.quitAsk {
		common.Overlay(lines, m.width, m.quitBox())
	}
	return strings.Join(lines, "\n")
}

// quitBox asks whether to keep the lab.
func (m *Model) quitBox() string {
	st := m.c.Styles
	body := []string{
		"",
		" Leave the dashboard. And the lab " + m.live.Name + "?",
		"",
		" " + st.Key.Render("k") + "  keep it running  " + st.Dim.Render("(enter, q; `halab down` removes it later)"),
		" " + st.Key.Render("d") + "  tear it down now " + st.Dim.Render("(processes, namespaces, state)"),
		" " + st.Key.Render("esc") + " stay",
		"",
	}
	if m.drill != nil {
		body = append(body, " "+st.Warn.Render("drill "+m.drill.info.Name+" is running: leaving stops it and undoes its faults first"), "")
	}
	return common.Frame(st, "quit", "", body, max(66, common.MaxWidth(body)+3), len(body)+2, true)
}

// helpBox is the full help: every key, and what the symbols mean.
func (m *Model) helpBox(w int) string {
	st := m.c.Styles
	h := help.New()
	h.Styles = st.Help
	keys := strings.Split(h.FullHelpView(m.c.KeyMap.FullHelp()), "\n")
	var legend []string
	add := func(parts ...string) { legend = append(legend, " "+strings.Join(parts, "")) }
	add(st.Up.Render("●"), " up   ", st.Down.Render("✕"), " down   ", st.Warn.Render("…"), " starting   ",
		st.Unknown.Render("?"), " not known      ", st.VIP.Render("◉"), " holds the VIP   ◌ VIP on a down link")
	add(st.Master.Render("MASTER"), " ", st.Backup.Render("BACKUP"), " ", st.Fault.Render("FAULT"),
		"  VRRP states; prio is the effective priority (tracking weights included)")
	add(st.Warn.Render("◷ takeover in"), " a backup's master-down timer running out: no advert heard from the master")
	lbs := ""
	for i, n := range m.live.LBs() {
		lbs += st.LBStyle(i).Render(styles.LBGlyph(i)) + " " + n.Name + "  "
	}
	add(st.ChartOK.Render("█"), " answered  ", st.ChartFail.Render(traffic.FailGlyph), " failed  (per column, bar height = success share)   ", lbs)
	add(st.Marker.Render("▲"), " fault applied   ", st.VIP.Render("◆"), " VIP moved   outage = longest time between two successful answers")
	if m.opts.Drills != nil {
		add("drills: ", st.Up.Render("✓"), " expectation met  ", st.Down.Render("✗"), " not met  ", st.Warn.Render(drills.Spinner[0]),
			" waiting  ", st.Selected.Render("»"), " narration  ○ still to come  · not run")
	}
	body := []string{""}
	for _, k := range keys {
		body = append(body, " "+k)
	}
	body = append(body, "")
	body = append(body, legend...)
	body = append(body, "", st.Dim.Render(" ? or esc closes this help"))
	return common.Frame(st, "help", "", body, min(common.MaxWidth(body)+3, w-2), len(body)+2, true)
}
