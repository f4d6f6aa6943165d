package soak

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/scenarios"
)

// finished runs a fake soak of two drills for two rounds after the
// warm-up; fds, when set, gives lb1/vrrp's fds in each sample.
func finished(t *testing.T, outcome func(int, *scenarios.Drill) RunRecord, fds []int) *Result {
	t.Helper()
	s := fakeSoak(Config{Drills: drills("master-poweroff", "proxy-killed"), Duration: time.Hour, MaxRounds: 2}, outcome)
	take := s.take
	n := 0
	s.take = func(ctx context.Context, after string) Sample {
		smp := take(ctx, after)
		if n < len(fds) {
			smp.Readings[0].FDs = fds[n]
		}
		smp.DirBytes = int64(n) << 20
		n++
		return smp
	}
	s.res.Lab = "soak1"
	s.sample(context.Background(), "lab up")
	s.loop(context.Background())
	return s.finish()
}

func report(t *testing.T, r *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteReport(&b, r); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(b.String(), "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line %d ends in spaces: %q", i+1, line)
		}
	}
	return b.String()
}

func TestWriteReport(t *testing.T) {
	outage := func(n int, _ *scenarios.Drill) RunRecord {
		return RunRecord{Measured: true, Passed: true, Outage: time.Duration(3000+100*n) * time.Millisecond}
	}
	tests := []struct {
		name    string
		outcome func(int, *scenarios.Drill) RunRecord
		fds     []int
		want    []string
		notWant []string
	}{
		{"all well", outage, nil, []string{
			"soak of lab soak1: 1m0s, 6 drill runs (the warm-up round, then 2 rounds), 7 samples",
			"master-poweroff  3     3       3.000 s     3.200 s  3.400 s",
			"proxy-killed     3     3       3.100 s     3.300 s  3.500 s",
			"all              6     6",
			"resources from the baseline (sample 2, after the warm-up) to the end (sample 6): 5 samples",
			"limits: fds ≤ baseline + 4, goroutines ≤ baseline + 10, RSS ≤ 1.5 × baseline + 8.0 MiB",
			"lb1/vrrp  fds         12        12        16        12        12        16        12        PASS",
			"lb1/vrrp  rss         17.0 MiB  17.0 MiB  33.5 MiB  17.0 MiB  17.0 MiB  33.5 MiB  17.0 MiB  PASS",
			"lab namespaces 5 5 5 5 PASS",
			"lab directory: 0.0 MiB when the lab came up, 6.0 MiB at the end (+6.0 MiB, 360.0 MiB an hour; logs grow by design, not judged)",
			"PASS: 6 of 6 drill runs passed; fds, goroutines, RSS and namespaces did not grow",
		}, []string{"✗", "FAIL"}},
		{"a failed run and a leak", func(n int, d *scenarios.Drill) RunRecord {
			if n == 3 {
				return RunRecord{Measured: true, Outage: 5 * time.Second, Failure: `step 6 "expect lb2 in MASTER": lb2 is BACKUP`, Report: "/tmp/r/proxy-killed-round1.md"}
			}
			return outage(n, d)
		}, []int{12, 12, 12, 13, 15, 17, 19}, []string{
			"proxy-killed     3     2       3.100 s     3.500 s  5.000 s",
			"✗ proxy-killed, round 1: step 6 \"expect lb2 in MASTER\": lb2 is BACKUP\n  report: /tmp/r/proxy-killed-round1.md",
			"lb1/vrrp fds 12 19 16 12 19 16 19 FAIL",
			"✗ lb1/vrrp fds: ends at 19, above 16 (baseline + 4); last third averages 19, above 16 (first third 12)",
			"FAIL: 5 of 6 drill runs passed, 0 sampling problems, 1 resource lines failed",
		}, []string{"PASS: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := report(t, finished(t, tt.outcome, tt.fds))
			for _, w := range tt.want {
				if !strings.Contains(squeeze(out), squeeze(w)) {
					t.Errorf("the report lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("the report has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestWriteReportSaysWhyNothingWasJudged(t *testing.T) {
	s := fakeSoak(Config{Drills: drills("a"), Duration: time.Hour}, func(int, *scenarios.Drill) RunRecord {
		return RunRecord{Failure: "could not run: lab gone"}
	})
	s.take = func(_ context.Context, after string) Sample {
		return Sample{After: after, Namespaces: 5, Problems: []string{"read the lab's state: no lab"}}
	}
	s.sample(context.Background(), "lab up")
	s.loop(context.Background())
	out := report(t, s.finish())
	for _, w := range []string{
		"a 3 0 — — —",
		"✗ sample 3 (after a (round 2)): read the lab's state: no lab",
		"✗ growth not judged: no process was read in any of the 3 samples from the baseline on",
		"✗ the soak stopped early: 3 drill runs in a row could not run",
		"FAIL: 0 of 3 drill runs passed, 4 sampling problems",
	} {
		if !strings.Contains(squeeze(out), squeeze(w)) {
			t.Errorf("the report lacks %q:\n%s", w, out)
		}
	}
}

// squeeze turns every run of spaces into one, so that the tests do not
// depend on the width of the table's columns.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
