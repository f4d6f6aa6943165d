package home

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/ui/common"
)

// infoFor is how long an information message stays; errors stay until
// the next key.
const infoFor = 8 * time.Second

// View renders the lab manager in the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "halab"
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
	if m.op != nil {
		lines = append(lines, m.opScreen(w, h-2)...)
	} else {
		lines = append(lines, m.listScreen(w, h-2)...)
	}
	lines = append(lines, m.statusLine(w))
	switch {
	case m.dialog == dialogHelp:
		common.Overlay(lines, w, m.helpBox(w))
	case m.op != nil && m.op.abortAsk:
		common.Overlay(lines, w, m.askBox("cancel the build", []string{
			"Stop building lab " + m.op.name + "?",
			m.st.Dim.Render("What was built so far is removed again."),
		}, "stop it", "keep building"))
	case m.dialog == dialogProvider:
		common.Overlay(lines, w, m.providerBox())
	case m.dialog == dialogRemove:
		common.Overlay(lines, w, m.askBox("remove "+m.removeName, []string{
			"Stop lab " + m.removeName + " and remove it?",
			m.st.Dim.Render("Its processes, namespaces, links, sockets and state go;"),
			m.st.Dim.Render("a dashboard attached to it stops showing anything."),
		}, "remove it", "keep it"))
	}
	return strings.Join(lines, "\n")
}

// leftWidth is the width of the left pane.
func leftWidth(w int) int { return min(max(w*46/100, 46), 76) }

// listScreen is the list on the left, the selection's details on the
// right, h lines.
func (m *Model) listScreen(w, h int) []string {
	lw := leftWidth(w)
	rw := w - lw
	list, selLine := m.listLines(lw - 2)
	inner := h - 2
	if selLine >= 0 {
		if selLine < m.scroll+1 {
			m.scroll = max(selLine-1, 0) // keep the section's heading in view
		}
		if selLine >= m.scroll+inner {
			m.scroll = selLine - inner + 1
		}
	}
	m.scroll = min(m.scroll, max(len(list)-inner, 0))
	info := ""
	if m.scroll > 0 || len(list) > inner {
		info = fmt.Sprintf("%d–%d of %d lines", m.scroll+1, min(m.scroll+inner, len(list)), len(list))
	}
	left := common.Frame(m.st, "labs", info, list[min(m.scroll, len(list)):], lw, h, true)
	title, body := m.details(rw-2, h-2)
	right := common.Frame(m.st, title, "", body, rw, h, false)
	return sideBySide(left, right)
}

// sideBySide joins two panes of the same height line by line.
func sideBySide(left, right string) []string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, len(l))
	for i := range l {
		out[i] = l[i]
		if i < len(r) {
			out[i] += r[i]
		}
	}
	return out
}

// header is the first line: where we are, what is up, the clock.
func (m *Model) header(w int) string {
	st := m.st
	var l common.Line
	l.Space(1).Add(st.Header, "halab").Add(st.HeaderDim, " · ")
	if o := m.op; o != nil {
		l.Text(o.verb() + " " + o.name)
		if o.provider != "" {
			l.Add(st.HeaderDim, " on "+o.provider)
		}
		l.Add(st.HeaderDim, "   │   ")
		d := elapsed(m.opElapsed())
		switch {
		case !o.done:
			l.Add(st.Warn, m.spin.View()).Text(" " + d)
		case o.err != nil:
			l.Add(st.StatusError, "✕ failed after "+d)
		default:
			l.Add(st.Up, "✓ done in "+d)
		}
	} else {
		l.Text("labs").Add(st.HeaderDim, "   │   ")
		if m.loaded {
			l.Text(fmt.Sprintf("%d up · %d built-in · %d lab files", len(m.running), len(m.builtins), len(m.files)))
		}
	}
	right := m.opts.Now().Format("15:04:05") + "  ? help "
	if l.Width()+len(right)+2 <= w {
		l.PadTo(w-common.Width(right)).Add(st.HeaderDim, right)
	}
	return common.Fit(l.String(), w)
}

// statusLine is the last line: the latest message, and the keys that
// work here.
func (m *Model) statusLine(w int) string {
	st := m.st
	var left common.Line
	left.Space(1)
	if m.msg != "" && (m.msgErr || m.opts.Now().Sub(m.msgAt) <= infoFor) {
		if m.msgErr {
			left.Add(st.StatusError, "✕ "+m.msg)
		} else {
			left.Add(st.StatusInfo, m.msg)
		}
	}
	h := help.New()
	h.Styles = st.Help
	room := w - left.Width() - 3
	h.SetWidth(max(room, 0))
	right := h.ShortHelpView(m.shortHelp())
	if rw := common.Width(right); rw <= room {
		left.PadTo(w - rw - 1).Text(right)
	}
	return common.Fit(left.String(), w)
}

