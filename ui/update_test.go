package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/labview"
)

// press is the key press named s.
var press = screentest.Press

// send updates m with msg and returns the command.
func send(m *Model, msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// run runs a command (not a batch) and returns its message.
func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return cmd()
}

func TestInitStreamsEvents(t *testing.T) {
	b := fake.New(fake.Now.Add(-fake.Uptime), fake.Steady(fake.Now)...)
	m := New(b, Options{Now: func() time.Time { return fake.Now }})
	defer m.Close()
	if m.Init() == nil {
		t.Fatal("Init returns no command")
	}
	cmd := send(m, run(t, m.openStream()))
	total := 0
	for total < len(fake.Steady(fake.Now)) {
		msg := run(t, cmd)
		batch, ok := msg.(eventsMsg)
		if !ok {
			t.Fatalf("got %T, want events", msg)
		}
		if len(batch) > common.EventBatch {
			t.Fatalf("batch of %d events", len(batch))
		}
		total += len(batch)
		cmd = send(m, batch)
	}
	if got := m.live.VIPHolders(); len(got) != 1 || got[0] != "lb1" {
		t.Errorf("after the backlog, VIP holders %v", got)
	}
	b.Close()
	if msg := run(t, cmd); msg != (streamEndedMsg{}) {
		t.Fatalf("after Close: %T", msg)
	}
	send(m, streamEndedMsg{})
	if msg, isErr := m.status.Message(); !isErr || !strings.Contains(msg, "stream ended") {
		t.Errorf("status after the stream ended: %q", msg)
	}
}

func TestEveryEventKind(t *testing.T) {
	m, _ := testModel(t, fake.Steady(fake.Now))
	at := fake.Now
	tests := []struct {
		e     control.Event
		check func(l *labview.Live) bool
	}{
		{fake.Event(at, "lb1", "vrrp", control.KindLog, "warn", "a warning"), func(l *labview.Live) bool {
			return l.Log.At(l.Log.Len()-1).Message == "a warning"
		}},
		{fake.Exit(at, "web1", "web", 1030), func(l *labview.Live) bool { return l.Node("web1").Component("web").State == labview.Down }},
		{fake.Ready(at, "web1", "web", "web1 serving"), func(l *labview.Live) bool { return l.Node("web1").Component("web").State == labview.Up }},
		{fake.Priority(at, "lb1", "MASTER", 103, 101, "script chk_haproxy failed"), func(l *labview.Live) bool { return l.Node("lb1").VRRP.Priority == 101 }},
		{fake.Timer(at, "lb2", at.Add(time.Second), 3*time.Second, true), func(l *labview.Live) bool { return l.Node("lb2").VRRP.Timer.Visible(at) }},
		{fake.State(at, "lb1", "MASTER", "BACKUP", 101, "higher priority advert"), func(l *labview.Live) bool { return l.Node("lb1").VRRP.State == "BACKUP" }},
		{fake.VIP(at, "lb1", false), func(l *labview.Live) bool { return len(l.VIPHolders()) == 0 }},
		{fake.Server(at, "lb1", false, "Layer4 timeout"), func(l *labview.Live) bool { up, _ := l.Node("lb1").ServersUp(); return up == 0 }},
		{fake.Bucket(at, 3, 7, "lb2"), func(l *labview.Live) bool { return l.Traffic.Latest().Failed == 7 }},
		{fake.Outage(at, at.Add(-time.Second), time.Time{}, 7), func(l *labview.Live) bool { return l.Traffic.Open != nil }},
		{fake.Fault(at, lab.Fault{Kind: lab.FaultLinkDown, Node: "lb2", Interface: "enp0s9"}), func(l *labview.Live) bool { return l.Node("lb2").LinkDown["enp0s9"] }},
	}
	for _, tt := range tests {
		if cmd := send(m, eventsMsg{tt.e}); cmd != nil {
			t.Errorf("%s: a stream-less model re-armed a reader", tt.e.Kind)
		}
		if !tt.check(m.live) {
			t.Errorf("%s event %q not applied", tt.e.Kind, tt.e.Message)
		}
	}
}

func TestSnapshotMessages(t *testing.T) {
	m, b := testModel(t, nil)
	b.SetSnapshot(labview.Snapshot{Time: fake.Now, Nodes: []labview.NodeSnapshot{{Name: "lb2",
		Interfaces: []labview.InterfaceSnapshot{{Name: "enp0s9", Up: true, Addresses: []string{"172.16.0.200/32"}}}}}}, nil)
	send(m, run(t, m.readSnapshot(false)))
	if got := m.live.VIPHolders(); len(got) != 1 || got[0] != "lb2" {
		t.Errorf("snapshot not applied: holders %v", got)
	}
	send(m, press("r"))
	if msg, _ := m.status.Message(); !strings.Contains(msg, "reading") {
		t.Errorf("r: status %q", msg)
	}
	send(m, snapshotMsg{refresh: true})
	if msg, _ := m.status.Message(); !strings.Contains(msg, "read again") {
		t.Errorf("after refresh: status %q", msg)
	}
	send(m, snapshotMsg{err: errors.New("lb1 control socket: connection refused")})
	if msg, isErr := m.status.Message(); !isErr || !strings.Contains(msg, "connection refused") {
		t.Errorf("snapshot error: %q %v", msg, isErr)
	}
}

