package soak

import (
	"reflect"
	"testing"
	"time"
)

func TestTally(t *testing.T) {
	s := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	run := func(drill string, passed bool, outage float64) RunRecord {
		return RunRecord{Drill: drill, Passed: passed, Measured: true, Outage: s(outage)}
	}
	runs := []RunRecord{
		run("master-poweroff", true, 3.2),
		run("proxy-killed", true, 4.0),
		run("master-poweroff", true, 3.0),
		run("proxy-killed", false, 5.5),
		run("master-poweroff", false, 3.6),
		{Drill: "proxy-killed", Failure: "could not run: lab gone"}, // no outage measured
		run("proxy-killed", true, 4.4),
		run("proxy-killed", true, 3.9),
		{Drill: "web-down", Failure: "could not run"},
	}
	want := []DrillTally{
		{Drill: "master-poweroff", Runs: 3, Passed: 2, Measured: 3, MinOutage: s(3.0), MedianOutage: s(3.2), MaxOutage: s(3.6)},
		{Drill: "proxy-killed", Runs: 5, Passed: 3, Measured: 4, MinOutage: s(3.9), MedianOutage: (s(4.0) + s(4.4)) / 2, MaxOutage: s(5.5)},
		{Drill: "web-down", Runs: 1},
	}
	if got := Tally(runs); !reflect.DeepEqual(got, want) {
		t.Errorf("Tally:\n got %+v\nwant %+v", got, want)
	}
	if got := Tally(nil); len(got) != 0 {
		t.Errorf("Tally(nil) = %+v", got)
	}
}
