// Package statusbar is the dashboard's last line: the latest message
// (a fault applied, a file saved, an error — errors stay until the next
// message) on the left, the short help on the right.
package statusbar

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"github.com/halab/halab/ui/common"
)

// infoFor is how long an information message stays; errors stay.
const infoFor = 8 * time.Second

// Model is the status bar.
type Model struct {
	common.Common
	width int
	msg   string
	isErr bool
	at    time.Time
	help  help.Model
	keys  []key.Binding
}

// New returns the status bar.
func New(c common.Common) *Model {
	h := help.New()
	h.Styles = c.Styles.Help
	return &Model{Common: c, help: h}
}

// SetSize sets its width (its height is one line).
func (m *Model) SetSize(w, _ int) {
	m.width = w
}

// SetKeys sets the bindings the help shows (nil: the key map's short
// help), for a mode with keys of its own.
func (m *Model) SetKeys(keys []key.Binding) { m.keys = keys }

// Info shows an information message for a while.
func (m *Model) Info(msg string) { m.msg, m.isErr, m.at = msg, false, m.Now() }

// Error shows an error until the next message.
func (m *Model) Error(msg string) { m.msg, m.isErr, m.at = msg, true, m.Now() }

// Message is the message shown now and whether it is an error.
func (m *Model) Message() (string, bool) {
	if m.msg == "" || (!m.isErr && m.Now().Sub(m.at) > infoFor) {
		return "", false
	}
	return m.msg, m.isErr
}

// View renders the line.
func (m *Model) View() string {
	msg, isErr := m.Message()
	var left common.Line
	left.Space(1)
	switch {
	case isErr:
		left.Add(m.Styles.StatusError, "✕ "+msg)
	case msg != "":
		left.Add(m.Styles.StatusInfo, msg)
	}
	room := m.width - left.Width() - 3
	m.help.SetWidth(max(room, 0))
	keys := m.keys
	if keys == nil {
		keys = m.KeyMap.ShortHelp()
	}
	right := m.help.ShortHelpView(keys)
	rw := common.Width(right)
	if room < rw {
		if isErr || msg != "" {
			return common.Fit(left.String(), m.width)
		}
		right = ""
		rw = 0
	}
	left.PadTo(m.width - rw - 1).Text(right).Space(1)
	return common.Fit(left.String(), m.width)
}
