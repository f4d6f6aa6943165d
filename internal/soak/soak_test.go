package soak

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/scenarios"
)

// fakeSoak is a soak whose drill runs take 10 s of a fake clock each and
// whose samples read one steady process; outcome decides each run.
func fakeSoak(cfg Config, outcome func(n int, d *scenarios.Drill) RunRecord) *soak {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := t0
	n := 0
	s := &soak{cfg: cfg, now: func() time.Time { return clock }, res: &Result{Started: t0, Baseline: -1, Limits: DefaultLimits}}
	s.run = func(_ context.Context, d *scenarios.Drill, round int) RunRecord {
		rec := outcome(n, d)
		n++
		rec.Drill, rec.Round, rec.Started, rec.Duration = d.Name, round, clock, 10*time.Second
		clock = clock.Add(10 * time.Second)
		return rec
	}
	s.take = func(_ context.Context, after string) Sample {
		return Sample{At: clock, After: after, Namespaces: 5, Readings: []Reading{{Key: "lb1/vrrp", PID: 1, FDs: 12, Goroutines: 14, RSS: 17 << 20}}}
	}
	return s
}

func drills(names ...string) []*scenarios.Drill {
	out := make([]*scenarios.Drill, len(names))
	for i, n := range names {
		out[i] = &scenarios.Drill{Name: n}
	}
	return out
}

func passing(int, *scenarios.Drill) RunRecord { return RunRecord{Measured: true, Passed: true} }

// runs lists the runs as "drill/round".
func runs(r *Result) string {
	var out []string
	for _, run := range r.Runs {
		out = append(out, fmt.Sprintf("%s/%d", run.Drill, run.Round))
	}
	return strings.Join(out, " ")
}

func TestLoop(t *testing.T) {
	tests := []struct {
		name         string
		cfg          Config
		outcome      func(int, *scenarios.Drill) RunRecord
		cancelAt     int // cancel the context during this run (-1: never)
		wantRuns     string
		wantBaseline int
		wantAborted  string
		wantPassed   bool
		// wantCheck is a part of Result.CheckError ("": none).
		wantCheck string
	}{
		{"time runs out mid-round", Config{Drills: drills("a", "b"), Duration: 45 * time.Second}, passing, -1,
			"a/0 b/0 a/1 b/1 a/2", 2, "", true, ""},
		{"too short after the warm-up to judge", Config{Drills: drills("a", "b"), Duration: 25 * time.Second}, passing, -1,
			"a/0 b/0 a/1", 2, "", false, "samples from the baseline on: 2, need at least 3"},
		{"the warm-up runs whole however short the time", Config{Drills: drills("a", "b", "c"), Duration: 0}, passing, -1,
			"a/0 b/0 c/0", 3, "", false, "samples from the baseline on: 1,"},
		{"max rounds", Config{Drills: drills("a", "b"), Duration: time.Hour, MaxRounds: 2}, passing, -1,
			"a/0 b/0 a/1 b/1 a/2 b/2", 2, "", true, ""},
		{"a failed run fails the soak and it goes on", Config{Drills: drills("a", "b"), Duration: time.Hour, MaxRounds: 1},
			func(n int, _ *scenarios.Drill) RunRecord {
				return RunRecord{Measured: true, Passed: n != 2, Failure: map[bool]string{true: "step 3: no"}[n == 2]}
			}, -1, "a/0 b/0 a/1 b/1", 2, "", false, ""},
		{"drills that cannot run stop it", Config{Drills: drills("a", "b"), Duration: time.Hour},
			func(int, *scenarios.Drill) RunRecord { return RunRecord{Failure: "could not run: no lab"} }, -1,
			"a/0 b/0 a/1", 2, "3 drill runs in a row could not run; the last: could not run: no lab", false, "on: 2,"},
		{"interrupted", Config{Drills: drills("a", "b"), Duration: time.Hour}, passing, 1,
			"a/0 b/0", 2, "interrupted: context canceled", false, "on: 1,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			outcome := func(n int, d *scenarios.Drill) RunRecord {
				if n == tt.cancelAt {
					cancel()
				}
				return tt.outcome(n, d)
			}
			s := fakeSoak(tt.cfg, outcome)
			s.sample(ctx, "lab up")
			s.loop(ctx)
			r := s.finish()
			if got := runs(r); got != tt.wantRuns {
				t.Errorf("runs %q, want %q", got, tt.wantRuns)
			}
			if r.Baseline != tt.wantBaseline || len(r.Samples) != len(r.Runs)+1 {
				t.Errorf("baseline %d of %d samples for %d runs, want baseline %d", r.Baseline, len(r.Samples), len(r.Runs), tt.wantBaseline)
			}
			if r.Aborted != tt.wantAborted || r.Passed != tt.wantPassed {
				t.Errorf("aborted %q, passed %v (check error %q); want %q, %v", r.Aborted, r.Passed, r.CheckError, tt.wantAborted, tt.wantPassed)
			}
			if (tt.wantCheck == "") != (r.CheckError == "") || !strings.Contains(r.CheckError, tt.wantCheck) {
				t.Errorf("check error %q, want %q", r.CheckError, tt.wantCheck)
			}
			if r.Elapsed != time.Duration(len(r.Runs))*10*time.Second {
				t.Errorf("elapsed %s for %d runs of 10 s", r.Elapsed, len(r.Runs))
			}
		})
	}
}

