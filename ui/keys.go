package ui

import (
	"io"
	"os"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/components/drills"
)

// key handles a key press: ctrl+c first (it stops a running drill, or
// leaves), then the quit question, the fault menu, the drill menu, the full
// help, the drill keys, then the dashboard's own keys.
func (m *Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.c.KeyMap
	m.layout() // the log's page size depends on it
	if key.Matches(msg, km.ForceQuit) {
		if m.drill != nil && m.drillPane.Phase() != drills.PhaseStopping {
			m.stopDrill()
			return m, nil
		}
		return m.quit(QuitKeep)
	}
	switch {
	case m.quitAsk:
		switch {
		case key.Matches(msg, km.Keep):
			return m.quit(QuitKeep)
		case key.Matches(msg, km.Teardown):
			return m.quit(QuitTeardown)
		case key.Matches(msg, km.Stay):
			m.quitAsk = false
		}
		return m, nil
	case m.menu.IsOpen():
		if f := m.menu.Update(msg); f != nil {
			m.status.Info("applying: " + f.String() + " …")
			return m, m.applyFault(*f)
		}
		return m, nil
	case m.drillMenu.IsOpen():
		if d := m.drillMenu.Update(msg); d != nil {
			return m, m.startDrill(*d)
		}
		return m, nil
	case m.showHelp:
		if key.Matches(msg, km.Help, km.Stay, km.Quit) {
			m.showHelp = false
		}
		return m, nil
	}
	if m.drillKey(msg) {
		return m, nil
	}
	nodes := m.live.Nodes()
	switch {
	case key.Matches(msg, km.Quit):
		m.quitAsk = true
	case key.Matches(msg, km.Help):
		m.showHelp = true
	case key.Matches(msg, km.NextNode):
		if len(nodes) > 0 {
			m.selectNode(nodes[(m.selected+1)%len(nodes)].Name)
		}
	case key.Matches(msg, km.PrevNode):
		if len(nodes) > 0 {
			m.selectNode(nodes[(m.selected-1+len(nodes))%len(nodes)].Name)
		}
	case key.Matches(msg, km.NodeByNumber):
		if i, err := strconv.Atoi(msg.String()); err == nil && i >= 1 && i <= len(nodes) {
			m.selectNode(nodes[i-1].Name)
		}
	case key.Matches(msg, km.Faults):
		if name := m.Selected(); name != "" {
			m.menu.Open(name)
		}
	case key.Matches(msg, km.ScrollUp):
		m.log.ScrollBy(1)
	case key.Matches(msg, km.ScrollDown):
		m.log.ScrollBy(-1)
	case key.Matches(msg, km.PageUp):
		m.log.ScrollBy(max(m.log.Rows()-1, 1))
	case key.Matches(msg, km.PageDown):
		m.log.ScrollBy(-max(m.log.Rows()-1, 1))
	case key.Matches(msg, km.Top):
		m.log.Top()
	case key.Matches(msg, km.Bottom):
		m.log.Bottom()
	case key.Matches(msg, km.Filter):
		m.log.SetFilter(m.nextFilter())
	case key.Matches(msg, km.ClearFilter):
		m.log.SetFilter("")
	case key.Matches(msg, km.Save):
		text := ansi.Strip(m.render()) + "\n"
		return m, m.save("screen", "txt", func(f *os.File) error {
			_, err := io.WriteString(f, text)
			return err
		})
	case key.Matches(msg, km.Export):
		now := m.c.Now()
		buckets := m.live.Traffic.Buckets(now.Add(-2 * time.Minute))
		vips, faults := append([]Mark(nil), m.live.VIPMarks...), append([]Mark(nil), m.live.FaultMarks...)
		return m, m.save("timeline", "svg", func(f *os.File) error {
			return ExportTimelineSVG(f, buckets, vips, faults)
		})
	case key.Matches(msg, km.Refresh):
		m.status.Info("reading statuses …")
		return m, m.readSnapshot(true)
	}
	return m, nil
}

// nextFilter cycles the log's filter: all nodes, then each node in turn.
func (m *Model) nextFilter() string {
	nodes := m.live.Nodes()
	cur := m.log.Filter
	if cur == "" && len(nodes) > 0 {
		return nodes[0].Name
	}
	for i, n := range nodes {
		if n.Name == cur && i+1 < len(nodes) {
			return nodes[i+1].Name
		}
	}
	return ""
}

func (m *Model) quit(c QuitChoice) (tea.Model, tea.Cmd) {
	m.choice, m.quitAsk = c, false
	return m, tea.Quit
}
