package lab

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a lab file, at a place in it.
type Problem struct {
	File    string
	Line    int
	Column  int
	Message string
}

// String renders the problem as file:line:column: message, the form editors
// and compilers use.
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	default:
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
}

// ValidationError holds every problem found in a lab file, so that a user
// fixes them in one pass rather than one per run.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line, in file and line order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	noun := "problems"
	if len(lines) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%d %s:\n%s", len(lines), noun, strings.Join(lines, "\n"))
}

// problems collects Problems while a lab file is checked.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line, col int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) at(p pos, format string, args ...any) {
	ps.add(p.line, p.col, format, args...)
}

// err returns a *ValidationError with the problems sorted by place, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &ValidationError{Problems: ps.list}
}
