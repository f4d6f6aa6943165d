package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
)

func newUpCommand() *cobra.Command {
	var file, builtin, name, provider string
	var noUI, quiet bool
	var popts providerOptions
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Build a lab and start its components (default: the built-in seed lab)",
		Example: `  sudo halab up                   # the tutorial's lab, then follow its events
  sudo halab up --no-ui           # build it, print a summary, leave it running
  sudo halab up -f mylab.yaml --name try2
  sudo halab up -f vmlab.yaml     # a lab with provider: ssh, on VMs reached over SSH`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := loadLab(file, builtin)
			if err != nil {
				return err
			}
			if name != "" {
				if err := renameLab(l, name); err != nil {
					return err
				}
			}
			p, err := providerFor(provider, l, popts)
			if err != nil {
				return err // before anything is said or built
			}
			progress := lab.Progress(func(s lab.Step) {
				if !quiet {
					fmt.Fprintf(os.Stderr, "  %s\n", s)
				}
			})
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			start := time.Now()
			fmt.Fprintf(os.Stderr, "building lab %s (%s) with the %s provider\n", l.Name, l.Source, p.Name())
			st, err := p.Up(ctx, l, progress)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "lab %s is up in %s\n\n", l.Name, time.Since(start).Round(time.Millisecond))
			acc, err := lab.OpenAccess(st)
			if err != nil {
				return err
			}
			defer acc.Close()
			if noUI || !isTerminal() {
				printStatus(os.Stdout, collectStatus(ctx, st, acc))
			}
			if noUI {
				fmt.Printf("\nwatch it:   halab ui --lab %s\nremove it:  sudo halab down --lab %s\n", l.Name, l.Name)
				return nil
			}
			if isTerminal() {
				return runDashboard(ctx, st, acc)
			}
			fmt.Printf("\nno terminal for the dashboard: following events (Ctrl-C stops following; the lab keeps running)\n")
			if err := followEvents(ctx, st, acc, os.Stdout, false, false); err != nil {
				return err
			}
			fmt.Printf("\nthe lab is still up; remove it with: sudo halab down --lab %s\n", l.Name)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "lab file to build")
	cmd.Flags().StringVar(&builtin, "lab", "", "built-in lab to build (see `halab labs`)")
	cmd.Flags().StringVar(&name, "name", "", "run the lab under another name (two copies side by side)")
	cmd.Flags().StringVar(&provider, "provider", "", "where nodes live: netns or ssh (default: the lab file's provider, else netns)")
	popts.addFlags(cmd)
	cmd.Flags().BoolVar(&noUI, "no-ui", false, "build, print a summary and exit, leaving the lab running")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not print each build step")
	return cmd
}

// loadLab loads the lab file or the built-in lab; with neither, the default.
func loadLab(file, builtin string) (*lab.Lab, error) {
	switch {
	case file != "" && builtin != "":
		return nil, fmt.Errorf("give either -f FILE or --lab NAME, not both")
	case file != "":
		return lab.LoadFile(file)
	case builtin != "":
		return lab.LoadBuiltin(builtin)
	default:
		return lab.LoadBuiltin(lab.DefaultLab)
	}
}

// renameLab gives a loaded lab another name.
func renameLab(l *lab.Lab, name string) error {
	if err := lab.CheckName(name); err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	l.Name = name
	return nil
}

func newDownCommand() *cobra.Command {
	var name, file string
	var all bool
	var popts providerOptions
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Remove a lab: its processes, namespaces, links, sockets and state",
		Long: `down removes everything halab made for a lab. It finds the parts by looking
(namespaces named halab-LAB-*, processes inside them), so it also cleans up
after a crash or kill -9 of every halab process. Removing a lab that is not
there does nothing. For a lab on machines reached over SSH, -f names its lab
file, so that down finds the machines also when this machine lost the lab's
state.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			progress := lab.Progress(func(s lab.Step) { fmt.Fprintf(os.Stderr, "  %s\n", s) })
			start := time.Now()
			if file != "" {
				l, err := lab.LoadFile(file)
				if err != nil {
					return err
				}
				if name != "" {
					if err := renameLab(l, name); err != nil {
						return err
					}
				}
				popts.Lab = l
				p, err := providerFor("", l, popts)
				if err != nil {
					return err
				}
				if err := p.Down(cmd.Context(), l.Name, progress); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "lab %s removed in %s\n", l.Name, time.Since(start).Round(time.Millisecond))
				return nil
			}
			p := &netns.Provider{}
			if all {
				// Labs on other machines first: DownAll only sees this one.
				for _, n := range lab.Running() {
					if st, err := lab.LoadState(n); err == nil && st.Provider == lab.ProviderSSH {
						sp, err := providerForState(st, popts)
						if err == nil {
							err = sp.Down(cmd.Context(), n, progress)
						}
						if err != nil {
							return fmt.Errorf("lab %s: %w", n, err)
						}
					}
				}
				if err := p.DownAll(cmd.Context(), progress); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "all halab labs removed in %s\n", time.Since(start).Round(time.Millisecond))
				return nil
			}
			if name == "" {
				var err error
				if name, err = lab.Resolve(""); err != nil {
					if left := netns.Leftovers(); len(left) > 0 {
						return fmt.Errorf("no lab is recorded as up, but %s are left over; remove them with `sudo halab down --all`", strings.Join(left, " "))
					}
					return err
				}
			}
			var down lab.Provider = p
			if st, err := lab.LoadState(name); err == nil {
				if down, err = providerForState(st, popts); err != nil {
					return err
				}
			}
			if err := down.Down(cmd.Context(), name, progress); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "lab %s removed in %s\n", name, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to remove (default: the only lab up; with -f, the name it runs under)")
	cmd.Flags().StringVarP(&file, "file", "f", "", "lab file of the lab to remove (finds an ssh lab's machines without its state)")
	cmd.Flags().BoolVar(&popts.AcceptNewHostKeys, "accept-new-host-keys", false, "trust and record host keys of machines not yet in known_hosts (like ssh's accept-new)")
	cmd.Flags().BoolVar(&all, "all", false, "remove every halab lab and leftover on this machine")
	return cmd
}
