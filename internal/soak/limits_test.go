package soak

import (
	"fmt"
	"strings"
	"testing"
)

const mib = 1 << 20

func TestLimitsAllowed(t *testing.T) {
	l := DefaultLimits
	tests := []struct {
		m    Metric
		base float64
		want float64
	}{
		{MetricFDs, 12, 16},
		{MetricFDs, 0, 4},
		{MetricGoroutines, 14, 24},
		{MetricRSS, 20 * mib, 38 * mib},
		{MetricRSS, 0, 8 * mib},
	}
	for _, tt := range tests {
		if got := l.Allowed(tt.m, tt.base); got != tt.want {
			t.Errorf("Allowed(%s, %g) = %g, want %g", tt.m, tt.base, got, tt.want)
		}
	}
	if got := l.Describe(MetricRSS); got != "1.5 × baseline + 8.0 MiB" {
		t.Errorf("Describe(rss) = %q", got)
	}
}

// proc is one process's figures in a sample: fds, goroutines, RSS in MiB.
type proc struct {
	key       string
	fds, gor  int
	rssMiB    float64
	pid       int
	notInThis bool
}

// samples builds a soak's samples from each sample's processes.
func samples(rows ...[]proc) []Sample {
	out := make([]Sample, len(rows))
	for i, row := range rows {
		out[i].After = fmt.Sprintf("drill %d", i)
		for _, p := range row {
			if p.notInThis {
				continue
			}
			out[i].Readings = append(out[i].Readings, Reading{Key: p.key, PID: p.pid, FDs: p.fds, Goroutines: p.gor, RSS: int64(p.rssMiB * mib)})
		}
	}
	return out
}

// flat repeats one process unchanged n times.
func flat(n int, p proc) [][]proc {
	rows := make([][]proc, n)
	for i := range rows {
		rows[i] = []proc{p}
	}
	return rows
}

