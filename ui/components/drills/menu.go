package drills

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/common"
)

// teachesLines bounds the lines of the selected drill's "teaches".
const teachesLines = 7

// Menu is the list of drills to run on the lab.
type Menu struct {
	common.Common
	lab    string
	items  []Info
	cursor int
	open   bool
}

// NewMenu returns a closed menu.
func NewMenu(c common.Common) *Menu { return &Menu{Common: c} }

// Open opens the menu on the drills written for lab.
func (m *Menu) Open(lab string, items []Info) {
	m.lab, m.items, m.open = lab, items, true
	m.cursor = min(m.cursor, max(len(items)-1, 0))
}

// Close closes it.
func (m *Menu) Close() { m.open = false }

// IsOpen reports whether it is open.
func (m *Menu) IsOpen() bool { return m.open }

// Items is what it lists.
func (m *Menu) Items() []Info { return m.items }

// Cursor is the index of the drill under the cursor.
func (m *Menu) Cursor() int { return m.cursor }

// Update handles a key; it returns the drill chosen (the menu then
// closes), or nil. esc, q and d close it.
func (m *Menu) Update(msg tea.KeyPressMsg) *Info {
	km := m.KeyMap
	n := max(len(m.items), 1)
	switch {
	case key.Matches(msg, km.Up):
		m.cursor = (m.cursor - 1 + n) % n
	case key.Matches(msg, km.Down):
		m.cursor = (m.cursor + 1) % n
	case key.Matches(msg, km.Select):
		if m.cursor < len(m.items) {
			m.open = false
			d := m.items[m.cursor]
			return &d
		}
	case key.Matches(msg, km.Cancel, km.Drills):
		m.open = false
	}
	return nil
}

// View renders the menu as a box to lay over the dashboard, at most maxW
// wide.
func (m *Menu) View(maxW int) string {
	st := m.Styles
	nameW, titleW := 0, 0
	for _, d := range m.items {
		nameW = max(nameW, common.Width(d.Name))
		titleW = max(titleW, common.Width(d.Title))
	}
	w := min(max(2+nameW+3+titleW, 64)+4, maxW) // outer
	inner := w - 4                              // a space each side
	var lines []string
	for i, d := range m.items {
		var l common.Line
		name := fmt.Sprintf("%-*s", nameW, d.Name)
		if i == m.cursor {
			l.Add(st.Selected, "▶ ").Add(st.Cursor, name)
		} else {
			l.Text("  " + name)
		}
		l.Space(3).Add(st.Dim, d.Title)
		lines = append(lines, l.String())
	}
	if len(m.items) == 0 {
		lines = append(lines, "no drill is written for lab "+m.lab)
	} else {
		d := m.items[m.cursor]
		lines = append(lines, "")
		teach := strings.Split(ansi.Wrap(strings.TrimSpace(d.Teaches), inner, ""), "\n")
		if len(teach) > teachesLines {
			teach = teach[:teachesLines]
			teach[teachesLines-1] = common.Fit(teach[teachesLines-1]+" …", inner)
		}
		lines = append(lines, teach...)
		if n := len(d.Steps); n > 0 {
			lines = append(lines, "", st.Dim.Render(fmt.Sprintf("%d steps on lab %s; its faults are undone at the end.", n, m.lab)))
		}
	}
	lines = append(lines, "", st.Dim.Render("↑/↓ choose · enter run · esc close"))
	body := make([]string, len(lines))
	for i, l := range lines {
		body[i] = " " + l
	}
	return common.Frame(st, "drills · "+m.lab, "", body, w, len(body)+2, true)
}
