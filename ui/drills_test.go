package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/components/drills"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

// drillModel is a dashboard with the fake drills, on a clock the test
// moves.
type drillModel struct {
	*Model
	d     *fake.Drills
	clock time.Time
	// reader reads the drill's next message; runner is the command that
	// runs it (in a goroutine: it lasts the whole drill).
	reader tea.Cmd
	wg     sync.WaitGroup
}

func newDrillModel(t *testing.T, evs []control.Event, w, h int) *drillModel {
	t.Helper()
	dm := &drillModel{d: fake.NewDrills(fake.DrillInfos(), fake.DrillScript()), clock: fake.Now}
	b := fake.New(fake.Now.Add(-fake.Uptime))
	dm.Model = New(b, Options{Now: func() time.Time { return dm.clock }, Styles: styles.New(true), SaveDir: t.TempDir(), Drills: dm.d})
	dm.Update(eventsMsg(evs))
	resize(dm.Model, w, h)
	t.Cleanup(func() { dm.Close(); dm.wg.Wait() })
	return dm
}

// start opens the menu, moves down n drills and runs that one.
func (dm *drillModel) start(t *testing.T, n int) {
	t.Helper()
	send(dm.Model, press("d"))
	for range n {
		send(dm.Model, press("down"))
	}
	cmd := send(dm.Model, press("enter"))
	batch, ok := run(t, cmd).(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("enter: %T, want a batch of the runner and the reader", cmd())
	}
	dm.wg.Add(1)
	go func() { defer dm.wg.Done(); batch[0]() }()
	dm.reader = batch[1]
}

// next lets the fake report its next step and delivers it.
func (dm *drillModel) next(t *testing.T) tea.Msg {
	t.Helper()
	dm.d.Next()
	return dm.deliver(t)
}

// deliver reads the drill's next message and hands it to the model.
func (dm *drillModel) deliver(t *testing.T) tea.Msg {
	t.Helper()
	msg := run(t, dm.reader)
	cmd := send(dm.Model, msg)
	if _, step := msg.(drillStepMsg); step {
		dm.reader = cmd
	}
	return msg
}

func TestDrillMenu(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	send(dm.Model, press("d"))
	if !dm.drillMenu.IsOpen() {
		t.Fatal("d does not open the drill menu")
	}
	s := plain(dm.Model)
	for _, want := range []string{"drills · seed", "▶ master-poweroff", "graceful-stop", "Power off the master",
		"When the master dies without a word", "11 steps on lab seed", "enter run"} {
		if !strings.Contains(s, want) {
			t.Errorf("menu lacks %q:\n%s", want, s)
		}
	}
	screentest.CheckSize(t, s, 100, 30)
	send(dm.Model, press("down"))
	if s := plain(dm.Model); !strings.Contains(s, "▶ graceful-stop") || !strings.Contains(s, "A master that stops gracefully") {
		t.Errorf("the selected drill's teaches does not follow the cursor:\n%s", s)
	}
	send(dm.Model, press("esc"))
	if dm.drillMenu.IsOpen() || dm.drillPane.Visible() {
		t.Error("esc does not close the menu")
	}
	send(dm.Model, press("d"))
	send(dm.Model, press("d"))
	if dm.drillMenu.IsOpen() || len(dm.d.Runs()) != 0 {
		t.Error("d does not close the menu, or a drill ran")
	}
}

