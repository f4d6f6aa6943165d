package home

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/styles"
)

// section is one part of the list.
type section int

const (
	secBuiltin section = iota
	secFiles
	secRunning
	numSections
)

// item is one row of the list that can be selected.
type item struct {
	sec section
	i   int // index into the section's slice
}

// items lists the rows in order: built-in labs, lab files, running labs.
func (m *Model) items() []item {
	var out []item
	for i := range m.builtins {
		out = append(out, item{secBuiltin, i})
	}
	for i := range m.files {
		out = append(out, item{secFiles, i})
	}
	for i := range m.running {
		out = append(out, item{secRunning, i})
	}
	return out
}

// selected is the row under the cursor.
func (m *Model) selected() (item, bool) {
	its := m.items()
	if len(its) == 0 {
		return item{}, false
	}
	m.sel = min(max(m.sel, 0), len(its)-1)
	return its[m.sel], true
}

// entry is the lab entry of a built-in or file row.
func (m *Model) entry(it item) LabEntry {
	if it.sec == secBuiltin {
		return m.builtins[it.i]
	}
	return m.files[it.i]
}

// selectedKey names the selection so that it survives a re-read.
func (m *Model) selectedKey() string {
	it, ok := m.selected()
	if !ok {
		return ""
	}
	return m.itemKey(it)
}

func (m *Model) itemKey(it item) string {
	switch it.sec {
	case secBuiltin, secFiles:
		return strconv.Itoa(int(it.sec)) + ":" + m.entry(it).Source
	}
	return "r:" + m.running[it.i].Name
}

// reselect puts the cursor back on the row called key, if it is still
// there.
func (m *Model) reselect(key string) {
	for i, it := range m.items() {
		if m.itemKey(it) == key {
			m.sel = i
			return
		}
	}
	m.selected() // clamps
}

// selectRunning puts the cursor on the running lab called name.
func (m *Model) selectRunning(name string) {
	m.reselect("r:" + name)
}

// move moves the cursor by d rows, stopping at the ends.
func (m *Model) move(d int) {
	m.sel = min(max(m.sel+d, 0), max(len(m.items())-1, 0))
}

// jump moves the cursor to the first row of the next (d = 1) or previous
// (d = -1) section that has rows, wrapping around.
func (m *Model) jump(d int) {
	its := m.items()
	cur, ok := m.selected()
	if !ok {
		return
	}
	for k := 1; k <= int(numSections); k++ {
		sec := section((int(cur.sec) + d*k + 2*int(numSections)) % int(numSections))
		for i, it := range its {
			if it.sec == sec {
				m.sel = i
				return
			}
		}
	}
}

// listLines renders the list inside a pane of width w: every line, and
// the line of the selected row.
func (m *Model) listLines(w int) (lines []string, selLine int) {
	st := m.st
	cur, _ := m.selected()
	selLine = -1
	if !m.loaded {
		return []string{" " + st.Dim.Render("reading the labs…")}, -1
	}
	head := func(title, info string) {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		var l common.Line
		l.Space(1).Add(st.Title, title).Add(st.Dim, info)
		lines = append(lines, l.String())
	}
	row := func(it item, body func(l *common.Line, labelW int), label string, labelW int) {
		var l common.Line
		if it == cur {
			selLine = len(lines)
			l.Add(st.Selected, " ▶ ").Add(st.Cursor, fmt.Sprintf("%-*s", labelW, label))
		} else {
			l.Text("   " + fmt.Sprintf("%-*s", labelW, label))
		}
		l.Space(2)
		body(&l, labelW)
		lines = append(lines, common.Fit(l.String(), w))
	}

	head("built-in labs", fmt.Sprintf(" · %d", len(m.builtins)))
	lw := labelWidth(m.builtins, 16)
	for i, e := range m.builtins {
		row(item{secBuiltin, i}, func(l *common.Line, _ int) { m.entryCells(l, e, w) }, e.Label(), lw)
	}

	bad := 0
	for _, e := range m.files {
		if e.Err != nil {
			bad++
		}
	}
	dir := m.opts.Dir
	if dir == "." {
		dir = "./"
	}
	info := fmt.Sprintf(" in %s · %d", dir, len(m.files))
	if bad > 0 {
		info += fmt.Sprintf(", %d with problems", bad)
	}
	head("lab files", info)
	if len(m.files) == 0 {
		lines = append(lines, "   "+st.Dim.Render("no lab files (*.yaml) here"))
	}
	lw = labelWidth(m.files, 24)
	for i, e := range m.files {
		row(item{secFiles, i}, func(l *common.Line, _ int) { m.entryCells(l, e, w) }, e.Label(), lw)
	}

	head("running now", fmt.Sprintf(" · %d", len(m.running)))
	if len(m.running) == 0 {
		lines = append(lines, "   "+st.Dim.Render("no lab is up · enter on a lab above starts it"))
	}
	lw, cols := 4, [2]int{}
	for _, r := range m.running {
		lw = max(lw, min(common.Width(r.Name), 16))
		ph, _ := m.phaseCell(r)
		vip, _ := m.vipCell(r)
		cols = [2]int{max(cols[0], common.Width(ph)), max(cols[1], common.Width(vip))}
	}
	for i, r := range m.running {
		row(item{secRunning, i}, func(l *common.Line, _ int) { m.runningCells(l, r, w, cols) }, r.Name, lw)
	}
	return lines, selLine
}

