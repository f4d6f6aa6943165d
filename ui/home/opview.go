package home

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/styles"
)

// opElapsed is how long the operation has run (or ran).
func (m *Model) opElapsed() time.Duration {
	if m.op.done {
		return m.op.ended.Sub(m.op.started)
	}
	return m.opts.Now().Sub(m.op.started)
}

// opScreen is the build (or removal) screen, h lines: the checklist and
// the step log side by side, and below them the failure with its cause.
func (m *Model) opScreen(w, h int) []string {
	o, st := m.op, m.st
	var failure []string
	if o.done && o.err != nil {
		body := m.failureLines(w-2, h/2)
		title := o.verb() + " " + o.name + " failed after " + elapsed(m.opElapsed())
		failure = strings.Split(common.Frame(st, "✕ "+title, "", body, w, len(body)+2, true), "\n")
	}
	ph := h - len(failure)
	var top []string
	if o.kind == opDestroy {
		body := append([]string{" " + m.opStatus(), ""}, m.stepLines(w-2, ph-4)...)
		top = strings.Split(common.Frame(st, "remove "+o.name, o.provider, body, w, ph, !o.done), "\n")
	} else {
		lw := leftWidth(w)
		left := common.Frame(st, "build "+o.name, "on "+o.provider, m.buildLines(lw-2), lw, ph, !o.done)
		right := common.Frame(st, "steps", plural(len(o.steps), "step"), m.stepLines(w-lw-2, ph-2), w-lw, ph, false)
		top = sideBySide(left, right)
	}
	return append(top, failure...)
}

// opStatus is the removal's one-line state.
func (m *Model) opStatus() string {
	o, st := m.op, m.st
	d := elapsed(m.opElapsed())
	switch {
	case !o.done:
		return st.Warn.Render(m.spin.View()) + " removing lab " + o.name + " · " + d
	case o.err != nil:
		return st.StatusError.Render("✕ removing lab " + o.name + " failed after " + d)
	}
	return st.Up.Render("✓ lab " + o.name + " removed in " + d)
}

// buildLines is the build's checklist, its nodes, the bar and the
// outcome, inside width w.
func (m *Model) buildLines(w int) []string {
	o, st, p := m.op, m.st, m.op.plan
	out := []string{""}
	cur := p.current()
	for ph := phaseNamespaces; ph < numPhases; ph++ {
		var l common.Line
		l.Space(1)
		switch {
		case p.done(ph):
			l.Add(st.Up, "✓")
		case ph == cur && !o.done:
			l.Add(st.Warn, m.spin.View())
		case ph == cur && o.err != nil && len(o.steps) > 0:
			l.Add(st.Down, "✕")
		default:
			l.Add(st.Dim, "·")
		}
		l.Space(1).Text(fmt.Sprintf("%-11s", phaseNames[ph])).Space(1)
		m.phaseDetail(&l, ph)
		out = append(out, common.Fit(l.String(), w))
	}
	if nodes := p.nodes(); len(nodes) > 0 {
		out = append(out, "", "   "+st.Dim.Render(fmt.Sprintf("%-9s %-6s %s", "node", "links", "components")))
		for _, n := range nodes {
			out = append(out, common.Fit(m.nodeRow(n), w))
		}
	}
	out = append(out, "")
	frac := p.fraction()
	if o.done && o.err == nil {
		frac = 1
	}
	pct := fmt.Sprintf(" %3.0f %%", frac*100)
	out = append(out, " "+m.bar(frac, max(w-2-len(pct), 10))+pct)
	if o.done && o.err == nil {
		out = append(out, "", " "+st.Up.Render("✓ lab "+o.name+" is up in "+elapsed(m.opElapsed())))
		if mst := p.master(); mst != "" {
			vip := ""
			if o.entry.Lab != nil && o.entry.Lab.VIP.Address.IsValid() {
				vip = " and holds VIP " + o.entry.Lab.VIP.Address.String()
			}
			out = append(out, " "+mst+" is "+st.Master.Render("MASTER")+vip)
		}
		out = append(out, "", " "+st.Key.Render("enter")+" attach the dashboard   "+st.Key.Render("esc")+" back to labs")
	}
	return out
}

// bar is a progress bar w cells wide, filled to frac: full blocks on
// light shade, so that it reads without colour.
func (m *Model) bar(frac float64, w int) string {
	full := min(max(int(math.Round(frac*float64(w))), 0), w)
	return m.st.ChartOK.Render(strings.Repeat("█", full)) + m.st.Axis.Render(strings.Repeat("░", w-full))
}

