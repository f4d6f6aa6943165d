package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/scenarios"
	"github.com/halab/halab/scenarios/livelab"
)

func newDrillCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "Failover drills: scripted faults with expectations and measured outage",
	}
	cmd.AddCommand(newDrillListCommand(), newDrillRunCommand(), newDrillValidateCommand())
	return cmd
}

func newDrillListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in drills and what each teaches",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			drills, err := scenarios.ListBuiltins()
			if err != nil {
				return err
			}
			for _, d := range drills {
				fmt.Printf("%-18s %s (lab: %s)\n%-18s %s\n\n", d.Name, d.Title, strings.Join(d.Labs, ", "), "", d.Teaches)
			}
			return nil
		},
	}
}

func newDrillValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE…",
		Short: "Check drill files; every problem is reported with file:line:column",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return validateFiles("drill", args, func(f string) (string, error) {
				d, err := scenarios.LoadFile(f)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("drill %s, %d steps", d.Name, len(d.Steps)), nil
			})
		},
	}
}

// loadDrill reads a drill given as a built-in name or a file.
func loadDrill(nameOrFile string) (*scenarios.Drill, error) {
	if _, err := os.Stat(nameOrFile); err == nil && strings.ContainsAny(nameOrFile, "./") {
		return scenarios.LoadFile(nameOrFile)
	}
	return scenarios.LoadBuiltin(nameOrFile)
}

func newDrillRunCommand() *cobra.Command {
	var labName, labFile, reportFile string
	var repeat int
	var asJSON, keep, anyLab, keepGoing bool
	cmd := &cobra.Command{
		Use:   "run DRILL",
		Short: "Run a drill headless; exit status 1 when an expectation fails",
		Long: `run runs a drill on a running lab (--lab NAME, default the only lab up). With no
lab up it builds the drill's lab first (or --file FILE) and removes it after
(unless --keep). Every fault the drill applies is undone at the end, also when
an expectation fails or the run is interrupted.`,
		Example: `  sudo halab drill run master-poweroff
  sudo halab drill run proxy-killed --repeat 3 --report proxy-killed.md
  sudo halab drill run my-drill.yaml --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := loadDrill(args[0])
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			name, cleanup, err := drillLab(ctx, d, labName, labFile, keep)
			if err != nil {
				return err
			}
			defer cleanup()
			l, err := livelab.Open(name)
			if err != nil {
				return err
			}
			opts := scenarios.Options{AnyLab: anyLab, KeepGoing: keepGoing}
			if !asJSON {
				opts.Progress = printStep
			}
			var passed bool
			var out any
			var markdown func(io.Writer) error
			if repeat > 1 {
				rr, err := scenarios.RunRepeated(ctx, l, d, opts, repeat)
				if rr == nil {
					return err
				}
				passed, out, markdown = rr.Passed, rr, rr.Markdown
			} else {
				r, err := scenarios.Run(ctx, l, d, opts)
				if r == nil {
					return err
				}
				passed, out = r.Passed, r
				markdown = func(w io.Writer) error {
					svg := strings.TrimSuffix(reportFile, filepath.Ext(reportFile)) + ".svg"
					f, err := os.Create(svg)
					if err != nil {
						return err
					}
					defer f.Close()
					if err := r.SVG(f); err != nil {
						return err
					}
					return r.WriteMarkdown(w, scenarios.MarkdownOptions{TimelineFile: filepath.Base(svg)})
				}
				if !asJSON {
					fmt.Println(r.Summary())
				}
			}
			if asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			}
			if reportFile != "" {
				f, err := os.Create(reportFile)
				if err != nil {
					return err
				}
				if err := markdown(f); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "report written to %s\n", reportFile)
			}
			if !passed {
				return fmt.Errorf("drill %s failed: %w", d.Name, exitCode(1))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&labName, "lab", "", "running lab to drill (default: the only lab up)")
	cmd.Flags().StringVarP(&labFile, "file", "f", "", "lab file to build when no lab is up (default: the drill's own lab)")
	cmd.Flags().IntVar(&repeat, "repeat", 1, "run the drill N times; report min, median and max")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&reportFile, "report", "", "write a Markdown report (and its SVG timeline) to FILE.md")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep a lab the drill built")
	cmd.Flags().BoolVar(&anyLab, "any-lab", false, "run the drill on a lab it was not written for")
	cmd.Flags().BoolVar(&keepGoing, "keep-going", false, "run every step even after an expectation failed")
	return cmd
}

// drillLab picks the lab a drill runs on: the named or only running lab,
// or one it builds (and removes after, unless keep).
func drillLab(ctx context.Context, d *scenarios.Drill, name, file string, keep bool) (string, func(), error) {
	nothing := func() {}
	if name != "" || len(lab.Running()) > 0 {
		n, err := lab.Resolve(name)
		return n, nothing, err
	}
	var l *lab.Lab
	var err error
	switch {
	case file != "":
		l, err = lab.LoadFile(file)
	case len(d.Labs) > 0:
		l, err = lab.LoadBuiltin(d.Labs[0])
	default:
		l, err = lab.LoadBuiltin(lab.DefaultLab)
	}
	if err != nil {
		return "", nothing, err
	}
	p, err := providerFor("", l, providerOptions{})
	if err != nil {
		return "", nothing, err
	}
	fmt.Fprintf(os.Stderr, "no lab is up: building %s for the drill\n", l.Name)
	if _, err := p.Up(ctx, l, nil); err != nil {
		return "", nothing, err
	}
	if keep {
		return l.Name, nothing, nil
	}
	return l.Name, func() {
		if err := p.Down(context.Background(), l.Name, nil); err != nil {
			fmt.Fprintln(os.Stderr, "halab:", err)
		}
	}, nil
}

// printStep prints a drill step's result as it ends.
func printStep(r scenarios.StepResult) {
	if r.Status == scenarios.StatusRunning {
		return
	}
	mark := map[scenarios.Status]string{
		scenarios.StatusPass: "✓", scenarios.StatusFail: "✗", scenarios.StatusError: "✗",
		scenarios.StatusSkipped: "·", scenarios.StatusInterrupted: "!",
	}[r.Status]
	if mark == "" {
		mark = "•"
	}
	line := fmt.Sprintf("%7.3fs %s %s", r.Start.Seconds(), mark, r.Text)
	if r.Seen != "" && !strings.Contains(r.Text, r.Seen) {
		line += " — " + r.Seen
	}
	fmt.Println(line)
}
