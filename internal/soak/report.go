package soak

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// WriteReport writes the soak's verdict as text: a table of the drills
// (runs, passed, outage min/median/max), then one line per process and
// metric with PASS or FAIL, the namespaces, the lab directory's growth,
// and the overall verdict.
func WriteReport(w io.Writer, r *Result) error {
	rounds := 0
	if n := len(r.Runs); n > 0 {
		rounds = r.Runs[n-1].Round
	}
	fmt.Fprintf(w, "soak of lab %s: %s, %d drill runs (the warm-up round, then %s), %d samples\n\n",
		r.Lab, r.Elapsed.Truncate(time.Second), len(r.Runs), plural(rounds, "round"), len(r.Samples))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "drill\truns\tpassed\toutage min\tmedian\tmax")
	var runs, passed int
	for _, t := range r.Drills {
		if t.Measured == 0 {
			fmt.Fprintf(tw, "%s\t%d\t%d\t—\t—\t—\n", t.Drill, t.Runs, t.Passed)
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", t.Drill, t.Runs, t.Passed, fmtDuration(t.MinOutage), fmtDuration(t.MedianOutage), fmtDuration(t.MaxOutage))
		}
		runs, passed = runs+t.Runs, passed+t.Passed
	}
	fmt.Fprintf(tw, "all\t%d\t%d\n", runs, passed)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, run := range r.Runs {
		if !run.Passed {
			fmt.Fprintf(w, "✗ %s, round %d: %s\n", run.Drill, run.Round, run.Failure)
			if run.Report != "" {
				fmt.Fprintf(w, "  report: %s\n", run.Report)
			}
		}
	}
	fmt.Fprintln(w)
	if r.Baseline >= 0 {
		fmt.Fprintf(w, "resources from the baseline (sample %d, after the warm-up) to the end (sample %d): %d samples\n",
			r.Baseline, len(r.Samples)-1, len(r.Samples)-r.Baseline)
	}
	fmt.Fprintf(w, "limits: fds ≤ %s, goroutines ≤ %s, RSS ≤ %s, for the last sample against the baseline\n",
		r.Limits.Describe(MetricFDs), r.Limits.Describe(MetricGoroutines), r.Limits.Describe(MetricRSS))
	fmt.Fprintf(w, "and for the mean of the last third of the samples against the mean of the first third;\n")
	fmt.Fprintf(w, "the lab's namespaces stay as many as when it came up\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "process\tmetric\tbaseline\tend\tlimit\tfirst ⅓\tlast ⅓\tlimit\tmax\tverdict")
	for _, v := range r.Verdicts {
		m := v.Metric
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Key, m,
			m.format(v.Baseline), m.format(v.End), m.format(v.EndLimit),
			m.format(v.FirstThird), m.format(v.LastThird), m.format(v.TrendLimit), m.format(v.Max), verdict(v))
	}
	ns := r.Namespaces
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\t\t\t%s\t%s\n", ns.Key, ns.Metric, ns.Metric.format(ns.Baseline), ns.Metric.format(ns.End), ns.Metric.format(ns.EndLimit), ns.Metric.format(ns.Max), verdict(ns))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range allVerdicts(r) {
		if !v.Pass {
			fmt.Fprintf(w, "✗ %s %s: %s\n", v.Key, v.Metric, v.Why)
		}
	}
	if line := dirLine(r); line != "" {
		fmt.Fprintln(w, line)
	}
	problems := 0
	for i, smp := range r.Samples {
		for _, p := range smp.Problems {
			problems++
			fmt.Fprintf(w, "✗ sample %d (after %s): %s\n", i, smp.After, p)
		}
	}
	if r.CheckError != "" {
		fmt.Fprintf(w, "✗ growth not judged: %s\n", r.CheckError)
	}
	if r.Aborted != "" {
		fmt.Fprintf(w, "✗ the soak stopped early: %s\n", r.Aborted)
	}
	fmt.Fprintln(w)
	if r.Passed {
		_, err := fmt.Fprintf(w, "PASS: %d of %d drill runs passed; fds, goroutines, RSS and namespaces did not grow\n", passed, runs)
		return err
	}
	_, err := fmt.Fprintf(w, "FAIL: %d of %d drill runs passed, %d sampling problems, %d resource lines failed\n", passed, runs, problems, failedVerdicts(r))
	return err
}

// dirLine reports the lab directory's growth, which is not judged: the
// components' logs grow by design.
func dirLine(r *Result) string {
	if len(r.Samples) < 2 {
		return ""
	}
	first, last := r.Samples[0], r.Samples[len(r.Samples)-1]
	grew := float64(last.DirBytes - first.DirBytes)
	line := fmt.Sprintf("lab directory: %s when the lab came up, %s at the end (+%s",
		formatBytes(float64(first.DirBytes)), formatBytes(float64(last.DirBytes)), formatBytes(grew))
	if span := last.At.Sub(first.At); span > 0 {
		line += fmt.Sprintf(", %s an hour", formatBytes(grew/span.Hours()))
	}
	return line + "; logs grow by design, not judged)"
}

// plural says n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// verdict is PASS or FAIL.
func verdict(v Verdict) string {
	if v.Pass {
		return "PASS"
	}
	return "FAIL"
}

// failedVerdicts counts the resource lines that failed.
func failedVerdicts(r *Result) int {
	n := 0
	for _, v := range allVerdicts(r) {
		if !v.Pass {
			n++
		}
	}
	return n
}

// allVerdicts are the per-process verdicts and the namespaces'.
func allVerdicts(r *Result) []Verdict {
	return slices.Concat(r.Verdicts, []Verdict{r.Namespaces})
}

// fmtDuration renders a duration in seconds with milliseconds.
func fmtDuration(d time.Duration) string {
	return fmt.Sprintf("%.3f s", d.Seconds())
}