// phaseDetail says how far a phase is.
func (m *Model) phaseDetail(l *common.Line, ph phase) {
	st, p, o := m.st, m.op.plan, m.op
	switch ph {
	case phaseNamespaces:
		if p.namespaces != "" {
			l.Text(p.namespaces)
		} else if n := len(p.nodes()); n > 0 {
			l.Add(st.Dim, fmt.Sprintf("%d to create", n+1))
		}
	case phaseBridges:
		if p.bridges != "" {
			l.Text(p.bridges)
		} else if p.lab != nil {
			l.Add(st.Dim, plural(len(p.lab.Networks), "network"))
		}
	case phaseLinks:
		d, t := p.linkCount()
		l.Text(fmt.Sprintf("%d of %d interfaces", d, t))
	case phaseComponents:
		d, t := p.compCount()
		l.Text(fmt.Sprintf("%d of %d ready", d, t))
	case phaseElection:
		switch {
		case !p.hasVRRP:
			l.Add(st.Dim, "no VRRP in this lab")
		case p.master() != "" || len(p.order) > 0:
			for i, n := range p.order {
				if i > 0 {
					l.Add(st.Dim, " · ")
				}
				l.Text(n+" ").Add(st.State(p.states[n]), p.states[n])
			}
		case p.waiting && !o.done:
			l.Add(st.Warn, "waiting for a master… ").Text(elapsed(m.opts.Now().Sub(p.waitingAt)))
		case o.done && o.err == nil:
			l.Add(st.Dim, "not reported here: the dashboard shows it")
		default:
			l.Add(st.Dim, "master election")
		}
	}
}

// nodeRow is one node of the build: its links, its components, its VRRP
// state.
func (m *Model) nodeRow(n lab.Node) string {
	st, p := m.st, m.op.plan
	var l common.Line
	l.Space(3).Text(fmt.Sprintf("%-9s ", n.Name))
	d, t := len(p.links[n.Name]), len(n.Interfaces)
	if d >= t {
		l.Add(st.Up, "✓").Text(fmt.Sprintf(" %d/%d ", d, t))
	} else {
		l.Add(st.Dim, "·").Text(fmt.Sprintf(" %d/%d ", d, t))
	}
	for _, c := range n.Components {
		l.Space(1).Text(c.Kind + " ")
		if p.comps[n.Name][c.Kind] {
			l.Add(st.Up, "●")
		} else {
			l.Add(st.Dim, "·")
		}
	}
	if s := p.states[n.Name]; s != "" {
		l.Space(2).Add(st.State(s), s)
	}
	return l.String()
}

// stepLines is the tail of the step log that fits in h lines of width w:
// time since the start, node, what was done.
func (m *Model) stepLines(w, h int) []string {
	o, st := m.op, m.st
	if len(o.steps) == 0 {
		return []string{" " + st.Dim.Render("no step reported yet")}
	}
	steps := o.steps
	var out []string
	if h > 0 && len(steps) > h {
		out = append(out, " "+st.Dim.Render(fmt.Sprintf("… %d earlier", len(steps)-h+1)))
		steps = steps[len(steps)-h+1:]
	}
	for _, s := range steps {
		var l common.Line
		l.Space(1).Add(st.Time, fmt.Sprintf("%6.2fs", s.Time.Sub(o.started).Seconds())).Space(2)
		l.Add(st.Who, fmt.Sprintf("%-7s", s.Node)).Space(1)
		msgStyle := styles.Style{}
		if s.Node == "" && strings.HasPrefix(s.Message, "failed") {
			msgStyle = st.StatusError
		} else if state := vrrpState(s); state != "" {
			msgStyle = st.State(state)
		}
		l.Add(msgStyle, s.Message)
		out = append(out, common.Fit(l.String(), w))
	}
	return out
}

// failureLines is the failure's cause in width w, at most h lines: every
// problem of a lab file, or the error's lines, and what to do next.
func (m *Model) failureLines(w, h int) []string {
	o, st := m.op, m.st
	var next []string
	if o.kind == opStart {
		next = append(next, st.Key.Render("r")+" tries again")
	}
	if m.runningLab(o.name) != nil {
		next = append(next, st.Key.Render("a")+" attaches to "+o.name)
	}
	next = append(next, st.Key.Render("esc")+" back to labs")
	footer := strings.Join(next, " · ")
	var ve *lab.ValidationError
	switch {
	case errors.As(o.err, &ve):
		footer = "nothing was built · " + footer
	case errors.Is(o.err, context.Canceled):
		footer = "cancelled · " + footer
	case o.plan.rollback:
		footer = "what was built has been removed · " + footer
	}
	var out []string
	if ve != nil {
		out = append(out, " "+st.StatusError.Render("the lab file has "+plural(len(ve.Problems), "problem")+":"))
	}
	out = append(out, fitProblems(st, problemItems(o.err), w, h-len(out)-4)...)
	return append(out, "", " "+footer)
}
