package home

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/ui/internal/screentest"
)

// setup is the fixture at 100×30 on a fresh clock.
func setup(t *testing.T) (*Model, *Fake, *clock) {
	t.Helper()
	c := &clock{t: t0}
	f := fixture(t, c)
	return newModel(t, f, c, 100, 30), f, c
}

// isQuit reports whether cmd quits the program.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// selectedLabel is the label of the row under the cursor.
func selectedLabel(m *Model) string {
	it, ok := m.selected()
	switch {
	case !ok:
		return ""
	case it.sec == secRunning:
		return "running:" + m.running[it.i].Name
	}
	return m.entry(it).Label()
}

func TestInitReadsTheLabs(t *testing.T) {
	c := &clock{t: t0}
	m := New(fixture(t, c), Options{Now: c.Now})
	defer m.Close()
	if m.Init() == nil {
		t.Fatal("Init returns no command")
	}
	send(m, resizeMsg(100, 30))
	if !strings.Contains(plain(m), "reading the labs") {
		t.Errorf("before the labs are read:\n%s", plain(m))
	}
	send(m, m.readLists()())
	if got := len(m.items()); got != 6 {
		t.Errorf("%d rows, want 6 (2 built-in, 2 files, 2 running)", got)
	}
}

func TestNavigation(t *testing.T) {
	m, _, _ := setup(t)
	for _, step := range []struct {
		key, want string
	}{
		{"down", "fast"}, {"down", "broken.yaml"}, {"j", "mylab.yaml"}, {"down", "running:seed"},
		{"down", "running:try2"}, {"down", "running:try2"}, // stops at the end
		{"up", "running:seed"}, {"k", "mylab.yaml"},
		{"tab", "running:seed"}, {"tab", "seed"}, {"tab", "broken.yaml"},
		{"shift+tab", "seed"}, {"shift+tab", "running:seed"},
		{"home", "seed"}, {"up", "seed"}, {"end", "running:try2"}, {"g", "seed"}, {"G", "running:try2"},
	} {
		keys(m, step.key)
		if got := selectedLabel(m); got != step.want {
			t.Fatalf("after %s: on %s, want %s", step.key, got, step.want)
		}
	}
}

func TestSelectionSurvivesARead(t *testing.T) {
	m, f, c := setup(t)
	keys(m, "end") // try2
	f.SetRunning(f.Running()[1])
	send(m, m.readLists()())
	if got := selectedLabel(m); got != "running:try2" {
		t.Errorf("after seed went away: on %s, want running:try2", got)
	}
	f.SetRunning()
	send(m, m.readLists()())
	if got := selectedLabel(m); got != "mylab.yaml" {
		t.Errorf("after every lab went away: on %s, want the last row, mylab.yaml", got)
	}
	// The clock re-reads the labs every Refresh, one read at a time.
	c.Add(time.Second)
	if cmd := send(m, tickMsg(c.Now())); cmd == nil {
		t.Fatal("tick: no command")
	}
	if m.reading {
		t.Error("re-read before the refresh interval")
	}
	c.Add(2 * time.Second)
	send(m, tickMsg(c.Now()))
	if !m.reading {
		t.Error("no re-read after the refresh interval")
	}
	if m.refresh() != nil {
		t.Error("a second read started while one is under way")
	}
	keys(m, "r") // refused quietly: one is under way
	send(m, m.readLists()())
	if keys(m, "r") == nil || !strings.Contains(plain(m), "reading the labs again") {
		t.Error("r does not read the labs again")
	}
}

func TestInvalidFileCannotStart(t *testing.T) {
	m, f, _ := setup(t)
	keys(m, "tab") // broken.yaml
	screen := plain(m)
	for _, want := range []string{"✕ cannot be started: 3 problems", "broken.yaml:27:12:", "fix the file, then r reads it again"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
	for _, k := range []string{"enter", "s"} {
		keys(m, k)
		if m.dialog != dialogNone || m.op != nil || !strings.Contains(plain(m), "broken.yaml has 3 problems: fix the file first") {
			t.Errorf("%s on a broken file:\n%s", k, plain(m))
		}
	}
	keys(m, "down") // the error goes with the next key
	if strings.Contains(plain(m), "fix the file first") {
		t.Error("the error stays after the next key")
	}
	if len(f.Calls()) != 0 {
		t.Errorf("calls %q", f.Calls())
	}
}

func TestListKeysThatDoNotApply(t *testing.T) {
	m, _, _ := setup(t)
	keys(m, "down", "a") // fast is not up
	if m.Result().Action != ActionQuit || !strings.Contains(plain(m), "lab fast is not up: enter starts it") {
		t.Errorf("a on a lab not up:\n%s", plain(m))
	}
	keys(m, "d")
	if m.dialog != dialogNone || !strings.Contains(plain(m), "nothing to remove") {
		t.Errorf("d on a lab not up:\n%s", plain(m))
	}
	keys(m, "end", "s")
	if m.dialog != dialogNone || !strings.Contains(plain(m), "lab try2 is already up") {
		t.Errorf("s on a running lab:\n%s", plain(m))
	}
	keys(m, "home", "enter", "esc")
	if m.dialog != dialogNone {
		t.Error("esc does not close the provider dialog")
	}
}

func TestAttach(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"end", "enter"}, "try2"},     // enter on a running lab
		{[]string{"tab", "tab", "a"}, "seed"},  // a on a running lab
		{[]string{"a"}, "seed"},                // a on the built-in seed, which is up
		{[]string{"tab", "down", "a"}, "try2"}, // a on mylab.yaml, whose lab try2 is up
	} {
		m, f, _ := setup(t)
		cmd := keys(m, tc.keys...)
		if !isQuit(cmd) || m.Result() != (Result{Action: ActionAttach, Lab: tc.want}) {
			t.Errorf("%v: result %+v, want attach %s", tc.keys, m.Result(), tc.want)
		}
		if len(f.Calls()) != 0 {
			t.Errorf("%v: calls %q", tc.keys, f.Calls())
		}
	}
}

