package soak

import (
	"fmt"
	"slices"
)

// Metric is one figure watched per process.
type Metric string

// The metrics watched.
const (
	MetricFDs        Metric = "fds"
	MetricGoroutines Metric = "goroutines"
	MetricRSS        Metric = "rss"
)

// metrics are the watched metrics in report order.
var metrics = []Metric{MetricFDs, MetricGoroutines, MetricRSS}

// value is m's figure in r.
func (m Metric) value(r Reading) float64 {
	switch m {
	case MetricFDs:
		return float64(r.FDs)
	case MetricGoroutines:
		return float64(r.Goroutines)
	default:
		return float64(r.RSS)
	}
}

// Limits say how far a figure may rise above its baseline before it counts
// as growth. A restarted component starts afresh, so it is held to the
// baseline of the same node and kind.
type Limits struct {
	// FDSlack: open fds at most baseline + FDSlack.
	FDSlack int
	// GoroutineSlack: goroutines at most baseline + GoroutineSlack.
	GoroutineSlack int
	// RSSFactor and RSSSlack: RSS at most RSSFactor × baseline + RSSSlack
	// bytes (the garbage collector lets the heap breathe).
	RSSFactor float64
	RSSSlack  int64
}

// DefaultLimits are the thresholds `make soak` applies.
var DefaultLimits = Limits{FDSlack: 4, GoroutineSlack: 10, RSSFactor: 1.5, RSSSlack: 8 << 20}

// Allowed is the most m may reach against baseline base.
func (l Limits) Allowed(m Metric, base float64) float64 {
	switch m {
	case MetricFDs:
		return base + float64(l.FDSlack)
	case MetricGoroutines:
		return base + float64(l.GoroutineSlack)
	default:
		return l.RSSFactor*base + float64(l.RSSSlack)
	}
}

// Describe says the rule for m in words, for the report.
func (l Limits) Describe(m Metric) string {
	switch m {
	case MetricFDs:
		return fmt.Sprintf("baseline + %d", l.FDSlack)
	case MetricGoroutines:
		return fmt.Sprintf("baseline + %d", l.GoroutineSlack)
	default:
		return fmt.Sprintf("%g × baseline + %s", l.RSSFactor, formatBytes(float64(l.RSSSlack)))
	}
}

// MinSamples is the fewest samples (the baseline included) a verdict on
// growth needs: the baseline and two more, so that the end and the trend
// each rest on a sample of their own.
const MinSamples = 3

// Verdict is one process's metric over the soak.
type Verdict struct {
	Key    string `json:"key"`
	Metric Metric `json:"metric"`
	// Baseline is the figure after the warm-up; End the last one; EndLimit
	// what End may reach.
	Baseline float64 `json:"baseline"`
	End      float64 `json:"end"`
	EndLimit float64 `json:"end_limit"`
	// FirstThird and LastThird are the mean of the first and the last
	// third of the samples from the baseline on; LastThird may reach
	// TrendLimit (the limits applied to FirstThird).
	FirstThird float64 `json:"first_third"`
	LastThird  float64 `json:"last_third"`
	TrendLimit float64 `json:"trend_limit"`
	// Max is the highest figure seen from the baseline on.
	Max  float64 `json:"max"`
	Pass bool    `json:"pass"`
	// Why says what failed.
	Why string `json:"why,omitempty"`
}

// Check holds every process's metrics in samples (the first is the
// baseline) to the limits: the last sample against the baseline, and the
// mean of the last third against the mean of the first third. A process
// missing from the baseline or from a later sample fails: it did not run
// there. Fewer than MinSamples samples give an error: too short to judge.
func Check(samples []Sample, l Limits) ([]Verdict, error) {
	if len(samples) < MinSamples {
		return nil, fmt.Errorf("samples from the baseline on: %d, need at least %d: too short a soak to judge growth", len(samples), MinSamples)
	}
	var keys []string
	for _, s := range samples {
		for _, r := range s.Readings {
			if !slices.Contains(keys, r.Key) {
				keys = append(keys, r.Key)
			}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no process was read in any of the %d samples from the baseline on", len(samples))
	}
	var out []Verdict
	for _, key := range keys {
		for _, m := range metrics {
			out = append(out, check(samples, key, m, l))
		}
	}
	return out, nil
}

// check is one process's metric m.
func check(samples []Sample, key string, m Metric, l Limits) Verdict {
	v := Verdict{Key: key, Metric: m, Pass: true}
	var vals []float64
	var missing []int
	for i, s := range samples {
		r, ok := s.reading(key)
		if !ok {
			missing = append(missing, i)
			continue
		}
		vals = append(vals, m.value(r))
	}
	if len(missing) > 0 {
		v.Pass = false
		v.Why = fmt.Sprintf("not read in %d of %d samples (first: sample %d after %s)", len(missing), len(samples), missing[0], samples[missing[0]].After)
		if missing[0] == 0 {
			v.Why = fmt.Sprintf("not read in the baseline (and %d other samples)", len(missing)-1)
		}
	}
	if len(vals) == 0 {
		return v
	}
	v.Baseline, v.End, v.Max = vals[0], vals[len(vals)-1], slices.Max(vals)
	v.EndLimit = l.Allowed(m, v.Baseline)
	k := max(1, len(vals)/3)
	v.FirstThird, v.LastThird = mean(vals[:k]), mean(vals[len(vals)-k:])
	v.TrendLimit = l.Allowed(m, v.FirstThird)
	if v.End > v.EndLimit {
		v.Pass = false
		v.Why = join(v.Why, fmt.Sprintf("ends at %s, above %s (%s)", m.format(v.End), m.format(v.EndLimit), l.Describe(m)))
	}
	if v.LastThird > v.TrendLimit {
		v.Pass = false
		v.Why = join(v.Why, fmt.Sprintf("last third averages %s, above %s (first third %s)", m.format(v.LastThird), m.format(v.TrendLimit), m.format(v.FirstThird)))
	}
	return v
}

// mean of vals (not empty).
func mean(vals []float64) float64 {
	var sum float64
	for _, v := range vals {
		sum += v
	}
	return sum / float64(len(vals))
}

// join joins two reasons with "; ", either may be empty.
func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// format renders a figure of m: bytes for RSS, a count otherwise.
func (m Metric) format(v float64) string {
	if m == MetricRSS {
		return formatBytes(v)
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// formatBytes renders a byte count in MiB with one decimal.
func formatBytes(v float64) string {
	return fmt.Sprintf("%.1f MiB", v/(1<<20))
}

// NamespaceVerdict holds the lab's namespace count to the first sample's
// (taken right after the lab came up): a drill that leaves a namespace
// behind, or loses one, fails it.
func NamespaceVerdict(samples []Sample) Verdict {
	v := Verdict{Key: "lab", Metric: "namespaces", Pass: true}
	if len(samples) == 0 {
		v.Pass, v.Why = false, "no sample"
		return v
	}
	v.Baseline = float64(samples[0].Namespaces)
	v.EndLimit, v.TrendLimit = v.Baseline, v.Baseline
	v.FirstThird = v.Baseline
	for i, s := range samples {
		n := float64(s.Namespaces)
		v.Max = max(v.Max, n)
		v.End, v.LastThird = n, n
		if n != v.Baseline && v.Pass {
			v.Pass = false
			v.Why = fmt.Sprintf("%d namespaces after %s (sample %d), %d when the lab came up", s.Namespaces, s.After, i, samples[0].Namespaces)
		}
	}
	if v.Baseline == 0 {
		v.Pass = false
		v.Why = join(v.Why, "the lab has no namespace: is it a netns lab?")
	}
	return v
}
