// Package ui is halab's live dashboard, a Bubble Tea program: the lab's
// topology with the VIP on the node that holds it, the client's traffic as
// a timeline, the load balancers' VRRP detail with the master-down timer
// counting, and the event log; faults from the keyboard (f), failover
// drills narrated step by step as they run (d, when Options.Drills is
// set), a text snapshot of the screen (s), the timeline as SVG (e).
//
// The root Model is small: it owns the live state (ui/labview), fed only by
// the Backend's event stream and status snapshots, and lays out components
// (ui/components/…) that each render a pane from it. Styles and keys come
// from ui/styles and ui/keymap. Run starts it; RenderSnapshot renders it
// to plain text without a terminal.
package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/components/drills"
	"github.com/halab/halab/ui/components/events"
	"github.com/halab/halab/ui/components/faultmenu"
	"github.com/halab/halab/ui/components/statusbar"
	"github.com/halab/halab/ui/components/topology"
	"github.com/halab/halab/ui/components/traffic"
	vrrppane "github.com/halab/halab/ui/components/vrrp"
	"github.com/halab/halab/ui/labview"
)

// Messages.
type (
	// streamMsg carries the event stream once it is open.
	streamMsg struct{ ch <-chan control.Event }
	// eventsMsg is a batch of events (common.WaitEvents): the stream's
	// replay at start arrives in a few messages, not thousands.
	eventsMsg = common.EventsMsg
	// streamEndedMsg says the event stream closed.
	streamEndedMsg = common.StreamEndedMsg
	// snapshotMsg is a status snapshot, or why there is none.
	snapshotMsg struct {
		snap    Snapshot
		err     error
		refresh bool
	}
	// tickMsg redraws timers and counters.
	tickMsg time.Time
	// faultDoneMsg is a fault's outcome.
	faultDoneMsg struct {
		fault lab.Fault
		err   error
	}
	// savedMsg is a file written (or not).
	savedMsg struct {
		what, path string
		err        error
	}
)

// Model is the dashboard's root model.
type Model struct {
	backend Backend
	opts    Options
	ctx     context.Context
	cancel  context.CancelFunc
	c       common.Common
	live    *labview.Live

	width, height int
	selected      int
	showHelp      bool
	quitAsk       bool
	choice        QuitChoice
	stream        <-chan control.Event

	topo    *topology.Model
	traffic *traffic.Model
	vrrp    *vrrppane.Model
	log     *events.Model
	menu    *faultmenu.Model
	status  *statusbar.Model

	drillMenu *drills.Menu
	drillPane *drills.Pane
	// drill is the drill in flight (nil when none): one at a time.
	drill *drillRun
}

// New returns the dashboard of the lab behind backend.
func New(backend Backend, opts Options) *Model {
	return newModel(backend, labview.New(backend.State()), opts)
}

func newModel(backend Backend, live *labview.Live, opts Options) *Model {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(opts.Context)
	c := common.Common{Styles: opts.Styles, KeyMap: opts.KeyMap, Now: opts.Now}
	m := &Model{
		backend: backend, opts: opts, ctx: ctx, cancel: cancel, c: c, live: live,
		topo: topology.New(c, live), traffic: traffic.New(c, live), vrrp: vrrppane.New(c, live),
		log: events.New(c, live), menu: faultmenu.New(c, live), status: statusbar.New(c),
		drillMenu: drills.NewMenu(c), drillPane: drills.NewPane(c),
	}
	if lbs := live.LBs(); len(lbs) > 0 {
		m.selectNode(lbs[0].Name)
	}
	return m
}

// Live is the lab's live state the dashboard shows.
func (m *Model) Live() *labview.Live { return m.live }

// QuitChoice is what the person chose on leaving: keep the lab or tear it
// down (QuitNone until then).
func (m *Model) QuitChoice() QuitChoice { return m.choice }

// Close stops the event stream and backend calls.
func (m *Model) Close() { m.cancel() }

// Selected is the node the fault menu acts on.
func (m *Model) Selected() string {
	nodes := m.live.Nodes()
	if m.selected < len(nodes) {
		return nodes[m.selected].Name
	}
	return ""
}

func (m *Model) selectNode(name string) {
	for i, n := range m.live.Nodes() {
		if n.Name == name {
			m.selected = i
		}
	}
	m.topo.SetSelected(m.Selected())
}

// Init opens the event stream, reads the statuses and starts the clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.openStream(), m.readSnapshot(false), m.tick())
}

func (m *Model) openStream() tea.Cmd {
	ctx, b := m.ctx, m.backend
	return func() tea.Msg { return streamMsg{b.Events(ctx)} }
}

func (m *Model) readSnapshot(refresh bool) tea.Cmd {
	ctx, b := m.ctx, m.backend
	return func() tea.Msg {
		s, err := b.Snapshot(ctx)
		return snapshotMsg{snap: s, err: err, refresh: refresh}
	}
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.Tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) applyFault(f lab.Fault) tea.Cmd {
	ctx, b, timeout := m.ctx, m.backend, m.opts.FaultTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return faultDoneMsg{fault: f, err: b.Fault(ctx, f)}
	}
}

// save writes text to a new file in the save directory.
func (m *Model) save(what, ext string, write func(f *os.File) error) tea.Cmd {
	name := fmt.Sprintf("halab-%s-%s.%s", m.live.Name, m.c.Now().Format("20060102-150405.000"), ext)
	path := filepath.Join(m.opts.SaveDir, name)
	return func() tea.Msg {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return savedMsg{what: what, path: path, err: err}
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return savedMsg{what: what, path: path, err: err}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case streamMsg:
		m.stream = msg.ch
		return m, m.nextEvents()
	case eventsMsg:
		for i := range msg {
			m.live.Apply(msg[i])
			m.log.Appended(&msg[i])
		}
		return m, m.nextEvents()
	case streamEndedMsg:
		if m.choice == QuitNone && m.ctx.Err() == nil {
			m.status.Error("the lab's event stream ended: the screen no longer changes (is the lab down?)")
		}
	case snapshotMsg:
		switch {
		case msg.err != nil:
			m.status.Error("reading statuses: " + msg.err.Error())
		default:
			m.live.Seed(msg.snap)
			if msg.refresh {
				m.status.Info("statuses read again at " + m.c.Now().Format("15:04:05"))
			}
		}
	case tickMsg:
		return m, m.tick()
	case faultDoneMsg:
		if msg.err != nil {
			m.status.Error(fmt.Sprintf("%s: %v", msg.fault, msg.err))
		} else {
			m.status.Info("done: " + msg.fault.String())
			// What the kernel and the components say now (who holds the
			// VIP, links): read once, after the change, not polled.
			return m, m.readSnapshot(false)
		}
	case savedMsg:
		if msg.err != nil {
			m.status.Error(fmt.Sprintf("saving the %s: %v", msg.what, msg.err))
		} else {
			m.status.Info(fmt.Sprintf("%s saved to %s", msg.what, msg.path))
		}
	case drillStepMsg, drillDoneMsg:
		return m, m.drillMsg(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

// nextEvents re-arms the stream reader after each batch.
func (m *Model) nextEvents() tea.Cmd {
	if m.stream == nil {
		return nil
	}
	return common.WaitEvents(m.stream)
}
