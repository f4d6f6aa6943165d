package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab/export"
)

func newConfigCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "The lab's configuration files, for real machines",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigExportCommand())
	return cmd
}

func newConfigExportCommand() *cobra.Command {
	var file, builtin, dir string
	var nodes []string
	var force bool
	cmd := &cobra.Command{
		Use:   "export [-f LAB.yaml | --lab NAME] [--node NODE]… --dir OUT",
		Short: "Write keepalived.conf, haproxy.cfg, nginx sites and sysctls to build the lab on real machines",
		Long: `export writes the files that build the lab on real machines (Debian or
Ubuntu, as in the tutorial) with keepalived, HAProxy and nginx in place of
halab's components: a keepalived.conf per load balancer, the haproxy.cfg
(one, when the load balancers share it), an nginx site per web server, a
sysctl.d file per node with sysctls, and README.txt, which says which file
goes where on which machine and the commands that apply them.

halab's commands and process names in the lab's keepalived.conf become the
real machine's (halab check process halab-proxy → /usr/bin/killall -0
haproxy), and what keepalived 2.2.7 would change or warn about is written
the way keepalived uses it, so that keepalived -t accepts each file as it
is. Every difference is explained in the files' comments and in README.txt.

OUT must be new or empty; --force writes into a directory that is not,
replacing files of the same names and leaving the others.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errors.New("--dir OUT is required: the directory to write the files to")
			}
			if err := checkExportDir(dir, force); err != nil {
				return err
			}
			l, err := loadLab(file, builtin)
			if err != nil {
				return err
			}
			res, err := export.Export(l, export.Options{Nodes: nodes})
			if err != nil {
				return fmt.Errorf("export lab %s: %w", l.Name, err)
			}
			if err := writeExport(dir, res); err != nil {
				return err
			}
			printExport(cmd.OutOrStdout(), dir, l.Name, res)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "lab file to export")
	cmd.Flags().StringVar(&builtin, "lab", "", "built-in lab to export (see `halab labs`; default: seed)")
	cmd.Flags().StringSliceVar(&nodes, "node", nil, "export only these nodes (repeat, or NODE,NODE; default: every load balancer and web server)")
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the files to (created if missing)")
	cmd.Flags().BoolVar(&force, "force", false, "write into OUT even if it is not empty")
	return cmd
}

// checkExportDir refuses an OUT that is not a directory, or that holds
// files, unless force.
func checkExportDir(dir string, force bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--dir %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("--dir %s exists and is not a directory: give a new or empty directory", dir)
	case force:
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("--dir %s: %w", dir, err)
	}
	if len(entries) > 0 {
		names := make([]string, 0, 3)
		for _, e := range entries[:min(3, len(entries))] {
			names = append(names, e.Name())
		}
		more := ""
		if len(entries) > 3 {
			more = fmt.Sprintf(" and %d more", len(entries)-3)
		}
		return fmt.Errorf("--dir %s is not empty (it holds %s%s): give a new or empty directory, or --force to write into it, replacing files of the same names", dir, strings.Join(names, ", "), more)
	}
	return nil
}

// writeExport writes the files into dir, creating it.
func writeExport(dir string, res *export.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create --dir %s: %w", dir, err)
	}
	for _, name := range res.Names() {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, res.Files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// printExport says what was written where, and how many differences from
// the lab's configuration the files explain.
func printExport(w io.Writer, dir, labName string, res *export.Result) {
	fmt.Fprintf(w, "exported lab %s to %s:\n", labName, dir)
	fmt.Fprintf(w, "  %-22s which file goes where, and the commands that apply them\n", export.ReadmeName)
	for _, p := range res.Placements {
		fmt.Fprintf(w, "  %-22s %s on %s\n", p.File, p.Path, strings.Join(p.Nodes, ", "))
	}
	switch n := len(res.Notes); n {
	case 0:
		fmt.Fprintf(w, "the files say what the lab's configuration says\n")
	case 1:
		fmt.Fprintf(w, "1 difference from the lab's configuration, explained in the file and in %s\n", filepath.Join(dir, export.ReadmeName))
	default:
		fmt.Fprintf(w, "%d differences from the lab's configuration, explained in the files and in %s\n", n, filepath.Join(dir, export.ReadmeName))
	}
}
