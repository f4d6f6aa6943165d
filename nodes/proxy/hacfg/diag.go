package hacfg

import (
	"fmt"
	"strings"
)

// Severity says whether a Diagnostic stops the configuration from loading.
type Severity int

// Severities, as HAProxy's [WARNING] and [ALERT] messages.
const (
	// Warning is a problem HAProxy or halab reports but starts anyway with.
	Warning Severity = iota
	// Error makes the configuration invalid, as a fatal HAProxy alert does.
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Diagnostic is one problem found in a configuration, at file:line.
type Diagnostic struct {
	File     string
	Line     int
	Severity Severity
	Message  string
}

// String renders the diagnostic as "file:line: warning|error: msg" (without
// the line when it is not known).
func (d Diagnostic) String() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", d.File, d.Line, d.Severity, d.Message)
	}
	return fmt.Sprintf("%s: %s: %s", d.File, d.Severity, d.Message)
}

// InvalidError is returned by Parse when at least one Diagnostic is an
// error; it lists all of them, as `haproxy -c` reports every error at once.
type InvalidError struct {
	File   string
	Errors []Diagnostic
}

// Error joins the error diagnostics, one per line.
func (e *InvalidError) Error() string {
	lines := make([]string, 0, len(e.Errors)+1)
	lines = append(lines, fmt.Sprintf("%s: %d error(s) in configuration", e.File, len(e.Errors)))
	for _, d := range e.Errors {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}
