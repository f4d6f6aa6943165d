// Package drills is the dashboard's drill menu and drill pane. The menu
// lists the drills written for the lab (name, title, what the selected one
// teaches); the pane narrates the drill that runs: each step at its offset
// from the start of measurement, the say steps as narration, each
// expectation ticking ✓ or ✗ as it is decided (a spinner and what is seen
// so far while it waits), and the summary at the end.
//
// The package holds only what the dashboard shows. It does not run drills:
// the dashboard's Drills (package ui) does, and reports each step as a Step.
package drills

import (
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/ui/common"
)

// Info is one drill the menu offers.
type Info struct {
	// Name is the drill's short name ("master-poweroff").
	Name string
	// Title is one line for the list.
	Title string
	// Teaches is a sentence on what the drill teaches.
	Teaches string
	// Steps says each step in words, in order (optional): the pane shows
	// those still to come, and how far the drill is.
	Steps []string
}

// Step is one step of a running drill, as the runner reports it: when it
// starts, while an expectation waits, and when it ends.
type Step struct {
	// Index counts the drill's steps from 1; whole-drill expectations
	// follow the last step.
	Index int
	// Kind is the step's key in the drill file: say, fault, restore, heal,
	// wait, traffic, vip_on, state, success, failed, outage,
	// no_split_brain, backend.
	Kind string
	// Text says the step in words.
	Text string
	// Start is the step's offset from the start of measurement.
	Start time.Duration
	// Status is one of the Status… constants.
	Status string
	// Seen says what was seen (expectations) or done (acts); while an
	// expectation waits, what is seen so far.
	Seen string
	// Whole marks an expectation over the whole drill.
	Whole bool
}

// Step statuses: acts end done (or error), expectations pass or fail.
const (
	StatusRunning     = "running"
	StatusDone        = "done"
	StatusPass        = "pass"
	StatusFail        = "fail"
	StatusError       = "error"
	StatusSkipped     = "skipped"
	StatusInterrupted = "interrupted"
)

// Result is how a drill ended.
type Result struct {
	// Passed is true when every expectation passed and every act worked.
	Passed bool
	// Interrupted is true when the drill was stopped before its end.
	Interrupted bool
	// Summary is one line: verdict, outage, VIP moved, bound.
	Summary string
	// Undone are the faults undone at the end; UndoErrors those that could
	// not be (the lab may still be broken).
	Undone, UndoErrors []string
}

// Phase is where the pane's drill stands.
type Phase int

// The phases.
const (
	// PhaseIdle: no drill was started.
	PhaseIdle Phase = iota
	// PhaseStarting: started, no step yet (the runner waits for a steady
	// lab).
	PhaseStarting
	// PhaseRunning: steps are coming.
	PhaseRunning
	// PhaseStopping: stopped by the person; the runner undoes its faults.
	PhaseStopping
	// PhaseFinished: the runner returned.
	PhaseFinished
)

// Pane is the drill pane: one drill, from its start to its summary.
type Pane struct {
	common.Common
	width, height int
	visible       bool

	info    Info
	phase   Phase
	steps   []Step    // by Index
	started time.Time // Start was called
	anchor  time.Time // the start of measurement, on the dashboard's clock
	ended   time.Time
	result  Result
	err     error
}

// NewPane returns an idle, hidden pane.
func NewPane(c common.Common) *Pane { return &Pane{Common: c} }

// SetSize sets the pane's outer size.
func (p *Pane) SetSize(w, h int) { p.width, p.height = w, h }

// Start shows the pane for a drill just started.
func (p *Pane) Start(info Info) {
	*p = Pane{Common: p.Common, width: p.width, height: p.height, visible: true,
		info: info, phase: PhaseStarting, started: p.Now()}
}

// Progress records a step's news.
func (p *Pane) Progress(s Step) {
	if p.phase == PhaseIdle || p.phase == PhaseFinished {
		return
	}
	if p.anchor.IsZero() {
		p.anchor = p.Now().Add(-s.Start)
	}
	if p.phase == PhaseStarting {
		p.phase = PhaseRunning
	}
	i, found := slices.BinarySearchFunc(p.steps, s.Index, func(a Step, idx int) int { return a.Index - idx })
	if found {
		p.steps[i] = s
	} else {
		p.steps = slices.Insert(p.steps, i, s)
	}
}

// Stopping says the person stopped the drill: the runner undoes its
// faults before it returns.
func (p *Pane) Stopping() {
	if p.Running() {
		p.phase = PhaseStopping
	}
}

// Finish records how the drill ended (res, or err when it could not run).
func (p *Pane) Finish(res Result, err error) {
	if p.phase == PhaseIdle {
		return
	}
	p.phase, p.result, p.err, p.ended = PhaseFinished, res, err, p.Now()
}

// Phase is where the drill stands.
func (p *Pane) Phase() Phase { return p.phase }

// Running reports whether the drill's runner has not returned yet.
func (p *Pane) Running() bool {
	return p.phase == PhaseStarting || p.phase == PhaseRunning || p.phase == PhaseStopping
}

// Info is the drill shown.
func (p *Pane) Info() Info { return p.info }

// Steps are the steps reported so far, by index.
func (p *Pane) Steps() []Step { return p.steps }

// Result is how the drill ended, once PhaseFinished.
func (p *Pane) Result() (Result, error) { return p.result, p.err }

// Visible reports whether the pane is shown.
func (p *Pane) Visible() bool { return p.visible && p.phase != PhaseIdle }

// Show shows the pane; Hide hides it (a running drill keeps running).
func (p *Pane) Show() { p.visible = true }

// Hide hides the pane.
func (p *Pane) Hide() { p.visible = false }

// Narration is the latest say step's text ("" before the first): said,
// not merely reported as not run.
func (p *Pane) Narration() string {
	for i := len(p.steps) - 1; i >= 0; i-- {
		if p.steps[i].Kind == "say" && !notRun(p.steps[i]) {
			return sayText(p.steps[i])
		}
	}
	return ""
}

// elapsed is the time since the start of measurement (or since Start,
// before it), up to the end.
func (p *Pane) elapsed() time.Duration {
	now := p.Now()
	if p.phase == PhaseFinished {
		now = p.ended
	}
	from := p.anchor
	if from.IsZero() {
		from = p.started
	}
	return max(now.Sub(from), 0)
}

// rows are the steps reported, then those still to come (Index above the
// last reported, from Info.Steps), marked pending.
func (p *Pane) rows() (rows []Step, pending int) {
	rows = slices.Clone(p.steps)
	last := 0
	for _, s := range p.steps {
		last = max(last, s.Index)
	}
	if p.phase == PhaseFinished {
		return rows, 0
	}
	for i := last + 1; i <= len(p.info.Steps); i++ {
		rows = append(rows, Step{Index: i, Text: p.info.Steps[i-1]})
		pending++
	}
	return rows, pending
}

// allReported reports whether every step the drill has was reported ended.
func (p *Pane) allReported() bool {
	if len(p.info.Steps) == 0 || len(p.steps) == 0 {
		return false
	}
	last := p.steps[len(p.steps)-1]
	return last.Index >= len(p.info.Steps) && last.Status != StatusRunning
}

// notRun reports whether a step was reported without being run: skipped
// after a failure, or not reached before the drill was stopped.
func notRun(s Step) bool {
	return s.Status == StatusSkipped || (s.Status == StatusInterrupted && s.Seen == "")
}

// sayText is a say step's words without the "say: " of its text.
func sayText(s Step) string {
	if s.Seen != "" {
		return s.Seen
	}
	return strings.TrimPrefix(s.Text, "say: ")
}
