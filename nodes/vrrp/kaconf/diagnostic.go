package kaconf

import (
	"fmt"
	"strconv"
)

// Severity says whether a [Diagnostic] stops the configuration from being
// used.
type Severity int

const (
	// SeverityWarning is something keepalived 2.2.7 reports and then works
	// around in a defined way (truncating auth_pass, clearing an initial
	// MASTER state, rounding an interval, skipping an unknown keyword).
	// The model holds the value keepalived ends up using.
	SeverityWarning Severity = iota

	// SeverityError is an invalid value or a broken structure: keepalived
	// would ignore or replace the value, or refuse to start, and halab
	// refuses the configuration so that it never runs something other
	// than what was written.
	SeverityError
)

// String is "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// Position is a place in a configuration file. Line and Column count from 1;
// Column is 0 when unknown.
type Position struct {
	File   string
	Line   int
	Column int
}

// String is "file:line:column", leaving out what is unknown.
func (p Position) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Column > 0 {
			s += ":" + strconv.Itoa(p.Column)
		}
	}
	return s
}

// Diagnostic is one problem found in a configuration. Message says what
// keepalived 2.2.7 says about it where keepalived says something (with its
// wording, so a search for either finds the other), followed by what halab
// or keepalived does about it.
type Diagnostic struct {
	File     string
	Line     int
	Column   int // 0 when unknown
	Severity Severity
	Message  string
}

// String is "file:line: severity: message", the way compilers say it.
func (d Diagnostic) String() string {
	prefix := Position{File: d.File, Line: d.Line}.String()
	if prefix != "" {
		prefix += ": "
	}
	return prefix + d.Severity.String() + ": " + d.Message
}

// Error makes a Diagnostic an error; it returns String().
func (d Diagnostic) Error() string { return d.String() }

// Pos is where the diagnostic points.
func (d Diagnostic) Pos() Position { return Position{File: d.File, Line: d.Line, Column: d.Column} }

// diagnostics collects the problems of one parse.
type diagnostics struct {
	all, warnings, errors []Diagnostic
}

func (ds *diagnostics) add(sev Severity, pos Position, format string, args ...any) {
	d := Diagnostic{File: pos.File, Line: pos.Line, Column: pos.Column, Severity: sev, Message: fmt.Sprintf(format, args...)}
	ds.all = append(ds.all, d)
	if sev == SeverityError {
		ds.errors = append(ds.errors, d)
	} else {
		ds.warnings = append(ds.warnings, d)
	}
}

func (ds *diagnostics) warnf(pos Position, format string, args ...any) {
	ds.add(SeverityWarning, pos, format, args...)
}

func (ds *diagnostics) errorf(pos Position, format string, args ...any) {
	ds.add(SeverityError, pos, format, args...)
}
