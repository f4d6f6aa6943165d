package home

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/styles"
)

// Run runs the lab manager in the terminal until the person quits,
// chooses a lab to attach to, or ctx is done, and returns their choice.
// The caller then opens the dashboard on Result.Lab (ActionAttach).
//
// A build still under way when it ends (ctrl+c) is cancelled; Run returns
// once the provider has removed what it built. A removal under way is
// waited for.
func Run(ctx context.Context, mgr Manager, opts Options) (Result, error) {
	return run(ctx, mgr, opts)
}

// run is Run with more program options (tests give input and output).
func run(ctx context.Context, mgr Manager, opts Options, popts ...tea.ProgramOption) (Result, error) {
	opts.Context = ctx
	m := New(mgr, opts)
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, popts...)...)
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	m.Close()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	return m.Result(), err
}

// RenderSnapshot renders the lab manager's list at width×height as plain
// text, as the screen would show it at now, after reading the labs from
// mgr once: for documentation and pasting.
func RenderSnapshot(mgr Manager, dir string, width, height int, now time.Time) string {
	m := New(mgr, Options{Dir: dir, Now: func() time.Time { return now }, Styles: styles.New(false)})
	m.Update(m.readLists()())
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return ansi.Strip(m.render())
}
