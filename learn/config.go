package learn

import (
	"fmt"
	"strings"

	"github.com/halab/halab/lab"
)

// numbered is one line of a configuration file with its line number.
type numbered struct {
	n    int
	text string
}

// String is the line as the screen shows it, its number first.
func (l numbered) String() string { return fmt.Sprintf("%3d  %s", l.n, l.text) }

// configLines are a configuration's lines as the screen shows them:
// numbered as in the file, without the lines that are only a comment, and
// without runs of blank lines.
func configLines(text string) []numbered {
	var out []numbered
	blank := true // no blank line first
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = expandTabs(strings.TrimRight(l, " \t\r"))
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "#"):
			continue
		case t == "":
			if blank {
				continue
			}
			blank = true
		default:
			blank = false
		}
		out = append(out, numbered{i + 1, l})
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1].text) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// section is the block that starts at the first line whose first word is
// keyword, up to its closing brace, from configLines.
func section(ls []numbered, keyword string) []numbered {
	for i, l := range ls {
		f := strings.Fields(l.text)
		if len(f) == 0 || f[0] != keyword {
			continue
		}
		depth := 0
		for j := i; j < len(ls); j++ {
			depth += strings.Count(stripComment(ls[j].text), "{") - strings.Count(stripComment(ls[j].text), "}")
			if depth <= 0 {
				return ls[i : j+1]
			}
		}
		return ls[i:]
	}
	return nil
}

// stripComment drops a trailing # comment.
func stripComment(s string) string {
	if i := strings.Index(s, "#"); i >= 0 {
		return s[:i]
	}
	return s
}

// strs writes numbered lines as strings.
func strs(ls []numbered) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

// firstLine is the first line whose first word is keyword, or nothing.
func firstLine(ls []numbered, keyword string) []numbered {
	for _, l := range ls {
		if f := strings.Fields(l.text); len(f) > 0 && f[0] == keyword {
			return []numbered{l}
		}
	}
	return nil
}

// differing are the lines of b (trimmed, comments dropped) that a lacks.
func differing(a, b []numbered) []numbered {
	have := map[string]bool{}
	for _, l := range a {
		have[strings.TrimSpace(stripComment(l.text))] = true
	}
	var out []numbered
	for _, l := range b {
		t := strings.TrimSpace(stripComment(l.text))
		if t != "" && t != "{" && t != "}" && !have[t] {
			out = append(out, l)
		}
	}
	return out
}

// component is node's component of kind in the lab's model, or nil.
func (e *Env) component(node, kind string) *lab.Component {
	n, err := e.Roles.Lab.Node(node)
	if err != nil {
		return nil
	}
	return n.Component(kind)
}

// configOf is node's configuration of a component as numbered lines,
// with where it came from.
func (e *Env) configOf(node, kind string) (source string, ls []numbered) {
	c := e.component(node, kind)
	if c == nil {
		return "", nil
	}
	return c.ConfigSource, configLines(string(c.Config))
}
