package learnview

import (
	"context"
	"errors"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/learn"
	"github.com/halab/halab/ui/common"
)

func itoa(n int) string { return strconv.Itoa(n) }

// key handles a key press.
func (m *Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	v := m.views[m.step]
	switch msg.String() {
	case "q", "ctrl+c":
		m.quitting = true
		if m.run != nil {
			m.run.Cancel()
		}
		return m, tea.Quit
	case "esc":
		if m.run != nil {
			m.run.Cancel()
			m.say(m.T("ui.stopping"))
		}
	case "enter":
		switch {
		case m.run != nil:
			m.say(m.T("ui.busy"))
		case v.result != nil && v.result.Pass && v.err == "":
			return m, m.move(1)
		default:
			return m, m.start()
		}
	case "a":
		if m.run != nil {
			m.say(m.T("ui.busy"))
			return m, nil
		}
		return m, m.start()
	case "right", "l", "n":
		return m, m.move(1)
	case "left", "h", "p":
		return m, m.move(-1)
	case "up", "k":
		m.scrollBy(-1)
	case "down", "j":
		m.scrollBy(1)
	case "pgup", "b":
		m.scrollBy(-m.docHeight() + 1)
	case "pgdown", "space":
		m.scrollBy(m.docHeight() - 1)
	case "home", "g":
		v.scroll, v.follow = 0, false
	case "end", "G":
		v.scroll, v.follow = len(m.doc(m.docWidth())), true
	}
	return m, nil
}

// move goes to the step d away, when none is running.
func (m *Model) move(d int) tea.Cmd {
	if m.run != nil {
		m.say(m.T("ui.busy"))
		return nil
	}
	i := m.step + d
	if i < 0 || i >= len(m.course.Steps) {
		if i >= len(m.course.Steps) {
			m.say(m.T("ui.done"))
		}
		return nil
	}
	m.step = i
	m.saveBookmark()
	return m.loadShow(i)
}

// scrollBy scrolls the step's document by d lines.
func (m *Model) scrollBy(d int) {
	v := m.views[m.step]
	v.scroll = max(v.scroll+d, 0)
	v.follow = false
}

// start runs the current step (prepare, action, check) as a common.Job:
// a goroutine runs it and sends its reports on a channel, which a command
// reads one message at a time (re-armed after each); the goroutine never
// touches the model.
func (m *Model) start() tea.Cmd {
	i := m.step
	v := m.views[i]
	v.out, v.waiting, v.result, v.err, v.phase = nil, "", nil, "", learn.PhasePrepare
	v.follow = true
	run := &stepRun{step: i}
	env, s := m.env, m.course.Steps[i]
	var cmd tea.Cmd
	run.Job, cmd = common.StartJob(m.ctx, func(ctx context.Context, send func(tea.Msg)) {
		res, err := env.RunStep(ctx, s, func(p learn.Progress) { send(progressMsg{run: run, p: p}) })
		send(doneMsg{run: run, res: res, err: err})
	})
	m.run = run
	return cmd
}

// progress shows a running step's news.
func (m *Model) progress(msg progressMsg) tea.Cmd {
	v := m.views[msg.run.step]
	p := msg.p
	if p.Phase != 0 {
		v.phase = p.Phase
	}
	if p.Block != nil {
		v.out = append(v.out, *p.Block)
		v.waiting = ""
	}
	if p.Waiting != "" {
		v.waiting = p.Waiting
	}
	return msg.run.Next()
}

// finished records how a step ended, saves the bookmark and reads the
// lab's statuses again (the action changed them).
func (m *Model) finished(msg doneMsg) tea.Cmd {
	if m.run == msg.run {
		m.run = nil
	}
	v := m.views[msg.run.step]
	v.waiting = ""
	res := msg.res
	v.result, v.at = &res, m.c.Now()
	if msg.err != nil {
		v.err = msg.err.Error()
		if errors.Is(msg.err, context.Canceled) {
			v.err = m.T("ui.stopped")
		}
	}
	m.saveBookmark()
	return m.readSnapshot()
}

// saveBookmark writes where the person is and how each check ended.
func (m *Model) saveBookmark() {
	b := m.opts.Bookmark
	if b == nil {
		b = &learn.Bookmark{}
		m.opts.Bookmark = b
	}
	b.Step, b.Lang, b.Updated = m.course.Steps[m.step].ID, m.course.Lang, m.c.Now()
	b.Checks = map[string]learn.CheckMark{}
	for i, v := range m.views {
		if v.result != nil {
			b.Checks[m.course.Steps[i].ID] = learn.CheckMark{Pass: v.result.Pass && v.err == "", At: v.at}
		}
	}
	if m.opts.BookmarkPath == "" {
		return
	}
	if err := b.Save(m.opts.BookmarkPath); err != nil {
		m.say(m.T("ui.error", "err", err.Error()))
	}
}

// Bookmark is where the person is now and how each check ended.
func (m *Model) Bookmark() *learn.Bookmark {
	if m.opts.Bookmark == nil {
		m.saveBookmark()
	}
	return m.opts.Bookmark
}

// Wait stops a step still in flight and waits for it to end (what its
// check had broken, it mends first), at most until ctx is done.
func (m *Model) Wait(ctx context.Context) {
	if m.run != nil {
		m.run.Wait(ctx)
	}
}
