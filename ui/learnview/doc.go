package learnview

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/learn"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/styles"
)

// doc is the current step as lines of at most w cells: its explanation,
// what it shows from the lab, the output of its last run and the check's
// verdict.
func (m *Model) doc(w int) []string {
	st := m.c.Styles
	s := m.course.Steps[m.step]
	v := m.views[m.step]
	t := m.env.Texts
	var out []string
	out = append(out, prose(t.Expand(s.Text), w, st)...)
	out = append(out, "")
	switch {
	case v.showErr != "":
		for _, l := range wrap(m.T("ui.show_error", "err", v.showErr), w) {
			out = append(out, st.Down.Render(l))
		}
	case !v.loaded:
		out = append(out, st.Dim.Render(m.T("ui.loading")))
	default:
		for _, b := range v.blocks {
			out = append(out, block(b, w, st)...)
		}
	}
	for _, b := range v.out {
		out = append(out, block(b, w, st)...)
	}
	if r := v.result; r != nil && m.run == nil {
		for _, seen := range r.Seen {
			style := st.Dim
			switch {
			case strings.HasPrefix(seen, "✓"):
				style = st.Up
			case strings.HasPrefix(seen, "✗"):
				style = st.Down
			}
			for i, l := range wrap(seen, w-2) {
				if i > 0 {
					l = "  " + l
				}
				out = append(out, style.Render(l))
			}
		}
		if v.err != "" {
			for _, l := range wrap("✗ "+v.err, w) {
				out = append(out, st.Down.Render(l))
			}
		}
	}
	return out
}

// block is a titled piece of the lab: a rule with the title, then its
// lines as the lab has them (cut at the width, never wrapped: they are
// files and command output).
func block(b learn.Block, w int, st *styles.Styles) []string {
	var title common.Line
	title.Add(st.Border, "── ").Add(st.Title, b.Title).Text(" ")
	title.Add(st.Border, strings.Repeat("─", max(w-title.Width(), 0)))
	out := []string{common.Fit(title.String(), w)}
	for _, l := range b.Lines {
		out = append(out, ansi.Truncate(l, w, "…"))
	}
	return append(out, "")
}

// prose lays a step's text out in w cells: paragraphs wrapped, list
// items ("- ") wrapped with a hanging indent, lines indented by two
// spaces kept as they are.
func prose(text string, w int, st *styles.Styles) []string {
	var out []string
	var para, item []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrap(strings.Join(para, " "), w)...)
			para = nil
		}
		if len(item) > 0 {
			for i, l := range wrap(strings.Join(item, " "), w-2) {
				if i == 0 {
					out = append(out, "• "+l)
				} else {
					out = append(out, "  "+l)
				}
			}
			item = nil
		}
	}
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(l) == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(l, "- "):
			flush()
			item = []string{strings.TrimSpace(l[2:])}
		case strings.HasPrefix(l, "  ") && len(item) > 0:
			item = append(item, strings.TrimSpace(l))
		case strings.HasPrefix(l, "  "):
			flush()
			out = append(out, st.Bold.Render(ansi.Truncate(l, w, "…")))
		default:
			if len(item) > 0 {
				flush()
			}
			para = append(para, strings.TrimSpace(l))
		}
	}
	flush()
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// wrap wraps s at word boundaries into lines of at most w cells.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
