package learnview

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/learn"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/components/traffic"
	vrrppane "github.com/halab/halab/ui/components/vrrp"
)

// labNowHeight is the outer height of the essentials pane.
const labNowHeight = 15

// View renders the screen in the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "halab learn · " + m.live.Name
	return v
}

// Render is the screen as exactly height lines of width cells.
func (m *Model) Render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < common.MinWidth || h < common.MinHeight {
		return m.tooSmall()
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.header(w), m.strip(w))
	bodyH := h - 4
	leftW, rightW := m.layout()
	left := strings.Split(m.stepPane(leftW, bodyH), "\n")
	right := m.rightColumn(rightW, bodyH)
	for i := 0; i < bodyH; i++ {
		lines = append(lines, at(left, i, leftW)+at(right, i, rightW))
	}
	lines = append(lines, m.statusLine(w), m.helpLine(w))
	return strings.Join(lines, "\n")
}

// layout splits the width between the step and the essentials.
func (m *Model) layout() (left, right int) {
	right = min(max(m.width*35/100, 36), 58)
	return m.width - right, right
}

func (m *Model) docWidth() int { l, _ := m.layout(); return l - 2 }

func (m *Model) docHeight() int { return max(m.height-6, 1) }

// at is line i of lines fitted to w cells (blank past the end).
func at(lines []string, i, w int) string {
	if i < len(lines) {
		return common.Fit(lines[i], w)
	}
	return strings.Repeat(" ", w)
}

// header is the title, and the lab and the language.
func (m *Model) header(w int) string {
	st := m.c.Styles
	var l, r common.Line
	l.Space(1).Add(st.Header, m.T("ui.title"))
	r.Add(st.HeaderDim, m.T("ui.lab", "lab", m.live.Name)+" · "+m.course.Name).Space(1)
	return common.Fit(l.String()+strings.Repeat(" ", max(w-l.Width()-r.Width(), 1))+r.String(), w)
}

// strip is one mark per step: ✓ passed, ✗ failed, · not yet; the current
// step in brackets.
func (m *Model) strip(w int) string {
	st := m.c.Styles
	var l common.Line
	l.Space(1)
	for i, v := range m.views {
		mark, style := "·", st.Dim
		if r := v.result; r != nil && (m.run == nil || m.run.step != i) {
			if r.Pass && v.err == "" {
				mark, style = "✓", st.Up
			} else {
				mark, style = "✗", st.Down
			}
		}
		text := mark + itoa(i+1)
		if i == m.step {
			l.Add(st.Selected, "["+text+"]")
		} else {
			l.Space(1).Add(style, text).Space(1)
		}
		l.Space(1)
	}
	return common.Fit(l.String(), w)
}

// stepPane is the current step's document in a frame, scrolled.
func (m *Model) stepPane(w, h int) string {
	v := m.views[m.step]
	doc := m.doc(w - 2)
	inner := h - 2
	maxScroll := max(len(doc)-inner, 0)
	if v.follow {
		v.scroll = maxScroll
	}
	v.scroll = min(v.scroll, maxScroll)
	info := m.T("ui.step", "n", itoa(m.step+1), "total", itoa(len(m.course.Steps)))
	m.scrollHint = ""
	if maxScroll > 0 {
		m.scrollHint = fmt.Sprintf("↕ %d%%", 100*v.scroll/maxScroll)
	}
	title := m.env.Texts.Expand(m.course.Steps[m.step].Title)
	return common.Frame(m.c.Styles, title, info, doc[v.scroll:], w, h, true)
}

// rightColumn is the essentials, then the dashboard's traffic pane and,
// when there is room, its VRRP pane.
func (m *Model) rightColumn(w, h int) []string {
	nowH := min(labNowHeight, h)
	out := strings.Split(common.Frame(m.c.Styles, m.T("ui.pane_lab"), "", m.labNow(w-2), w, nowH, false), "\n")
	rest := h - nowH
	vrrpH := vrrppane.PreferredHeight(m.live)
	if rest-vrrpH >= 2*traffic.MinHeight {
		m.vrrp.SetSize(w, vrrpH)
		out = append(out, strings.Split(m.vrrp.View(), "\n")...)
		rest -= vrrpH
	}
	if rest >= traffic.MinHeight {
		m.traffic.SetSize(w, rest)
		out = append(out, strings.Split(m.traffic.View(), "\n")...)
	}
	return out
}

// statusLine says what the step is doing, or how it ended and what the
// action key does now.
func (m *Model) statusLine(w int) string {
	st := m.c.Styles
	v := m.views[m.step]
	s := m.course.Steps[m.step]
	label := m.env.Texts.Expand(s.ActionLabel)
	var l common.Line
	l.Space(1)
	switch {
	case m.note != "" && m.c.Now().Before(m.noteUntil):
		l.Add(st.StatusInfo, m.note)
	case m.run != nil && m.run.step == m.step:
		l.Add(st.Warn, m.phaseText(v.phase))
		if v.waiting != "" {
			l.Space(1).Text(v.waiting)
		}
	case v.err != "":
		l.Add(st.Down, m.T("ui.error", "err", v.err)).Add(st.Dim, " · ").Text(m.T("ui.again", "action", label))
	case v.result != nil && v.result.Pass:
		l.Add(st.Up, m.T("ui.passed")).Add(st.Dim, " · ").Text(m.T("ui.press", "action", m.T("ui.key_next")))
		l.Add(st.Dim, " · ").Text(m.T("ui.again", "action", label))
	case v.result != nil:
		l.Add(st.Down, m.T("ui.failed")).Add(st.Dim, " · ").Text(m.T("ui.again", "action", label))
	default:
		l.Add(st.Bold, m.T("ui.press", "action", label))
	}
	if m.scrollHint == "" {
		return common.Fit(l.String(), w)
	}
	hint := " " + m.scrollHint + " "
	return common.Fit(l.String(), w-common.Width(hint)) + st.Dim.Render(hint)
}

func (m *Model) phaseText(p learn.Phase) string {
	switch p {
	case learn.PhaseAction:
		return m.T("ui.acting")
	case learn.PhaseCheck:
		return m.T("ui.checking")
	}
	return m.T("ui.preparing")
}

// helpLine lists the keys.
func (m *Model) helpLine(w int) string {
	st := m.c.Styles
	keys := []struct{ k, desc string }{
		{"enter", m.T("ui.key_run")}, {"a", m.T("ui.key_again")}, {"←/→", m.T("ui.key_prev") + "/" + m.T("ui.key_next")},
		{"↑/↓", m.T("ui.key_scroll")}, {"esc", m.T("ui.key_stop")}, {"q", m.T("ui.key_quit")},
	}
	var l common.Line
	for i, k := range keys {
		if i > 0 {
			l.Add(st.Dim, " • ")
		}
		l.Add(st.Key, k.k).Space(1).Add(st.Desc, k.desc)
	}
	return common.Fit(strings.Repeat(" ", max(w-l.Width()-1, 0))+l.String(), w)
}

// tooSmall says how much room the screen needs.
func (m *Model) tooSmall() string {
	msg := wrap(m.T("ui.too_small", "width", itoa(m.width), "height", itoa(m.height),
		"need_width", itoa(common.MinWidth), "need_height", itoa(common.MinHeight)), max(m.width-2, 10))
	return common.Centre(msg, m.width, m.height)
}
