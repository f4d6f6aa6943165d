package home

import (
	"context"
	"sync"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/styles"
)

// Messages.
type (
	// listsMsg is the labs read from the Manager.
	listsMsg struct {
		builtins, files []LabEntry
		running         []RunningLab
	}
	// tickMsg redraws ages and clocks, and re-reads the labs now and then.
	tickMsg time.Time
	// opMsg is a step of the operation id, or its end (done).
	opMsg struct {
		id   int
		step lab.Step
		done bool
		err  error
	}
)

// opKind is what an operation does to a lab.
type opKind int

const (
	opStart opKind = iota
	opDestroy
)

// op is a long operation on a lab, the build screen's subject.
type op struct {
	id       int
	kind     opKind
	name     string // the lab's name
	source   string // what Start was given
	provider string
	entry    LabEntry
	started  time.Time
	ended    time.Time
	steps    []lab.Step
	plan     *plan
	done     bool
	err      error
	// events carries steps then the end; run is the blocking command that
	// does the work (kept for tests).
	events <-chan opMsg
	run    tea.Cmd
	cancel context.CancelFunc
	// abortAsk is the "cancel the build?" question.
	abortAsk bool
}

// dialog is a box over the list.
type dialog int

const (
	dialogNone dialog = iota
	dialogHelp
	dialogProvider
	dialogRemove
)

// Model is the lab manager's root model.
type Model struct {
	mgr    Manager
	opts   Options
	st     *styles.Styles
	km     *keymap.Home
	ctx    context.Context
	cancel context.CancelFunc
	// closing is closed by Close: an operation's steps stop being sent,
	// and an operation not yet begun does not begin.
	closing chan struct{}
	mu      sync.Mutex // guards closed and wg.Add against Close
	closed  bool
	wg      sync.WaitGroup

	width, height int
	builtins      []LabEntry
	files         []LabEntry
	running       []RunningLab
	loaded        bool
	reading       bool
	lastRead      time.Time
	sel           int // index into items()
	scroll        int // first line of the list shown
	dialog        dialog
	target        LabEntry // the lab the provider dialog starts
	provSel       int
	removeName    string
	op            *op
	ops           int
	msg           string
	msgErr        bool
	msgAt         time.Time
	result        Result
	spin          spinner.Model
}

// New returns the lab manager on mgr.
func New(mgr Manager, opts Options) *Model {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(opts.Context)
	m := &Model{mgr: mgr, opts: opts, st: opts.Styles, km: opts.KeyMap, ctx: ctx, cancel: cancel,
		closing: make(chan struct{})}
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return m
}

// Result is what the person chose (ActionQuit until they chose).
func (m *Model) Result() Result { return m.result }

// Close cancels a build in progress and waits until every operation has
// ended (a cancelled build has removed what it built by then). A removal
// in progress is left to finish.
func (m *Model) Close() {
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		if m.op != nil && m.op.cancel != nil {
			m.op.cancel()
		}
		close(m.closing)
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.cancel()
}

// enter counts an operation in, unless the model is closed.
func (m *Model) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	return true
}

// Init reads the labs and starts the clock.
func (m *Model) Init() tea.Cmd {
	m.reading = true
	return tea.Batch(m.readLists(), m.tick())
}