func labelWidth(es []LabEntry, limit int) int {
	w := 4
	for _, e := range es {
		w = max(w, common.Width(e.Label()))
	}
	return min(w, limit)
}

// entryCells is a lab row after its label: whether it loads, its name
// when that differs from the label, its title, and "● up" when a lab of
// its name runs.
func (m *Model) entryCells(l *common.Line, e LabEntry, w int) {
	st := m.st
	if e.Err != nil {
		l.Add(st.StatusError, "✕ "+problemCount(e.Err))
		return
	}
	up := ""
	if r := m.runningLab(e.Name()); r != nil {
		up = "  " + phaseWord(r.Phase)
	}
	if !e.Builtin {
		l.Add(st.Up, "✓ ").Text(e.Name() + "  ")
	}
	room := w - l.Width() - common.Width(up) - 1
	if e.Lab.Title != "" && room > 4 {
		l.Add(st.Dim, common.Fit(e.Lab.Title, room))
	}
	if up != "" {
		l.PadTo(w-common.Width(up)-1).Add(st.Up, up)
	}
}

// runningCells is a running lab's row after its name: phase, who holds
// the VIP (in columns of widths cols), age, faults, then provider and
// nodes when there is room.
func (m *Model) runningCells(l *common.Line, r RunningLab, w int, cols [2]int) {
	st := m.st
	ph, phStyle := m.phaseCell(r)
	l.Add(phStyle, ph).Space(cols[0] - common.Width(ph) + 2)
	vip, vipStyle := m.vipCell(r)
	l.Add(vipStyle, vip).Space(cols[1] - common.Width(vip) + 2)
	l.Text(m.age(r))
	if n := len(r.Faults); n > 0 {
		l.Space(2).Add(st.Warn, "⚠ "+plural(n, "fault"))
	}
	if extra := "  " + r.Provider + " · " + plural(len(r.Nodes), "node"); l.Width()+common.Width(extra) < w {
		l.Add(st.Dim, extra)
	}
}

// age is how long a running lab has been up, or dashes when not known.
func (m *Model) age(r RunningLab) string {
	if r.Created.IsZero() {
		return "--:--:--"
	}
	return common.Uptime(m.opts.Now().Sub(r.Created))
}

// phaseCell is a running lab's phase, in a few cells.
func (m *Model) phaseCell(r RunningLab) (string, styles.Style) {
	switch {
	case r.Err != nil:
		return "✕ damaged", m.st.Down
	case r.Phase != "up":
		return phaseWord(r.Phase), m.st.Warn
	}
	return phaseWord(r.Phase), m.st.Up
}

// vipCell says who holds a running lab's VIP, in a few cells.
func (m *Model) vipCell(r RunningLab) (string, styles.Style) {
	st := m.st
	switch {
	case !r.VIPKnown:
		return "VIP ?", st.Unknown
	case len(r.VIPHolders) == 0:
		return "✕ no VIP", st.Down
	case len(r.VIPHolders) == 1:
		return "◉ " + r.VIPHolders[0], st.VIP
	}
	return "!! " + strings.Join(r.VIPHolders, "+"), st.SplitBrain
}

// phaseWord is a lab phase with its symbol.
func phaseWord(phase string) string {
	switch phase {
	case "up":
		return "● up"
	case "":
		return "? unknown"
	}
	return "… " + phase
}

// problemCount says how many problems an entry's error holds.
func problemCount(err error) string {
	var ve *lab.ValidationError
	if errors.As(err, &ve) {
		return plural(len(ve.Problems), "problem")
	}
	return "does not load"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