// shortHelp is the keys that work now, in words that fit the selection.
func (m *Model) shortHelp() []key.Binding {
	km := m.km
	as := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	switch {
	case m.dialog == dialogHelp:
		return []key.Binding{as(km.Cancel, "close help")}
	case m.op != nil && m.op.abortAsk, m.dialog == dialogRemove:
		return []key.Binding{km.Yes, km.No}
	case m.op != nil && !m.op.done:
		if m.op.kind == opStart {
			return []key.Binding{km.Abort, km.Help, km.ForceQuit}
		}
		return []key.Binding{km.Help}
	case m.op != nil && m.op.err == nil:
		return []key.Binding{as(km.Open, "attach the dashboard"), km.Back, km.Quit}
	case m.op != nil:
		keys := []key.Binding{km.Retry, km.Back}
		if m.runningLab(m.op.name) != nil {
			keys = append(keys, as(km.Attach, "attach to "+m.op.name))
		}
		return append(keys, km.Quit)
	case m.dialog == dialogProvider:
		choose := km.Up
		choose.SetHelp("↑/↓", "choose")
		return []key.Binding{as(km.Choose, "start"), choose, km.Cancel}
	}
	keys := []key.Binding{}
	if it, ok := m.selected(); ok && m.loaded {
		switch {
		case it.sec == secRunning:
			keys = append(keys, as(km.Open, "attach"), km.Remove)
		case m.entry(it).Err != nil:
			keys = append(keys, as(km.Refresh, "re-read after fixing"))
		default:
			keys = append(keys, as(km.Open, "start…"))
			if m.runningName(it) != "" {
				keys = append(keys, km.Attach, km.Remove)
			}
		}
	}
	return append(keys, as(km.NextSection, "section"), km.Help, km.Quit)
}

// providerBox asks where to build the lab.
func (m *Model) providerBox() string {
	st := m.st
	e := m.target
	body := []string{"", " Build lab " + st.Bold.Render(e.Name()) + " where?", ""}
	for i, p := range e.Providers {
		var l common.Line
		name := fmt.Sprintf("%-6s", p.Name)
		switch {
		case i == m.provSel:
			l.Add(st.Selected, " ▶ ").Add(st.Cursor, name).Space(2).Text(p.About)
		case p.Unavailable != "":
			l.Text("   ").Add(st.Dim, name+"  unavailable")
		default:
			l.Text("   "+name).Space(2).Add(st.Dim, p.About)
		}
		body = append(body, l.String())
		if p.Unavailable != "" {
			for _, w := range wrap(p.Unavailable, 50) {
				body = append(body, "           "+st.Dim.Render(w))
			}
		}
	}
	body = append(body, "", " "+st.Key.Render("enter")+" start   "+st.Key.Render("↑/↓")+" choose   "+st.Key.Render("esc")+" cancel", "")
	return common.Frame(st, "start "+e.Name(), "", body, 66, len(body)+2, true)
}

// askBox is a yes/no question.
func (m *Model) askBox(title string, text []string, yes, no string) string {
	st := m.st
	body := []string{""}
	for _, t := range text {
		body = append(body, " "+t)
	}
	body = append(body, "", " "+st.Key.Render("y")+"  "+yes+"     "+st.Key.Render("n/esc")+"  "+no, "")
	return common.Frame(st, title, "", body, 62, len(body)+2, true)
}

// helpBox is the full help: every key, and what the symbols mean.
func (m *Model) helpBox(w int) string {
	st := m.st
	h := help.New()
	h.Styles = st.Help
	body := []string{""}
	for _, k := range strings.Split(h.FullHelpView(m.km.FullHelp()), "\n") {
		body = append(body, " "+k)
	}
	body = append(body, "",
		" "+st.Up.Render("●")+" up   "+st.Warn.Render("…")+" being built   "+st.StatusError.Render("✕")+" problems   "+
			st.VIP.Render("◉")+" holds the VIP   "+st.SplitBrain.Render("!!")+" split brain   "+st.Warn.Render("⚠")+" faults in force",
		" building: "+st.Up.Render("✓")+" done   "+st.Warn.Render("⠋")+" under way   "+st.Dim.Render("·")+" to come;"+
			" the bar counts namespaces, bridges,",
		"           links, components ready and the VRRP master",
		"", st.Dim.Render(" ? or esc closes this help"))
	return common.Frame(st, "help", "", body, min(common.MaxWidth(body)+3, w-2), len(body)+2, true)
}

// tooSmall is the whole screen when the terminal is too small.
func (m *Model) tooSmall() string {
	return common.TooSmall("lab manager", m.width, m.height)
}

// elapsed formats a running time: "4.2 s", "2m41s".
func elapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 100*time.Second {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