func TestDrillRunNarrates(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 160, 48)
	dm.d.SetResult(drills.Result{Passed: true, Summary: "master-poweroff: passed, outage 3.662 s, 367 failed, VIP moved 3.650 s after crash lb1 (bound 3.609 s)",
		Undone: nil}, nil)
	plain(dm.Model)
	logRows := dm.log.Rows()
	dm.start(t, 0)
	if !dm.drillPane.Visible() || dm.drillPane.Phase() != drills.PhaseStarting {
		t.Fatal("the drill pane does not show the drill starting")
	}
	if s := plain(dm.Model); !strings.Contains(s, "drill · master-poweroff") || !strings.Contains(s, "waiting for a steady lab") {
		t.Errorf("starting drill:\n%s", s)
	}
	if dm.log.Rows() >= logRows || dm.log.Rows() < 5 {
		t.Errorf("the log has %d rows beside the drill pane (%d without)", dm.log.Rows(), logRows)
	}
	// Each report, as it comes: the screen follows.
	checks := map[int][]string{
		2:  {"» lb1 is MASTER with the VIP", "0.00s » lb1 is MASTER"},
		3:  {"expect the VIP on lb1 within 10 s — waiting 0.0 s …", "○ expect at least 99%"},
		4:  {"✓ expect the VIP on lb1 within 10 s — VIP on lb1 at +0.05 s"},
		6:  {"— 100% succeeded (50 of 50) so far …"},
		7:  {"✓ expect at least 99% of requests to succeed over 1 s — 100% succeeded (100 of 100)"},
		9:  {"▲ fault: crash lb1 — lb1 powered off"},
		11: {"» lb1 is off: no more adverts", "step 5 of 11"},
		12: {"expect the VIP on lb2 within 4.5 s — waiting"},
	}
	for i := range fake.DrillScript() {
		dm.clock = fake.Now.Add(fake.DrillScript()[i].Start)
		if _, ok := dm.next(t).(drillStepMsg); !ok {
			t.Fatalf("report %d is not a step", i+1)
		}
		s := plain(dm.Model)
		screentest.CheckSize(t, s, 160, 48)
		for _, want := range checks[i+1] {
			if !strings.Contains(s, want) {
				t.Errorf("after report %d the screen lacks %q:\n%s", i+1, want, s)
			}
		}
	}
	if got := dm.drillPane.Narration(); !strings.HasPrefix(got, "lb1 is off") {
		t.Errorf("narration %q", got)
	}
	// One drill at a time: d shows the running one, a second start is refused.
	send(dm.Model, press("d"))
	if dm.drillMenu.IsOpen() {
		t.Error("d opened the menu while a drill runs")
	}
	if msg, _ := dm.status.Message(); !strings.Contains(msg, "one drill at a time") {
		t.Errorf("status %q", msg)
	}
	if dm.startDrill(fake.DrillInfos()[1]) != nil || len(dm.d.Runs()) != 1 {
		t.Error("a second drill started")
	}
	// The script is over: the runner returns.
	if _, ok := dm.next(t).(drillDoneMsg); !ok {
		t.Fatal("no end of drill")
	}
	if dm.drill != nil || dm.drillPane.Phase() != drills.PhaseFinished || !dm.drillPane.Visible() {
		t.Fatalf("after the end: drill %v, phase %v", dm.drill, dm.drillPane.Phase())
	}
	s := plain(dm.Model)
	for _, want := range []string{"✓ PASSED  master-poweroff: passed, outage 3.662 s", "VIP moved 3.650 s after crash lb1 (bound 3.609 s)", "passed in"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if msg, isErr := dm.status.Message(); isErr || !strings.Contains(msg, "drill passed") {
		t.Errorf("status %q", msg)
	}
	// Finished, esc closes the pane and d offers the menu again.
	send(dm.Model, press("esc"))
	plain(dm.Model)
	if dm.drillPane.Visible() || dm.log.Rows() != logRows {
		t.Error("esc does not close a finished drill's pane")
	}
	send(dm.Model, press("d"))
	if !dm.drillMenu.IsOpen() {
		t.Error("d does not open the menu after the drill")
	}
}

func TestDrillFailsAndCannotStart(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm.d.SetResult(drills.Result{Summary: "master-poweroff: FAILED, outage 5.100 s, 510 failed"}, nil)
	dm.start(t, 0)
	for range fake.DrillScript() {
		dm.next(t)
	}
	dm.next(t)
	s := plain(dm.Model)
	if !strings.Contains(s, "✗ FAILED  master-poweroff: FAILED, outage 5.100 s") {
		t.Errorf("failed drill:\n%s", s)
	}
	if msg, isErr := dm.status.Message(); !isErr || !strings.Contains(msg, "drill failed") {
		t.Errorf("status %q (error %v)", msg, isErr)
	}
	screentest.CheckSize(t, s, 100, 30)

	dm2 := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm2.d = fake.NewDrills(fake.DrillInfos(), nil)
	dm2.opts.Drills = dm2.d
	dm2.d.SetResult(drills.Result{}, fake.ErrNotSteady)
	dm2.start(t, 0)
	dm2.next(t)
	if s := plain(dm2.Model); !strings.Contains(s, "✗ could not run: drill master-poweroff: lab seed is not steady") {
		t.Errorf("drill that could not start:\n%s", s)
	}
	if msg, isErr := dm2.status.Message(); !isErr || !strings.Contains(msg, "could not run") {
		t.Errorf("status %q", msg)
	}
}