// TestSamplingOutlivesAnInterrupt: the sample after the run that was
// interrupted is taken with a context that is not cancelled.
func TestSamplingOutlivesAnInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := fakeSoak(Config{Drills: drills("a", "b"), Duration: time.Hour}, func(int, *scenarios.Drill) RunRecord {
		cancel()
		return RunRecord{Measured: true, Failure: "interrupted"}
	})
	take := s.take
	s.take = func(c context.Context, after string) Sample {
		if c.Err() != nil {
			t.Errorf("sample after %s taken with a cancelled context", after)
		}
		return take(c, after)
	}
	s.loop(ctx)
	if r := s.finish(); len(r.Runs) != 1 || len(r.Samples) != 1 || !strings.HasPrefix(r.Aborted, "interrupted") {
		t.Errorf("%d runs, %d samples, aborted %q; want 1, 1, interrupted", len(r.Runs), len(r.Samples), r.Aborted)
	}
}

// TestFinishFailsOnSamplingProblems: a component that did not answer
// between two drills fails the soak even when every figure is flat.
func TestFinishFailsOnSamplingProblems(t *testing.T) {
	s := fakeSoak(Config{Drills: drills("a"), Duration: time.Hour, MaxRounds: 3}, passing)
	take := s.take
	n := 0
	s.take = func(ctx context.Context, after string) Sample {
		smp := take(ctx, after)
		if n++; n == 3 {
			smp.Problems = []string{"lb1/proxy: status: connection refused"}
		}
		return smp
	}
	s.sample(context.Background(), "lab up")
	s.loop(context.Background())
	if r := s.finish(); r.Passed || r.CheckError != "" || !r.Namespaces.Pass {
		t.Errorf("passed %v, check error %q: want a failure for the sampling problem alone", r.Passed, r.CheckError)
	}
}

func TestFailure(t *testing.T) {
	step := func(i int, st scenarios.Status, text, seen string) scenarios.StepResult {
		return scenarios.StepResult{Index: i, Status: st, Text: text, Seen: seen}
	}
	ok := []scenarios.StepResult{step(1, scenarios.StatusPass, "expect the VIP on lb1", "VIP on lb1")}
	tests := []struct {
		name string
		rep  scenarios.Report
		err  error
		want string
	}{
		{"clean", scenarios.Report{Passed: true, Steps: ok}, nil, ""},
		{"an expectation failed", scenarios.Report{Steps: append(ok,
			step(2, scenarios.StatusFail, "expect lb2 in MASTER", "lb2 is BACKUP"),
			step(3, scenarios.StatusFail, "expect the outage at most 4.2 s", "5 s"))}, nil,
			`step 2 "expect lb2 in MASTER": lb2 is BACKUP`},
		{"passed but left faults", scenarios.Report{Passed: true, Steps: ok, Undone: []string{"lb1 powered on"}}, nil,
			"the drill left faults the runner undid: [lb1 powered on]"},
		{"undo failed", scenarios.Report{Steps: ok, UndoErrors: []string{"start lb1 proxy: timeout"}}, nil,
			"the drill did not pass; faults the runner could not undo: [start lb1 proxy: timeout]"},
		{"interrupted", scenarios.Report{Steps: ok, Interrupted: true, Undone: []string{"lb1 powered on"}}, context.DeadlineExceeded,
			"the drill did not pass; interrupted; context deadline exceeded"},
		{"an error after a pass", scenarios.Report{Passed: true, Steps: ok}, errors.New("events: closed"), "events: closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failure(&tt.rep, tt.err); got != tt.want {
				t.Errorf("failure = %q, want %q", got, tt.want)
			}
		})
	}
}
