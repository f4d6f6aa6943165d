package home

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/ui/internal/screentest"
)

// screens are the goldens: each drives a fresh model to a screen.
var screens = []struct {
	name  string
	drive func(t *testing.T, m *Model, f *Fake, c *clock)
}{
	{"list", func(t *testing.T, m *Model, f *Fake, c *clock) {}},
	{"list_problems", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "tab") // the lab files: broken.yaml first
	}},
	{"list_running", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "end") // try2, with lb1 powered off
	}},
	{"start_dialog", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "down", "enter")
	}},
	{"build_progress", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "down", "enter", "enter") // fast, on netns
		feed(m, c, 150*time.Millisecond, buildSteps(m.op.entry.Lab)[:12]...)
		c.Add(400 * time.Millisecond)
	}},
	{"build_election", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "down", "enter", "enter")
		steps := buildSteps(m.op.entry.Lab)
		feed(m, c, 120*time.Millisecond, steps[:len(steps)-2]...)
		c.Add(1300 * time.Millisecond)
	}},
	{"build_done", func(t *testing.T, m *Model, f *Fake, c *clock) {
		keys(m, "down", "enter", "enter")
		steps := buildSteps(m.op.entry.Lab)
		feed(m, c, 120*time.Millisecond, steps...)
		send(m, opMsg{id: m.op.id, done: true})
	}},
	{"build_failed_validation", func(t *testing.T, m *Model, f *Fake, c *clock) {
		f.FailStart("mylab.yaml", 0, brokenErr(t)) // the file changed since it was read
		keys(m, "tab", "down", "enter", "enter")
		c.Add(80 * time.Millisecond)
		send(m, opMsg{id: m.op.id, done: true, err: brokenErr(t)})
	}},
}

func TestGolden(t *testing.T) {
	for _, sc := range screens {
		for _, sz := range [][2]int{{100, 30}, {160, 48}} {
			name := fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				c := &clock{t: t0}
				f := fixture(t, c)
				m := newModel(t, f, c, sz[0], sz[1])
				sc.drive(t, m, f, c)
				got := plain(m)
				screentest.CheckSize(t, got, sz[0], sz[1])
				screentest.Golden(t, name, got)
			})
		}
	}
}

// TestResize checks every screen fills the terminal exactly at sizes in
// between and after a resize, and says so when it is too small.
func TestResize(t *testing.T) {
	for _, sc := range screens {
		c := &clock{t: t0}
		f := fixture(t, c)
		m := newModel(t, f, c, 100, 30)
		sc.drive(t, m, f, c)
		for _, sz := range [][2]int{{120, 36}, {213, 57}, {100, 30}} {
			send(m, resizeMsg(sz[0], sz[1]))
			screentest.CheckSize(t, plain(m), sz[0], sz[1])
		}
		send(m, resizeMsg(80, 24))
		if got := plain(m); !strings.Contains(got, "terminal too small") || !strings.Contains(got, "100×30") {
			t.Errorf("%s at 80×24:\n%s", sc.name, got)
		}
	}
}
