package scenarios

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// RepeatReport is a drill run several times, with the spread of each
// figure.
type RepeatReport struct {
	Drill   string `json:"drill"`
	Title   string `json:"title"`
	Teaches string `json:"teaches"`
	// Runs are the reports of the runs made, in order.
	Runs []*Report `json:"runs"`
	// Stats are min, median and max of each figure over the runs.
	Stats []Stat `json:"stats"`
	// Passed is true when every run passed.
	Passed bool `json:"passed"`
}

// Stat is one figure over repeated runs. Durations are in seconds.
type Stat struct {
	Name string `json:"name"`
	// Unit is "s" or "requests".
	Unit   string  `json:"unit"`
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
	// Bound is the theoretical bound, when there is one (seconds).
	Bound *float64 `json:"bound,omitempty"`
}

// RunRepeated runs drill d n times in a row (each waiting for a steady lab
// first) and gives min, median and max of each figure. It stops early when
// ctx is done or a run cannot start; the runs made so far are kept.
func RunRepeated(ctx context.Context, l Lab, d *Drill, opts Options, n int) (*RepeatReport, error) {
	rr := &RepeatReport{Drill: d.Name, Title: d.Title, Teaches: d.Teaches}
	var err error
	for i := 0; i < max(n, 1); i++ {
		var rep *Report
		rep, err = Run(ctx, l, d, opts)
		if rep != nil {
			rr.Runs = append(rr.Runs, rep)
		}
		if err != nil {
			if rep == nil {
				err = fmt.Errorf("run %d of %d: %w", i+1, n, err)
			}
			break
		}
	}
	rr.Stats = Stats(rr.Runs)
	rr.Passed = len(rr.Runs) == max(n, 1)
	for _, r := range rr.Runs {
		rr.Passed = rr.Passed && r.Passed
	}
	return rr, err
}

// Stats computes min, median and max of each figure over reports of the
// same drill: the longest outage, failed requests, and for each fault step
// the time until the VIP moved, the outage after it and the time until
// answers came back.
func Stats(reports []*Report) []Stat {
	type series struct {
		unit  string
		vals  []float64
		bound *float64
	}
	var order []string
	all := map[string]*series{}
	add := func(name, unit string, v float64, bound *Bound) {
		s := all[name]
		if s == nil {
			s = &series{unit: unit}
			all[name] = s
			order = append(order, name)
		}
		s.vals = append(s.vals, v)
		if bound != nil {
			b := bound.Value.Seconds()
			s.bound = &b
		}
	}
	for _, r := range reports {
		m := r.Measurements
		add("longest outage", "s", m.Outage.Seconds(), nil)
		add("failed requests", "requests", float64(m.Failed), nil)
		for _, f := range m.Faults {
			label := fmt.Sprintf("step %d (%s)", f.Step, f.Fault)
			if f.Takeover != nil {
				add("VIP moved after "+label, "s", f.Takeover.Seconds(), f.TakeoverBound)
			}
			if f.Detected != nil {
				add("noticed after "+label, "s", f.Detected.Seconds(), f.DetectedBound)
			}
			if f.Outage != nil {
				add("outage after "+label, "s", f.Outage.Seconds(), nil)
			}
			if f.Recovered != nil {
				add("answers back after "+label, "s", f.Recovered.Seconds(), f.RecoveryBound)
			}
		}
	}
	out := make([]Stat, 0, len(order))
	for _, name := range order {
		s := all[name]
		v := slices.Clone(s.vals)
		slices.Sort(v)
		out = append(out, Stat{Name: name, Unit: s.unit, N: len(v), Min: v[0], Max: v[len(v)-1], Median: median(v), Bound: s.bound})
	}
	return out
}

// median of sorted values: the middle one, or the mean of the two middle
// ones.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Markdown writes the repeated runs as Markdown: the spread of each figure,
// then each run's report.
func (rr *RepeatReport) Markdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	verdict := "✓ every run passed"
	if !rr.Passed {
		verdict = "✗ not every run passed"
	}
	fmt.Fprintf(b, "# Drill %s, %d runs: %s\n\n**%s**\n\n", rr.Drill, len(rr.Runs), cell(rr.Title), verdict)
	if rr.Teaches != "" {
		fmt.Fprintf(b, "> **What it teaches.** %s\n\n", oneLine(rr.Teaches))
	}
	b.WriteString("| figure | runs | min | median | max | bound |\n|---|--:|--:|--:|--:|--:|\n")
	for _, s := range rr.Stats {
		bound := "—"
		if s.Bound != nil {
			bound = fmtSecs(time.Duration(*s.Bound * float64(time.Second)))
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s |\n", cell(s.Name), s.N, statVal(s, s.Min), statVal(s, s.Median), statVal(s, s.Max), bound)
	}
	b.WriteString("\n")
	if err := b.Flush(); err != nil {
		return err
	}
	for i, r := range rr.Runs {
		fmt.Fprintf(w, "---\n\n<!-- run %d of %d -->\n\n", i+1, len(rr.Runs))
		if err := r.Markdown(w); err != nil {
			return err
		}
	}
	return nil
}

func statVal(s Stat, v float64) string {
	if s.Unit == "s" {
		return fmtSecs(time.Duration(v * float64(time.Second)))
	}
	return fmt.Sprintf("%g", v)
}