func TestHelp(t *testing.T) {
	m, _, _ := setup(t)
	keys(m, "?")
	screen := plain(m)
	for _, want := range []string{"next section", "stop & remove…", "holds the VIP", "the bar counts"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q not in the help:\n%s", want, screen)
		}
	}
	keys(m, "down") // ignored while the help is open
	if selectedLabel(m) != "seed" {
		t.Error("keys reach the list under the help")
	}
	keys(m, "?")
	if m.dialog != dialogNone {
		t.Error("? does not close the help")
	}
	keys(m, "?", "esc")
	if m.dialog != dialogNone {
		t.Error("esc does not close the help")
	}
	keys(m, "down", "enter", "enter", "?") // help over a build
	if m.dialog != dialogHelp || m.op == nil {
		t.Error("no help over a build")
	}
}

func TestStaleMessages(t *testing.T) {
	m, _, _ := setup(t)
	if cmd := send(m, spinner.TickMsg{}); cmd != nil {
		t.Error("the spinner turns with nothing under way")
	}
	send(m, opMsg{id: 7, done: true})
	if m.op != nil {
		t.Error("an operation's end with no operation")
	}
	keys(m, "down", "enter", "enter")
	if cmd := send(m, m.spin.Tick()); cmd == nil {
		t.Error("the spinner does not turn during a build")
	}
	send(m, opMsg{id: m.op.id + 1, done: true, err: errors.New("not ours")})
	if m.op.done {
		t.Error("another operation's end ends this one")
	}
}

func TestQuit(t *testing.T) {
	m, _, _ := setup(t)
	if !isQuit(keys(m, "q")) || m.Result() != (Result{}) {
		t.Errorf("q: result %+v", m.Result())
	}
	m, _, _ = setup(t)
	if !isQuit(keys(m, "ctrl+c")) {
		t.Error("ctrl+c does not quit")
	}
	if ActionAttach.String() != "attach" || ActionQuit.String() != "quit" {
		t.Error("Action.String")
	}
}

func TestRunningStates(t *testing.T) {
	m, f, _ := setup(t)
	f.SetRunning(
		RunningLab{Name: "new", Provider: "netns", Phase: "building", Created: t0.Add(-3 * time.Second), VIP: "172.16.0.200"},
		RunningLab{Name: "split", Provider: "netns", Phase: "up", Created: t0, VIP: "172.16.0.200", VIPKnown: true, VIPHolders: []string{"lb1", "lb2"}},
		RunningLab{Name: "novip", Provider: "netns", Phase: "up", Created: t0, VIP: "172.16.0.200", VIPKnown: true},
		RunningLab{Name: "bad", Err: errors.New("lab bad: state file /run/halab/bad/state.json is damaged")},
		RunningLab{Name: "odd", Provider: "netns", Created: t0},
	)
	send(m, m.readLists()())
	keys(m, "tab", "tab")
	for _, tc := range []struct{ row, details string }{
		{"new    … building  VIP ?       00:00:03", "172.16.0.200 · holder not known"},
		{"split  ● up        !! lb1+lb2  00:00:00", "172.16.0.200 on lb1 AND lb2: SPLIT"},
		{"novip  ● up        ✕ no VIP", "172.16.0.200 held by no node"},
		{"bad    ✕ damaged   VIP ?       --:--:--", "✕ lab bad: state file"},
		{"odd    ? unknown", "faults    none"},
	} {
		screen := plain(m)
		if !strings.Contains(screen, tc.row) || !strings.Contains(screen, tc.details) {
			t.Errorf("want row %q and details %q:\n%s", tc.row, tc.details, screen)
		}
		keys(m, "down")
	}
}

func TestLongListScrolls(t *testing.T) {
	m, f, _ := setup(t)
	var es []LabEntry
	for i := range 40 {
		es = append(es, EntryFor(fmt.Sprintf("lab%02d.yaml", i), false, nil, errors.New("no")))
	}
	f.SetFiles(".", es...)
	send(m, m.readLists()())
	keys(m, "tab", "end")
	screen := plain(m)
	if !strings.Contains(screen, "▶ try2") || strings.Contains(screen, "built-in labs") || !strings.Contains(screen, "24–49 of 49 lines") {
		t.Errorf("at the end of a long list:\n%s", screen)
	}
	keys(m, "home")
	if screen := plain(m); !strings.Contains(screen, "▶ seed") || !strings.Contains(screen, "built-in labs") {
		t.Errorf("back at the top:\n%s", screen)
	}
	screentest.CheckSize(t, plain(m), 100, 30)
}
