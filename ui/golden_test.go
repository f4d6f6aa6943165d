package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/styles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

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
				checkScreen(t, got, sz[0], sz[1])
				golden(t, name, got)
			})
		}
	}
}

// checkScreen checks the screen is exactly w×h.
func checkScreen(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d wide, want %d: %q", i, got, w, l)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s differs from the golden file (go test ./ui -run TestGolden -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
