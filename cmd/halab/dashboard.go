package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/ui"
	"github.com/halab/halab/ui/demo"
	"github.com/halab/halab/ui/labview"
)

// labBackend is the dashboard's view of a running lab: its recorded state,
// its merged event stream, what the kernel and the components say, and the
// provider's faults.
type labBackend struct {
	mu       sync.Mutex
	st       *lab.State
	provider lab.Faulter
}

func newLabBackend(st *lab.State) *labBackend {
	return &labBackend{st: st, provider: &netns.Provider{}}
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
	return lab.Watch(ctx, b.State())
}

func (b *labBackend) Snapshot(ctx context.Context) (ui.Snapshot, error) {
	s := collectStatus(ctx, b.State())
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
	return b.provider.Apply(ctx, st, f)
}

// isTerminal reports whether the dashboard can draw on this process's
// standard input and output.
func isTerminal() bool {
	return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
}

// runDashboard opens the dashboard on a lab and, when the person chooses
// so on leaving, tears the lab down.
func runDashboard(ctx context.Context, st *lab.State) error {
	choice, err := ui.Run(ctx, newLabBackend(st), ui.Options{})
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	if choice == ui.QuitTeardown {
		progress := lab.Progress(func(s lab.Step) { fmt.Fprintf(os.Stderr, "  %s\n", s) })
		if err := (&netns.Provider{}).Down(ctx, st.Name, progress); err != nil {
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
			if demoMode {
				d := demo.New(time.Now(), 90*time.Second)
				go d.Run(ctx)
				backend = d
			} else {
				st, err := runningLab(name)
				if err != nil {
					return err
				}
				backend = newLabBackend(st)
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
				_, err := ui.Run(ctx, backend, ui.Options{})
				return err
			}
			return runDashboard(ctx, backend.State())
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to watch (default: the only lab up)")
	cmd.Flags().StringVar(&snapshot, "snapshot", "", "write the dashboard as plain text to FILE (- for stdout) and exit")
	cmd.Flags().IntVar(&width, "width", 160, "snapshot width")
	cmd.Flags().IntVar(&height, "height", 48, "snapshot height")
	cmd.Flags().BoolVar(&demoMode, "demo", false, "a simulated seed lab instead of a real one (no root needed)")
	return cmd
}
