package drills

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/styles"
)

var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

func testCommon() common.Common {
	return common.Common{Styles: styles.New(false), KeyMap: keymap.DefaultKeyMap(), Now: func() time.Time { return now }}
}

func view(p *Pane) string { return ansi.Strip(p.View()) }

func TestPaneSteps(t *testing.T) {
	p := NewPane(testCommon())
	if p.Visible() {
		t.Error("an idle pane is visible")
	}
	p.Progress(Step{Index: 1}) // ignored: no drill started
	info := Info{Name: "d", Title: "A drill", Steps: []string{"expect a", "fault: b", "expect c", "expect d"}}
	p.Start(info)
	p.SetSize(80, 9)
	if s := view(p); !strings.Contains(s, "A drill") || !strings.Contains(s, "waiting for a steady lab") || !strings.Contains(s, "○ expect d") {
		t.Errorf("starting:\n%s", s)
	}
	p.Progress(Step{Index: 1, Kind: "vip_on", Text: "expect a", Status: StatusRunning})
	p.Progress(Step{Index: 1, Kind: "vip_on", Text: "expect a", Status: StatusPass, Seen: "a seen"})
	p.Progress(Step{Index: 2, Kind: "fault", Text: "fault: b", Start: time.Second, Status: StatusDone, Seen: "b done"})
	p.Progress(Step{Index: 3, Kind: "state", Text: "expect c", Start: time.Second, Status: StatusRunning, Seen: "c so far"})
	if n := len(p.Steps()); n != 3 || p.Phase() != PhaseRunning {
		t.Fatalf("%d steps in phase %v", n, p.Phase())
	}
	s := view(p)
	for _, want := range []string{"0.00s ✓ expect a — a seen", "1.00s ▲ fault: b — b done", "expect c — c so far …", "○ expect d", "step 3 of 4"} {
		if !strings.Contains(s, want) {
			t.Errorf("running pane lacks %q:\n%s", want, s)
		}
	}
	p.Progress(Step{Index: 3, Kind: "state", Text: "expect c", Start: time.Second, Status: StatusFail, Seen: "c wrong"})
	p.Progress(Step{Index: 4, Kind: "state", Text: "expect d", Start: time.Second, Status: StatusSkipped})
	p.Finish(Result{Summary: "d: FAILED"}, nil)
	p.Stopping() // too late: ignored
	if p.Running() || p.Phase() != PhaseFinished {
		t.Errorf("finished pane: phase %v", p.Phase())
	}
	p.SetSize(80, 5) // room for one step: the failed one
	if s := view(p); !strings.Contains(s, "✗ expect c — c wrong") || !strings.Contains(s, "✗ FAILED  d: FAILED") {
		t.Errorf("finished pane does not show the failure:\n%s", s)
	}
}

func TestPaneNarrationAndErrors(t *testing.T) {
	p := NewPane(testCommon())
	p.Start(Info{Name: "d", Title: "A drill"})
	p.SetSize(40, 8)
	p.Progress(Step{Index: 1, Kind: "say", Text: "say: a sentence long enough to be wrapped onto a second line of the pane", Status: StatusDone,
		Seen: "a sentence long enough to be wrapped onto a second line of the pane"})
	if got := p.Narration(); !strings.HasPrefix(got, "a sentence") {
		t.Errorf("narration %q", got)
	}
	if s := view(p); !strings.Contains(s, "» a sentence long enough") || !strings.Contains(s, "   wrapped") {
		t.Errorf("narration not wrapped:\n%s", s)
	}
	p.Stopping()
	if s := view(p); !strings.Contains(s, "undoing faults") {
		t.Errorf("stopping:\n%s", s)
	}
	p.Finish(Result{}, errors.New("lab has faults in force"))
	p.SetSize(80, 8)
	if s := view(p); !strings.Contains(s, "could not run: lab has faults in force") {
		t.Errorf("error:\n%s", s)
	}
}

func TestMenu(t *testing.T) {
	m := NewMenu(testCommon())
	m.Open("seed", []Info{{Name: "a", Title: "A", Teaches: "teaches a"}, {Name: "b", Title: "B", Teaches: "teaches b", Steps: []string{"x"}}})
	key := screentest.Press
	m.Update(key("up")) // wraps to the last
	if s := ansi.Strip(m.View(100)); !strings.Contains(s, "▶ b") || !strings.Contains(s, "teaches b") || !strings.Contains(s, "1 steps on lab seed") {
		t.Errorf("menu:\n%s", s)
	}
	if d := m.Update(key("enter")); d == nil || d.Name != "b" || m.IsOpen() {
		t.Errorf("enter chose %+v, open %v", d, m.IsOpen())
	}
	m.Open("seed", nil)
	if s := ansi.Strip(m.View(100)); !strings.Contains(s, "no drill is written for lab seed") {
		t.Errorf("empty menu:\n%s", s)
	}
	if m.Update(key("enter")) != nil || m.Update(key("d")) != nil || m.IsOpen() {
		t.Error("an empty menu chose a drill, or d does not close it")
	}
}

func TestPaneStopped(t *testing.T) {
	p := NewPane(testCommon())
	p.Start(Info{Name: "d", Steps: []string{"say: one", "fault: x", "expect y", "say: two", "expect z"}})
	p.SetSize(80, 8)
	p.Progress(Step{Index: 1, Kind: "say", Text: "say: one", Status: StatusDone, Seen: "one"})
	p.Progress(Step{Index: 2, Kind: "fault", Text: "fault: x", Start: time.Second, Status: StatusDone, Seen: "x done"})
	p.Progress(Step{Index: 3, Kind: "vip_on", Text: "expect y", Start: time.Second, Status: StatusInterrupted, Seen: "interrupted"})
	p.Progress(Step{Index: 4, Kind: "say", Text: "say: two", Start: 2 * time.Second, Status: StatusInterrupted})
	p.Progress(Step{Index: 5, Kind: "vip_on", Text: "expect z", Start: 2 * time.Second, Status: StatusInterrupted})
	p.Stopping()
	p.SetSize(80, 6) // two step lines: around the interrupted one, not the tail
	if s := view(p); !strings.Contains(s, "! expect y — interrupted") || !strings.Contains(s, "undoing faults") {
		t.Errorf("stopping pane does not show the interrupted step:\n%s", s)
	}
	p.SetSize(80, 8)
	p.Progress(Step{Index: 6, Kind: "no_split_brain", Text: "expect no split brain during the whole drill", Status: StatusPass, Whole: true})
	p.Finish(Result{Interrupted: true, Summary: "d: interrupted", Undone: []string{"x mended"}}, context.Canceled)
	if got := p.Narration(); got != "one" {
		t.Errorf("narration %q: a say step not run is not said", got)
	}
	s := view(p)
	for _, want := range []string{"▲ fault: x", "! expect y — interrupted", "· say: two — not run: stopped", "! stopped: d: interrupted", "faults undone: x mended"} {
		if !strings.Contains(s, want) {
			t.Errorf("stopped pane lacks %q:\n%s", want, s)
		}
	}
	p.SetSize(80, 12)
	if s := view(p); !strings.Contains(s, "  whole ✓ expect no split brain") {
		t.Errorf("whole-drill row:\n%s", s)
	}
}
