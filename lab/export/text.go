package export

import (
	"strings"
)

// commentWidth is where comment paragraphs are wrapped.
const commentWidth = 78

// writer builds a configuration file in the brace-and-indent style that
// keepalived.conf and nginx's server blocks share, with '#' comments.
type writer struct {
	b     strings.Builder
	depth int
}

// line writes one line at the current depth (four spaces a level).
func (w *writer) line(s string) {
	if s == "" {
		w.b.WriteByte('\n')
		return
	}
	w.b.WriteString(strings.Repeat("    ", w.depth))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

// open writes "s {" and indents what follows.
func (w *writer) open(s string) {
	w.line(s + " {")
	w.depth++
}

// close ends the block open began.
func (w *writer) close() {
	w.depth--
	w.line("}")
}

// comment writes paragraphs as '#' comments at the current depth, each
// wrapped to commentWidth; an empty paragraph is a bare "#" line.
func (w *writer) comment(paragraphs ...string) {
	indent := strings.Repeat("    ", w.depth)
	for _, p := range paragraphs {
		for _, l := range wrap(p, commentWidth-len(indent)-2) {
			w.b.WriteString(strings.TrimRight(indent+"# "+l, " "))
			w.b.WriteByte('\n')
		}
	}
}

// String is the text written so far.
func (w *writer) String() string { return w.b.String() }

// wrap breaks text into lines of at most width characters at spaces (a
// longer word stands alone). Lines that start with "  " (indented lines,
// such as list items and quoted commands) are kept as they are.
func wrap(text string, width int) []string {
	if text == "" {
		return []string{""}
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if strings.HasPrefix(para, "  ") || len(para) <= width {
			out = append(out, para)
			continue
		}
		cur := ""
		for _, word := range strings.Fields(para) {
			switch {
			case cur == "":
				cur = word
			case len(cur)+1+len(word) <= width:
				cur += " " + word
			default:
				out = append(out, cur)
				cur = word
			}
		}
		out = append(out, cur)
	}
	return out
}

// hangingWrap wraps text for a list item: the first line starts with
// prefix, the others are indented to line up after it.
func hangingWrap(prefix, text string, width int) []string {
	lines := wrap(text, width-len(prefix))
	pad := strings.Repeat(" ", len(prefix))
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return lines
}
