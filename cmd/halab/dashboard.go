package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/scenarios"
	"github.com/halab/halab/scenarios/livelab"
	"github.com/halab/halab/ui"
	"github.com/halab/halab/ui/demo"
	"github.com/halab/halab/ui/labview"
)

// labBackend is the dashboard's view of a running lab: its recorded state,
// its merged event stream, what the kernel and the components say, and the
// provider's faults.
type labBackend struct {
	mu     sync.Mutex
	st     *lab.State
	access lab.Access
}

func newLabBackend(st *lab.State, acc lab.Access) *labBackend {
	return &labBackend{st: st, access: acc}
}

func (b *labBackend) State() *lab.State {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fresh, err := lab.LoadState(b.st.Name); err == nil {
		b.st = fresh
	}
	return b.st
}

func (b *labBackend) Events(ctx context.Context) <-chan control.Event {
	return lab.Watch(ctx, b.State(), b.access)
}

func (b *labBackend) Snapshot(ctx context.Context) (ui.Snapshot, error) {
	s := collectStatus(ctx, b.State(), b.access)
	snap := ui.Snapshot{Time: time.Now()}
	for _, n := range s.Nodes {
		ns := labview.NodeSnapshot{Name: n.Name}
		for _, i := range n.Interfaces {
			ns.Interfaces = append(ns.Interfaces, labview.InterfaceSnapshot{Name: i.Name, Up: i.Up, Addresses: i.Addresses})
		}
		for _, c := range n.Components {
			ns.Components = append(ns.Components, labview.ComponentSnapshot{Kind: c.Kind, Running: c.Running, Error: c.Error, Status: c.status})
		}
		snap.Nodes = append(snap.Nodes, ns)
	}
	return snap, nil
}

func (b *labBackend) Fault(ctx context.Context, f lab.Fault) error {
	st := b.State()
	return b.access.Apply(ctx, st, f)
}

// labDrills runs the built-in drills written for a lab on it, for the
// dashboard's drill menu (ui.Drills over package scenarios).
type labDrills struct {
	lab    string
	drills []*scenarios.Drill
}

// newLabDrills offers the built-in drills that apply to the lab st
// records.
func newLabDrills(st *lab.State) (*labDrills, error) {
	all, err := scenarios.ListBuiltins()
	if err != nil {
		return nil, err
	}
	ld := &labDrills{lab: st.Name}
	for _, d := range all {
		if st.Lab != nil && d.AppliesTo(st.Lab) {
			ld.drills = append(ld.drills, d)
		}
	}
	return ld, nil
}

// List is the drills for the menu, each step said in words.
func (ld *labDrills) List() []ui.DrillInfo {
	out := make([]ui.DrillInfo, 0, len(ld.drills))
	for _, d := range ld.drills {
		info := ui.DrillInfo{Name: d.Name, Title: d.Title, Teaches: d.Teaches}
		for _, s := range d.Steps {
			info.Steps = append(info.Steps, s.String())
		}
		if d.NoSplitBrain {
			info.Steps = append(info.Steps, "expect no split brain during the whole drill")
		}
		out = append(out, info)
	}
	return out
}

// Run runs a drill on the lab with scenarios.Run (which undoes its faults
// before it returns, also when ctx is cancelled), each StepResult reported
// as a ui.DrillStep, the summary from Report.Summary.
func (ld *labDrills) Run(ctx context.Context, name string, progress func(ui.DrillStep)) (ui.DrillResult, error) {
	i := slices.IndexFunc(ld.drills, func(d *scenarios.Drill) bool { return d.Name == name })
	if i < 0 {
		return ui.DrillResult{}, fmt.Errorf("no drill %q for lab %s", name, ld.lab)
	}
	l, err := livelab.Open(ld.lab)
	if err != nil {
		return ui.DrillResult{}, err
	}
	defer l.Close()
	rep, err := scenarios.Run(ctx, l, ld.drills[i], scenarios.Options{Progress: func(r scenarios.StepResult) {
		progress(ui.DrillStep{Index: r.Index, Kind: string(r.Kind), Text: r.Text, Start: r.Start,
			Status: string(r.Status), Seen: r.Seen, Whole: r.Whole})
	}})
	if rep == nil {
		return ui.DrillResult{}, err
	}
	return ui.DrillResult{Passed: rep.Passed, Interrupted: rep.Interrupted, Summary: rep.Summary(),
		Undone: rep.Undone, UndoErrors: rep.UndoErrors}, err
}