func TestDrillStopUndoes(t *testing.T) {
	for _, stop := range []string{"x", "ctrl+c"} {
		t.Run(stop, func(t *testing.T) {
			dm := newDrillModel(t, fake.Steady(fake.Now), 160, 48)
			dm.start(t, 0)
			for range 12 { // up to lb2 waiting, after the crash
				dm.next(t)
			}
			send(dm.Model, press("esc")) // hidden: stopping shows it again
			if cmd := send(dm.Model, press(stop)); cmd != nil {
				t.Errorf("%s while a drill runs returns a command (quits?)", stop)
			}
			if dm.drillPane.Phase() != drills.PhaseStopping || !dm.drillPane.Visible() {
				t.Fatalf("after %s: phase %v, visible %v", stop, dm.drillPane.Phase(), dm.drillPane.Visible())
			}
			if s := plain(dm.Model); !strings.Contains(s, "undoing faults …") || !strings.Contains(s, "stopping ·") {
				t.Errorf("stopping drill:\n%s", s)
			}
			// The runner reports the step interrupted, undoes, returns.
			if msg, ok := dm.deliver(t).(drillStepMsg); !ok || msg.step.Status != drills.StatusInterrupted {
				t.Errorf("after the stop: %+v", msg)
			}
			if _, ok := dm.deliver(t).(drillDoneMsg); !ok {
				t.Fatal("no end after the stop")
			}
			s := plain(dm.Model)
			for _, want := range []string{"! stopped: master-poweroff: interrupted", "faults undone: mend crash lb1", "stopped after", "! expect the VIP on lb2"} {
				if !strings.Contains(s, want) {
					t.Errorf("stopped drill lacks %q:\n%s", want, s)
				}
			}
			if msg, _ := dm.status.Message(); !strings.Contains(msg, "undone: mend crash lb1") {
				t.Errorf("status %q", msg)
			}
			if dm.QuitChoice() != QuitNone {
				t.Error("stopping the drill left the dashboard")
			}
		})
	}
}

func TestCtrlCTwiceLeavesAfterUndo(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm.start(t, 0)
	dm.next(t)
	send(dm.Model, press("ctrl+c"))
	cmd := send(dm.Model, press("ctrl+c"))
	if dm.QuitChoice() != QuitKeep || cmd == nil || cmd() != (tea.QuitMsg{}) {
		t.Fatalf("a second ctrl+c while undoing does not leave: %s", dm.QuitChoice())
	}
	// Run's end waits for the runner to undo its faults.
	done := make(chan struct{})
	go func() {
		var out strings.Builder
		dm.finishDrill(&out)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("finishDrill does not return")
	}
	select {
	case <-dm.drill.Done():
	default:
		t.Error("finishDrill returned before the runner")
	}
}

func TestDrillPaneHideAndShow(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm.start(t, 0)
	for range 4 {
		dm.next(t)
	}
	send(dm.Model, press("esc"))
	if dm.drillPane.Visible() || dm.drill == nil {
		t.Fatal("esc does not hide the pane, or stops the drill")
	}
	if s := plain(dm.Model); strings.Contains(s, "drill · master-poweroff") {
		t.Errorf("hidden pane drawn:\n%s", s)
	}
	// Hidden, the drill keeps reporting.
	dm.next(t)
	if n := len(dm.drillPane.Steps()); n != 3 {
		t.Errorf("%d steps known, want 3", n)
	}
	send(dm.Model, press("d"))
	if !dm.drillPane.Visible() || dm.drillMenu.IsOpen() {
		t.Fatal("d does not show the running drill again")
	}
	dm.clock = dm.clock.Add(9 * time.Second) // the status message gone, the help line shows
	if s := plain(dm.Model); !strings.Contains(s, "x stop drill") || !strings.Contains(s, "esc hide drill") {
		t.Errorf("the help line does not offer the drill keys:\n%s", s)
	}
	// The event log keeps showing the lab's events.
	send(dm.Model, eventsMsg{fake.Event(fake.Now, "lb2", "vrrp", control.KindLog, "info", "an event during the drill")})
	if s := plain(dm.Model); !strings.Contains(s, "an event during the drill") {
		t.Errorf("the log does not show events during a drill:\n%s", s)
	}
	// Other keys still work beside the pane.
	send(dm.Model, press("tab"))
	if dm.Selected() != "lb2" {
		t.Errorf("tab beside the drill pane: selected %q", dm.Selected())
	}
}

