package home

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// key handles a key press: ctrl+c first, then the help, then the build
// screen or the dialog that is open, then the list.
func (m *Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.km
	switch {
	case key.Matches(msg, km.ForceQuit):
		return m.quit()
	case m.dialog == dialogHelp:
		if key.Matches(msg, km.Help, km.Cancel) {
			m.dialog = dialogNone
		}
		return m, nil
	case key.Matches(msg, km.Help) && m.dialog == dialogNone && (m.op == nil || !m.op.abortAsk):
		m.dialog = dialogHelp
		return m, nil
	case m.op != nil:
		return m.opKey(msg)
	case m.dialog == dialogProvider:
		return m.providerKey(msg)
	case m.dialog == dialogRemove:
		switch {
		case key.Matches(msg, km.Yes):
			return m, m.destroy(m.removeName)
		case key.Matches(msg, km.No):
			m.dialog = dialogNone
		}
		return m, nil
	}
	return m.listKey(msg)
}

// listKey handles a key on the list.
func (m *Model) listKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.km
	if m.msgErr {
		m.msg = "" // an error stays until the next key
	}
	it, ok := m.selected()
	switch {
	case key.Matches(msg, km.Quit):
		return m.quit()
	case key.Matches(msg, km.Up):
		m.move(-1)
	case key.Matches(msg, km.Down):
		m.move(1)
	case key.Matches(msg, km.NextSection):
		m.jump(1)
	case key.Matches(msg, km.PrevSection):
		m.jump(-1)
	case key.Matches(msg, km.Top):
		m.sel = 0
	case key.Matches(msg, km.Bottom):
		m.sel = max(len(m.items())-1, 0)
	case key.Matches(msg, km.Refresh):
		m.info("reading the labs again…")
		return m, m.refresh()
	case !ok:
	case key.Matches(msg, km.Open):
		if it.sec == secRunning {
			return m.attach(m.running[it.i].Name)
		}
		m.askProvider(m.entry(it))
	case key.Matches(msg, km.Start):
		if it.sec == secRunning {
			m.fail("lab " + m.running[it.i].Name + " is already up: enter attaches to it; choose a lab above to start one")
			break
		}
		m.askProvider(m.entry(it))
	case key.Matches(msg, km.Attach):
		if name := m.runningName(it); name != "" {
			return m.attach(name)
		}
		m.fail("lab " + m.entry(it).Name() + " is not up: enter starts it")
	case key.Matches(msg, km.Remove):
		if name := m.runningName(it); name != "" {
			m.dialog, m.removeName = dialogRemove, name
			break
		}
		m.fail("lab " + m.entry(it).Name() + " is not up: there is nothing to remove")
	}
	return m, nil
}

// runningName is the running lab a row stands for: the lab itself, or a
// running lab of the same name as a built-in or file row; "" if none.
func (m *Model) runningName(it item) string {
	if it.sec == secRunning {
		return m.running[it.i].Name
	}
	e := m.entry(it)
	if e.Err == nil && m.runningLab(e.Name()) != nil {
		return e.Name()
	}
	return ""
}

// askProvider opens the provider dialog for e, or says why e cannot be
// started.
func (m *Model) askProvider(e LabEntry) {
	if e.Err != nil {
		m.fail(e.Label() + " has " + problemCount(e.Err) + ": fix the file first (see the right pane)")
		return
	}
	m.provSel = -1
	for i, p := range e.Providers {
		if p.Unavailable == "" {
			m.provSel = i
			break
		}
	}
	if m.provSel < 0 {
		m.fail("lab " + e.Name() + " cannot be built here: no provider is available for it")
		return
	}
	m.dialog, m.target = dialogProvider, e
}

// providerKey handles a key in the provider dialog: the cursor moves
// over the available providers only.
func (m *Model) providerKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.km
	ps := m.target.Providers
	step := 0
	switch {
	case key.Matches(msg, km.Up):
		step = -1
	case key.Matches(msg, km.Down):
		step = 1
	case key.Matches(msg, km.Choose):
		return m, m.start(m.target, ps[m.provSel].Name)
	case key.Matches(msg, km.Cancel):
		m.dialog = dialogNone
	}
	for i := m.provSel + step; step != 0 && i >= 0 && i < len(ps); i += step {
		if ps[i].Unavailable == "" {
			m.provSel = i
			break
		}
	}
	return m, nil
}

// opKey handles a key on the build screen.
func (m *Model) opKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km, o := m.km, m.op
	switch {
	case o.abortAsk:
		switch {
		case key.Matches(msg, km.Yes):
			o.abortAsk = false
			o.cancel()
			m.info("cancelling: what was built is being removed…")
		case key.Matches(msg, km.No):
			o.abortAsk = false
		}
	case !o.done:
		if key.Matches(msg, km.Abort) {
			if o.kind == opStart {
				o.abortAsk = true
			} else {
				m.info("removing " + o.name + " cannot be interrupted; it ends in a moment")
			}
		}
	case o.err == nil: // built
		switch {
		case key.Matches(msg, km.Open, km.Attach):
			return m.attach(o.name)
		case key.Matches(msg, km.Back):
			m.back()
		case key.Matches(msg, km.Quit):
			return m.quit()
		}
	default: // failed
		switch {
		case key.Matches(msg, km.Back, km.Open):
			m.back()
		case key.Matches(msg, km.Retry) && o.kind == opStart:
			return m, m.start(o.entry, o.provider)
		case key.Matches(msg, km.Attach) && m.runningLab(o.name) != nil:
			return m.attach(o.name)
		case key.Matches(msg, km.Quit):
			return m.quit()
		}
	}
	return m, nil
}

// back leaves the build screen for the list, on the lab it was about.
func (m *Model) back() {
	name := m.op.name
	m.op = nil
	m.msg = ""
	m.selectRunning(name)
}

func (m *Model) quit() (tea.Model, tea.Cmd) {
	m.result = Result{Action: ActionQuit}
	return m, tea.Quit
}
