package faultmenu

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

func live(faults ...lab.Fault) *labview.Live {
	l := labview.New(fake.SeedState(fake.Now.Add(-fake.Uptime)))
	for _, e := range fake.Steady(fake.Now) {
		l.Apply(e)
	}
	for i, f := range faults {
		l.Apply(fake.Fault(fake.Now.Add(time.Duration(i)*time.Second), f))
	}
	return l
}

func labels(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

func TestItems(t *testing.T) {
	tests := []struct {
		name       string
		faults     []lab.Fault
		node       string
		want, lack []string
	}{
		{"lb healthy", nil, "lb1",
			[]string{"power off lb1", "kill -9 vrrp", "stop proxy", "link enp0s9 down", "partition lb1 ↔ lb2", "loss 30% on enp0s9"},
			[]string{"heal", "power on lb1", "start vrrp"}},
		{"lb powered off", []lab.Fault{{Kind: lab.FaultCrash, Node: "lb1"}}, "lb1",
			[]string{"power on lb1"}, []string{"power off lb1", "kill -9 vrrp", "link enp0s9 down"}},
		{"proxy killed", []lab.Fault{{Kind: lab.FaultKill, Node: "lb2", Component: "proxy"}}, "lb2",
			[]string{"start proxy", "kill -9 vrrp"}, []string{"kill -9 proxy", "stop proxy"}},
		{"partitioned, link down", []lab.Fault{{Kind: lab.FaultPartition, Node: "lb1", Peer: "lb2"}, {Kind: lab.FaultLinkDown, Node: "lb2", Interface: "enp0s8"}}, "lb2",
			[]string{"heal", "link enp0s8 up", "link enp0s9 down", "partition lb2 ↔ client"}, []string{"partition lb2 ↔ lb1"}},
		{"client", nil, "client",
			[]string{"power off client", "kill -9 probe", "partition client ↔ lb1", "partition client ↔ lb2", "loss 30% on eth0"}, []string{"partition client ↔ web1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := labels(Items(live(tt.faults...), tt.node, DefaultLoss))
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("no %q in %q", w, got)
				}
			}
			for _, l := range tt.lack {
				if slices.Contains(got, l) {
					t.Errorf("%q should not be offered: %q", l, got)
				}
			}
		})
	}
	if Items(live(), "nosuch", 30) != nil {
		t.Error("items for an unknown node")
	}
}

func TestMenuKeys(t *testing.T) {
	c := common.Common{Styles: styles.New(false), KeyMap: keymap.DefaultKeyMap(), Now: func() time.Time { return fake.Now }}
	m := New(c, live())
	m.Open("lb2")
	n := len(m.Items())
	if f := m.Update(tea.KeyPressMsg{Code: tea.KeyUp}); f != nil || m.Cursor() != n-1 {
		t.Errorf("up from the top: cursor %d, want %d (wraps)", m.Cursor(), n-1)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if m.Cursor() != 0 {
		t.Errorf("down from the bottom: cursor %d", m.Cursor())
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "faults · lb2") || !strings.Contains(view, "▶ power off lb2") {
		t.Errorf("view:\n%s", view)
	}
	f := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if f == nil || *f != (lab.Fault{Kind: lab.FaultCrash, Node: "lb2"}) || m.IsOpen() {
		t.Errorf("enter: %+v, open %v", f, m.IsOpen())
	}
	m.Open("lb2")
	m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if m.IsOpen() {
		t.Error("q does not close the menu")
	}
}
