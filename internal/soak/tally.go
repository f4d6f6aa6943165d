package soak

import (
	"slices"
	"time"
)

// RunRecord is one drill run of the soak.
type RunRecord struct {
	Drill string `json:"drill"`
	// Round counts from 0, the warm-up.
	Round    int           `json:"round"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Passed   bool          `json:"passed"`
	// Measured is true when the run got as far as measuring (it has a
	// report); Outage is then the longest interval between two successful
	// answers the client saw during the run.
	Measured bool          `json:"measured"`
	Outage   time.Duration `json:"outage"`
	// Failure says why a run did not pass: the first failed step and what
	// was seen, an error, or faults the runner could not undo.
	Failure string `json:"failure,omitempty"`
	// Report is the Markdown report written for a failed run, if any.
	Report string `json:"report,omitempty"`
}

// DrillTally is one drill over the soak.
type DrillTally struct {
	Drill  string `json:"drill"`
	Runs   int    `json:"runs"`
	Passed int    `json:"passed"`
	// Measured counts the runs that got as far as measuring; MinOutage,
	// MedianOutage and MaxOutage are over them.
	Measured     int           `json:"measured"`
	MinOutage    time.Duration `json:"min_outage"`
	MedianOutage time.Duration `json:"median_outage"`
	MaxOutage    time.Duration `json:"max_outage"`
}

// Tally groups runs by drill, in the order the drills first ran.
func Tally(runs []RunRecord) []DrillTally {
	var order []string
	outages := map[string][]time.Duration{}
	byDrill := map[string]*DrillTally{}
	for _, r := range runs {
		t := byDrill[r.Drill]
		if t == nil {
			t = &DrillTally{Drill: r.Drill}
			byDrill[r.Drill] = t
			order = append(order, r.Drill)
		}
		t.Runs++
		if r.Passed {
			t.Passed++
		}
		if r.Measured {
			outages[r.Drill] = append(outages[r.Drill], r.Outage)
		}
	}
	out := make([]DrillTally, 0, len(order))
	for _, name := range order {
		t := *byDrill[name]
		if o := outages[name]; len(o) > 0 {
			t.Measured = len(o)
			slices.Sort(o)
			t.MinOutage, t.MaxOutage = o[0], o[len(o)-1]
			t.MedianOutage = o[len(o)/2]
			if len(o)%2 == 0 {
				t.MedianOutage = (o[len(o)/2-1] + o[len(o)/2]) / 2
			}
		}
		out = append(out, t)
	}
	return out
}
