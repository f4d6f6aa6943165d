package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/components/drills"
)

// Drills runs failover drills on the lab the dashboard watches. The
// dashboard offers its List under d, runs one at a time and narrates it
// from the steps Run reports. cmd/halab adapts package scenarios to it;
// ui/demo and ui/fake have their own.
type Drills interface {
	// List is the drills written for the lab.
	List() []DrillInfo
	// Run runs the drill called name and reports each step through
	// progress as it starts, while an expectation waits, and as it ends;
	// progress is called from Run's goroutine, never after Run returned.
	// Run undoes the faults the drill applied before it returns, also
	// when ctx is cancelled (the person stopped it): it then returns the
	// result so far with ctx's error. It returns an error and a zero
	// result when the drill cannot start.
	Run(ctx context.Context, name string, progress func(DrillStep)) (DrillResult, error)
}

// DrillInfo is one drill of the menu; see drills.Info.
type DrillInfo = drills.Info

// DrillStep is one step of a running drill; see drills.Step.
type DrillStep = drills.Step

// DrillResult is how a drill ended; see drills.Result.
type DrillResult = drills.Result

// Messages of a drill run.
type (
	// drillStepMsg is a step's news.
	drillStepMsg struct {
		run  *drillRun
		step DrillStep
	}
	// drillDoneMsg says the runner returned (its faults undone).
	drillDoneMsg struct {
		run *drillRun
		res DrillResult
		err error
	}
)

// drillRun is the drill in flight.
type drillRun struct {
	info DrillInfo
	*common.Job
}

// startDrill runs a drill: a command runs it (it lasts the whole drill)
// and sends its progress on a channel; another reads the channel, one
// message at a time, re-armed after each (as the event stream is). The
// runner's goroutine never touches the model.
func (m *Model) startDrill(info DrillInfo) tea.Cmd {
	if m.drill != nil {
		m.status.Error(fmt.Sprintf("drill %s is running: one drill at a time (x stops it)", m.drill.info.Name))
		return nil
	}
	run := &drillRun{info: info}
	d := m.opts.Drills
	var cmd tea.Cmd
	run.Job, cmd = common.StartJob(m.ctx, func(ctx context.Context, send func(tea.Msg)) {
		res, err := d.Run(ctx, info.Name, func(s DrillStep) { send(drillStepMsg{run: run, step: s}) })
		send(drillDoneMsg{run: run, res: res, err: err})
	})
	m.drill = run
	m.drillPane.Start(info)
	m.status.Info("drill " + info.Name + " started: " + info.Title)
	return cmd
}

// stopDrill stops the drill in flight: the runner undoes its faults, and
// the pane says so until it returns.
func (m *Model) stopDrill() {
	if m.drill == nil || m.drillPane.Phase() == drills.PhaseStopping {
		return
	}
	m.drill.Cancel()
	m.drillPane.Stopping()
	m.drillPane.Show()
	m.status.Info("stopping drill " + m.drill.info.Name + ": undoing its faults … (ctrl+c again leaves; they are still undone first)")
}

// drillMsg handles a drill run's messages.
func (m *Model) drillMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case drillStepMsg:
		if msg.run != m.drill {
			return nil
		}
		m.drillPane.Progress(msg.step)
		return msg.run.Next()
	case drillDoneMsg:
		if msg.run != m.drill {
			return nil
		}
		msg.run.Cancel()
		m.drill = nil
		m.drillPane.Finish(msg.res, msg.err)
		name := msg.run.info.Name
		switch {
		case msg.err != nil && msg.res.Summary == "":
			m.status.Error(fmt.Sprintf("drill %s could not run: %v", name, msg.err))
		case msg.res.Interrupted:
			m.status.Info("drill " + name + " stopped; " + undoneWords(msg.res))
		case msg.res.Passed:
			m.status.Info("drill passed: " + msg.res.Summary)
		default:
			m.status.Error("drill failed: " + msg.res.Summary)
		}
		// What the kernel and the components say after the undo.
		return m.readSnapshot(false)
	}
	return nil
}

func undoneWords(res DrillResult) string {
	switch {
	case len(res.UndoErrors) > 0:
		return "could not undo " + strings.Join(res.UndoErrors, "; ")
	case len(res.Undone) > 0:
		return "undone: " + strings.Join(res.Undone, ", ")
	}
	return "it left no fault to undo"
}

// drillKey handles the drill keys; it reports whether the key was one.
func (m *Model) drillKey(msg tea.KeyPressMsg) bool {
	if m.opts.Drills == nil {
		return false
	}
	km := m.c.KeyMap
	pane := m.drillPane
	switch {
	case key.Matches(msg, km.StopDrill) && m.drill != nil:
		m.stopDrill()
	case key.Matches(msg, km.HideDrill) && pane.Visible():
		pane.Hide()
		if m.drill != nil {
			m.status.Info("drill " + m.drill.info.Name + " keeps running: d shows it again, x stops it")
		}
	case key.Matches(msg, km.Drills) && m.drill != nil:
		if pane.Visible() {
			m.status.Info("drill " + m.drill.info.Name + " is running: one drill at a time (x stops it, esc hides it)")
		}
		pane.Show()
	case key.Matches(msg, km.Drills):
		m.drillMenu.Open(m.live.Name, m.opts.Drills.List())
	default:
		return false
	}
	return true
}

// drillHelp is the help line while the drill pane shows.
func (m *Model) drillHelp() []key.Binding {
	if !m.drillPane.Visible() {
		return nil
	}
	km := m.c.KeyMap
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	if m.drill != nil {
		return []key.Binding{b("x", "stop drill"), b("esc", "hide drill"), b("tab", "node"), b("f", "faults"), km.Help, km.Quit}
	}
	return []key.Binding{b("esc", "close drill"), b("d", "drills"), b("tab", "node"), b("f", "faults"), km.Help, km.Quit}
}

// finishDrill waits, once the program ended, for a drill still in flight
// to undo its faults (its context is cancelled with the dashboard's), and
// says so on w: leaving the dashboard never leaves a drill's faults in
// the lab.
func (m *Model) finishDrill(w io.Writer) {
	run := m.drill
	if run == nil {
		return
	}
	m.cancel()
	select {
	case <-run.Done():
		return
	case <-time.After(100 * time.Millisecond):
	}
	fmt.Fprintf(w, "halab: drill %s stopped; undoing its faults …\n", run.info.Name)
	<-run.Done()
}