func TestTickAndResize(t *testing.T) {
	m, _ := testModel(t, nil)
	if send(m, tickMsg(fake.Now)) == nil {
		t.Error("tick is not re-armed")
	}
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if m.width != 120 || m.height != 40 {
		t.Errorf("size %d×%d", m.width, m.height)
	}
	resize(m, 80, 24)
	if s := plain(m); !strings.Contains(s, "terminal too small") || !strings.Contains(s, "80×24") {
		t.Errorf("small terminal:\n%s", s)
	}
	screentest.CheckSize(t, plain(m), 80, 24)
}

func TestNodeSelection(t *testing.T) {
	m, _ := testModel(t, fake.Steady(fake.Now))
	if m.Selected() != "lb1" {
		t.Fatalf("first selection %q, want lb1", m.Selected())
	}
	steps := []struct{ key, want string }{
		{"tab", "lb2"}, {"right", "web1"}, {"tab", "client"}, {"shift+tab", "web1"}, {"left", "lb2"},
		{"1", "client"}, {"4", "web1"}, {"9", "web1"}, {"2", "lb1"},
	}
	for _, s := range steps {
		send(m, press(s.key))
		if m.Selected() != s.want {
			t.Errorf("after %s: selected %q, want %q", s.key, m.Selected(), s.want)
		}
	}
}

func TestFaultMenu(t *testing.T) {
	m, b := testModel(t, fake.Steady(fake.Now))
	resize(m, 160, 48)
	send(m, press("f"))
	if !m.menu.IsOpen() || m.menu.Node() != "lb1" {
		t.Fatal("f does not open the menu for lb1")
	}
	if s := plain(m); !strings.Contains(s, "faults · lb1") || !strings.Contains(s, "power off lb1") {
		t.Errorf("menu not drawn:\n%s", s)
	}
	// power off, kill -9 vrrp, stop vrrp, kill -9 proxy: choose the fourth.
	if got := m.menu.Items()[3].Label; got != "kill -9 proxy" {
		t.Fatalf("fourth item %q", got)
	}
	send(m, press("down"))
	send(m, press("down"))
	send(m, press("down"))
	send(m, press("up"))
	send(m, press("down"))
	cmd := send(m, press("enter"))
	if m.menu.IsOpen() {
		t.Error("menu still open after enter")
	}
	if msg, _ := m.status.Message(); !strings.Contains(msg, "applying: proxy on lb1 killed") {
		t.Errorf("status %q", msg)
	}
	send(m, run(t, cmd))
	want := lab.Fault{Kind: lab.FaultKill, Node: "lb1", Component: "proxy"}
	if got := b.Applied(); len(got) != 1 || got[0] != want {
		t.Fatalf("applied %+v, want %+v", got, want)
	}
	if msg, isErr := m.status.Message(); isErr || !strings.Contains(msg, "done") {
		t.Errorf("after the fault: %q", msg)
	}

	// Loss: ←/→ change the percentage of the item under the cursor.
	send(m, press("f"))
	items := m.menu.Items()
	loss := -1
	for i, it := range items {
		if it.Adjust {
			loss = i
			break
		}
	}
	for range loss {
		send(m, press("down"))
	}
	send(m, press("right"))
	send(m, press("right"))
	send(m, press("left"))
	if got := m.menu.Items()[m.menu.Cursor()].Fault.Percent; got != 40 {
		t.Errorf("loss after → → ←: %g %%, want 40", got)
	}
	b.FailFaults(errors.New("loss needs nftables"))
	send(m, run(t, send(m, press("enter"))))
	if msg, isErr := m.status.Message(); !isErr || !strings.Contains(msg, "nftables") {
		t.Errorf("a failed fault shows %q (error %v)", msg, isErr)
	}
	if s := plain(m); !strings.Contains(s, "✕ lb1 enp0s8 drops 40% of packets: loss needs nftables") {
		t.Errorf("error not on screen:\n%s", s)
	}

	// esc closes without applying.
	send(m, press("f"))
	send(m, press("esc"))
	if m.menu.IsOpen() || len(b.Applied()) != 2 {
		t.Errorf("esc: open %v, applied %d", m.menu.IsOpen(), len(b.Applied()))
	}
}

