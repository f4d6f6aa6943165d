package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
)

func newValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE…",
		Short: "Check lab files; every problem is reported with file:line:column",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return validateFiles("lab", args, func(f string) (string, error) {
				l, err := lab.Load(f)
				if err != nil {
					return "", err
				}
				// A netns lab runs on this machine: the real programs
				// it names must be here.
				if l.Provider == lab.ProviderNetns {
					if err := l.CheckEngines(lab.FindProgram); err != nil {
						return "", err
					}
				}
				return fmt.Sprintf("lab %s, %d nodes, %d networks%s", l.Name, len(l.Nodes), len(l.Networks), engineSummary(l)), nil
			})
		},
	}
}

// validateFiles checks each file with check, printing every problem as
// file:line:column (or the summary check returns), and fails when any file
// has problems.
func validateFiles(kind string, files []string, check func(string) (string, error)) error {
	bad := 0
	for _, f := range files {
		summary, err := check(f)
		var ve *lab.ValidationError
		switch {
		case errors.As(err, &ve):
			bad++
			for _, p := range ve.Problems {
				fmt.Fprintln(os.Stderr, p)
			}
		case err != nil:
			bad++
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
		default:
			fmt.Printf("%s: ok — %s\n", f, summary)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d %s files have problems", bad, len(files), kind)
	}
	return nil
}

// engineSummary names the real programs a lab runs: ", real keepalived
// on lb2, real haproxy on lb2".
func engineSummary(l *lab.Lab) string {
	var s string
	for _, n := range l.Nodes {
		for _, c := range n.Components {
			if c.Engine != "" {
				s += fmt.Sprintf(", real %s on %s", c.Engine, n.Name)
			}
		}
	}
	return s
}

func newLabsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "labs",
		Short: "List the built-in labs",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			for _, name := range assets.LabNames() {
				l, err := lab.LoadBuiltin(name)
				if err != nil {
					return err
				}
				fmt.Printf("%-10s %s\n", name, l.Title)
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in lab file (a starting point for your own)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			data, err := fs.ReadFile(assets.Labs, args[0]+".yaml")
			if err != nil {
				_, err = lab.LoadBuiltin(args[0])
				return err
			}
			_, err = os.Stdout.Write(data)
			return err
		},
	})
	return cmd
}