func TestCheck(t *testing.T) {
	vrrp := proc{key: "lb2/vrrp", fds: 13, gor: 14, rssMiB: 17, pid: 100}
	with := func(p proc, f func(*proc)) proc { f(&p); return p }
	tests := []struct {
		name string
		rows [][]proc
		// fail maps "key metric" to a part of its Why; every other
		// verdict must pass.
		fail map[string]string
	}{
		{"flat", flat(9, vrrp), nil},
		{"within the slack at the end", append(flat(8, vrrp), []proc{with(vrrp, func(p *proc) { p.fds, p.gor, p.rssMiB = 17, 24, 33.5 })}), nil},
		{"restarted with a new pid and fewer of everything", append(flat(5, vrrp), flat(4, with(vrrp, func(p *proc) { p.pid, p.fds, p.gor, p.rssMiB = 200, 12, 10, 9 }))...), nil},
		{"an fd leak at the end", append(flat(8, vrrp), []proc{with(vrrp, func(p *proc) { p.fds = 18 })}),
			map[string]string{"lb2/vrrp fds": "ends at 18, above 17 (baseline + 4)"}},
		{"RSS doubled", append(flat(6, vrrp), flat(3, with(vrrp, func(p *proc) { p.rssMiB = 40 }))...),
			map[string]string{"lb2/vrrp rss": "ends at 40.0 MiB, above 33.5 MiB"}},
		{"goroutines up in the last third, back down at the very end", append(flat(6, vrrp),
			[]proc{with(vrrp, func(p *proc) { p.gor = 40 })}, []proc{with(vrrp, func(p *proc) { p.gor = 40 })}, []proc{vrrp}),
			map[string]string{"lb2/vrrp goroutines": "last third averages 31.3, above 24 (first third 14)"}},
		{"gone from a later sample", append(flat(4, vrrp), []proc{with(vrrp, func(p *proc) { p.notInThis = true })}, []proc{vrrp}),
			map[string]string{"lb2/vrrp fds": "not read in 1 of 6 samples (first: sample 4 after drill 4)", "lb2/vrrp goroutines": "not read", "lb2/vrrp rss": "not read"}},
		{"missing from the baseline", append([][]proc{{with(vrrp, func(p *proc) { p.notInThis = true })}}, flat(3, vrrp)...),
			map[string]string{"lb2/vrrp fds": "not read in the baseline", "lb2/vrrp goroutines": "not read in the baseline", "lb2/vrrp rss": "not read in the baseline"}},
		{"one process leaks, the other does not", func() [][]proc {
			rows := flat(6, vrrp)
			for i := range rows {
				rows[i] = append(rows[i], proc{key: "runner", fds: 10 + 2*i, gor: 5, rssMiB: 18})
			}
			return rows
		}(), map[string]string{"runner fds": "ends at 20, above 14"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := Check(samples(tt.rows...), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			failed := map[string]bool{}
			for _, v := range vs {
				key := v.Key + " " + string(v.Metric)
				want, shouldFail := tt.fail[key]
				switch {
				case shouldFail && v.Pass:
					t.Errorf("%s passed (%+v), want a failure saying %q", key, v, want)
				case shouldFail && !strings.Contains(v.Why, want):
					t.Errorf("%s: why = %q, want it to say %q", key, v.Why, want)
				case !shouldFail && !v.Pass:
					t.Errorf("%s failed: %s", key, v.Why)
				}
				failed[key] = !v.Pass
			}
			for key := range tt.fail {
				if _, ok := failed[key]; !ok {
					t.Errorf("no verdict for %s", key)
				}
			}
		})
	}
}

func TestCheckThirds(t *testing.T) {
	var rows [][]proc
	for _, fds := range []int{10, 11, 12, 13, 14, 15, 16} { // 7 samples: thirds of 2
		rows = append(rows, []proc{{key: "web1/web", fds: fds, gor: 8, rssMiB: 19}})
	}
	vs, err := Check(samples(rows...), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if v.Metric != MetricFDs || v.Baseline != 10 || v.End != 16 || v.FirstThird != 10.5 || v.LastThird != 15.5 || v.Max != 16 || v.EndLimit != 14 || v.TrendLimit != 14.5 {
		t.Errorf("verdict = %+v", v)
	}
	if v.Pass || !strings.Contains(v.Why, "ends at 16") || !strings.Contains(v.Why, "last third averages 15.5") {
		t.Errorf("a steady climb passed or was not explained: %+v", v)
	}
}

func TestCheckNeedsEnoughSamples(t *testing.T) {
	for n := range MinSamples {
		if _, err := Check(samples(flat(n, proc{key: "a", fds: 1})...), DefaultLimits); err == nil || !strings.Contains(err.Error(), "too short") {
			t.Errorf("%d samples: err = %v, want too short", n, err)
		}
	}
	if _, err := Check(samples(flat(MinSamples, proc{key: "a", fds: 1})...), DefaultLimits); err != nil {
		t.Errorf("%d samples: %v", MinSamples, err)
	}
	if _, err := Check(make([]Sample, MinSamples), DefaultLimits); err == nil || !strings.Contains(err.Error(), "no process was read") {
		t.Errorf("samples without readings: err = %v", err)
	}
}

func TestNamespaceVerdict(t *testing.T) {
	ns := func(counts ...int) []Sample {
		out := make([]Sample, len(counts))
		for i, c := range counts {
			out[i] = Sample{After: fmt.Sprintf("drill %d", i), Namespaces: c}
		}
		return out
	}
	tests := []struct {
		name    string
		samples []Sample
		wantWhy string // "" passes
	}{
		{"steady", ns(5, 5, 5, 5), ""},
		{"one left behind", ns(5, 5, 6, 6), "6 namespaces after drill 2 (sample 2), 5 when the lab came up"},
		{"one lost", ns(5, 5, 5, 4), "4 namespaces after drill 3"},
		{"none at all", ns(0, 0), "no namespace"},
		{"no sample", nil, "no sample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NamespaceVerdict(tt.samples)
			if tt.wantWhy == "" {
				if !v.Pass {
					t.Fatalf("failed: %s", v.Why)
				}
				return
			}
			if v.Pass || !strings.Contains(v.Why, tt.wantWhy) {
				t.Fatalf("pass %v, why %q; want a failure saying %q", v.Pass, v.Why, tt.wantWhy)
			}
		})
	}
}