func (m *Model) readLists() tea.Cmd {
	mgr, dir := m.mgr, m.opts.Dir
	return func() tea.Msg {
		return listsMsg{builtins: mgr.Builtins(), files: mgr.Files(dir), running: mgr.Running()}
	}
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// refresh reads the labs again unless a read is under way.
func (m *Model) refresh() tea.Cmd {
	if m.reading {
		return nil
	}
	m.reading = true
	return m.readLists()
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case listsMsg:
		key := m.selectedKey()
		m.builtins, m.files, m.running = msg.builtins, msg.files, msg.running
		m.loaded, m.reading, m.lastRead = true, false, m.opts.Now()
		m.reselect(key)
	case tickMsg:
		var cmd tea.Cmd
		if m.op == nil && m.opts.Now().Sub(m.lastRead) >= m.opts.Refresh {
			cmd = m.refresh()
		}
		return m, tea.Batch(m.tick(), cmd)
	case spinner.TickMsg:
		if m.op == nil || m.op.done {
			return m, nil // the spinner stops with the operation
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case opMsg:
		return m.opEvent(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

// info and fail set the status line's message.
func (m *Model) info(s string) { m.msg, m.msgErr, m.msgAt = s, false, m.opts.Now() }
func (m *Model) fail(s string) { m.msg, m.msgErr, m.msgAt = s, true, m.opts.Now() }

// begin starts an operation: work runs in a command of its own, its steps
// and its end arrive through o.events, read one at a time.
func (m *Model) begin(ctx context.Context, o *op, work func(ctx context.Context, p lab.Progress) error) tea.Cmd {
	m.ops++
	o.id, o.started = m.ops, m.opts.Now()
	ch := make(chan opMsg, 64)
	o.events = ch
	send := func(ev opMsg) {
		select {
		case ch <- ev:
		case <-m.closing:
		}
	}
	o.run = func() tea.Msg {
		defer close(ch)
		if !m.enter() {
			return nil
		}
		defer m.wg.Done()
		err := work(ctx, func(s lab.Step) {
			if s.Time.IsZero() {
				s.Time = time.Now()
			}
			send(opMsg{step: s})
		})
		send(opMsg{done: true, err: err})
		return nil
	}
	m.op = o
	m.dialog = dialogNone
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return tea.Batch(o.run, readOp(o.id, ch), m.spin.Tick)
}

// readOp delivers the operation's next step or its end.
func readOp(id int, ch <-chan opMsg) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		ev.id = id
		return ev
	}
}

// start builds e on provider.
func (m *Model) start(e LabEntry, provider string) tea.Cmd {
	ctx, cancel := context.WithCancel(m.ctx)
	o := &op{kind: opStart, name: e.Name(), source: e.Source, provider: provider, entry: e, plan: newPlan(e.Lab), cancel: cancel}
	mgr := m.mgr
	return m.begin(ctx, o, func(ctx context.Context, p lab.Progress) error {
		defer cancel()
		return mgr.Start(ctx, o.source, provider, p)
	})
}

// destroy removes the running lab name. It is not cancelled by leaving:
// a half-removed lab helps nobody.
func (m *Model) destroy(name string) tea.Cmd {
	o := &op{kind: opDestroy, name: name, plan: newPlan(nil)}
	for _, r := range m.running {
		if r.Name == name {
			o.provider = r.Provider
		}
	}
	mgr := m.mgr
	return m.begin(context.WithoutCancel(m.ctx), o, func(ctx context.Context, p lab.Progress) error {
		return mgr.Destroy(ctx, name, p)
	})
}

// opEvent applies an operation's step or end.
func (m *Model) opEvent(msg opMsg) (tea.Model, tea.Cmd) {
	o := m.op
	if o == nil || msg.id != o.id || o.done {
		return m, nil
	}
	if !msg.done {
		o.steps = append(o.steps, msg.step)
		o.plan.apply(msg.step)
		return m, readOp(o.id, o.events)
	}
	o.done, o.err, o.ended, o.abortAsk = true, msg.err, m.opts.Now(), false
	took := elapsed(o.ended.Sub(o.started))
	switch {
	case o.kind == opDestroy && msg.err == nil:
		m.op = nil
		m.info("lab " + o.name + " removed in " + took)
	case msg.err != nil:
		m.fail(o.verb() + " " + o.name + " failed after " + took)
	case m.opts.AutoAttach:
		return m.attach(o.name)
	default:
		m.info("lab " + o.name + " is up in " + took)
	}
	return m, m.refresh()
}

func (o *op) verb() string {
	if o.kind == opDestroy {
		return "removing"
	}
	return "building"
}

// attach leaves with the choice to open the dashboard on name.
func (m *Model) attach(name string) (tea.Model, tea.Cmd) {
	m.result = Result{Action: ActionAttach, Lab: name}
	return m, tea.Quit
}

// runningLab returns the running lab called name, or nil.
func (m *Model) runningLab(name string) *RunningLab {
	for i := range m.running {
		if m.running[i].Name == name {
			return &m.running[i]
		}
	}
	return nil
}
