package home

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStartSuccessThenAttach(t *testing.T) {
	m, f, _ := setup(t)
	keys(m, "down") // fast
	keys(m, "enter")
	if m.dialog != dialogProvider || m.target.Source != "fast" {
		t.Fatalf("enter on a lab: dialog %d on %q, want the provider dialog on fast", m.dialog, m.target.Source)
	}
	if !strings.Contains(plain(m), "Build lab fast where?") || !strings.Contains(plain(m), "unavailable") {
		t.Errorf("provider dialog:\n%s", plain(m))
	}
	keys(m, "down") // ssh is unavailable: the cursor stays on netns
	if m.provSel != 0 {
		t.Errorf("cursor on unavailable provider %d", m.provSel)
	}
	if keys(m, "enter") == nil || m.op == nil {
		t.Fatal("enter in the provider dialog starts nothing")
	}
	if !strings.Contains(plain(m), "build fast") {
		t.Errorf("no build screen:\n%s", plain(m))
	}
	finish(t, m)
	if got := f.Calls(); !slices.Equal(got, []string{"start fast netns"}) {
		t.Errorf("calls %q", got)
	}
	screen := plain(m)
	for _, want := range []string{"✓ lab fast is up in", "lb1 is MASTER and holds VIP 172.16.0.200", "lb1 MASTER · lb2 BACKUP", "100 %"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	if m.runningLab("fast") == nil {
		t.Error("the labs were not read again after the build")
	}
	if cmd := keys(m, "enter"); !isQuit(cmd) || m.Result() != (Result{Action: ActionAttach, Lab: "fast"}) {
		t.Errorf("enter after the build: result %+v", m.Result())
	}
}

func TestStartSuccessBack(t *testing.T) {
	m, _, _ := setup(t)
	keys(m, "down", "enter", "enter")
	finish(t, m)
	keys(m, "esc")
	if m.op != nil || selectedLabel(m) != "running:fast" {
		t.Errorf("esc after the build: op %v, on %s, want the list on running:fast", m.op, selectedLabel(m))
	}
	if !isQuit(keys(m, "q")) || m.Result().Action != ActionQuit {
		t.Error("q does not quit")
	}
}

func TestAutoAttach(t *testing.T) {
	c := &clock{t: t0}
	m := New(fixture(t, c), Options{Now: c.Now, AutoAttach: true})
	defer m.Close()
	send(m, m.readLists()())
	send(m, resizeMsg(100, 30))
	keys(m, "down", "enter", "enter")
	if cmd := finish(t, m); !isQuit(cmd) || m.Result() != (Result{Action: ActionAttach, Lab: "fast"}) {
		t.Errorf("auto attach: result %+v", m.Result())
	}
}

func TestStartFailureInPlace(t *testing.T) {
	m, f, _ := setup(t)
	f.FailStart("fast", 12, errors.New("lab fast: web1: web did not report ready within 10s; its log says: bind: address already in use"))
	keys(m, "down", "enter", "enter")
	finish(t, m)
	screen := plain(m)
	for _, want := range []string{
		"✕ building fast failed after", "web did not report ready within 10s", "what was built has been removed",
		"r tries again", "failed: lab fast: web1", "removed 5 namespaces", "✕ components",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	// r tries again, with the same lab and provider.
	f.FailStart("fast", 0, errors.New("still broken"))
	keys(m, "r")
	finish(t, m)
	if got := f.Calls(); len(got) != 2 || got[1] != "start fast netns" {
		t.Errorf("calls %q", got)
	}
	if !strings.Contains(plain(m), "still broken") || !strings.Contains(plain(m), "no step reported yet") {
		t.Errorf("second failure:\n%s", plain(m))
	}
	keys(m, "esc")
	if m.op != nil {
		t.Error("esc does not leave the failed build")
	}
	if !strings.Contains(plain(m), "built-in labs") {
		t.Errorf("not back on the list:\n%s", plain(m))
	}
}

func TestStartAlreadyUp(t *testing.T) {
	m, _, _ := setup(t)
	keys(m, "enter", "enter") // seed, which is up
	finish(t, m)
	if !strings.Contains(plain(m), "lab seed: lab is already up") || !strings.Contains(plain(m), "a attaches to seed") {
		t.Errorf("already up:\n%s", plain(m))
	}
	if cmd := keys(m, "a"); !isQuit(cmd) || m.Result() != (Result{Action: ActionAttach, Lab: "seed"}) {
		t.Errorf("a after 'already up': result %+v", m.Result())
	}
}

func TestStartValidationError(t *testing.T) {
	m, f, _ := setup(t)
	f.FailStart("mylab.yaml", 0, brokenErr(t))
	keys(m, "tab", "down", "enter", "enter")
	finish(t, m)
	screen := plain(m)
	for _, want := range []string{"the lab file has 3 problems:", "broken.yaml:27:12: the VIP 172.16.9.200", "broken.yaml:59:5: unknown key", "nothing was built"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	keys(m, "enter") // back, as esc
	if m.op != nil {
		t.Error("enter does not leave the failed build")
	}
}

func TestDestroyWithConfirm(t *testing.T) {
	m, f, _ := setup(t)
	keys(m, "tab", "tab", "d") // seed, running
	if m.dialog != dialogRemove || !strings.Contains(plain(m), "Stop lab seed and remove it?") {
		t.Fatalf("d on a running lab:\n%s", plain(m))
	}
	keys(m, "n")
	if m.dialog != dialogNone || len(f.Calls()) != 0 {
		t.Fatal("n does not keep the lab")
	}
	keys(m, "d", "esc")
	if m.dialog != dialogNone {
		t.Fatal("esc does not keep the lab")
	}
	keys(m, "d")
	if keys(m, "y") == nil || m.op == nil || m.op.kind != opDestroy {
		t.Fatal("y removes nothing")
	}
	if !strings.Contains(plain(m), "removing lab seed") {
		t.Errorf("no removal screen:\n%s", plain(m))
	}
	keys(m, "esc") // cannot be interrupted
	if m.op == nil || !strings.Contains(plain(m), "cannot be interrupted") {
		t.Errorf("esc while removing:\n%s", plain(m))
	}
	finish(t, m)
	if got := f.Calls(); !slices.Equal(got, []string{"destroy seed"}) {
		t.Errorf("calls %q", got)
	}
	if m.op != nil || m.runningLab("seed") != nil || !strings.Contains(plain(m), "lab seed removed in") {
		t.Errorf("after the removal:\n%s", plain(m))
	}
}

func TestDestroyFromLabRow(t *testing.T) {
	m, f, _ := setup(t)
	keys(m, "d", "y") // the built-in seed, which is up
	finish(t, m)
	if got := f.Calls(); !slices.Equal(got, []string{"destroy seed"}) {
		t.Errorf("calls %q", got)
	}
}

func TestDestroyFailureInPlace(t *testing.T) {
	m, f, _ := setup(t)
	f.FailDestroy("try2", errors.New("lab try2: remove namespace halab-try2-lb1: device or resource busy"))
	keys(m, "end", "d", "y")
	finish(t, m)
	screen := plain(m)
	for _, want := range []string{"✕ removing try2 failed after", "device or resource busy", "esc back to labs"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "r tries again") {
		t.Error("a failed removal offers to try a build again")
	}
	keys(m, "r") // nothing to retry
	if len(f.Calls()) != 1 {
		t.Errorf("calls %q", f.Calls())
	}
	keys(m, "esc")
	if m.op != nil {
		t.Error("esc does not leave the failed removal")
	}
}

func TestCancelBuild(t *testing.T) {
	m, f, _ := setup(t)
	f.StepDelay = time.Hour
	keys(m, "down", "enter", "enter")
	o := m.op
	done := make(chan struct{})
	go func() { o.run(); close(done) }()
	keys(m, "esc")
	if !o.abortAsk || !strings.Contains(plain(m), "Stop building lab fast?") {
		t.Fatalf("esc while building:\n%s", plain(m))
	}
	keys(m, "?") // not while asking
	if m.dialog == dialogHelp {
		t.Error("help opens over the question")
	}
	keys(m, "n")
	if o.abortAsk {
		t.Fatal("n does not keep building")
	}
	keys(m, "q", "y")
	<-done
	for {
		msg := readOp(o.id, o.events)()
		if msg == nil {
			break
		}
		send(m, msg)
	}
	if !errors.Is(o.err, context.Canceled) || !strings.Contains(plain(m), "cancelled · r tries again") {
		t.Errorf("cancelled build: err %v\n%s", o.err, plain(m))
	}
}

func TestForceQuitCancelsTheBuild(t *testing.T) {
	m, f, _ := setup(t)
	f.StepDelay = time.Hour
	keys(m, "down", "enter", "enter")
	o := m.op
	go o.run()
	if !isQuit(keys(m, "ctrl+c")) || m.Result().Action != ActionQuit {
		t.Fatal("ctrl+c does not quit")
	}
	closed := make(chan struct{})
	go func() { m.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close does not return: the build was not cancelled")
	}
}

func TestCloseBeforeTheOperationRuns(t *testing.T) {
	m, f, _ := setup(t)
	keys(m, "down", "enter", "enter")
	m.Close()
	m.op.run() // the program ended before running it: it does nothing
	if len(f.Calls()) != 0 {
		t.Errorf("calls %q", f.Calls())
	}
}
