package soak_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/internal/soak"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/scenarios"
)

// TestSoakOneRound soaks a real seed lab for the warm-up round and one
// round more of two short drills (about 35 s): the machinery `make soak`
// runs for half an hour, with its sampling read from live processes.
func TestSoakOneRound(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no lab")
	}
	roottest.Require(t)
	name := roottest.LabName("sk")
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	roottest.MustRun(t, "up", "--no-ui", "-q", "--name", name)
	up, err := lab.LoadState(name)
	if err != nil {
		t.Fatal(err)
	}
	var drills []*scenarios.Drill
	for _, n := range []string{"graceful-stop", "public-link-down"} {
		d, err := scenarios.LoadBuiltin(n)
		if err != nil {
			t.Fatal(err)
		}
		drills = append(drills, d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := soak.Run(ctx, soak.Config{Lab: name, Drills: drills, Duration: 2 * time.Minute, MaxRounds: 1, ReportDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := soak.WriteReport(&out, res); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if !res.Passed {
		t.Errorf("the soak failed")
	}
	if len(res.Runs) != 4 || len(res.Samples) != 5 || res.Baseline != 2 {
		t.Fatalf("%d runs, %d samples, baseline %d; want 4, 5 and 2", len(res.Runs), len(res.Samples), res.Baseline)
	}
	components := 0
	for _, n := range up.Nodes {
		components += len(n.Components)
	}
	for i, smp := range res.Samples {
		if len(smp.Readings) != components+1 || smp.Namespaces != len(up.Nodes)+1 {
			t.Errorf("sample %d (after %s): %d readings, %d namespaces; want %d (every component and the runner) and %d (nodes and switch)",
				i, smp.After, len(smp.Readings), smp.Namespaces, components+1, len(up.Nodes)+1)
		}
		for _, r := range smp.Readings {
			if r.PID <= 0 || r.FDs < 3 || r.RSS < 1<<20 || r.Goroutines < 2 {
				t.Errorf("sample %d: implausible reading %+v", i, r)
			}
		}
	}
	// graceful-stop stops lb1's VRRP daemon and starts it again: the
	// samples follow the new process under the same key.
	first, last := pidOf(res.Samples[0], "lb1/vrrp"), pidOf(res.Samples[len(res.Samples)-1], "lb1/vrrp")
	if first == 0 || first == last {
		t.Errorf("lb1/vrrp pid %d when the lab came up and %d at the end: want a new process after graceful-stop", first, last)
	}
	if len(res.Verdicts) != 3*(components+1) {
		t.Errorf("%d verdicts, want fds, goroutines and RSS of %d processes", len(res.Verdicts), components+1)
	}
	if !strings.Contains(out.String(), "PASS: 4 of 4 drill runs passed") {
		t.Errorf("the report does not end in PASS")
	}
}

// pidOf is the pid read under key in smp (0: none).
func pidOf(smp soak.Sample, key string) int {
	for _, r := range smp.Readings {
		if r.Key == key {
			return r.PID
		}
	}
	return 0
}
