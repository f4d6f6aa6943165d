package ui

import (
	"context"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/labview"
	"github.com/halab/halab/ui/styles"
)

// Backend is what the dashboard needs of a running lab. The real one reads
// the lab's recorded state, lab.Watch and the components' control sockets,
// and applies faults through the provider; ui/fake is one without a lab.
type Backend interface {
	// State is the lab's recorded state: topology, roles, interfaces, VIP,
	// nodes powered off, faults in force.
	State() *lab.State
	// Events is the lab's merged event stream (lab.Watch: every component's
	// history, then live events, and the lab's own fault events). It closes
	// when ctx is done.
	Events(ctx context.Context) <-chan control.Event
	// Snapshot is what the kernel and each component say now (`halab
	// status`): read once at start, and again on demand (r).
	Snapshot(ctx context.Context) (Snapshot, error)
	// Fault applies a fault (crash, restore, kill, stop, start, link
	// down/up, partition, loss, heal) and returns when it is in force.
	Fault(ctx context.Context, f lab.Fault) error
}

// Snapshot is the lab as its kernel and components describe it at one
// moment; see labview.Snapshot.
type Snapshot = labview.Snapshot

// Mark is a moment marked on an exported timeline; see labview.Mark.
type Mark = labview.Mark

// QuitChoice is what the person chose to do with the lab on leaving.
type QuitChoice int

// The choices.
const (
	// QuitNone: the dashboard has not been left by a choice (still running,
	// or stopped by its context).
	QuitNone QuitChoice = iota
	// QuitKeep: leave the lab running (q then k, or ctrl+c).
	QuitKeep
	// QuitTeardown: tear the lab down (q then d).
	QuitTeardown
)

// String says the choice in words.
func (c QuitChoice) String() string {
	switch c {
	case QuitKeep:
		return "keep"
	case QuitTeardown:
		return "teardown"
	}
	return "none"
}

// Options configure the dashboard. The zero value is fine.
type Options struct {
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// Styles default to styles.DefaultStyles() (which honours NO_COLOR).
	Styles *styles.Styles
	// KeyMap defaults to keymap.DefaultKeyMap().
	KeyMap *keymap.KeyMap
	// SaveDir is where s (text snapshot) and e (SVG timeline) write files;
	// default the working directory.
	SaveDir string
	// Tick is the redraw period for timers and outage counters (default
	// 100 ms).
	Tick time.Duration
	// FaultTimeout bounds one Backend.Fault call (default 30 s).
	FaultTimeout time.Duration
	// Context bounds the event stream and backend calls (default
	// context.Background()); Run sets it.
	Context context.Context
	// Drills runs failover drills on the lab (d opens their menu); nil
	// means none: the drill keys and their help are hidden.
	Drills Drills
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Styles == nil {
		o.Styles = styles.DefaultStyles()
	}
	if o.KeyMap == nil {
		o.KeyMap = keymap.DefaultKeyMap()
	}
	o.KeyMap = o.KeyMap.Clone()
	o.KeyMap.EnableDrills(o.Drills != nil)
	if o.SaveDir == "" {
		o.SaveDir = "."
	}
	if o.Tick <= 0 {
		o.Tick = 100 * time.Millisecond
	}
	if o.FaultTimeout <= 0 {
		o.FaultTimeout = 30 * time.Second
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

// MinWidth and MinHeight are the smallest terminal the dashboard draws in.
const (
	MinWidth  = common.MinWidth
	MinHeight = common.MinHeight
)
