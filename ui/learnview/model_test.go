package learnview

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/learn"
	learnfake "github.com/halab/halab/learn/fake"
	"github.com/halab/halab/nodes/control"
	uifake "github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

// newTest is the screen on a simulated lab in lang, its essentials fed
// events, at the dashboard fakes' fixed clock, in colour.
func newTest(t *testing.T, lang string, opts Options, events []control.Event) (*Model, *learnfake.Lab) {
	t.Helper()
	c, err := learn.Load(lang)
	if err != nil {
		t.Fatal(err)
	}
	f := learnfake.New()
	env, err := learn.NewEnv(f, c, f.Clock)
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = func() time.Time { return uifake.Now }
	opts.Tick = -1
	if opts.Styles == nil {
		opts.Styles = styles.New(true)
	}
	m := New(c, env, nil, opts)
	t.Cleanup(m.Close)
	m.Update(eventsMsg(events))
	drive(t, m, m.Init())
	return m, f
}

// drive runs cmd and every command the messages it brings lead to, each
// in its own goroutine as Bubble Tea does, feeding the messages to the
// model in arrival order, until none is left.
func drive(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	msgs := make(chan tea.Msg, 1024)
	pending := 0
	spawn := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	spawn(cmd)
	deadline := time.After(10 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil, tea.QuitMsg:
			case tea.BatchMsg:
				for _, c := range msg {
					spawn(c)
				}
			default:
				_, next := m.Update(msg)
				spawn(next)
			}
		case <-deadline:
			t.Fatalf("commands still running after 10 s (%d)", pending)
		}
	}
}

func key(t *testing.T, m *Model, k string) {
	t.Helper()
	_, cmd := m.Update(screentest.Press(k))
	drive(t, m, cmd)
}

func resize(m *Model, w, h int) { m.Update(tea.WindowSizeMsg{Width: w, Height: h}) }

func plain(m *Model) string { return ansi.Strip(m.Render()) }

// runTo runs the steps before step id (each passing) and stands on it.
func runTo(t *testing.T, m *Model, id string) {
	t.Helper()
	for m.course.Steps[m.step].ID != id {
		if v := m.views[m.step]; v.result == nil || !v.result.Pass {
			key(t, m, "enter")
		}
		if v := m.views[m.step]; v.result == nil || !v.result.Pass {
			t.Fatalf("step %s did not pass: %+v", m.course.Steps[m.step].ID, v.result)
		}
		key(t, m, "enter")
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name, lang string
		// to is the step to stand on (the steps before it run); run runs
		// it too.
		to     string
		run    bool
		events func(time.Time) []control.Event
	}{
		{"start", learn.English, "topology", false, uifake.Steady},
		{"start_id", learn.Indonesian, "topology", false, uifake.Steady},
		{"vrrp", learn.English, "vrrp", false, uifake.Steady},
		{"failover", learn.English, "failover", true, uifake.Failover},
		{"failover_id", learn.Indonesian, "failover", true, uifake.NodeDown},
	}
	for _, tt := range tests {
		for _, sz := range [][2]int{{100, 30}, {160, 48}} {
			name := fmt.Sprintf("%s_%dx%d", tt.name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m, _ := newTest(t, tt.lang, Options{}, tt.events(uifake.Now))
				resize(m, sz[0], sz[1])
				runTo(t, m, tt.to)
				if tt.run {
					key(t, m, "enter")
				}
				got := plain(m)
				screentest.CheckSize(t, got, sz[0], sz[1])
				screentest.Golden(t, name, got)
			})
		}
	}
}

// TestSteps walks the screen: Enter runs a step and its verdict shows with
// ✓, Enter again goes on, ← goes back to a step with its verdict kept,
// and the strip marks every step run.
func TestSteps(t *testing.T) {
	m, f := newTest(t, learn.English, Options{}, uifake.Steady(uifake.Now))
	resize(m, 160, 48)
	if got := plain(m); !strings.Contains(got, "Enter: run ip --brief addr in every node") || !strings.Contains(got, "[·1]") {
		t.Fatalf("the first step does not offer its action:\n%s", got)
	}
	key(t, m, "enter")
	got := plain(m)
	for _, w := range []string{"✓ all 6 interfaces up", "✓ the check passed", "client$ ip --brief addr", "[✓1]"} {
		if !strings.Contains(got, w) {
			t.Errorf("after running step 1 the screen lacks %q:\n%s", w, got)
		}
	}
	key(t, m, "enter")
	if m.Step() != 1 {
		t.Fatalf("Enter after a pass did not go on: step %d", m.Step())
	}
	key(t, m, "left")
	if m.Step() != 0 || !strings.Contains(plain(m), "✓ all 6 interfaces up") {
		t.Fatalf("back to step 1: step %d, verdict kept? %s", m.Step(), plain(m))
	}
	key(t, m, "left")
	if m.Step() != 0 {
		t.Fatalf("← on the first step moved to %d", m.Step())
	}
	runTo(t, m, "tune")
	key(t, m, "enter")
	key(t, m, "enter")
	if got := plain(m); m.Step() != 9 || !strings.Contains(got, "That is the whole tutorial") {
		t.Fatalf("Enter after the last step: step %d\n%s", m.Step(), got)
	}
	if strip := strings.Split(plain(m), "\n")[1]; strings.Count(strip, "✓") != 10 {
		t.Errorf("the strip does not mark 10 steps passed: %q", strip)
	}
	if n := len(f.Faults()); n != 0 {
		t.Errorf("faults in force after the walkthrough: %d", n)
	}
}

