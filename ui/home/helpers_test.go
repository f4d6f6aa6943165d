package home

import (
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

// t0 is the tests' wall clock.
var t0 = time.Date(2026, 3, 14, 12, 4, 31, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seedLab is the built-in seed lab.
func seedLab(t testing.TB) *lab.Lab {
	t.Helper()
	l, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// variant is a copy of l under another name and title.
func variant(l *lab.Lab, name, title, desc string) *lab.Lab {
	c := *l
	c.Name, c.Title, c.Description = name, title, desc
	return &c
}

// brokenErr is what lab.Parse says of the seed lab file with a misspelt
// key and a VIP outside its network (written out, so that the goldens do
// not change with lab's wording; TestScanFiles parses a real one).
func brokenErr(t testing.TB) error {
	t.Helper()
	p := func(line, col int, msg string) lab.Problem {
		return lab.Problem{File: "broken.yaml", Line: line, Column: col, Message: msg}
	}
	return &lab.ValidationError{Problems: []lab.Problem{
		p(27, 12, "the VIP 172.16.9.200 is outside its network public (172.16.0.0/24)"),
		p(52, 5, "load balancer lb2 has no keepalived: add `keepalived: FILE` (relative to the lab file)"),
		p(59, 5, `unknown key "kepalived" in nodes.lb2; known keys: haproxy, interfaces, keepalived, probe, role, sysctl, web`),
	}}
}

// fixture is a fake with two built-in labs, two lab files (one broken)
// and two labs running, one with a fault in force.
func fixture(t testing.TB, c *clock) *Fake {
	t.Helper()
	seed := seedLab(t)
	fast := variant(seed, "fast", "The seed lab with 100 ms VRRPv3 adverts: sub-second failover",
		"Same nodes and networks; VRRPv3 with centisecond adverts.")
	try2 := variant(seed, "try2", "Two web servers behind the tutorial's load balancers", "A second copy to break.")
	f := NewFake()
	f.Now = c.Now
	f.SetBuiltins(EntryFor("seed", true, seed, nil), EntryFor("fast", true, fast, nil))
	f.SetFiles(".", EntryFor("broken.yaml", false, nil, brokenErr(t)), EntryFor("mylab.yaml", false, try2, nil))
	f.SetRunning(
		RunningLab{Name: "seed", Title: seed.Title, Provider: "netns", Phase: "up", Created: t0.Add(-161 * time.Second),
			Nodes: []string{"client", "lb1", "lb2", "web1"}, VIP: "172.16.0.200", VIPHolders: []string{"lb1"}, VIPKnown: true},
		RunningLab{Name: "try2", Title: try2.Title, Provider: "netns", Phase: "up", Created: t0.Add(-47 * time.Minute),
			Nodes: []string{"client", "lb1", "lb2", "web1"}, VIP: "172.16.0.200", VIPHolders: []string{"lb2"}, VIPKnown: true,
			Faults: []lab.Fault{{Kind: lab.FaultCrash, Node: "lb1"}}},
	)
	return f
}

// newModel is the lab manager on mgr at the test clock, with the labs
// read and the terminal w×h.
func newModel(t testing.TB, mgr Manager, c *clock, w, h int) *Model {
	t.Helper()
	m := New(mgr, Options{Now: c.Now, Styles: styles.New(true)})
	t.Cleanup(m.Close)
	m.Init()
	send(m, m.readLists()())
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// send updates m with msg and returns the command.
func send(m *Model, msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// keys presses each key in turn and returns the last command.
func keys(m *Model, ks ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range ks {
		cmd = send(m, press(k))
	}
	return cmd
}

// press is the key press named s.
var press = screentest.Press

// finish runs the operation under way to its end, feeding its steps to
// m, then the labs read again; it returns the last command.
func finish(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	o := m.op
	if o == nil {
		t.Fatal("no operation under way")
	}
	go o.run()
	for {
		msg := readOp(o.id, o.events)()
		if msg == nil {
			t.Fatal("the operation's events ended without its end")
		}
		cmd := send(m, msg)
		if msg.(opMsg).done {
			if cmd != nil {
				if lists, ok := cmd().(listsMsg); ok {
					send(m, lists)
					return nil
				}
			}
			return cmd
		}
	}
}

// feed delivers steps of the operation under way, dt apart from its
// start, moving the clock along.
func feed(m *Model, c *clock, dt time.Duration, steps ...lab.Step) {
	for _, s := range steps {
		c.Add(dt)
		s.Time = c.Now()
		send(m, opMsg{id: m.op.id, step: s})
	}
}

// plain is the screen without ANSI sequences.
func plain(m *Model) string { return ansi.Strip(m.View().Content) }

func resizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