// isTerminal reports whether the dashboard can draw on this process's
// standard input and output.
func isTerminal() bool {
	return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
}

// runDashboard opens the dashboard on a lab and, when the person chooses
// so on leaving, tears the lab down.
func runDashboard(ctx context.Context, st *lab.State, acc lab.Access) error {
	opts := ui.Options{}
	if ld, err := newLabDrills(st); err == nil {
		opts.Drills = ld
	} else {
		fmt.Fprintf(os.Stderr, "halab: no drill menu: %v\n", err)
	}
	choice, err := ui.Run(ctx, newLabBackend(st, acc), opts)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	if choice == ui.QuitTeardown {
		progress := lab.Progress(func(s lab.Step) { fmt.Fprintf(os.Stderr, "  %s\n", s) })
		p, err := providerForState(st, providerOptions{})
		if err != nil {
			return err
		}
		if err := p.Down(ctx, st.Name, progress); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "lab %s removed\n", st.Name)
		return nil
	}
	fmt.Fprintf(os.Stderr, "lab %s is still up: `halab ui` returns to it, `sudo halab down --lab %s` removes it\n", st.Name, st.Name)
	return nil
}

func newUICommand() *cobra.Command {
	var name, snapshot string
	var width, height int
	var demoMode bool
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Open the dashboard on a running lab (or save it as text with --snapshot)",
		Example: `  halab ui                         # attach to the lab that is up
  halab ui --snapshot lab.txt      # the dashboard as plain text, for pasting
  halab ui --demo                  # a simulated seed lab, no root needed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			var backend ui.Backend
			var sim *demo.Backend
			if demoMode {
				// Built 90 s ago and simulated up to now: history to show,
				// and a clock that Run then steps in real time.
				sim = demo.New(time.Now().Add(-90*time.Second), 90*time.Second)
				go sim.Run(ctx)
				backend = sim
			} else {
				st, acc, err := lab.OpenRunning(name)
				if err != nil {
					return err
				}
				defer acc.Close()
				backend = newLabBackend(st, acc)
			}
			if snapshot != "" {
				live, err := ui.Capture(ctx, backend, 500*time.Millisecond)
				if err != nil {
					return err
				}
				text := ui.RenderSnapshot(live, width, height, time.Now())
				if snapshot == "-" {
					_, err = os.Stdout.WriteString(text)
					return err
				}
				if err := os.WriteFile(snapshot, []byte(text), 0o644); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "dashboard saved to %s (%d×%d)\n", snapshot, width, height)
				return nil
			}
			if !isTerminal() {
				return fmt.Errorf("the dashboard needs a terminal; use --snapshot FILE, `halab status` or `halab events` instead")
			}
			if demoMode {
				_, err := ui.Run(ctx, backend, ui.Options{Drills: sim.Drills()})
				return err
			}
			return runDashboard(ctx, backend.State(), backend.(*labBackend).access)
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to watch (default: the only lab up)")
	cmd.Flags().StringVar(&snapshot, "snapshot", "", "write the dashboard as plain text to FILE (- for stdout) and exit")
	cmd.Flags().IntVar(&width, "width", 160, "snapshot width")
	cmd.Flags().IntVar(&height, "height", 48, "snapshot height")
	cmd.Flags().BoolVar(&demoMode, "demo", false, "a simulated seed lab instead of a real one (no root needed)")
	return cmd
}
