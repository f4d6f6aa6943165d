package ui

import (
	"fmt"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

// testModel is a dashboard on a fake lab at the fixed clock, fed events.
func testModel(t testing.TB, evs []control.Event) (*Model, *fake.Backend) {
	t.Helper()
	b := fake.New(fake.Now.Add(-fake.Uptime))
	dir := os.TempDir()
	if tt, ok := t.(*testing.T); ok {
		dir = tt.TempDir()
	}
	m := New(b, Options{Now: func() time.Time { return fake.Now }, Styles: styles.New(true), SaveDir: dir})
	m.Update(eventsMsg(evs))
	return m, b
}

func resize(m *Model, w, h int) { m.Update(tea.WindowSizeMsg{Width: w, Height: h}) }

// plain is the screen without ANSI sequences.
func plain(m *Model) string { return ansi.Strip(m.View().Content) }

var scenarios = []struct {
	name   string
	events func(time.Time) []control.Event
}{
	{"steady", fake.Steady},
	{"failover", fake.Failover},
	{"splitbrain", fake.SplitBrain},
	{"nodedown", fake.NodeDown},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenarios {
		for _, sz := range [][2]int{{100, 30}, {160, 48}} {
			name := fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m, _ := testModel(t, sc.events(fake.Now))
				resize(m, sz[0], sz[1])
				got := plain(m)
				screentest.CheckSize(t, got, sz[0], sz[1])
				screentest.Golden(t, name, got)
			})
		}
	}
}
