// Package styles holds the dashboard's one set of styles. Every component
// takes its look from a *Styles built by DefaultStyles, never from its own
// colour constants, so that NO_COLOR (https://no-color.org) turns all colour
// off in one place.
//
// The palette is the terminal's own 16 ANSI colours: they follow the user's
// theme, light or dark. Nothing on the dashboard is told by colour alone:
// states are words (MASTER, BACKUP, FAULT, down), health is a symbol
// (● up, ✕ down) and failures have their own glyph, so the screen reads the
// same without colour.
package styles

import (
	"os"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Style is a lipgloss style baked into its ANSI prefix and suffix, so that
// rendering a short text costs two string concatenations instead of a full
// lipgloss layout pass (the dashboard renders hundreds of short segments
// per frame). Only inline attributes are kept: colours, bold, faint,
// reverse, underline.
type Style struct {
	pre, post string
}

// Bake turns a lipgloss style into a Style.
func Bake(s lipgloss.Style) Style {
	const marker = "\x01"
	out := s.Render(marker)
	i := strings.Index(out, marker)
	if i < 0 {
		return Style{}
	}
	return Style{pre: out[:i], post: out[i+len(marker):]}
}

// Render styles s.
func (st Style) Render(s string) string {
	if st.pre == "" || s == "" {
		return s
	}
	return st.pre + s + st.post
}

// Plain reports whether the style changes nothing.
func (st Style) Plain() bool { return st.pre == "" }

// Styles is every style the dashboard uses, by meaning.
type Styles struct {
	// Color is false when NO_COLOR is set: then only bold, faint and
	// reverse are used.
	Color bool

	Header, HeaderDim, Title, Dim, Text, Bold Style
	// Border and BorderFocus draw pane frames; Selected marks the node the
	// fault menu acts on.
	Border, BorderFocus, Selected Style

	// Health.
	Up, Down, Warn, Unknown Style
	// VRRP states.
	Master, Backup, Fault, Init Style
	// VIP is the VIP marker on its holder; SplitBrain the banner and the
	// marker when two nodes hold it.
	VIP, SplitBrain Style
	// Chart: successful share, failed share, the axis and its markers.
	ChartOK, ChartFail, Axis, Marker Style
	// LB is the colour of each load balancer in the "answered by" band,
	// in lab order (cycled).
	LB []Style
	// Event log.
	Time, Who, LevelWarn, LevelError, KindState, KindFault Style
	// Help and status bar.
	Key, Desc, StatusInfo, StatusError Style
	// Menu item under the cursor.
	Cursor Style
	// Help styles the bubbles help view.
	Help help.Styles
}

// LBGlyphs are the "answered by" band's glyphs, one per load balancer in
// lab order (cycled): distinct shapes, so the band reads without colour.
var LBGlyphs = []string{"▀", "▄", "■", "▪"}

// DefaultStyles returns the dashboard's styles; without colour when the
// NO_COLOR environment variable is set to anything but the empty string.
func DefaultStyles() *Styles {
	return New(os.Getenv("NO_COLOR") == "")
}

// New returns the styles with or without colour.
func New(color bool) *Styles {
	n := lipgloss.NewStyle
	c := lipgloss.Color
	fg := func(col string) lipgloss.Style { return n().Foreground(c(col)) }
	if !color {
		fg = func(string) lipgloss.Style { return n() }
	}
	bold := n().Bold(true)
	s := &Styles{
		Color:       color,
		Header:      Bake(bold),
		HeaderDim:   Bake(n().Faint(true)),
		Title:       Bake(bold),
		Dim:         Bake(n().Faint(true)),
		Bold:        Bake(bold),
		Border:      Bake(fg("8")),
		BorderFocus: Bake(fg("6")),
		Selected:    Bake(fg("6").Bold(true)),
		Up:          Bake(fg("2")),
		Down:        Bake(fg("1").Bold(true)),
		Warn:        Bake(fg("3")),
		Unknown:     Bake(n().Faint(true)),
		Master:      Bake(fg("2").Bold(true)),
		Backup:      Bake(fg("4").Bold(true)),
		Fault:       Bake(fg("1").Bold(true)),
		Init:        Bake(fg("3")),
		VIP:         Bake(fg("3").Bold(true)),
		SplitBrain:  Bake(n().Reverse(true).Bold(true)),
		ChartOK:     Bake(fg("2")),
		ChartFail:   Bake(fg("1")),
		Axis:        Bake(n().Faint(true)),
		Marker:      Bake(fg("3").Bold(true)),
		Time:        Bake(n().Faint(true)),
		Who:         Bake(fg("6")),
		LevelWarn:   Bake(fg("3")),
		LevelError:  Bake(fg("1").Bold(true)),
		KindState:   Bake(bold),
		KindFault:   Bake(fg("5").Bold(true)),
		Key:         Bake(bold),
		Desc:        Bake(n().Faint(true)),
		StatusInfo:  Bake(fg("6")),
		StatusError: Bake(fg("1").Bold(true)),
		Cursor:      Bake(n().Reverse(true)),
	}
	s.Help = help.Styles{
		ShortKey: bold, ShortDesc: n().Faint(true), ShortSeparator: n().Faint(true), Ellipsis: n().Faint(true),
		FullKey: bold, FullDesc: n(), FullSeparator: n().Faint(true),
	}
	if color {
		s.Help.ShortKey, s.Help.FullKey = fg("6").Bold(true), fg("6").Bold(true)
		s.SplitBrain = Bake(n().Background(c("1")).Foreground(c("15")).Bold(true))
		s.LB = []Style{Bake(fg("6")), Bake(fg("5")), Bake(fg("4")), Bake(fg("3"))}
	} else {
		s.LB = []Style{{}}
	}
	return s
}

// LBStyle is the style of the i-th load balancer.
func (s *Styles) LBStyle(i int) Style {
	if i < 0 || len(s.LB) == 0 {
		return Style{}
	}
	return s.LB[i%len(s.LB)]
}

// LBGlyph is the band glyph of the i-th load balancer.
func LBGlyph(i int) string {
	if i < 0 {
		return " "
	}
	return LBGlyphs[i%len(LBGlyphs)]
}

// State is the style of a VRRP state word (MASTER, BACKUP, FAULT, INIT,
// anything else as down).
func (s *Styles) State(state string) Style {
	switch state {
	case "MASTER":
		return s.Master
	case "BACKUP":
		return s.Backup
	case "FAULT":
		return s.Fault
	case "INIT":
		return s.Init
	}
	return s.Down
}
