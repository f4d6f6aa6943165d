package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halab/halab/lab"
)

// fastOpts are runner options for the fake lab's scaled timers.
var fastOpts = Options{Poll: 5 * time.Millisecond, SplitBrainGrace: 30 * time.Millisecond, Settle: 5 * time.Second, Steady: 20 * time.Millisecond}

func mustDrill(t *testing.T, steps ...string) *Drill {
	t.Helper()
	d, err := ParseDrill("fake.yaml", []byte("name: fake\ntitle: A fake drill\nteaches: Something.\nlab: seed\nno_split_brain: true\nsteps:\n  - "+strings.Join(steps, "\n  - ")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// poweroff is the master power-off drill at the fake lab's scale.
var poweroff = []string{
	`vip_on: {node: lb1, within: 1s}`,
	`success: {at_least: 99%, over: 100ms}`,
	`fault: crash lb1`,
	`vip_on: {node: lb2, within: 400ms}`,
	`state: {node: lb2, state: MASTER}`,
	`state: {node: lb1, state: DOWN}`,
	`success: {at_least: 99%, over: 100ms}`,
	`outage: {at_most: 300ms}`,
	`restore: lb1`,
	`failed: {at_most: 1, over: 250ms}`,
	`vip_on: {node: lb1}`,
	`say: done`,
}

func TestRunPass(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	var mu sync.Mutex
	var live []StepResult
	opts := fastOpts
	opts.Progress = func(r StepResult) { mu.Lock(); live = append(live, r); mu.Unlock() }
	rep, err := Run(context.Background(), f, mustDrill(t, poweroff...), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed {
		t.Fatalf("drill failed:\n%s", markdown(t, rep))
	}
	if passed, total := rep.Expectations(); passed != 10 || total != 10 {
		t.Errorf("expectations %d of %d, want 10 of 10 (9 steps and the whole drill)", passed, total)
	}
	m := rep.Measurements
	if len(m.Faults) != 2 {
		t.Fatalf("fault figures = %+v", m.Faults)
	}
	crash := m.Faults[0]
	if crash.Takeover == nil || *crash.Takeover < 100*time.Millisecond || *crash.Takeover > 300*time.Millisecond ||
		strings.Join(crash.HoldersAfter, ",") != "lb2" || strings.Join(crash.HoldersBefore, ",") != "lb1" {
		t.Errorf("crash: takeover %v from %v to %v, want about 120 ms from lb1 to lb2", crash.Takeover, crash.HoldersBefore, crash.HoldersAfter)
	}
	// The bound comes from the seed lab's configurations: lb2's
	// master-down interval at priority 102.
	if crash.TakeoverBound == nil || crash.TakeoverBound.Value != 3601562*time.Microsecond || !strings.Contains(crash.TakeoverBound.Why, "lb2") {
		t.Errorf("crash bound = %+v, want lb2's 3.601562 s (3 × 1 s + (256−102)/256 s)", crash.TakeoverBound)
	}
	if crash.Outage == nil || *crash.Outage < 80*time.Millisecond || crash.Recovered == nil {
		t.Errorf("crash outage = %v recovered %v", crash.Outage, crash.Recovered)
	}
	if back := m.Faults[1]; back.Takeover == nil || strings.Join(back.HoldersAfter, ",") != "lb1" || back.TakeoverBound == nil {
		t.Errorf("restore: %+v, want the VIP back on lb1 with lb1's master-down bound", back)
	}
	if m.Outage < 80*time.Millisecond || m.Outage > 300*time.Millisecond || m.Failed == 0 || m.Sent == 0 {
		t.Errorf("measurements = %+v", m)
	}
	if len(rep.Undone) != 0 || len(f.State().Faults) != 0 {
		t.Errorf("undone %v, faults left %v: the drill mended its own faults", rep.Undone, f.State().Faults)
	}
	// Live progress: each step reported running, then its end.
	mu.Lock()
	defer mu.Unlock()
	if len(live) < 2*len(poweroff) {
		t.Errorf("%d progress reports for %d steps", len(live), len(poweroff))
	}
	if live[0].Status != StatusRunning || live[0].Index != 1 {
		t.Errorf("first progress = %+v", live[0])
	}
	last := rep.Steps[len(rep.Steps)-1]
	if !last.Whole || last.Kind != ExpectNoSplitBrain || last.Status != StatusPass {
		t.Errorf("whole-drill check = %+v", last)
	}
	checkRenders(t, rep)
}

// markdown renders a report for failure messages.
func markdown(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b, MarkdownOptions{NoTimeline: true}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkRenders checks that the report marshals, renders as Markdown and
// as well-formed SVG.
func checkRenders(t *testing.T, rep *Report) {
	t.Helper()
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || back.Drill != rep.Drill || len(back.Steps) != len(rep.Steps) {
		t.Errorf("JSON round trip: %v", err)
	}
	var md bytes.Buffer
	if err := rep.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Drill " + rep.Drill, "What it teaches", "## Steps", "## Measurements", "data:image/svg+xml;base64,"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	var svg bytes.Buffer
	if err := rep.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&svg)
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
	}
}

func TestRunFailsClearly(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	steps := append([]string{}, poweroff[:3]...)
	steps = append(steps, `vip_on: {node: lb1, within: 50ms}`, `restore: lb1`, `vip_on: {node: lb1, within: 1s}`)
	rep, err := Run(context.Background(), f, mustDrill(t, steps...), fastOpts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed {
		t.Fatal("a wrong expectation passed")
	}
	failed := rep.Steps[3]
	if failed.Status != StatusFail || !strings.Contains(failed.Seen, "the VIP is on no node, not lb1") {
		t.Errorf("failed step = %+v, want a clear failure", failed)
	}
	for _, s := range rep.Steps[4:6] {
		if s.Status != StatusSkipped {
			t.Errorf("step %d = %s, want skipped", s.Index, s.Status)
		}
	}
	if len(rep.Undone) != 1 || !strings.Contains(rep.Undone[0], "lb1 powered on") {
		t.Errorf("undone = %v, want lb1 restored", rep.Undone)
	}
	if faults := f.State().Faults; len(faults) != 0 {
		t.Errorf("faults left: %v", faults)
	}
	md := markdown(t, rep)
	for _, want := range []string{"✗ failed", "✗ after", "skipped (an earlier step failed)", "## Undone by the runner", "lb1 powered on"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRunKeepGoing(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	opts := fastOpts
	opts.KeepGoing = true
	rep, err := Run(context.Background(), f, mustDrill(t, `vip_on: {node: lb2}`, `fault: crash lb1`, `vip_on: {node: lb2, within: 400ms}`), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || rep.Steps[0].Status != StatusFail || rep.Steps[2].Status != StatusPass {
		t.Errorf("steps = %+v", rep.Steps)
	}
	if len(rep.Undone) != 1 {
		t.Errorf("undone = %v", rep.Undone)
	}
}

func TestRunInterrupted(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fastOpts
	opts.Progress = func(r StepResult) {
		if r.Kind == StepFault && r.Status == StatusDone {
			cancel() // Ctrl-C right after the fault landed
		}
	}
	d := mustDrill(t, `traffic: {rate: 50}`, `fault: kill lb1 proxy`, `fault: link lb2 enp0s9 down`, `vip_on: {node: lb2, within: 1s}`, `fault: start lb1 proxy`)
	rep, err := Run(ctx, f, d, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if rep == nil || !rep.Interrupted || rep.Passed {
		t.Fatalf("report = %+v, want an interrupted run", rep)
	}
	if got := rep.Steps[2].Status; got != StatusInterrupted {
		t.Errorf("step 3 = %s, want interrupted", got)
	}
	if faults := f.State().Faults; len(faults) != 0 {
		t.Errorf("faults left after an interrupted drill: %v", faults)
	}
	applied := strings.Join(f.appliedFaults(), "; ")
	if !strings.Contains(applied, "start lb1 proxy") {
		t.Errorf("applied = %s, want the proxy started again", applied)
	}
	f.mu.Lock()
	rate := f.rate
	f.mu.Unlock()
	if rate != 100 {
		t.Errorf("probe rate = %d after the drill, want 100 as found", rate)
	}
}

func TestRunUndoesInReverse(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	opts := fastOpts
	opts.KeepGoing = true
	d := mustDrill(t, `fault: kill lb1 proxy`, `fault: partition lb1 lb2`, `fault: crash lb2`, `wait: 10ms`)
	rep, err := Run(context.Background(), f, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{lab.Fault{Kind: lab.FaultRestore, Node: "lb2"}.String(), lab.Fault{Kind: lab.FaultHeal}.String(),
		lab.Fault{Kind: lab.FaultStart, Node: "lb1", Component: "proxy"}.String()}
	if strings.Join(rep.Undone, "|") != strings.Join(want, "|") {
		t.Errorf("undone = %v, want %v", rep.Undone, want)
	}
	if faults := f.State().Faults; len(faults) != 0 {
		t.Errorf("faults left: %v", faults)
	}
}

func TestRunFaultError(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	f.failNext = errors.New("namespace gone")
	rep, err := Run(context.Background(), f, mustDrill(t, `fault: crash lb1`, `vip_on: {node: lb2, within: 1s}`), fastOpts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed || rep.Steps[0].Status != StatusError || !strings.Contains(rep.Steps[0].Seen, "namespace gone") || rep.Steps[1].Status != StatusSkipped {
		t.Errorf("steps = %+v", rep.Steps)
	}
}

func TestRunRefuses(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	d := mustDrill(t, `wait: 1ms`)
	d.Labs = []string{"fast"}
	if _, err := Run(context.Background(), f, d, fastOpts); err == nil || !strings.Contains(err.Error(), "written for lab fast") {
		t.Errorf("Run on another lab = %v", err)
	}
	opts := fastOpts
	opts.AnyLab = true
	if _, err := Run(context.Background(), f, d, opts); err != nil {
		t.Errorf("Run with AnyLab = %v", err)
	}
	if err := f.Fault(context.Background(), lab.Fault{Kind: lab.FaultKill, Node: "lb2", Component: "proxy"}); err != nil {
		t.Fatal(err)
	}
	d.Labs = []string{"seed"}
	if _, err := Run(context.Background(), f, d, fastOpts); err == nil || !strings.Contains(err.Error(), "faults in force") {
		t.Errorf("Run on a broken lab = %v", err)
	}
	bad := mustDrill(t, `fault: crash lb7`)
	f2 := newFakeLab(t, fastTimes)
	if _, err := Run(context.Background(), f2, bad, fastOpts); err == nil || !strings.Contains(err.Error(), `no node "lb7"`) {
		t.Errorf("Run of a drill naming a missing node = %v", err)
	}
}

func TestRunNotSteady(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	f.mu.Lock()
	f.holders["lb2"] = true // split brain from the start
	f.mu.Unlock()
	opts := fastOpts
	opts.Settle = 200 * time.Millisecond
	_, err := Run(context.Background(), f, mustDrill(t, `wait: 1ms`), opts)
	if err == nil || !strings.Contains(err.Error(), "not steady") || !strings.Contains(err.Error(), "lb1 and lb2") {
		t.Errorf("err = %v", err)
	}
}

func TestRunWaitsForPreemption(t *testing.T) {
	f := newFakeLab(t, fastTimes)
	f.mu.Lock()
	f.setHolder("lb1", false, StateBackup)
	f.setHolder("lb2", true, StateMaster)
	f.mu.Unlock()
	opts := fastOpts
	opts.Settle = 100 * time.Millisecond
	_, err := Run(context.Background(), f, mustDrill(t, `vip_on: {node: lb1}`), opts)
	if err == nil || !strings.Contains(err.Error(), "lb1 (priority 103) is about to take the VIP back from lb2 (102)") {
		t.Fatalf("err = %v, want the pending preemption named", err)
	}
	f.mu.Lock()
	f.later(150*time.Millisecond, f.elect)
	f.mu.Unlock()
	opts.Settle = 2 * time.Second
	rep, err := Run(context.Background(), f, mustDrill(t, `vip_on: {node: lb1}`), opts)
	if err != nil || !rep.Passed {
		t.Fatalf("Run = %v, %v: the runner should wait for lb1 to preempt", rep, err)
	}
}