// TestFailedCheckShowsWhatWasSeen: a check that fails says ✗ with what it
// saw, and the status line offers to run it again.
func TestFailedCheckShowsWhatWasSeen(t *testing.T) {
	m, f := newTest(t, learn.English, Options{}, uifake.Steady(uifake.Now))
	resize(m, 160, 48)
	runTo(t, m, "failover")
	f.Break("failover")
	key(t, m, "enter")
	key(t, m, "end")
	got := plain(m)
	for _, w := range []string{"✗ 172.16.0.200 not on lb2 alone after 5.60 s", "✗ the check did not pass", "a: again (power lb1 off: processes killed", "[✗7]"} {
		if !strings.Contains(got, w) {
			t.Errorf("the screen lacks %q:\n%s", w, got)
		}
	}
	key(t, m, "enter") // Enter after a failure runs it again, not on
	if m.Step() != 6 {
		t.Errorf("Enter after a failure moved to step %d", m.Step())
	}
}

// TestBusyWhileRunning: while a step runs, moving and running are refused
// with a word, and Esc stops it.
func TestBusyWhileRunning(t *testing.T) {
	m, _ := newTest(t, learn.English, Options{}, uifake.Steady(uifake.Now))
	resize(m, 100, 30)
	cmd := m.start() // not driven: the step stays in flight
	if !m.Running() {
		t.Fatal("start did not start")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyRight})
	if m.Step() != 0 || !strings.Contains(plain(m), "a step is running") {
		t.Fatalf("→ while running: step %d\n%s", m.Step(), plain(m))
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	drive(t, m, cmd)
	if m.Running() {
		t.Fatal("the step still runs after Esc")
	}
	if v := m.views[0]; v.err != "stopped" {
		t.Errorf("after Esc the step says %q, want stopped", v.err)
	}
}

// TestResume: the screen opens where the bookmark says, with its checks
// marked, and saves the place on every move and run.
func TestResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "halab", "learn.json")
	passedAt := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b := &learn.Bookmark{Step: "failover", Checks: map[string]learn.CheckMark{"topology": {Pass: true, At: passedAt}, "web": {Pass: false}}}
	m, _ := newTest(t, learn.Indonesian, Options{Bookmark: b, BookmarkPath: path}, uifake.Steady(uifake.Now))
	resize(m, 100, 30)
	got := plain(m)
	if m.Step() != 6 || !strings.Contains(got, "melanjutkan dari langkah 7") || !strings.Contains(got, "✓1") || !strings.Contains(got, "✗2") {
		t.Fatalf("resumed at step %d:\n%s", m.Step(), got)
	}
	key(t, m, "enter")
	key(t, m, "right")
	saved, err := learn.LoadBookmark(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Step != "preempt" || saved.Lang != learn.Indonesian || !saved.Checks["failover"].Pass || saved.Checks["web"].Pass ||
		!saved.Checks["topology"].At.Equal(passedAt) || !saved.Checks["failover"].At.Equal(uifake.Now) {
		t.Errorf("saved %+v", saved)
	}
}

// TestNoColor: with NO_COLOR the screen has no colour, and still says
// everything with words and marks.
func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	m, _ := newTest(t, learn.English, Options{Styles: styles.DefaultStyles()}, uifake.Failover(uifake.Now))
	resize(m, 160, 48)
	runTo(t, m, "failover")
	key(t, m, "enter")
	out := m.Render()
	if c := screentest.Colours(out); len(c) > 0 {
		t.Errorf("colour sequences with NO_COLOR: %q", c[:min(len(c), 5)])
	}
	text := ansi.Strip(out)
	for _, w := range []string{"✓ the check passed", "✕ powered off", "✓ 172.16.0.200 on lb2", "[✓7]", "master down in"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not on the screen without colour:\n%s", w, text)
		}
	}
	mc, _ := newTest(t, learn.English, Options{}, uifake.Steady(uifake.Now))
	resize(mc, 100, 30)
	if len(screentest.Colours(mc.Render())) == 0 {
		t.Error("no colour in colour mode")
	}
}

func TestTooSmall(t *testing.T) {
	m, _ := newTest(t, learn.Indonesian, Options{}, nil)
	resize(m, 80, 24)
	got := plain(m)
	screentest.CheckSize(t, got, 80, 24)
	if !strings.Contains(got, "Layar ini perlu 100×30; terminal ini 80×24.") {
		t.Errorf("too small:\n%s", got)
	}
}

// TestScroll: a step longer than its pane scrolls with the keys, and the
// status line says how far.
func TestScroll(t *testing.T) {
	m, _ := newTest(t, learn.English, Options{}, uifake.Steady(uifake.Now))
	resize(m, 100, 30)
	runTo(t, m, "vrrp")
	status := func() string { return strings.Split(plain(m), "\n")[28] }
	if !strings.HasSuffix(strings.TrimSpace(status()), "↕ 0%") {
		t.Fatalf("status line at the top: %q", status())
	}
	first := strings.Split(plain(m), "\n")[3]
	key(t, m, "down")
	if got := strings.Split(plain(m), "\n")[3]; got == first {
		t.Errorf("↓ did not scroll: %q", got)
	}
	key(t, m, "end")
	if !strings.HasSuffix(strings.TrimSpace(status()), "↕ 100%") || !strings.Contains(plain(m), "auth_pass myP@sswo") {
		t.Errorf("end did not reach the bottom:\n%s", plain(m))
	}
	key(t, m, "g")
	if got := strings.Split(plain(m), "\n")[3]; got != first {
		t.Errorf("home did not return to the top: %q", got)
	}
}
