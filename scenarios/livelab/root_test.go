package livelab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/scenarios"
	"github.com/halab/halab/scenarios/livelab"
)

// up builds a lab under a test-unique name and removes it when the test
// ends.
func up(t *testing.T, name string, args ...string) *livelab.Lab {
	t.Helper()
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	roottest.MustRun(t, append([]string{"up", "--no-ui", "-q", "--name", name}, args...)...)
	l, err := livelab.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// keep writes the report as Markdown, SVG and JSON into
// $HALAB_DRILL_REPORTS, when set, for people to look at.
func keep(t *testing.T, name string, rep *scenarios.Report) {
	dir := os.Getenv("HALAB_DRILL_REPORTS")
	if dir == "" || rep == nil {
		return
	}
	var md, svg bytes.Buffer
	if err := rep.WriteMarkdown(&md, scenarios.MarkdownOptions{TimelineFile: name + ".svg"}); err != nil {
		t.Error(err)
	}
	if err := rep.SVG(&svg); err != nil {
		t.Error(err)
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	for ext, data := range map[string][]byte{".md": md.Bytes(), ".svg": svg.Bytes(), ".json": js} {
		if err := os.WriteFile(filepath.Join(dir, name+ext), data, 0o644); err != nil {
			t.Error(err)
		}
	}
}

func markdown(rep *scenarios.Report) string {
	var b bytes.Buffer
	_ = rep.WriteMarkdown(&b, scenarios.MarkdownOptions{NoTimeline: true})
	return b.String()
}

// assertHealthy checks that the lab has no fault in force and every
// component it started runs.
func assertHealthy(t *testing.T, l *livelab.Lab) {
	t.Helper()
	st := l.State()
	if len(st.Faults) > 0 {
		t.Errorf("faults left in force: %v", st.Faults)
	}
	for _, n := range st.Nodes {
		if n.PoweredOff {
			t.Errorf("%s is still powered off", n.Name)
		}
		for _, c := range n.Components {
			if !check.ProcessAlive(c.PID) {
				t.Errorf("%s on %s is not running (pid %d); its log ends:\n%s", c.Kind, n.Name, c.PID, logTail(c.Log))
			}
		}
	}
}

// logTail is the end of a component's log.
func logTail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// runDrill runs one drill and checks that it passed and left the lab as
// it found it.
func runDrill(t *testing.T, l *livelab.Lab, d *scenarios.Drill) {
	t.Helper()
	runDrillWith(t, l, d, scenarios.Options{})
}

// runDrillWith is runDrill with the runner's options.
func runDrillWith(t *testing.T, l *livelab.Lab, d *scenarios.Drill, opts scenarios.Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := scenarios.Run(ctx, l, d, opts)
	keep(t, d.Name, rep)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Summary())
	if !rep.Passed {
		t.Errorf("drill %s failed on the real lab:\n%s", d.Name, markdown(rep))
	}
	if len(rep.Undone) > 0 {
		t.Errorf("the runner had to undo %v: the drill does not mend its own faults", rep.Undone)
	}
	assertHealthy(t, l)
}

// TestSeedDrills runs every built-in drill written for the seed lab on
// one seed lab, then a drill with a wrong expectation and an interrupted
// drill.
func TestSeedDrills(t *testing.T) {
	roottest.Require(t)
	l := up(t, roottest.LabName("dr"))
	drills, err := scenarios.ListBuiltins()
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, d := range drills {
		if !d.AppliesTo(l.State().Lab) {
			continue
		}
		ran++
		t.Run(d.Name, func(t *testing.T) { runDrill(t, l, d) })
	}
	if ran < 8 {
		t.Errorf("%d built-in drills for the seed lab, want 8", ran)
	}
	t.Run("wrong-expectation", func(t *testing.T) { wrongExpectation(t, l) })
	t.Run("interrupted", func(t *testing.T) { interrupted(t, l) })
}

// wrongExpectation: a drill that expects the VIP to stay on a crashed
// master fails, says what it saw, and the runner restores the node.
func wrongExpectation(t *testing.T, l *livelab.Lab) {
	d, err := scenarios.ParseDrill("wrong.yaml", []byte(`name: wrong
title: The VIP stays on a crashed master (it does not)
teaches: Nothing true.
lab: seed
steps:
  - vip_on: {node: lb1, within: 10s}
  - fault: crash lb1
  - vip_on: {node: lb1, within: 2s}
  - restore: lb1
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Run(context.Background(), l, d, scenarios.Options{})
	keep(t, "wrong", rep)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed {
		t.Fatalf("a wrong expectation passed:\n%s", markdown(rep))
	}
	s := rep.Steps[2]
	if s.Status != scenarios.StatusFail || !strings.Contains(s.Seen, "the VIP is on no node, not lb1") {
		t.Errorf("failed step = %+v, want a clear failure", s)
	}
	if rep.Steps[3].Status != scenarios.StatusSkipped || len(rep.Undone) != 1 || !strings.Contains(rep.Undone[0], "lb1 powered on") {
		t.Errorf("steps %+v, undone %v: want the restore skipped and done by the runner", rep.Steps, rep.Undone)
	}
	md := markdown(rep)
	if !strings.Contains(md, "✗ failed") || !strings.Contains(md, "✗ after 2") {
		t.Errorf("report:\n%s", md)
	}
	assertHealthy(t, l)
}

// interrupted: a drill cancelled right after its fault landed leaves no
// fault behind.
func interrupted(t *testing.T, l *livelab.Lab) {
	d, err := scenarios.ParseDrill("interrupted.yaml", []byte(`name: interrupted
title: Stopped halfway
teaches: The runner mends what it broke.
lab: seed
steps:
  - vip_on: {node: lb1, within: 15s}
  - fault: kill lb1 proxy
  - fault: link lb2 enp0s8 down
  - wait: 30s
  - fault: link lb2 enp0s8 up
  - fault: start lb1 proxy
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	faults := 0
	opts := scenarios.Options{Progress: func(r scenarios.StepResult) {
		if r.Kind == scenarios.StepFault && r.Status == scenarios.StatusDone {
			if faults++; faults == 2 {
				cancel()
			}
		}
	}}
	rep, err := scenarios.Run(ctx, l, d, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	keep(t, "interrupted", rep)
	if !rep.Interrupted || len(rep.Undone) != 2 || len(rep.UndoErrors) != 0 {
		t.Errorf("interrupted %v, undone %v, undo errors %v", rep.Interrupted, rep.Undone, rep.UndoErrors)
	}
	st := l.State()
	if n, err := st.Node("lb1"); err != nil || len(st.Faults) != 0 {
		t.Errorf("state after the interrupted drill: faults %v (%v)", st.Faults, err)
	} else {
		for _, c := range n.Components {
			if c.Kind == lab.ComponentProxy && !check.ProcessAlive(c.PID) {
				t.Errorf("lb1's proxy was not started again")
			}
		}
	}
	assertHealthy(t, l)
}

// TestNopreemptDrill runs the nopreempt drill on its lab variant.
func TestNopreemptDrill(t *testing.T) {
	roottest.Require(t)
	l := up(t, roottest.LabName("np"), "--lab", "nopreempt")
	d, err := scenarios.LoadBuiltin("nopreempt")
	if err != nil {
		t.Fatal(err)
	}
	if !d.AppliesTo(l.State().Lab) {
		t.Fatalf("drill nopreempt does not apply to %s", l.State().Lab.Source)
	}
	runDrill(t, l, d)
}
