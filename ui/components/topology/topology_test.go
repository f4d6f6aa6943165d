package topology

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

func model(st *lab.State, evs []control.Event, w, h int) (*Model, *labview.Live) {
	l := labview.New(st)
	for _, e := range evs {
		l.Apply(e)
	}
	m := New(common.Common{Styles: styles.New(true), KeyMap: keymap.DefaultKeyMap(), Now: func() time.Time { return fake.Now }}, l)
	m.SetSize(w, h)
	return m, l
}

// boxOf returns the rows of the screen between the box title of node and
// the box's bottom, cut to the box's columns.
func boxOf(screen, node string) string {
	lines := strings.Split(screen, "\n")
	for i, line := range lines {
		col := strings.Index(line, "┌ "+node+" ")
		if col < 0 {
			col = strings.Index(line, "┌ ▶ "+node+" ")
		}
		if col < 0 {
			continue
		}
		c := len([]rune(line[:col]))
		var out []string
		for _, l := range lines[i:] {
			r := []rune(l)
			seg := string(r[c:min(c+24, len(r))])
			out = append(out, seg)
			if strings.HasPrefix(seg, "└") {
				break
			}
		}
		return strings.Join(out, "\n")
	}
	return ""
}

func TestVIPMarkerMoves(t *testing.T) {
	st := fake.SeedState(fake.Now.Add(-fake.Uptime))
	evs := fake.Steady(fake.Now)
	m, l := model(st, evs, 90, 20)
	screen := ansi.Strip(m.View())
	if !strings.Contains(boxOf(screen, "lb1"), "◉ VIP 172.16.0.200") || strings.Contains(boxOf(screen, "lb2"), "◉") {
		t.Fatalf("VIP not on lb1 only:\n%s", screen)
	}
	l.Apply(fake.VIP(fake.Now, "lb1", false))
	l.Apply(fake.VIP(fake.Now, "lb2", true))
	screen = ansi.Strip(m.View())
	if strings.Contains(boxOf(screen, "lb1"), "◉") || !strings.Contains(boxOf(screen, "lb2"), "◉ VIP 172.16.0.200") {
		t.Fatalf("VIP did not move to lb2:\n%s", screen)
	}
}

func TestFitsEveryWidth(t *testing.T) {
	st := fake.SeedState(fake.Now.Add(-fake.Uptime))
	for _, w := range []int{56, 60, 70, 88, 120} {
		m, _ := model(st, fake.SplitBrain(fake.Now), w, 16)
		screen := ansi.Strip(m.View())
		for i, line := range strings.Split(screen, "\n") {
			if ansi.StringWidth(line) != w {
				t.Errorf("width %d: line %d is %d wide", w, i, ansi.StringWidth(line))
			}
		}
		if w >= 60 && (!strings.Contains(screen, "web1 ") || !strings.Contains(screen, "✕ partitioned ✕")) {
			t.Errorf("width %d lacks web1 or the partition:\n%s", w, screen)
		}
	}
}

// TestLargerLab draws three load balancers and two web servers.
func TestLargerLab(t *testing.T) {
	st := fake.SeedState(fake.Now.Add(-fake.Uptime))
	l := *st.Lab
	l.Nodes = append([]lab.Node(nil), l.Nodes...)
	lb3, web2 := l.Nodes[2], l.Nodes[3]
	lb3.Name, web2.Name = "lb3", "web2"
	l.Nodes = append(l.Nodes[:3], lb3, l.Nodes[3], web2)
	st.Lab = &l
	m, _ := model(st, fake.Steady(fake.Now), 96, MinHeight(labview.New(st))+2)
	screen := ansi.Strip(m.View())
	for _, want := range []string{"lb1", "lb2", "lb3", "web1", "web2", "client"} {
		if !strings.Contains(screen, "┌ "+want) && !strings.Contains(screen, "┌ ▶ "+want) {
			t.Errorf("no box for %s:\n%s", want, screen)
		}
	}
}

// TestRealPrograms: the mixed lab's lb2 and web1 name the real programs
// that run their components, at every width the seed lab fits.
func TestRealPrograms(t *testing.T) {
	l, err := lab.LoadBuiltin("mixed")
	if err != nil {
		t.Fatal(err)
	}
	st := fake.SeedState(fake.Now.Add(-fake.Uptime))
	st.Lab = l
	for _, w := range []int{56, 60, 70, 88, 120} {
		m, _ := model(st, fake.Steady(fake.Now), w, 16)
		screen := ansi.Strip(m.View())
		for i, line := range strings.Split(screen, "\n") {
			if ansi.StringWidth(line) != w {
				t.Errorf("width %d: line %d is %d wide", w, i, ansi.StringWidth(line))
			}
		}
		if w < 88 {
			continue
		}
		if lb2 := boxOf(screen, "lb2"); !strings.Contains(lb2, "keepalived") || !strings.Contains(lb2, "haproxy") {
			t.Errorf("width %d: lb2's box does not name keepalived and haproxy:\n%s", w, screen)
		}
		if lb1 := boxOf(screen, "lb1"); !strings.Contains(lb1, "vrrp") || strings.Contains(lb1, "keepalived") {
			t.Errorf("width %d: lb1's box names another engine than halab's vrrp:\n%s", w, screen)
		}
		if !strings.Contains(screen, "● nginx") {
			t.Errorf("width %d: web1's box does not name nginx:\n%s", w, screen)
		}
	}
}
