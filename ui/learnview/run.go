package learnview

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/halab/halab/learn"
)

// finishWait bounds the wait, on leaving, for a step still in flight to
// mend what it broke.
const finishWait = 30 * time.Second

// Run runs the screen in the terminal until the person quits or ctx is
// done, and returns where they left off. A step still running is stopped
// first; what its check had broken (a partition, a killed proxy) it
// mends before Run returns.
func Run(ctx context.Context, course *learn.Course, env *learn.Env, watcher Watcher, opts Options) (*learn.Bookmark, error) {
	opts.Context = ctx
	m := New(course, env, watcher, opts)
	p := tea.NewProgram(m, tea.WithContext(ctx))
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	wctx, cancel := context.WithTimeout(context.Background(), finishWait)
	defer cancel()
	m.Wait(wctx)
	m.Close()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	return m.Bookmark(), err
}
