// Package learnview is the screen of `halab learn`, a Bubble Tea program:
// the walkthrough's current step — its explanation, what it shows from the
// live lab, the output of its action and its check's ✓ or ✗ with what was
// seen — beside the lab's essentials as the dashboard has them (who holds
// the VIP, each load balancer's VRRP state and master-down timer, the
// client's success rate and outages, the timeline of its requests).
//
// The steps come from package learn (texts, actions, checks); the lab's
// essentials from ui/labview, fed by a Watcher, and the dashboard's
// traffic and VRRP panes (ui/components). One key runs a step, arrows
// move between steps, and the place reached is kept in a bookmark.
package learnview

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/components/traffic"
	vrrppane "github.com/halab/halab/ui/components/vrrp"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// Watcher is what the screen reads of the running lab for its essentials:
// the dashboard's Backend without faults (cmd/halab's labBackend and
// ui/fake's Backend are both one).
type Watcher interface {
	State() *lab.State
	Events(ctx context.Context) <-chan control.Event
	Snapshot(ctx context.Context) (labview.Snapshot, error)
}

// Options configure the screen. The zero value is fine.
type Options struct {
	// Now is the clock of the essentials (timers); default time.Now.
	Now func() time.Time
	// Styles default to styles.DefaultStyles() (which honours NO_COLOR).
	Styles *styles.Styles
	// Bookmark is where the person left off; nil starts at the first
	// step. BookmarkPath is where it is saved on every change ("" : not
	// saved).
	Bookmark     *learn.Bookmark
	BookmarkPath string
	// Tick is the redraw period of timers (default 100 ms; negative: no
	// ticks, for tests).
	Tick time.Duration
	// Context bounds the event stream and the steps (default
	// context.Background()); Run sets it.
	Context context.Context
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Styles == nil {
		o.Styles = styles.DefaultStyles()
	}
	if o.Tick == 0 {
		o.Tick = 100 * time.Millisecond
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

// stepView is what the screen knows of one step.
type stepView struct {
	loaded  bool
	blocks  []learn.Block
	showErr string
	// Of the last run: its output, what its check waits for, its phase,
	// and how it ended.
	out     []learn.Block
	waiting string
	phase   learn.Phase
	result  *learn.Result
	err     string
	// at is when the check ended.
	at time.Time
	// scroll is the first document line shown; follow keeps the newest
	// output in view while the step runs.
	scroll int
	follow bool
}

// stepRun is a step in flight.
type stepRun struct {
	step int
	*common.Job
}

// Model is the screen.
type Model struct {
	course  *learn.Course
	env     *learn.Env
	watcher Watcher
	opts    Options
	ctx     context.Context
	cancel  context.CancelFunc
	c       common.Common
	live    *labview.Live
	traffic *traffic.Model
	vrrp    *vrrppane.Model

	width, height int
	step          int
	views         []*stepView
	run           *stepRun
	stream        <-chan control.Event
	// note is a passing message for the status line, until noteUntil.
	note      string
	noteUntil time.Time
	// scrollHint says how far the step's document is scrolled, when it
	// is longer than its pane (set as the pane is drawn).
	scrollHint string
	quitting   bool
}

// New returns the screen of course on the lab env reaches; watcher feeds
// the essentials (nil: none shown, for tests of the steps alone).
func New(course *learn.Course, env *learn.Env, watcher Watcher, opts Options) *Model {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(opts.Context)
	c := common.Common{Styles: opts.Styles, Now: opts.Now}
	var st *lab.State
	if watcher != nil {
		st = watcher.State()
	} else {
		st = env.Lab.State()
	}
	live := labview.New(st)
	m := &Model{
		course: course, env: env, watcher: watcher, opts: opts, ctx: ctx, cancel: cancel, c: c, live: live,
		traffic: traffic.New(c, live), vrrp: vrrppane.New(c, live),
	}
	for range course.Steps {
		m.views = append(m.views, &stepView{})
	}
	if b := opts.Bookmark; b != nil {
		if i := course.Index(b.Step); i > 0 {
			m.step = i
			m.say(course.Texts.T("ui.resumed", "n", itoa(i+1)))
		}
		for id, mark := range b.Checks {
			if i := course.Index(id); i >= 0 {
				res := learn.Result{Pass: mark.Pass}
				m.views[i].result, m.views[i].at = &res, mark.At
			}
		}
	}
	return m
}

// Step is the index of the step on the screen.
func (m *Model) Step() int { return m.step }

// Running reports whether a step is in flight.
func (m *Model) Running() bool { return m.run != nil }

// Close stops the event stream and any step in flight.
func (m *Model) Close() { m.cancel() }

// Init loads the first step's show, opens the event stream, reads the
// statuses and starts the clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadShow(m.step)}
	if m.watcher != nil {
		cmds = append(cmds, m.openStream(), m.readSnapshot())
	}
	return tea.Batch(append(cmds, m.tick())...)
}

// say puts a passing message on the status line for a few seconds.
func (m *Model) say(s string) {
	m.note, m.noteUntil = s, m.c.Now().Add(4*time.Second)
}

// T is the course's message key with its arguments and the lab's values.
func (m *Model) T(key string, args ...string) string { return m.env.Texts.T(key, args...) }

// Messages.
type (
	showMsg struct {
		step   int
		blocks []learn.Block
		err    error
	}
	progressMsg struct {
		run *stepRun
		p   learn.Progress
	}
	doneMsg struct {
		run *stepRun
		res learn.Result
		err error
	}
	streamMsg   struct{ ch <-chan control.Event }
	eventsMsg   = common.EventsMsg
	snapshotMsg struct {
		snap labview.Snapshot
		err  error
	}
	tickMsg time.Time
)

func (m *Model) loadShow(i int) tea.Cmd {
	v := m.views[i]
	if v.loaded {
		return nil
	}
	ctx, env, s := m.ctx, m.env, m.course.Steps[i]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		blocks, err := env.ShowStep(ctx, s)
		return showMsg{step: i, blocks: blocks, err: err}
	}
}

func (m *Model) openStream() tea.Cmd {
	ctx, w := m.ctx, m.watcher
	return func() tea.Msg { return streamMsg{w.Events(ctx)} }
}

func (m *Model) readSnapshot() tea.Cmd {
	if m.watcher == nil {
		return nil
	}
	ctx, w := m.ctx, m.watcher
	return func() tea.Msg {
		s, err := w.Snapshot(ctx)
		return snapshotMsg{snap: s, err: err}
	}
}

func (m *Model) tick() tea.Cmd {
	if m.opts.Tick < 0 {
		return nil
	}
	return tea.Tick(m.opts.Tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case showMsg:
		v := m.views[msg.step]
		v.loaded, v.blocks = true, msg.blocks
		if msg.err != nil {
			v.showErr = msg.err.Error()
		}
	case progressMsg:
		return m, m.progress(msg)
	case doneMsg:
		return m, m.finished(msg)
	case streamMsg:
		m.stream = msg.ch
		return m, common.WaitEvents(m.stream)
	case eventsMsg:
		for i := range msg {
			m.live.Apply(msg[i])
		}
		if m.stream != nil {
			return m, common.WaitEvents(m.stream)
		}
	case snapshotMsg:
		if msg.err == nil {
			m.live.Seed(msg.snap)
		}
	case tickMsg:
		return m, m.tick()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}
