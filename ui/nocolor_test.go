package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/components/traffic"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

// TestNoColor checks that with NO_COLOR the screen has no colour at all
// and still says every state in words and symbols.
func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	st := styles.DefaultStyles()
	if st.Color {
		t.Fatal("NO_COLOR set, styles still in colour")
	}
	want := map[string][]string{
		"steady":     {"MASTER", "BACKUP", "◉ VIP 172.16.0.200", "vrrp ●", "no outage now", "success 100 %"},
		"failover":   {"✕ POWERED OFF", "◷ takeover in 0.70 s", "master down in 0.70 s", "OUTAGE 2.51 s", "held by no node", "vrrp ✕", traffic.FailGlyph},
		"splitbrain": {"SPLIT BRAIN", "lb1 AND lb2", "✕ partitioned ✕", "faults: lb1 and lb2 partitioned"},
		"nodedown":   {"✕ POWERED OFF", "◌ VIP on a down link", "last 3.21 s, 321 failed"},
	}
	for _, sc := range scenarios {
		b := fake.New(fake.Now.Add(-fake.Uptime))
		m := New(b, Options{Now: func() time.Time { return fake.Now }, Styles: st})
		m.Update(eventsMsg(sc.events(fake.Now)))
		resize(m, 160, 48)
		out := m.View().Content
		if c := screentest.Colours(out); len(c) > 0 {
			t.Errorf("%s: colour sequences with NO_COLOR: %q", sc.name, c[:min(len(c), 5)])
		}
		text := ansi.Strip(out)
		for _, w := range want[sc.name] {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not on the screen without colour", sc.name, w)
			}
		}
	}
	// The split-brain banner stands out without colour: in reverse video.
	if st.SplitBrain.Plain() {
		t.Error("the split-brain style is plain without colour")
	}
}

// TestColour checks the colour styles do colour (the other side of
// TestNoColor).
func TestColour(t *testing.T) {
	m, _ := testModel(t, fake.SplitBrain(fake.Now))
	resize(m, 100, 30)
	if len(screentest.Colours(m.View().Content)) == 0 {
		t.Error("no colour in colour mode")
	}
}
