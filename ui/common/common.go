// Package common is what the dashboard's components share: the styles,
// the key map and the clock (Common), and the few drawing helpers they are
// built from — a line builder, a fixed-size fit, a framed pane, and
// formats for times and durations.
package common

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// Common is embedded by every component.
type Common struct {
	Styles *styles.Styles
	KeyMap *keymap.KeyMap
	// Now is the dashboard's clock (fixed in tests).
	Now func() time.Time
}

// Width is a text's width in cells, ignoring ANSI sequences.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Line builds one line of styled segments and keeps its width.
type Line struct {
	sb strings.Builder
	w  int
}

// Add appends s in style st.
func (l *Line) Add(st styles.Style, s string) *Line {
	l.sb.WriteString(st.Render(s))
	l.w += Width(s)
	return l
}

// Text appends s unstyled.
func (l *Line) Text(s string) *Line {
	l.sb.WriteString(s)
	l.w += Width(s)
	return l
}

// Space appends n spaces.
func (l *Line) Space(n int) *Line {
	if n > 0 {
		l.sb.WriteString(strings.Repeat(" ", n))
		l.w += n
	}
	return l
}

// PadTo appends spaces up to width w.
func (l *Line) PadTo(w int) *Line { return l.Space(w - l.w) }

// Width is the line's width so far.
func (l *Line) Width() int { return l.w }

// String is the line.
func (l *Line) String() string { return l.sb.String() }

// Fit makes s exactly w cells wide: truncated with "…" or padded.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = Width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// Frame draws a pane w×h with a title (and info at the top right) around
// body, fitting each body line to the inside and leaving the rest blank.
func Frame(st *styles.Styles, title, info string, body []string, w, h int, focus bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	border := st.Border
	if focus {
		border = st.BorderFocus
	}
	inner := w - 2
	var b strings.Builder
	b.Grow(w * h * 2)
	top := Line{}
	top.Add(border, "┌ ").Add(st.Title, title).Text(" ")
	fill := inner - top.Width() + 1
	if info != "" && fill > Width(info)+4 {
		fill -= Width(info) + 2
		top.Add(border, strings.Repeat("─", fill)).Text(" ").Add(st.Dim, info).Add(border, " ┐")
	} else {
		top.Add(border, strings.Repeat("─", max(fill, 0))+"┐")
	}
	b.WriteString(Fit(top.String(), w))
	left, right := border.Render("│"), border.Render("│")
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		b.WriteString(left)
		if i < len(body) {
			b.WriteString(Fit(body[i], inner))
		} else {
			b.WriteString(strings.Repeat(" ", inner))
		}
		b.WriteString(right)
	}
	b.WriteByte('\n')
	b.WriteString(border.Render("└" + strings.Repeat("─", inner) + "┘"))
	return b.String()
}

// Clock formats a time of day as the event log does: 15:04:05.000.
func Clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--.---"
	}
	return t.Format("15:04:05.000")
}

// Dur formats a duration for people, as the probe does: "0.42 ms",
// "1.1 ms", "12 ms", "3.21 s", "2m41s".
func Dur(d time.Duration) string { return control.FormatDuration(d) }

// Uptime formats a duration as hh:mm:ss.
func Uptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	return pad2(s/3600) + ":" + pad2(s/60%60) + ":" + pad2(s%60)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Health is the health symbol of a component state: ● up, ✕ down,
// … starting, ? unknown.
func Health(st *styles.Styles, state labview.ComponentState) (string, styles.Style) {
	switch state {
	case labview.Starting:
		return "…", st.Warn
	case labview.Up:
		return "●", st.Up
	case labview.Down:
		return "✕", st.Down
	}
	return "?", st.Unknown
}

// MinWidth and MinHeight are the smallest terminal halab's screens (the
// dashboard, the lab manager) draw in.
const (
	MinWidth  = 100
	MinHeight = 30
)

// TooSmall is the screen shown in a terminal smaller than MinWidth ×
// MinHeight: what screen needs the room, centred in width × height.
func TooSmall(screen string, width, height int) string {
	msg := []string{
		"terminal too small",
		"",
		fmt.Sprintf("the %s needs %d×%d; this terminal is %d×%d.", screen, MinWidth, MinHeight, width, height),
		"enlarge it, or press q to quit.",
	}
	return Centre(msg, width, height)
}

// Centre is a screen of width × height with msg centred in it, each line
// on its own.
func Centre(msg []string, width, height int) string {
	lines := make([]string, height)
	top := max((height-len(msg))/2, 0)
	for i := range lines {
		text := ""
		if j := i - top; j >= 0 && j < len(msg) {
			text = msg[j]
		}
		lines[i] = Fit(strings.Repeat(" ", max((width-Width(text))/2, 0))+text, width)
	}
	return strings.Join(lines, "\n")
}

// MaxWidth is the width of the widest line.
func MaxWidth(lines []string) int {
	width := 0
	for _, l := range lines {
		width = max(width, Width(l))
	}
	return width
}

// Overlay lays box over lines (a screen w cells wide), centred.
func Overlay(lines []string, w int, box string) {
	rows := strings.Split(box, "\n")
	bw := MaxWidth(rows)
	x := max((w-bw)/2, 0)
	y := max((len(lines)-len(rows))/2, 0)
	for i, r := range rows {
		if y+i >= len(lines) {
			break
		}
		base := lines[y+i]
		lines[y+i] = ansi.Cut(base, 0, x) + Fit(r, bw) + ansi.Cut(base, x+bw, w)
	}
}
