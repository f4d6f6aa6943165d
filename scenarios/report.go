package scenarios

import (
	"time"
)

// Status is where a step stands.
type Status string

// Step statuses. Acts end done (or error); expectations end pass or fail.
const (
	StatusRunning     Status = "running"
	StatusDone        Status = "done"
	StatusPass        Status = "pass"
	StatusFail        Status = "fail"
	StatusError       Status = "error"
	StatusSkipped     Status = "skipped"
	StatusInterrupted Status = "interrupted"
)

// Report is what one run of a drill did and measured. It marshals to JSON
// as it is (`halab drill run --json`; durations are Go time.Duration
// nanoseconds, as in the lab's events) and renders as Markdown.
type Report struct {
	Drill   string `json:"drill"`
	Title   string `json:"title"`
	Teaches string `json:"teaches"`
	Source  string `json:"source"`
	// Lab is the running lab's name; LabSource the file it was built from.
	Lab       string `json:"lab"`
	LabSource string `json:"lab_source"`
	// Started is the start of measurement (the probe was reset then);
	// every offset in the report counts from it.
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	// Passed is true when every expectation passed and every act worked.
	Passed bool `json:"passed"`
	// Interrupted is true when the run was cancelled before its end.
	Interrupted bool `json:"interrupted,omitempty"`
	// Steps are the drill's steps in order, then whole-drill expectations.
	Steps        []StepResult `json:"steps"`
	Measurements Measurements `json:"measurements"`
	Timeline     Timeline     `json:"timeline"`
	// Undone are the faults the runner undid at the end (the drill left
	// them in force, or was stopped before it could mend them).
	Undone []string `json:"undone,omitempty"`
	// UndoErrors are undo steps that failed: the lab may still be broken.
	UndoErrors []string `json:"undo_errors,omitempty"`
}

// StepResult is one step's outcome.
type StepResult struct {
	// Index counts the drill's steps from 1; whole-drill expectations
	// follow the last step.
	Index int      `json:"index"`
	Kind  StepKind `json:"kind"`
	// Text says the step in words.
	Text string `json:"text"`
	// Line is the step's line in the drill file (0 for whole-drill checks).
	Line int `json:"line,omitempty"`
	// Start and End are offsets from the start of measurement.
	Start  time.Duration `json:"start"`
	End    time.Duration `json:"end"`
	Status Status        `json:"status"`
	// Seen says what was seen (expectations) or done (acts).
	Seen string `json:"seen,omitempty"`
	// Whole marks an expectation over the whole drill.
	Whole bool `json:"whole,omitempty"`
}

// Failed reports whether the step failed (an expectation not met, an act
// that did not work).
func (s StepResult) Failed() bool { return s.Status == StatusFail || s.Status == StatusError }

// Measurements are the drill's figures, with the protocol's bounds beside
// them.
type Measurements struct {
	// Outage is the longest interval between two consecutive successful
	// answers since the start of measurement (the probe's own figure), and
	// OutageFailed the requests that failed in it.
	Outage       time.Duration `json:"outage"`
	OutageFailed int           `json:"outage_failed"`
	// OutageOpen is true when an outage still lasted at the end.
	OutageOpen bool `json:"outage_open,omitempty"`
	// Sent, OK and Failed count the probe's requests since the start.
	Sent   int64 `json:"sent"`
	OK     int64 `json:"ok"`
	Failed int64 `json:"failed"`
	// Faults are the figures of each fault step.
	Faults []FaultFigures `json:"faults,omitempty"`
}

// FaultFigures are what followed one fault step, up to the next one.
// Times count from the fault: from the moment it was applied for a fault
// that breaks something, from the moment it had taken effect (components
// ready) for one that mends (restore, start, link up, heal).
type FaultFigures struct {
	Step  int    `json:"step"`
	Fault string `json:"fault"`
	// At is the fault's offset from the start of measurement.
	At time.Duration `json:"at"`
	// HoldersBefore and HoldersAfter are the VIP holders just before the
	// fault and after it moved.
	HoldersBefore []string `json:"holders_before"`
	HoldersAfter  []string `json:"holders_after,omitempty"`
	// Takeover is the time until the VIP moved (nil: it did not).
	Takeover      *time.Duration `json:"takeover,omitempty"`
	TakeoverBound *Bound         `json:"takeover_bound,omitempty"`
	// Detected is the time until the lab noticed: the track script
	// lowered the priority, or the health checks marked a server DOWN.
	Detected      *time.Duration `json:"detected,omitempty"`
	DetectedWhat  string         `json:"detected_what,omitempty"`
	DetectedBound *Bound         `json:"detected_bound,omitempty"`
	// Outage is the outage that ended after this fault (nil: none did),
	// with its failed requests; Recovered is the time until the first
	// successful answer that ended it.
	Outage        *time.Duration `json:"outage,omitempty"`
	OutageFailed  int            `json:"outage_failed,omitempty"`
	Recovered     *time.Duration `json:"recovered,omitempty"`
	RecoveryBound *Bound         `json:"recovery_bound,omitempty"`
}

// Bound is a theoretical bound from the lab's configuration and why.
type Bound struct {
	Value time.Duration `json:"value"`
	Why   string        `json:"why"`
}

// Timeline is the drill as a time series, for the SVG chart.
type Timeline struct {
	// Bucket is the probe's bucket width.
	Bucket  time.Duration    `json:"bucket"`
	Buckets []TimelineBucket `json:"buckets"`
	// Holders are spans of VIP ownership (empty Nodes: nobody).
	Holders []HolderSpan `json:"holders"`
	// Marks are the acts (faults, restores) at their time.
	Marks []Mark `json:"marks"`
}

// TimelineBucket is one probe bucket: requests started in it.
type TimelineBucket struct {
	At     time.Duration `json:"at"`
	OK     int           `json:"ok"`
	Failed int           `json:"failed"`
}

// HolderSpan says who held the VIP from From to To.
type HolderSpan struct {
	From  time.Duration `json:"from"`
	To    time.Duration `json:"to"`
	Nodes []string      `json:"nodes"`
}

// Mark is an act on the timeline.
type Mark struct {
	At    time.Duration `json:"at"`
	Step  int           `json:"step"`
	Label string        `json:"label"`
}

// Expectations counts the expectation results: passed and total.
func (r *Report) Expectations() (passed, total int) {
	for _, s := range r.Steps {
		if !(Step{Kind: s.Kind}).IsExpectation() {
			continue
		}
		total++
		if s.Status == StatusPass {
			passed++
		}
	}
	return passed, total
}
