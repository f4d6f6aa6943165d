package lab

import (
	"context"
	"fmt"
	"time"
)

// Step is one thing a provider did while building or removing a lab, for
// the progress shown to the user.
type Step struct {
	Time    time.Time
	Node    string
	Message string
}

// String renders the step as a progress line.
func (s Step) String() string {
	if s.Node == "" {
		return s.Message
	}
	return fmt.Sprintf("%-8s %s", s.Node, s.Message)
}

// Progress receives steps as they happen; nil discards them.
type Progress func(Step)

// Report sends a step to p, if p is not nil.
func (p Progress) Report(node, format string, args ...any) {
	if p != nil {
		p(Step{Time: time.Now(), Node: node, Message: fmt.Sprintf(format, args...)})
	}
}

// Provider makes a lab real. Implementations keep Up all-or-nothing: when Up
// fails it removes what it built before returning the cause.
type Provider interface {
	// Name is the provider's name in lab files and flags ("netns").
	Name() string
	// Up builds the lab, starts its components and waits until each reports
	// ready. It refuses a lab whose name is already up.
	Up(ctx context.Context, l *Lab, progress Progress) (*State, error)
	// Down removes every part of the lab called name that this provider made,
	// also when its processes were killed or its state was lost. Removing a
	// lab that is not there is not an error.
	Down(ctx context.Context, name string, progress Progress) error
}
