package ui

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// Run runs the dashboard in the terminal until the person quits or ctx is
// done, and returns what they chose to do with the lab (QuitNone when ctx
// ended it).
func Run(ctx context.Context, backend Backend, opts Options) (QuitChoice, error) {
	opts.Context = ctx
	m := New(backend, opts)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	final, err := p.Run()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	// A drill still running is stopped; its faults are undone before
	// the lab is handed back.
	m.finishDrill(os.Stderr)
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	return m.QuitChoice(), err
}

// RenderSnapshot renders the dashboard of a live state at width×height as
// plain text (no ANSI sequences), as the screen would show it at now:
// `halab ui --snapshot FILE`, and the golden tests.
func RenderSnapshot(live *labview.Live, width, height int, now time.Time) string {
	m := newModel(nil, live, Options{Now: func() time.Time { return now }, Styles: styles.New(true)})
	m.width, m.height = width, height
	return ansi.Strip(m.render())
}

// Capture builds the live state of a lab without a terminal: the recorded
// state, one status snapshot, then the event stream (its replay of history
// and what arrives) for settle. The result is for RenderSnapshot or an SVG
// export.
func Capture(ctx context.Context, backend Backend, settle time.Duration) (*labview.Live, error) {
	live := labview.New(backend.State())
	snap, err := backend.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	live.Seed(snap)
	ctx, cancel := context.WithTimeout(ctx, settle)
	defer cancel()
	for e := range backend.Events(ctx) {
		live.Apply(e)
	}
	return live, nil
}
