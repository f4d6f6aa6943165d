package home

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/styles"
)

// fieldW is the width of a detail's label column ("providers ").
const fieldW = 10

// details renders the selected row in a pane of inner size w×h: its title
// and its lines.
func (m *Model) details(w, h int) (title string, lines []string) {
	it, ok := m.selected()
	if !ok || !m.loaded {
		return "details", nil
	}
	if it.sec == secRunning {
		r := m.running[it.i]
		return r.Name + " · running", m.runningDetails(r, w)
	}
	e := m.entry(it)
	kind := "lab file"
	if e.Builtin {
		kind = "built-in"
	}
	if e.Err != nil {
		return e.Label() + " · " + kind, m.problemLines(e.Err, w, h, "fix the file, then r reads it again")
	}
	return e.Name() + " · " + kind, m.entryDetails(e, w, h)
}

// entryDetails describes a lab that loads, in h lines of width w: its
// title, description (when there is room), networks, VIP, nodes, where it
// can be built, and whether it runs now.
func (m *Model) entryDetails(e LabEntry, w, h int) []string {
	st := m.st
	l := e.Lab
	var head, body []string
	for _, t := range wrap(l.Title, w-1) {
		head = append(head, " "+st.Bold.Render(t))
	}
	src := e.Source
	if e.Builtin {
		src = "built into halab (" + e.Source + ".yaml)"
	}
	body = append(body, "")
	body = append(body, m.field(w, "source", src, styles.Style{})...)
	var nets []string
	for _, n := range l.Networks {
		nets = append(nets, n.Name+" "+n.Subnet.String())
	}
	body = append(body, m.field(w, "networks", strings.Join(nets, " · "), styles.Style{})...)
	if l.VIP.Address.IsValid() {
		body = append(body, m.field(w, "VIP", fmt.Sprintf("%s:%d on %s", l.VIP.Address, l.VIP.Port, l.VIP.Network), styles.Style{})...)
	}
	body = append(body, "", " "+st.Dim.Render("nodes"))
	body = append(body, m.nodeTable(l, w)...)
	body = append(body, "", " "+st.Dim.Render("start on"))
	for _, p := range e.Providers {
		var line common.Line
		if p.Unavailable == "" {
			line.Space(3).Add(st.Up, "●").Text(fmt.Sprintf(" %-6s ", p.Name)).Add(st.Dim, p.About)
			body = append(body, line.String())
			continue
		}
		line.Space(3).Add(st.Dim, "✕").Text(fmt.Sprintf(" %-6s ", p.Name))
		for i, t := range wrap("unavailable: "+p.Unavailable, w-13) {
			if i > 0 {
				line = common.Line{}
				line.Space(12)
			}
			line.Add(st.Dim, t)
			body = append(body, line.String())
		}
	}
	if r := m.runningLab(e.Name()); r != nil {
		text := fmt.Sprintf("lab %s is up (%s, for %s): a attaches to it, d removes it", r.Name, r.Provider, m.age(*r))
		body = append(body, "")
		for i, t := range wrap(text, w-4) {
			mark := "   "
			if i == 0 {
				mark = " " + st.Up.Render("●") + " "
			}
			body = append(body, mark+t)
		}
	}
	// The description takes the room left, up to three lines.
	if room := h - len(head) - len(body) - 1; room > 0 {
		d := wrap(strings.TrimSpace(l.Description), w-1)
		if len(d) > min(room, 3) {
			d = d[:min(room, 3)]
			last := len(d) - 1
			d[last] = ansi.Truncate(d[last], w-3, "") + "…"
		}
		if len(d) > 0 {
			head = append(head, "")
			for _, t := range d {
				head = append(head, " "+st.Dim.Render(t))
			}
		}
	}
	return append(head, body...)
}

// nodeTable lists a lab's nodes: name, components, addresses.
func (m *Model) nodeTable(l *lab.Lab, w int) []string {
	nameW, compW := 4, 0
	for _, n := range l.Nodes {
		nameW = max(nameW, common.Width(n.Name))
		compW = max(compW, common.Width(components(n)))
	}
	var out []string
	for _, n := range l.Nodes {
		var addrs []string
		for _, i := range n.Interfaces {
			addrs = append(addrs, i.Address.Addr().String())
		}
		var line common.Line
		line.Space(3).Text(fmt.Sprintf("%-*s  ", nameW, n.Name)).Add(m.st.Who, fmt.Sprintf("%-*s", compW, components(n))).
			Space(2).Add(m.st.Dim, strings.Join(addrs, " "))
		out = append(out, common.Fit(line.String(), w))
	}
	return out
}

// components lists a node's component kinds.
func components(n lab.Node) string {
	kinds := make([]string, len(n.Components))
	for i, c := range n.Components {
		kinds[i] = c.Kind
	}
	return strings.Join(kinds, " ")
}