func TestQuit(t *testing.T) {
	for _, tt := range []struct {
		keys []string
		want QuitChoice
		quit bool
	}{
		{[]string{"q", "k"}, QuitKeep, true},
		{[]string{"q", "enter"}, QuitKeep, true},
		{[]string{"q", "q"}, QuitKeep, true},
		{[]string{"q", "d"}, QuitTeardown, true},
		{[]string{"q", "esc"}, QuitNone, false},
		{[]string{"ctrl+c"}, QuitKeep, true},
		{[]string{"f", "ctrl+c"}, QuitKeep, true},
	} {
		m, _ := testModel(t, nil)
		resize(m, 100, 30)
		var cmd tea.Cmd
		for i, k := range tt.keys {
			cmd = send(m, press(k))
			if i == 0 && k == "q" && !strings.Contains(plain(m), "tear it down now") {
				t.Errorf("%v: the question is not on screen", tt.keys)
			}
		}
		if m.QuitChoice() != tt.want {
			t.Errorf("%v: choice %s, want %s", tt.keys, m.QuitChoice(), tt.want)
		}
		if got := cmd != nil && cmd() == (tea.QuitMsg{}); got != tt.quit {
			t.Errorf("%v: quits %v, want %v", tt.keys, got, tt.quit)
		}
	}
}

func TestHelp(t *testing.T) {
	m, _ := testModel(t, fake.Steady(fake.Now))
	resize(m, 160, 48)
	send(m, press("?"))
	s := plain(m)
	for _, want := range []string{"help", "faults", "scroll", "ctrl+c", "master-down timer", "MASTER"} {
		if !strings.Contains(s, want) {
			t.Errorf("full help lacks %q:\n%s", want, s)
		}
	}
	send(m, press("f")) // ignored while the help shows
	if m.menu.IsOpen() {
		t.Error("f opened the menu under the help")
	}
	send(m, press("esc"))
	if m.showHelp {
		t.Error("esc does not close the help")
	}
}

func TestLogKeys(t *testing.T) {
	m, _ := testModel(t, fake.Steady(fake.Now))
	resize(m, 100, 30)
	m.layout()
	rows := m.log.Rows()
	total := m.live.Log.Len()
	steps := []struct {
		key    string
		scroll int
	}{
		{"up", 1}, {"k", 2}, {"down", 1}, {"j", 0}, {"j", 0},
		{"pgup", min(rows-1, total-rows)}, {"pgdown", 0}, {"home", total - rows}, {"end", 0}, {"g", total - rows}, {"G", 0},
	}
	for _, s := range steps {
		send(m, press(s.key))
		if m.log.Scroll != s.scroll {
			t.Errorf("after %s: scroll %d, want %d", s.key, m.log.Scroll, s.scroll)
		}
	}
	// Scrolled back, new events do not move the view.
	send(m, press("up"))
	body := func() string { v := m.log.View(); return v[strings.IndexByte(v, '\n'):] }
	first := body()
	send(m, eventsMsg{fake.Event(fake.Now, "lb2", "vrrp", control.KindLog, "info", "new")})
	if body() != first {
		t.Error("a scrolled-back log moved when an event arrived")
	}
	filters := []string{"client", "lb1", "lb2", "web1", ""}
	for _, f := range filters {
		send(m, press("/"))
		if m.log.Filter != f {
			t.Errorf("filter %q, want %q", m.log.Filter, f)
		}
	}
	send(m, press("n"))
	send(m, press("esc"))
	if m.log.Filter != "" {
		t.Errorf("esc leaves filter %q", m.log.Filter)
	}
	send(m, press("/"))
	send(m, press("/"))
	if s := plain(m); !strings.Contains(s, "filter: lb1") || strings.Contains(s, "lb2/vrrp") {
		t.Errorf("filtered log:\n%s", s)
	}
}

func TestSaveAndExport(t *testing.T) {
	m, _ := testModel(t, fake.NodeDown(fake.Now))
	resize(m, 100, 30)
	msg := run(t, send(m, press("s"))).(savedMsg)
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	send(m, msg)
	data, err := os.ReadFile(msg.path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "\x1b") || !strings.Contains(string(data), "POWERED OFF") {
		t.Errorf("snapshot file:\n%s", data)
	}
	if st, _ := m.status.Message(); !strings.Contains(st, filepath.Base(msg.path)) {
		t.Errorf("status does not name the file: %q", st)
	}
	svg := run(t, send(m, press("e"))).(savedMsg)
	if svg.err != nil {
		t.Fatal(svg.err)
	}
	data, _ = os.ReadFile(svg.path)
	if !strings.HasPrefix(string(data), "<svg") || !strings.Contains(string(data), "VIP on lb2") {
		t.Errorf("svg:\n%.400s", data)
	}
	send(m, savedMsg{what: "screen", path: "/nonexistent/x.txt", err: errors.New("no such directory")})
	if st, isErr := m.status.Message(); !isErr || !strings.Contains(st, "no such directory") {
		t.Errorf("save error: %q", st)
	}
}

func TestFaultTimeout(t *testing.T) {
	m, _ := testModel(t, nil)
	m.backend = slowBackend{m.backend}
	m.opts.FaultTimeout = 10 * time.Millisecond
	msg := run(t, m.applyFault(lab.Fault{Kind: lab.FaultHeal})).(faultDoneMsg)
	if !errors.Is(msg.err, context.DeadlineExceeded) {
		t.Errorf("slow fault: %v", msg.err)
	}
}

type slowBackend struct{ Backend }

func (slowBackend) Fault(ctx context.Context, _ lab.Fault) error {
	<-ctx.Done()
	return ctx.Err()
}
