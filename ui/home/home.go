// Package home is halab's lab manager: the screen `halab` opens when given
// no arguments. It lists the built-in labs, the lab files in the working
// directory (each validated, its problems shown with file:line:col) and the
// labs running now with their state; it starts a lab on a provider and
// shows the build live, step by step, through to the VRRP election; it
// stops and removes a running lab after a confirm; and it hands the choice
// to attach the dashboard back to its caller.
//
// Everything it does to labs goes through a Manager, a small interface the
// caller implements (cmd/halab) and tests fake (Fake). Long operations run
// in tea.Cmds: their steps arrive as messages on a channel read one at a
// time, so Update never blocks. Run starts it; Model is the Bubble Tea
// model, for tests and embedding.
package home

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/common"
	"github.com/halab/halab/ui/keymap"
	"github.com/halab/halab/ui/styles"
)

// Manager is what the lab manager needs of halab.
type Manager interface {
	// Builtins lists the labs built into halab (BuiltinEntries loads them).
	Builtins() []LabEntry
	// Files lists the lab files (*.yaml) in dir, each loaded and
	// validated (ScanFiles does that).
	Files(dir string) []LabEntry
	// Running lists the labs up now, from their recorded state
	// (RunningFromState), with who holds the VIP when known.
	Running() []RunningLab
	// Start builds a lab: source is a LabEntry's Source, provider one of
	// its Providers. It blocks until the lab is up or has failed,
	// reporting each step as it happens. After the components are ready,
	// a Manager that watches the VRRP election reports it with
	// WaitingForMaster and ElectionStep, and the screen shows it. When ctx
	// is done it stops, removing what it built, and returns the cause.
	Start(ctx context.Context, source, provider string, progress lab.Progress) error
	// Destroy stops and removes the running lab called name, reporting
	// each step.
	Destroy(ctx context.Context, name string, progress lab.Progress) error
}

// LabEntry is a lab that can be started: built in, or a lab file.
type LabEntry struct {
	// Source is what Manager.Start takes: a built-in lab's name or a lab
	// file's path.
	Source string
	// Builtin is true for a lab built into halab.
	Builtin bool
	// Lab is the loaded lab; nil when it does not load.
	Lab *lab.Lab
	// Err is why it does not load; a *lab.ValidationError lists every
	// problem with its file:line:col.
	Err error
	// Providers are where it can be built, and why not where it cannot.
	Providers []ProviderOption
}

// Name is the lab's name, or for a lab file that does not load, the
// file's name.
func (e LabEntry) Name() string {
	if e.Lab != nil {
		return e.Lab.Name
	}
	return strings.TrimSuffix(filepath.Base(e.Source), filepath.Ext(e.Source))
}

// Label is how the list names the entry: a built-in lab's name, a lab
// file's base name.
func (e LabEntry) Label() string {
	if e.Builtin {
		return e.Source
	}
	return filepath.Base(e.Source)
}

// ProviderOption is one provider a lab could be built on.
type ProviderOption struct {
	// Name is the provider's name (netns, ssh).
	Name string
	// About says what it does, in a few words.
	About string
	// Unavailable says why this lab cannot be built on it; empty when it
	// can.
	Unavailable string
}

// RunningLab is a lab that is up (or being built) now.
type RunningLab struct {
	Name, Title string
	// Provider built it; Phase is "building" until every component is
	// ready, then "up".
	Provider, Phase string
	Created         time.Time
	// Nodes are its nodes' names, in lab order.
	Nodes []string
	// Faults are the faults in force, in the order applied.
	Faults []lab.Fault
	// VIP is the service address; VIPHolders the nodes holding it now
	// (two or more: split brain), meaningful when VIPKnown.
	VIP        string
	VIPHolders []string
	VIPKnown   bool
	// Err is why its recorded state could not be read (damaged).
	Err error
}

// Action is what the person chose on leaving the lab manager.
type Action int

// The actions.
const (
	// ActionQuit: leave halab.
	ActionQuit Action = iota
	// ActionAttach: open the dashboard on Result.Lab.
	ActionAttach
)

// String says the action in words.
func (a Action) String() string {
	if a == ActionAttach {
		return "attach"
	}
	return "quit"
}

// Result is what the person chose.
type Result struct {
	Action Action
	// Lab is the lab to attach to (ActionAttach).
	Lab string
}

// Options configure the lab manager. The zero value is fine.
type Options struct {
	// Dir is where lab files are looked for (default ".").
	Dir string
	// AutoAttach attaches to a lab as soon as its build succeeds, instead
	// of offering to.
	AutoAttach bool
	// Refresh is how often the running labs are read again (default 2 s).
	Refresh time.Duration
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// Styles default to styles.DefaultStyles() (which honours NO_COLOR).
	Styles *styles.Styles
	// KeyMap defaults to keymap.DefaultHome().
	KeyMap *keymap.Home
	// Context bounds the lab manager's operations (default
	// context.Background()); Run sets it.
	Context context.Context
}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Refresh <= 0 {
		o.Refresh = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Styles == nil {
		o.Styles = styles.DefaultStyles()
	}
	if o.KeyMap == nil {
		o.KeyMap = keymap.DefaultHome()
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

// MinWidth and MinHeight are the smallest terminal the lab manager draws
// in.
const (
	MinWidth  = common.MinWidth
	MinHeight = common.MinHeight
)
