// Package events is the event log pane: every event of the lab but the
// probe's 100 ms buckets, newest at the bottom, timestamped to the
// millisecond, scrollable, filtered by node.
package events

import (
	"fmt"
	"strings"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// whoWidth is the width of the log's "who" column.
const whoWidth = 13

// Model is the event log pane.
type Model struct {
	common.Common
	live          *labview.Live
	width, height int
	// Filter is the node whose events are shown, "" for all.
	Filter string
	// Scroll is how many (matching) events the view is scrolled back from
	// the newest; 0 follows new events.
	Scroll int
	page   []*control.Event
}

// New returns the pane.
func New(c common.Common, live *labview.Live) *Model { return &Model{Common: c, live: live} }

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// Rows is how many events the pane shows.
func (m *Model) Rows() int { return max(m.height-2, 0) }

// ScrollBy scrolls back (n > 0) or forward (n < 0), within the log.
func (m *Model) ScrollBy(n int) {
	m.Scroll += n
	m.clamp()
}

// Top scrolls to the oldest event; Bottom follows the newest again.
func (m *Model) Top() { m.Scroll = m.live.Log.Len(); m.clamp() }

// Bottom follows the newest events.
func (m *Model) Bottom() { m.Scroll = 0 }

// SetFilter shows only the events of node ("" for all) and follows the
// newest again.
func (m *Model) SetFilter(node string) { m.Filter, m.Scroll = node, 0 }

// Appended keeps a scrolled-back view still when an event arrives.
func (m *Model) Appended(e *control.Event) {
	if m.Scroll > 0 && e.Kind != control.KindProbe && labview.Matches(e, m.Filter) {
		m.Scroll++
		m.clamp()
	}
}

func (m *Model) clamp() {
	most := max(m.live.Log.Count(m.Filter)-m.Rows(), 0)
	m.Scroll = min(max(m.Scroll, 0), most)
}

// View renders the pane.
func (m *Model) View() string {
	st := m.Styles
	rows := m.Rows()
	m.page = m.live.Log.Page(m.Filter, m.Scroll, rows, m.page)
	lines := make([]string, 0, rows)
	for i := len(m.page); i < rows; i++ {
		lines = append(lines, "") // few events: the log sits at the bottom
	}
	for _, e := range m.page {
		lines = append(lines, m.line(e))
	}
	filter := "all nodes"
	if m.Filter != "" {
		filter = m.Filter
	}
	info := fmt.Sprintf("filter: %s (/) · %d kept", filter, m.live.Log.Count(m.Filter))
	if m.Scroll > 0 {
		info = fmt.Sprintf("↑ %d newer below · end follows · ", m.Scroll) + info
	}
	return common.Frame(st, "events", info, lines, m.width, m.height, m.Scroll > 0)
}

// line is one event: time, who, message.
func (m *Model) line(e *control.Event) string {
	st := m.Styles
	who, msg := e.Node, e.Message
	switch {
	case e.Kind == control.KindFault:
		who, msg = "fault", strings.TrimPrefix(msg, "fault: ")
	case e.Component != "" && e.Component != e.Node && e.Component != "lab":
		who += "/" + e.Component
	case who == "":
		who = e.Component
	}
	msg = strings.TrimPrefix(msg, e.Node+": ") // the probe's "client: …"
	var l common.Line
	l.Add(st.Time, common.Clock(e.Time)).Space(2).Add(st.Who, fmt.Sprintf("%-*s", whoWidth, who)).Space(1)
	l.Add(MessageStyle(st, e), msg)
	return l.String()
}

// MessageStyle is the style of an event's message, by what it says.
func MessageStyle(st *styles.Styles, e *control.Event) styles.Style {
	switch {
	case e.Level == "error":
		return st.LevelError
	case e.Kind == control.KindFault:
		return st.KindFault
	case e.Kind == control.KindOutage && e.Outage != nil && e.Outage.Open:
		return st.Down
	case e.Kind == control.KindOutage:
		return st.Up
	case e.Kind == control.KindVIP:
		return st.VIP
	case e.Kind == control.KindVRRPState:
		return st.KindState
	case e.Level == "warn":
		return st.LevelWarn
	}
	return st.Text
}