func TestNoDrills(t *testing.T) {
	m, _ := testModel(t, fake.Steady(fake.Now))
	resize(m, 160, 48)
	send(m, press("d"))
	send(m, press("x"))
	if m.drillMenu.IsOpen() || m.drillPane.Visible() {
		t.Error("d opened a drill menu without drills")
	}
	if s := plain(m); strings.Contains(s, "d drills") {
		t.Errorf("the help line offers drills without drills:\n%s", s)
	}
	send(m, press("?"))
	if s := plain(m); strings.Contains(s, "drills") || strings.Contains(s, "stop the drill") {
		t.Errorf("the full help lists drill keys without drills:\n%s", s)
	}
}

func TestDrillKeysInHelp(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 160, 48)
	if s := plain(dm.Model); !strings.Contains(s, "d drills") {
		t.Errorf("the help line does not offer drills:\n%s", s)
	}
	send(dm.Model, press("?"))
	s := plain(dm.Model)
	for _, want := range []string{"drill menu", "stop the drill", "expectation met"} {
		if !strings.Contains(s, want) {
			t.Errorf("full help lacks %q:\n%s", want, s)
		}
	}
}

func TestDrillQuitQuestion(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm.start(t, 0)
	send(dm.Model, press("q"))
	if s := plain(dm.Model); !strings.Contains(s, "leaving stops it and undoes its faults first") {
		t.Errorf("the quit question does not warn of the drill:\n%s", s)
	}
	send(dm.Model, press("esc"))
}

// TestDrillProgressFromAnotherGoroutine runs a drill whose runner reports
// from its own goroutine, as the real one does, under the race detector:
// the model is only touched by Update.
func TestDrillProgressFromAnotherGoroutine(t *testing.T) {
	dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
	dm.start(t, 1)
	go func() {
		for range len(fake.DrillScript()) + 1 {
			dm.d.Next()
		}
	}()
	for {
		msg := dm.deliver(t)
		if _, done := msg.(drillDoneMsg); done {
			break
		}
	}
	if got := dm.d.Runs(); len(got) != 1 || got[0] != "graceful-stop" {
		t.Errorf("runs %v", got)
	}
	if n := len(dm.drillPane.Steps()); n != 6 {
		t.Errorf("%d steps, want 6", n)
	}
}

// TestDrillGolden is master-poweroff in progress on Failover's screen: lb1
// crashed 2.5 s ago, lb2's master-down timer runs; the drill's
// expectations before the crash passed, it said what happens, and it waits
// for the VIP on lb2.
func TestDrillGolden(t *testing.T) {
	for _, sz := range [][2]int{{100, 30}, {160, 48}} {
		name := fmt.Sprintf("drill_%dx%d", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			dm := newDrillModel(t, fake.Failover(fake.Now), sz[0], sz[1])
			start := fake.Now.Add(-4 * time.Second) // the start of measurement
			dm.clock = start
			dm.start(t, 0)
			for _, s := range fake.DrillScript() {
				dm.clock = start.Add(s.Start)
				dm.next(t)
			}
			dm.clock = fake.Now
			got := plain(dm.Model)
			screentest.CheckSize(t, got, sz[0], sz[1])
			screentest.Golden(t, name, got)
		})
	}
	t.Run("drillmenu_100x30", func(t *testing.T) {
		dm := newDrillModel(t, fake.Steady(fake.Now), 100, 30)
		send(dm.Model, press("d"))
		got := plain(dm.Model)
		screentest.CheckSize(t, got, 100, 30)
		screentest.Golden(t, "drillmenu_100x30", got)
	})
}