func (m *Model) runningDetails(r RunningLab, w int) []string {
	st := m.st
	var out []string
	for _, t := range wrap(r.Title, w-1) {
		out = append(out, " "+st.Bold.Render(t))
	}
	if len(out) > 0 {
		out = append(out, "")
	}
	if r.Err != nil {
		out = append(out, m.field(w, "state", "✕ "+r.Err.Error(), st.Down)...)
		return out
	}
	phStyle := st.Up
	if r.Phase != "up" {
		phStyle = st.Warn
	}
	out = append(out, m.field(w, "phase", phaseWord(r.Phase), phStyle)...)
	out = append(out, m.field(w, "provider", r.Provider, styles.Style{})...)
	if !r.Created.IsZero() {
		out = append(out, m.field(w, "created", r.Created.Format("2006-01-02 15:04:05")+" · up "+m.age(r), styles.Style{})...)
	}
	out = append(out, m.field(w, "nodes", strings.Join(r.Nodes, " "), styles.Style{})...)
	var vip string
	var vs styles.Style
	switch {
	case !r.VIPKnown:
		vip, vs = r.VIP+" · holder not known", st.Unknown
	case len(r.VIPHolders) == 0:
		vip, vs = r.VIP+" held by no node", st.Down
	case len(r.VIPHolders) == 1:
		vip, vs = r.VIP+" on ◉ "+r.VIPHolders[0], st.VIP
	default:
		vip, vs = r.VIP+" on "+strings.Join(r.VIPHolders, " AND ")+": SPLIT BRAIN", st.SplitBrain
	}
	out = append(out, m.field(w, "VIP", vip, vs)...)
	if len(r.Faults) == 0 {
		out = append(out, m.field(w, "faults", "none", st.Dim)...)
	}
	for i, f := range r.Faults {
		label := ""
		if i == 0 {
			label = "faults"
		}
		out = append(out, m.field(w, label, "⚠ "+f.String(), st.Warn)...)
	}
	return out
}

// field is a labelled value, wrapped under itself.
func (m *Model) field(w int, label, value string, style styles.Style) []string {
	lines := wrap(value, w-fieldW-2)
	out := make([]string, len(lines))
	for i, l := range lines {
		lab := ""
		if i == 0 {
			lab = label
		}
		out[i] = " " + m.st.Dim.Render(fmt.Sprintf("%-*s", fieldW-1, lab)) + " " + style.Render(l)
	}
	return out
}

// problemLines shows why a lab file does not load: every problem with
// its file:line:col, as many as fit in h lines, then the footer.
func (m *Model) problemLines(err error, w, h int, footer string) []string {
	st := m.st
	head := "✕ cannot be started: it does not load"
	var ve *lab.ValidationError
	if errors.As(err, &ve) {
		head = "✕ cannot be started: " + plural(len(ve.Problems), "problem")
	}
	out := []string{" " + st.StatusError.Render(head), ""}
	out = append(out, fitProblems(st, problemItems(err), w, h-len(out)-2)...)
	return append(out, "", " "+st.Dim.Render(footer))
}

// problemItems splits an error into (place, message) pairs: a validation
// error's problems, or any other error's lines.
func problemItems(err error) [][2]string {
	var items [][2]string
	var ve *lab.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			items = append(items, [2]string{strings.TrimSuffix(p.String(), ": "+p.Message), p.Message})
		}
		return items
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		items = append(items, [2]string{"", line})
	}
	return items
}

// fitProblems renders problems in width w, as many as fit in budget
// lines, the last line saying how many more there are.
func fitProblems(st *styles.Styles, items [][2]string, w, budget int) []string {
	var out []string
	budget = max(budget, 1)
	for i, it := range items {
		lines := problem(st, it[0], it[1], w-1)
		if len(lines) > budget || (i < len(items)-1 && len(lines) == budget) {
			return append(out, " "+st.Dim.Render(fmt.Sprintf("… and %d more", len(items)-i)))
		}
		budget -= len(lines)
		for _, l := range lines {
			out = append(out, " "+l)
		}
	}
	return out
}

// problem renders one problem, wrapped to w: its place in bold, then the
// message, continuation lines indented.
func problem(st *styles.Styles, place, msg string, w int) []string {
	text := msg
	if place != "" {
		text = place + ": " + msg
	}
	lines := wrap(text, w)
	if len(lines) > 1 {
		rest := wrap(strings.Join(lines[1:], " "), w-2)
		lines = lines[:1]
		for _, r := range rest {
			lines = append(lines, "  "+r)
		}
	}
	if place != "" && strings.HasPrefix(lines[0], place) {
		lines[0] = st.Bold.Render(place) + lines[0][len(place):]
	}
	return lines
}

// wrap word-wraps plain text to w cells (long words are cut).
func wrap(s string, w int) []string {
	if s == "" || w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		for _, l := range strings.Split(ansi.Wrap(para, w, ""), "\n") {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}
