package lab

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ParseYAML parses a YAML file (a lab or a drill) and returns the root
// node of its first document, or nil when it has none (an empty file, only
// comments, or a bare "---"). When it cannot, it returns the problems, each
// placed at a line and a column of data: the YAML library names a line
// only, and none for a character YAML forbids, so a problem points at the
// first non-blank character of the line it names, or at the forbidden
// character itself. Lines are counted as YAML counts them (CR, LF, CRLF,
// NEL, LS and PS end a line), and every node returned lies inside data.
func ParseYAML(file string, data []byte) (*yaml.Node, []Problem) {
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		return nil, []Problem{{File: file, Line: 1, Column: 1, Message: "the file is UTF-16 text; save it as UTF-8"}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlProblems(file, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" && root.Anchor == "" {
		return nil, nil
	}
	last, end := place(data, len(data))
	clampNodes(root, last, end, map[*yaml.Node]bool{})
	return root, nil
}

// clampNodes moves the nodes the YAML library places past the end of the
// input (an empty value after a last line without a line break sits on
// the line after it) to the end of the input.
func clampNodes(n *yaml.Node, last, end int, seen map[*yaml.Node]bool) {
	if seen[n] {
		return
	}
	seen[n] = true
	if n.Line > last || n.Line == last && n.Column > end {
		n.Line, n.Column = last, end
	}
	for _, c := range n.Content {
		clampNodes(c, last, end, seen)
	}
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblems turns the YAML library's errors ("yaml: line 5: …", or the
// lines of a *yaml.TypeError) into placed problems.
func yamlProblems(file string, data []byte, err error) []Problem {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out []Problem
	for _, m := range msgs {
		p := Problem{File: file}
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			p.Line, p.Column = lineStart(data, n)
			p.Message = strings.TrimPrefix(g[2], "yaml: ")
		} else {
			// No line: a character YAML forbids, else a problem the
			// library found on the first line (it counts from 0 there).
			p.Line, p.Column = lineStart(data, 1)
			if off := badChar(data); off >= 0 {
				p.Line, p.Column = place(data, off)
			}
			p.Message = strings.TrimPrefix(m, "yaml: ")
		}
		out = append(out, p)
	}
	return out
}

// breakLen returns the length of the line break at data[i:], or 0.
func breakLen(data []byte, i int) int {
	switch {
	case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
		return 2
	case data[i] == '\r' || data[i] == '\n':
		return 1
	case bytes.HasPrefix(data[i:], []byte("\u0085")):
		return 2
	case bytes.HasPrefix(data[i:], []byte("\u2028")), bytes.HasPrefix(data[i:], []byte("\u2029")):
		return 3
	}
	return 0
}

// lineStart returns line n of data (clamped to the lines there are) and
// the column of its first character that is not a blank or a byte order
// mark; column 1 on a blank line.
func lineStart(data []byte, n int) (line, col int) {
	line, i := 1, 0
	for i < len(data) && line < n {
		if k := breakLen(data, i); k > 0 {
			line++
			i += k
			continue
		}
		i++
	}
	col = 1
	for i < len(data) && breakLen(data, i) == 0 {
		r, size := utf8.DecodeRune(data[i:])
		if r != ' ' && r != '\t' && r != '\uFEFF' {
			break
		}
		col++
		i += size
	}
	if i == len(data) || breakLen(data, i) > 0 {
		col = 1 // a blank line
	}
	return line, col
}

// place returns the line and the column (in characters) of byte off.
func place(data []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off; {
		if k := breakLen(data, i); k > 0 {
			line, col = line+1, 1
			i += k
			continue
		}
		_, size := utf8.DecodeRune(data[i:])
		col++
		i += size
	}
	return line, col
}

// badChar returns the offset of the first byte YAML's reader refuses (not
// UTF-8, or a character outside YAML's printable set), or -1.
func badChar(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		ok := r != utf8.RuneError || size > 1
		switch {
		case !ok:
		case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85,
			r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
			i += size
			continue
		}
		return i
	}
	return -1
}
