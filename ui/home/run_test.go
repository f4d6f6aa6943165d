package home

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestRunEndsWithItsContext(t *testing.T) {
	c := &clock{t: t0}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := run(ctx, fixture(t, c), Options{Now: c.Now}, tea.WithInput(nil), tea.WithOutput(io.Discard))
	if err != nil || res != (Result{}) {
		t.Errorf("Run: %+v, %v", res, err)
	}
}

func TestRunQuits(t *testing.T) {
	c := &clock{t: t0}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := run(ctx, fixture(t, c), Options{Now: c.Now}, tea.WithInput(strings.NewReader("q")), tea.WithOutput(io.Discard))
	if err != nil || res != (Result{Action: ActionQuit}) || ctx.Err() != nil {
		t.Errorf("Run: %+v, %v (context: %v)", res, err, ctx.Err())
	}
}
